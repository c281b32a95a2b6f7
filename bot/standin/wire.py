"""Bot API wire basics shared by the stand-in: JSON types, error answers, parameter coercion."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

JSONDict = dict[str, Any]
#: The multipart files of a request: part name -> (file name, content, MIME type).
Files = Mapping[str, tuple[str, Any, str]]


class APIError(Exception):
    """An error answer of the Bot API (raised inside handlers, turned into JSON)."""

    def __init__(self, code: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def bad(description: str) -> APIError:
    """A 400 "Bad Request" answer."""
    return APIError(400, f"Bad Request: {description}")


def error_answer(err: APIError) -> tuple[int, bytes]:
    """The HTTP status and JSON body Telegram answers an error with."""
    payload: JSONDict = {"ok": False, "error_code": err.code, "description": err.description}
    if err.parameters:
        payload["parameters"] = err.parameters
    return err.code, json.dumps(payload).encode()


def as_int(value: object) -> int | None:
    """An integer parameter as PTB sends it (int or string), or None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def as_json(value: object) -> object:
    """A parameter that may arrive JSON-encoded, decoded (left as it is if it is not JSON)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value

"""Button data: typed actions to callback data and back, in this one place.

The data is ``<tag>:<field>:<field>…``, always under Telegram's 64 bytes. Decoding checks every
field against the action's type (ids are 1-18 digits, words a small alphabet, enums their known
values), so old, forged, malformed or foreign data becomes ``None`` and changes nothing.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from enum import Enum
from types import NoneType, UnionType
from typing import Any

from bot.core.actions import ACTIONS, Action, load_all

MAX_BYTES = 64
_ID = re.compile(r"[0-9]{1,18}")
_WORD = re.compile(r"[A-Za-z0-9_.\-]{0,60}")


class CodecError(ValueError):
    """An action that cannot be encoded (a programming error, never a person's)."""


_FIELDS: dict[str, tuple[tuple[str, Any, bool], ...]] = {}


def _fields(cls: type[Action]) -> tuple[tuple[str, Any, bool], ...]:
    """(name, type, optional) of each field, in order (worked out once per action type)."""
    known = _FIELDS.get(cls.tag)
    if known is not None:
        return known
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        kind = hints[f.name]
        optional = False
        if isinstance(kind, UnionType) or typing.get_origin(kind) is typing.Union:
            args = [a for a in typing.get_args(kind) if a is not NoneType]
            optional = len(args) < len(typing.get_args(kind))
            if len(args) != 1:
                raise CodecError(f"{cls.__name__}.{f.name}: only 'T | None' unions are allowed")
            kind = args[0]
        if not (kind in (int, str, bool) or (isinstance(kind, type) and issubclass(kind, Enum))):
            raise CodecError(f"{cls.__name__}.{f.name}: {kind!r} cannot be button data")
        out.append((f.name, kind, optional))
    _FIELDS[cls.tag] = tuple(out)
    return _FIELDS[cls.tag]


def _encode_value(cls: type[Action], name: str, kind: Any, value: object) -> str:
    if value is None:
        return ""
    if kind is bool:
        return "1" if value else "0"
    if kind is int:
        text = str(value)
        if not isinstance(value, int) or not _ID.fullmatch(text):
            raise CodecError(f"{cls.__name__}.{name}: {value!r} is not a row id")
        return text
    text = value.value if isinstance(value, Enum) else str(value)
    if not _WORD.fullmatch(text):
        raise CodecError(f"{cls.__name__}.{name}: {text!r} has characters button data can't hold")
    return text


def encode(action: Action) -> str:
    """The callback data of ``action``.

    Raises:
        CodecError: if a field cannot be carried or the data would exceed 64 bytes.
    """
    cls = type(action)
    parts = [cls.tag]
    for name, kind, _ in _fields(cls):
        parts.append(_encode_value(cls, name, kind, getattr(action, name)))
    data = ":".join(parts)
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise CodecError(f"{cls.__name__}: {len(data)} bytes of button data (limit {MAX_BYTES})")
    return data


def _decode_value(kind: Any, optional: bool, text: str) -> tuple[bool, object]:
    if text == "" and optional:
        return True, None
    if kind is bool:
        return (text in ("0", "1")), text == "1"
    if kind is int:
        return (True, int(text)) if _ID.fullmatch(text) else (False, None)
    if not _WORD.fullmatch(text):
        return False, None
    if kind is str:
        return True, text
    try:
        return True, kind(text)
    except ValueError:
        return False, None


def decode(data: str | None) -> Action | None:
    """The action behind callback data, or None for anything this version did not make."""
    if not data or len(data.encode("utf-8")) > MAX_BYTES:
        return None
    if not ACTIONS:
        load_all()
    tag, *values = data.split(":")
    cls = ACTIONS.get(tag)
    if cls is None:
        return None
    fields = _fields(cls)
    if len(values) != len(fields):
        return None
    kwargs: dict[str, object] = {}
    for (name, kind, optional), text in zip(fields, values, strict=True):
        ok, value = _decode_value(kind, optional, text)
        if not ok:
            return None
        kwargs[name] = value
    return cls(**kwargs)

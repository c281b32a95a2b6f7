"""The stand-in served over HTTP/1.1 on 127.0.0.1: the real PTB stack (its own HTTP client, the
Updater's long polling) talks to it as to Telegram. Used by the tests of intake under faults and by
``bench/crash.py``, where the bot is another process."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from bot.standin.transport import FakeBotAPI
from bot.standin.wire import JSONDict

#: Parameters that are text as they are; every other form value is JSON, or a plain string.
TEXT_PARAMETERS = frozenset({"text", "caption", "callback_query_id", "description", "name"})

#: Answers one request: path, body and content type in; HTTP status and body out.
Serve = Callable[[str, bytes, str], Awaitable[tuple[int, bytes]]]


class Body:
    """What ``FakeBotAPI.do_request`` reads of a ``RequestData``: decoded parameters, no files."""

    def __init__(self, parameters: JSONDict) -> None:
        self.parameters = parameters
        self.multipart_data: dict[str, Any] = {}


def decode_form(body: bytes, content_type: str) -> JSONDict:
    """The parameters of a Bot API request as PTB posts them (form or JSON)."""
    if not body:
        return {}
    if content_type.startswith("application/json"):
        loaded = json.loads(body)
        return dict(loaded) if isinstance(loaded, dict) else {}
    if not content_type.startswith("application/x-www-form-urlencoded"):
        raise ValueError(f"unsupported body {content_type!r}")
    params: JSONDict = {}
    for key, value in parse_qsl(body.decode(), keep_blank_values=True):
        # PTB sends strings as they are, numbers as digits and everything else as JSON.
        if key in TEXT_PARAMETERS:
            params[key] = value
            continue
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


async def answer(api: FakeBotAPI, path: str, body: bytes, content_type: str) -> tuple[int, bytes]:
    """The stand-in's answer to one HTTP request to ``/bot<token>/<method>``."""
    try:
        params = decode_form(body, content_type)
    except ValueError as exc:
        error = {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
        return 400, json.dumps(error).encode()
    return await api.do_request(path, "POST", Body(params))  # type: ignore[arg-type]


class HTTPFront:
    """The stand-in served over HTTP/1.1 on 127.0.0.1, keep-alive, no pipelining needed.

    A request whose client goes away before it is answered (the bot was killed) is cancelled: it
    never reaches the stand-in, whose latency comes before "Telegram" acts.

    Args:
        api: the stand-in.
        serve: answers each request; by default :func:`answer` (a benchmark may watch them).
    """

    def __init__(self, api: FakeBotAPI, serve: Serve | None = None) -> None:
        self.api = api
        self._serve: Serve = serve or (lambda *request: answer(api, *request))
        self._server: asyncio.Server | None = None

    async def start(self) -> str:
        """Listen on a free port; the Bot API base URL (``BOT_API_URL``)."""
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/bot"

    async def close(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.close()

    async def _connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        buffer = bytearray()
        try:
            while True:
                request = await _read_request(reader, buffer)
                if request is None:
                    return
                path, body, content_type = request
                answer = asyncio.ensure_future(self._serve(path, body, content_type))
                gone = asyncio.ensure_future(reader.read(65536))
                while True:
                    await asyncio.wait({answer, gone}, return_when=asyncio.FIRST_COMPLETED)
                    if answer.done():
                        break
                    chunk = gone.result()
                    if not chunk:  # the client closed the connection: the bot is gone
                        answer.cancel()
                        await asyncio.gather(answer, return_exceptions=True)
                        return
                    buffer += chunk
                    gone = asyncio.ensure_future(reader.read(65536))
                gone.cancel()  # the reader takes one waiter: let it go before reading on
                with contextlib.suppress(asyncio.CancelledError):
                    buffer += await gone
                status, payload = answer.result()
                head = (
                    f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
                    "Content-Type: application/json\r\n"
                    f"Content-Length: {len(payload)}\r\n\r\n"
                )
                writer.write(head.encode() + payload)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()


async def _read_request(
    reader: asyncio.StreamReader, buffer: bytearray
) -> tuple[str, bytes, str] | None:
    """Path, body and content type of the next request; None when the client has gone."""
    while b"\r\n\r\n" not in buffer:
        chunk = await reader.read(65536)
        if not chunk:
            return None
        buffer += chunk
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    _, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", ""):
        raise ConnectionError("chunked bodies are not served here")
    length = int(headers.get("content-length") or 0)
    body = bytearray(rest)
    while len(body) < length:
        chunk = await reader.read(65536)
        if not chunk:
            return None
        body += chunk
    buffer[:] = body[length:]
    return path, bytes(body[:length]), headers.get("content-type", "")

"""A webhook deployment: Telegram's POSTs reach the bot through a reverse proxy that keeps the
path, and nothing else gets in: not without the secret, not on another path, not a huge body."""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
import re
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import App, build_application
from bot.cli import main
from bot.config import EXAMPLE_CONFIG, ConfigError, Settings, Webhook, load_settings
from bot.core.clock import ManualClock
from bot.core.i18n import Catalog
from bot.standin import FakeBotAPI
from bot.webhook import IDLE_SECONDS, MAX_BODY_BYTES, SECRET_HEADER, serving
from tests.conftest import by_hand

SECRET = "Wh-" + "0123456789abcdefghijklmnopqrstuv" + "_xyz"  # 39 characters
ALEX = 101


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Forward(BaseHTTPRequestHandler):
    """A reverse proxy as nginx's ``proxy_pass http://127.0.0.1:PORT;``: the request goes on
    with its path as is; the bot's answer comes back; 502 while nothing listens."""

    server: _Proxy

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {
            name: value
            for name, value in self.headers.items()
            if name.lower() in {"content-type", "content-length", SECRET_HEADER.lower()}
        }
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream, timeout=10)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            status, payload = answer.status, answer.read()
        except OSError:
            status, payload = 502, b""
        finally:
            upstream.close()
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_GET = _forward

    def log_message(self, format: str, *args: object) -> None:
        return


class _Proxy(ThreadingHTTPServer):
    def __init__(self, upstream: int) -> None:
        super().__init__(("127.0.0.1", 0), _Forward)
        self.upstream = upstream


@pytest.fixture
def hook() -> Webhook:
    return Webhook(url="https://bot.example.org/telegram", port=_free_port())


@pytest.fixture
def proxy(hook: Webhook) -> Iterator[str]:
    server = _Proxy(hook.port)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@asynccontextmanager
async def bot_running(
    settings: Settings, catalog: Catalog, clock: ManualClock, api: FakeBotAPI, hook: Webhook
) -> AsyncIterator[App]:
    """The real application, served by webhook exactly as ``between run`` serves it."""
    app = build_application(settings, catalog, clock=clock, request=api, polling=False)
    async with serving(app, hook, SECRET):
        by_hand(app)
        yield app


@pytest.fixture
async def bot(
    settings: Settings, catalog: Catalog, clock: ManualClock, api: FakeBotAPI, hook: Webhook
) -> AsyncIterator[App]:
    async with bot_running(settings, catalog, clock, api, hook) as app:
        yield app


async def post(
    url: str, update: dict[str, Any] | bytes, secret: str | None = SECRET
) -> httpx.Response:
    """What Telegram does: POST the update as JSON, with the secret in its header."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    body = update if isinstance(update, bytes) else json.dumps(update).encode()
    async with httpx.AsyncClient() as client:
        return await client.post(url, content=body, headers=headers, timeout=10)


# ---- through the proxy ------------------------------------------------------------------------


async def test_an_update_through_the_proxy_is_answered(
    bot: App, api: FakeBotAPI, proxy: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    api.add_user(ALEX, first_name="Alex", language_code="en")
    answer = await post(f"{proxy}/telegram", api.text(ALEX, "/start"))
    assert answer.status_code == 200
    sent = await api.wait_for_messages(ALEX, 1)
    assert "Nobody sees what you write here" in sent[0].body
    registered = [params for method, params in api.calls if method == "setWebhook"]
    assert registered[-1]["url"] == "https://bot.example.org/telegram"
    assert registered[-1]["secret_token"] == SECRET
    assert SECRET not in caplog.text


@pytest.mark.parametrize(
    "secret",
    [None, "", "x" * len(SECRET), SECRET[:-1] + ("A" if SECRET[-1] != "A" else "B"), SECRET[:32],
     SECRET + "x"],
    ids=["none", "empty", "same-length", "last-character", "prefix", "longer"],
)  # fmt: skip
async def test_an_update_without_the_right_secret_is_refused_and_does_nothing(
    bot: App, api: FakeBotAPI, proxy: str, secret: str | None
) -> None:
    api.add_user(ALEX, first_name="Alex", language_code="en")
    answer = await post(f"{proxy}/telegram", api.text(ALEX, "/start"), secret=secret)
    assert answer.status_code == 403
    assert answer.content == b""  # no page telling what answered
    await bot.stop()  # processes whatever was queued: nothing may have been
    assert api.messages(ALEX) == []


@pytest.mark.parametrize("path", ["/", "/telegram/", "/telegram/x", "/telegra", "/TELEGRAM"])
async def test_other_paths_are_not_found_even_with_the_secret(
    bot: App, api: FakeBotAPI, proxy: str, path: str
) -> None:
    api.add_user(ALEX, first_name="Alex", language_code="en")
    answer = await post(f"{proxy}{path}", api.text(ALEX, "/start"))
    assert answer.status_code == 404
    await bot.stop()
    assert api.messages(ALEX) == []


async def test_only_post_is_accepted(bot: App, proxy: str) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.get(f"{proxy}/telegram", headers={SECRET_HEADER: SECRET})
    assert answer.status_code == 405


async def test_a_body_that_is_not_an_update_is_refused(bot: App, proxy: str) -> None:
    assert (await post(f"{proxy}/telegram", b"not json")).status_code == 400
    assert (await post(f"{proxy}/telegram", b"[1, 2]")).status_code == 400


async def test_an_update_sent_while_the_bot_restarts_is_answered_after_it(
    settings: Settings,
    catalog: Catalog,
    clock: ManualClock,
    api: FakeBotAPI,
    hook: Webhook,
    proxy: str,
) -> None:
    api.add_user(ALEX, first_name="Alex", language_code="en")
    async with bot_running(settings, catalog, clock, api, hook):
        assert (await post(f"{proxy}/telegram", api.text(ALEX, "/start"))).status_code == 200
    welcomed = len(api.messages(ALEX))  # stopping finished what was queued
    assert welcomed >= 1

    # The bot is down. Telegram keeps the update and retries it until the bot takes it.
    update = api.text(ALEX, "/start")
    statuses: list[int] = []
    refused_once = asyncio.Event()

    async def telegram_retries() -> None:
        for _ in range(400):  # a bound, not a schedule: well beyond a restart
            statuses.append((await post(f"{proxy}/telegram", update)).status_code)
            if statuses[-1] == 200:
                return
            refused_once.set()
            await asyncio.sleep(0.05)
        raise AssertionError(f"never accepted: {statuses[-5:]}")

    retries = asyncio.create_task(telegram_retries())
    await refused_once.wait()
    async with bot_running(settings, catalog, clock, api, hook):
        await retries
        sent = await api.wait_for_messages(ALEX, welcomed + 1)
    assert statuses[0] == 502 and statuses[-1] == 200
    assert sent[welcomed].body.startswith("Welcome back, Alex")


# ---- straight to the bot's port: what a proxy might let through -----------------------------


async def _raw(port: int, request: bytes) -> bytes:
    """Send ``request`` as is and read the answer until the bot closes the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), timeout=10)
    finally:
        writer.close()


def _status(answer: bytes) -> int:
    found = re.match(rb"HTTP/1\.1 (\d{3}) ", answer)
    assert found, answer[:100]
    return int(found[1])


def _head(secret: str | None, framing: str) -> bytes:
    lines = ["POST /telegram HTTP/1.1", "Host: bot", "Content-Type: application/json", framing]
    if secret is not None:
        lines.append(f"{SECRET_HEADER}: {secret}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@pytest.mark.parametrize(
    ("secret", "status"), [(SECRET, 413), (None, 403)], ids=["secret", "no-secret"]
)
async def test_a_huge_body_is_refused_before_it_is_read(
    bot: App, hook: Webhook, secret: str | None, status: int
) -> None:
    # 50 MB announced, 1 KB sent: the answer comes, and the connection closes, without the rest.
    head = _head(secret, "Content-Length: 50000000")
    answer = await _raw(hook.port, head + b"{" + b" " * 1023)
    assert _status(answer) == status
    assert b"Tornado" not in answer  # nothing says what answered


async def test_a_chunked_body_over_the_limit_is_refused(bot: App, hook: Webhook) -> None:
    size = MAX_BODY_BYTES + 1  # a chunked body says its size only as it goes
    head = _head(SECRET, "Transfer-Encoding: chunked")
    answer = await _raw(hook.port, head + f"{size:x}\r\n".encode() + b" " * size)
    assert _status(answer) == 413


async def test_a_body_at_the_limit_is_read(bot: App, hook: Webhook, api: FakeBotAPI) -> None:
    api.add_user(ALEX, first_name="Alex", language_code="en")
    update = json.dumps(api.text(ALEX, "/start")).encode()
    body = update + b" " * (MAX_BODY_BYTES - len(update))
    head = _head(SECRET, f"Content-Length: {len(body)}\r\nConnection: close")
    assert _status(await _raw(hook.port, head + body)) == 200
    assert await api.wait_for_messages(ALEX, 1)


async def test_an_idle_connection_is_closed_by_the_bot(
    settings: Settings, catalog: Catalog, clock: ManualClock, api: FakeBotAPI, hook: Webhook
) -> None:
    assert IDLE_SECONDS <= 10  # seconds, not tornado's hour
    api.add_user(ALEX, first_name="Alex", language_code="en")
    loop = asyncio.get_running_loop()
    app = build_application(settings, catalog, clock=clock, request=api, polling=False)
    async with serving(app, hook, SECRET, idle_seconds=0.2):
        by_hand(app)
        # One update answered on a kept-alive connection, then silence; and a connection that
        # never says anything. The bot closes both (the read ends), long before the bound.
        body = json.dumps(api.text(ALEX, "/start")).encode()
        for request in (_head(SECRET, f"Content-Length: {len(body)}") + body, b""):
            reader, writer = await asyncio.open_connection("127.0.0.1", hook.port)
            try:
                writer.write(request)
                await writer.drain()
                if request:
                    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
                    assert _status(head) == 200
                    length = re.search(rb"Content-Length: (\d+)", head)
                    assert length is not None
                    await reader.readexactly(int(length[1]))
                started = loop.time()
                assert await asyncio.wait_for(reader.read(), timeout=5) == b""
                assert loop.time() - started < 3
            finally:
                writer.close()


# ---- the command and the configuration ------------------------------------------------------


def test_webhook_secret_prints_a_new_random_secret_without_token_or_database(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    catalog: Catalog,
) -> None:
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    printed = []
    for _ in range(2):
        assert main(["webhook", "secret"]) == 0
        printed.append(capsys.readouterr().out)
    first, second = (out.strip() for out in printed)
    assert printed[0] == first + "\n"  # the secret alone: $(between webhook secret) works
    assert re.fullmatch(r"[A-Za-z0-9_-]{48,256}", first)
    assert first != second
    assert not (tmp_path / "data").exists()
    assert _with_webhook(tmp_path, catalog, "", first).webhook_secret == first


def _config(tmp_path: Path, webhook: str) -> Path:
    config = tmp_path / "service.toml"
    config.write_text(EXAMPLE_CONFIG.read_text() + "\n[webhook]\n" + webhook)
    return config


def _with_webhook(tmp_path: Path, catalog: Catalog, webhook: str, secret: str) -> Settings:
    config = _config(tmp_path, 'url = "https://bot.example.org/telegram"\n' + webhook)
    return load_settings(
        {"BOT_CONFIG": str(config), "BOT_WEBHOOK_SECRET": secret}, catalog=catalog
    )


@pytest.mark.parametrize(
    "secret",
    ["s" * 31, "aaaaaaaaaaaaaaaa", "s" * 31 + "!", "s" * 257, "s" * 32 + "\n", "s" * 31 + "é"],
)
def test_a_short_or_odd_secret_is_refused_and_says_how_to_make_one(
    tmp_path: Path, catalog: Catalog, secret: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        _with_webhook(tmp_path, catalog, "", secret)
    message = str(refused.value)
    assert message.startswith("BOT_WEBHOOK_SECRET: must be 32 to 256 characters")
    assert "`between webhook secret`" in message
    assert secret.strip() not in message


def test_a_missing_secret_says_how_to_make_one(tmp_path: Path, catalog: Catalog) -> None:
    with pytest.raises(ConfigError, match=r"^BOT_WEBHOOK_SECRET: required .*between webhook"):
        _with_webhook(tmp_path, catalog, "", "")


def test_the_webhook_listens_on_loopback_by_default(tmp_path: Path, catalog: Catalog) -> None:
    webhook = _with_webhook(tmp_path, catalog, "", SECRET).service.webhook
    assert webhook is not None
    assert (webhook.listen, webhook.port) == ("127.0.0.1", 8443)


@pytest.mark.parametrize(
    ("url", "path", "served"),
    [
        ("https://bot.example.org/telegram", None, "/telegram"),
        ("https://bot.example.org/between/hook?x=1", None, "/between/hook"),
        ("https://bot.example.org", None, "/"),
        ("https://bot.example.org/", None, "/"),
        ("https://bot.example.org/telegram", "/", "/"),  # a proxy that rewrites the path
    ],
)
def test_the_path_comes_from_the_url_unless_one_is_set(
    tmp_path: Path, catalog: Catalog, url: str, path: str | None, served: str
) -> None:
    webhook = f'url = "{url}"\n' + (f'path = "{path}"\n' if path else "")
    config = _config(tmp_path, webhook)
    settings = load_settings(
        {"BOT_CONFIG": str(config), "BOT_WEBHOOK_SECRET": SECRET}, catalog=catalog
    )
    assert settings.service.webhook is not None
    assert settings.service.webhook.served_path == served


@pytest.mark.parametrize(
    ("webhook", "where"),
    [
        ('url = "https://bot.example.org/t%C3%A9l"\n', "webhook.url"),
        ('url = "https://bot.example.org/telegram"\npath = "telegram"\n', "webhook.path"),
        ('url = "https://bot.example.org/telegram"\npath = "/a b"\n', "webhook.path"),
        ('url = "http://bot.example.org/telegram"\n', "webhook.url"),
    ],
)
def test_a_path_the_bot_cannot_serve_is_refused(
    tmp_path: Path, catalog: Catalog, webhook: str, where: str
) -> None:
    config = _config(tmp_path, webhook)
    with pytest.raises(ConfigError, match=f": {re.escape(where)}: "):
        load_settings({"BOT_CONFIG": str(config), "BOT_WEBHOOK_SECRET": SECRET}, catalog=catalog)

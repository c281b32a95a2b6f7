"""Updates by webhook: Telegram's POSTs, checked before their body is read, put on PTB's queue.

PTB's own webhook server (``Application.run_webhook``) compares the secret with ``!=``, reads the
whole body before it looks at the secret, and offers no hook to change either. So Between serves
the webhook itself, the way PTB documents for custom webhook servers: updates go on
``Application.update_queue`` and ``Bot.set_webhook`` registers the URL. No PTB internals are used.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from http import HTTPStatus
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

import tornado.web
from telegram import Update
from tornado.httpserver import HTTPServer
from tornado.iostream import StreamClosedError
from tornado.netutil import bind_sockets

from bot.config import ConfigError, Settings, Webhook

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

#: The largest body accepted. Telegram's updates are a few kilobytes (a 4,096-character message
#: with its entities); anything near this size is not from Telegram.
MAX_BODY_BYTES: Final = 1024 * 1024
SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
#: How long a connection may wait for a request's headers, idle between requests or not: tornado
#: would otherwise keep a silent connection for an hour, and a few hundred silent ones (anyone
#: can open them) would take every file descriptor. Telegram opens a new connection when one
#: closed, so little is lost by closing early.
IDLE_SECONDS: Final = 5.0
#: How long the body of one request may take to arrive: an update is read in well under this.
BODY_SECONDS: Final = 10.0

# Tornado's own body limit would answer 400 on a connection our handler has already answered:
# the handler enforces MAX_BODY_BYTES itself, so tornado's limit must never be the one reached.
_NO_TORNADO_LIMIT: Final = 1 << 62
_STOP_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)


def new_secret() -> str:
    """A random secret for ``BOT_WEBHOOK_SECRET``: 64 characters of ``A-Z a-z 0-9 _ -``."""
    return secrets.token_urlsafe(48)


@tornado.web.stream_request_body
class _UpdateHandler(tornado.web.RequestHandler):
    """Every request, on any path. The body is streamed, so that ``prepare`` decides on the
    headers alone: another path, another method, a missing or wrong secret or a declared size
    over the limit is answered before any of the body is read, and tornado then closes the
    connection instead of reading the rest."""

    def initialize(self, app: App, path: str, secret: bytes) -> None:
        self._app = app
        self._path = path
        self._secret = secret
        self._body = bytearray()
        self._refused = False

    def set_default_headers(self) -> None:
        self.clear_header("Server")  # whoever knocks need not learn what answers

    def prepare(self) -> None:
        status = self._refusal()
        if status is not None:
            self._refused = True
            raise tornado.web.HTTPError(status)

    def _refusal(self) -> HTTPStatus | None:
        if self.request.path != self._path:
            return HTTPStatus.NOT_FOUND
        if self.request.method != "POST":
            return HTTPStatus.METHOD_NOT_ALLOWED
        given = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):  # the same time whichever byte differs
            return HTTPStatus.FORBIDDEN
        declared = self.request.headers.get("Content-Length", "")
        # A malformed length is tornado's to refuse (400), before it reads anything.
        if declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return HTTPStatus.REQUEST_ENTITY_TOO_LARGE
        return None

    def data_received(self, chunk: bytes) -> None:
        if self._refused:  # answered already; the rest goes nowhere until the connection closes
            return
        self._body += chunk
        if len(self._body) > MAX_BODY_BYTES:  # a chunked body declares no length up front
            self._refused = True
            self.send_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)

    async def post(self) -> None:
        try:
            data = json.loads(self._body)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        try:
            update = Update.de_json(data, self._app.bot)
        except Exception as exc:
            # Without the data: it holds what someone wrote.
            log.error("webhook: an update could not be read (%s)", type(exc).__name__)
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        self._app.bot.insert_callback_data(update)  # as PTB's own webhook does
        await self._app.update_queue.put(update)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """No error page: the status says it all."""

    def log_exception(
        self,
        typ: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Refusals are expected (anyone may knock), and a connection closed after one is too.
        # Tornado's own line would print the request's headers, the secret among them.
        if not isinstance(value, tornado.web.HTTPError | StreamClosedError):
            log.error("webhook: a request failed", exc_info=value)


@asynccontextmanager
async def serving(
    app: App, webhook: Webhook, secret: str, *, idle_seconds: float = IDLE_SECONDS
) -> AsyncIterator[None]:
    """Run ``app`` as ``run_webhook`` would, with our own server, until the block ends.

    Start: ``initialize``, ``post_init``, ``start``, listen, then ``set_webhook`` (listening
    first, so that Telegram's first POST finds us). End: stop listening, ``stop`` (what is queued
    is still processed), ``post_stop``, ``shutdown``, ``post_shutdown``. The webhook stays
    registered: Telegram keeps what comes meanwhile and retries it once the bot is back.

    Args:
        app: the application whose queue the updates go on.
        webhook: where to listen and the URL Telegram is given.
        secret: the secret Telegram sends with every update.
        idle_seconds: how long a connection may send nothing before it is closed.

    Raises:
        ConfigError: nothing can listen on ``webhook.listen``:``webhook.port``.
    """
    handler_args = {"app": app, "path": webhook.served_path, "secret": secret.encode()}
    server = HTTPServer(
        # No access log: it would carry every request's path and sender (held back anyway).
        tornado.web.Application([(r".*", _UpdateHandler, handler_args)], log_function=_no_log),
        max_body_size=_NO_TORNADO_LIMIT,
        idle_connection_timeout=idle_seconds,
        body_timeout=BODY_SECONDS,
    )
    try:
        await app.initialize()
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        try:
            server.add_sockets(bind_sockets(webhook.port, address=webhook.listen))
        except OSError as exc:
            raise ConfigError(
                f"webhook.port: cannot listen on {webhook.listen}:{webhook.port}: {exc.strerror}"
            ) from None
        try:
            await app.bot.set_webhook(
                url=webhook.url, secret_token=secret, allowed_updates=Update.ALL_TYPES
            )
            log.info(
                "webhook: listening on %s:%d at %s",
                webhook.listen,
                webhook.port,
                webhook.served_path,
            )
            yield
        finally:
            server.stop()
            await server.close_all_connections()
    finally:
        if app.running:
            await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


def _no_log(_handler: tornado.web.RequestHandler) -> None:
    return None


def run_webhook(app: App, settings: Settings) -> None:
    """``between run`` with ``[webhook]``: serve until SIGINT or SIGTERM, then stop cleanly.

    Runs on the current event loop and closes it at the end, as ``run_polling`` does.
    """
    webhook, secret = settings.service.webhook, settings.webhook_secret
    if webhook is None or secret is None:  # load_settings refuses [webhook] without a secret
        raise ConfigError("[webhook]: missing")
    loop = asyncio.get_event_loop()
    stopping = asyncio.Event()
    for sig in _STOP_SIGNALS:
        loop.add_signal_handler(sig, stopping.set)

    async def serve() -> None:
        async with serving(app, webhook, secret):
            await stopping.wait()

    try:
        loop.run_until_complete(serve())
    finally:
        for sig in _STOP_SIGNALS:
            with suppress(ValueError, RuntimeError):
                loop.remove_signal_handler(sig)
        loop.close()

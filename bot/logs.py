"""The log: what happened and where, never a person's words, name or Telegram id, at any level."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import sys
import traceback
from collections.abc import Mapping
from types import TracebackType
from typing import Final, TextIO

FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"

#: Our own loggers: ``bot`` and ``bot.*``. Everything else is a library's.
OURS: Final = "bot"

#: Libraries whose records could carry personal data or secrets, and the most each may log,
#: whatever BOT_LOG_LEVEL says. A logger's children are held the same way.
QUIET: Final[Mapping[str, int]] = {
    # DEBUG: every statement with its parameters: names, Telegram ids, ciphertexts.
    "aiosqlite": logging.WARNING,
    # INFO: every request's URL, and the URL holds the bot token.
    "httpx": logging.WARNING,
    # DEBUG: connection and request traces: hosts, headers, a proxy's credentials.
    "httpcore": logging.WARNING,
    # DEBUG: every update (words, names, ids), every Bot API call with its parameters (the
    # text sent, chat ids) and what it returned, every webhook body. Its INFO lines are only
    # "Application started/stopping/stop() complete" and "Rate limit hit. Retrying after N s".
    "telegram": logging.INFO,
    # INFO: every job run (the tick every few seconds); a job's name and repr are whatever
    # the code that planned it put there.
    "apscheduler": logging.WARNING,
    # DEBUG (in asyncio's debug mode): slow callbacks with the repr of their arguments.
    "asyncio": logging.WARNING,
    # INFO: the webhook server's access log: every request's path and sender's address.
    "tornado": logging.WARNING,
    # WARNING: a character the record's font cannot draw, named, with the text around it.
    "fpdf": logging.ERROR,
    "fontTools": logging.ERROR,
}

WITHHELD: Final = "(details withheld)"

_KEY: Final = secrets.token_bytes(32)  # for :func:`who`; never written anywhere


def configure_logging(level: str | int, *, stream: TextIO | None = None) -> None:
    """Log our own records at ``level`` (BOT_LOG_LEVEL) to ``stream`` (stderr), and hold the
    libraries in :data:`QUIET` to their level (or ``level``, if higher) whatever ``level`` is.

    Safe to call again: it replaces the handler it installed before and leaves others alone.
    """
    root = logging.getLogger()
    root.setLevel(level.upper() if isinstance(level, str) else level)
    for old in [h for h in root.handlers if isinstance(h, _PrivateHandler)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(_PrivateHandler(stream if stream is not None else sys.stderr))
    manager = logging.Logger.manager
    for name, pinned in QUIET.items():
        most = max(pinned, root.level)  # never louder than asked: WARNING means WARNING
        logging.getLogger(name).setLevel(most)
        # A child set lower by hand (or by the library) would speak past its parent: reset it.
        for other, logger in list(manager.loggerDict.items()):
            if (
                other.startswith(name + ".")
                and isinstance(logger, logging.Logger)
                and logger.level != logging.NOTSET
                and logger.level < most
            ):
                logger.setLevel(logging.NOTSET)


def who(telegram_id: int | None) -> str:
    """What a log line says instead of a Telegram id: the same person reads the same within
    one run (to follow one person's trouble), and nobody can turn it back into the id; the key
    lives only in this process, so lines from two runs cannot be joined up either."""
    if telegram_id is None:
        return "nobody"
    digest = hmac.new(_KEY, str(telegram_id).encode(), hashlib.sha256).hexdigest()
    return f"p{digest[:10]}"


class PrivateFormatter(logging.Formatter):
    """Formats tracebacks with each exception's type and frames but not its message: an
    exception's text can quote what it choked on (a person's words, an id, a row)."""

    def format(self, record: logging.LogRecord) -> str:
        # Another handler may have cached the full traceback text on the record: never reuse it.
        record.exc_text = None
        return super().format(record)

    def formatException(
        self,
        ei: tuple[type[BaseException], BaseException, TracebackType | None]
        | tuple[None, None, None],
    ) -> str:
        _, error, _ = ei
        if error is None:
            return ""
        return "".join(_traceback_lines(error, set())).rstrip("\n")


def _traceback_lines(error: BaseException, seen: set[int]) -> list[str]:
    """Like ``traceback.format_exception``, with each exception's message withheld."""
    seen.add(id(error))
    lines: list[str] = []
    cause, context = error.__cause__, error.__context__
    if cause is not None and id(cause) not in seen:
        lines += _traceback_lines(cause, seen)
        lines.append("\nThe above exception was the direct cause of the following exception:\n\n")
    elif context is not None and not error.__suppress_context__ and id(context) not in seen:
        lines += _traceback_lines(context, seen)
        lines.append("\nDuring handling of the above exception, another exception occurred:\n\n")
    if error.__traceback__ is not None:
        lines.append("Traceback (most recent call last):\n")
        lines += traceback.extract_tb(error.__traceback__).format()
    kind = type(error)
    module = "" if kind.__module__ == "builtins" else f"{kind.__module__}."
    lines.append(f"{module}{kind.__qualname__}: {WITHHELD}\n")
    if isinstance(error, BaseExceptionGroup):
        for number, inner in enumerate(error.exceptions, 1):
            lines.append(f"\n+---- {number} of the group ----\n")
            lines += _traceback_lines(inner, seen)
    return lines


class LibraryDetails(logging.Filter):
    """A library's record keeps its logger, its level and the first line of what it says,
    without the values put into it: PTB's errors quote whole updates and server answers,
    asyncio's the values a failed task held, and a library not in :data:`QUIET` is unread."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == OURS or record.name.startswith(OURS + "."):
            return True
        if not isinstance(record.msg, str):  # logger.error(exc): the object's text is its words
            record.msg, record.args = f"{type(record.msg).__name__} {WITHHELD}", None
            return True
        template = record.msg
        first = template.split("\n", 1)[0]
        if record.args or first != template:
            record.msg = f"{first} {WITHHELD}"
            record.args = None
        return True


class _PrivateHandler(logging.StreamHandler):
    """The handler :func:`configure_logging` installs: our format, no one's details."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self.setFormatter(PrivateFormatter(FORMAT))
        self.addFilter(LibraryDetails())

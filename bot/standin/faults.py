"""Failures on demand and rate limiting: which request fails, and how it fails."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Final

from telegram.error import NetworkError, TimedOut

from bot.standin.wire import APIError

#: Methods that send, edit or delete messages: rate-limited, and matched by ``fail(None, ...)``.
MESSAGE_METHODS: Final = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
        "editMessageMedia",
        "sendDocument",
        "sendPhoto",
        "deleteMessage",
    }
)

FAULT_KINDS: Final = frozenset(
    {"retry_after", "blocked", "timeout", "timeout_after_send", "network", "server"}
)


@dataclass
class Fault:
    """A failure injected with :meth:`FakeBotAPI.fail`, consumed in order."""

    method: str | None
    chat_id: int | None
    kind: str
    remaining: int
    retry_after: int = 1


def new_fault(
    method: str | None, chat_id: int | None, kind: str, times: int, retry_after: int
) -> Fault:
    """A checked :class:`Fault` (see :meth:`FakeBotAPI.fail` for the arguments)."""
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(FAULT_KINDS)}")
    if times < 1:
        raise ValueError("times must be at least 1")
    return Fault(method, chat_id, kind, times, retry_after)


def take_fault(faults: list[Fault], method: str, chat_id: int | None) -> Fault | None:
    """Use up one request's worth of the first fault that matches it (removed when spent)."""
    for fault in faults:
        if fault.method is None:
            if method not in MESSAGE_METHODS:
                continue
        elif fault.method != method:
            continue
        if fault.chat_id is not None and fault.chat_id != chat_id:
            continue
        fault.remaining -= 1
        if fault.remaining <= 0:
            faults.remove(fault)
        return fault
    return None


def fault_error(fault: Fault, method: str) -> APIError | None:
    """The error answer of a fault; None for "timeout_after_send" (it times out afterwards).

    Raises:
        telegram.error.TimedOut: for a "timeout" fault.
        telegram.error.NetworkError: for a "network" fault.
    """
    if fault.kind == "timeout":
        raise TimedOut(f"Timed out (injected fault on {method})")
    if fault.kind == "network":
        raise NetworkError(f"Injected network failure on {method}")
    if fault.kind == "server":
        return APIError(500, "Internal Server Error")
    if fault.kind == "retry_after":
        return too_many(fault.retry_after)
    if fault.kind == "blocked":
        return APIError(403, "Forbidden: bot was blocked by the user")
    return None


def too_many(retry_after: int) -> APIError:
    """Telegram's 429 answer."""
    return APIError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def admit(send_times: deque[float], limit: float, now: float) -> bool:
    """Sliding one-second window over accepted message requests (``now`` is monotonic)."""
    while send_times and now - send_times[0] >= 1.0:
        send_times.popleft()
    if len(send_times) >= limit:
        return False
    send_times.append(now)
    return True

"""Effects once: a message the bot sent while handling an update is not sent again when the
update is handled again after a hard stop.

The inbox keeps an update until its handling is over (``bot.tg.inbox``). When the bot is killed
after it answered but before it wrote that down, the update is handled again at the next start:
what it stored is kept once (a note remembers its update), but its answer would go out twice.
So every message sent while handling an update is written beside it in the inbox, as soon as
Telegram took it: a fingerprint of the request and Telegram's answer. Handled again, a request
with the same fingerprint is not made: Telegram's earlier answer is returned as if it had been.
A request that differs (the words changed meanwhile) is made. The inbox forgets both when the
handling is over.

What remains: a kill in the moment between Telegram taking a message and the bot writing that
down (the time of one answer over the network and one write) still sends it twice. Telegram's
Bot API offers no way to ask whether a message went, so nothing can close that moment.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from telegram import TelegramObject
from telegram.ext import BaseRateLimiter

from bot.tg.ratelimit import JSON

log = logging.getLogger(__name__)

#: Requests that change what someone sees. Reading (getChat), the typing sign and answering a
#: button's query (its toast is gone in seconds) are made again.
EFFECTS = ("send", "edit", "delete", "copy", "forward", "pin", "unpin", "stop")
NOT_EFFECTS = frozenset({"sendChatAction"})


def is_effect(endpoint: str) -> bool:
    """Whether a Bot API method changes what someone sees in a chat."""
    return endpoint.startswith(EFFECTS) and endpoint not in NOT_EFFECTS


def fingerprint(endpoint: str, data: dict[str, Any]) -> str:
    """The same request, the same fingerprint: method and parameters, as Telegram gets them."""

    def plain(value: object) -> object:
        if isinstance(value, TelegramObject):
            return value.to_dict()
        return str(value)

    text = json.dumps([endpoint, data], sort_keys=True, default=plain, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Handling:
    """One update being handled, and what was sent for it (in this handling or before a stop).

    Attributes:
        update_id: the update's id.
        sent: each request Telegram took for it so far, ``{"f": fingerprint, "r": answer}``.
        record: writes ``sent`` (as JSON) beside the update in the inbox.
    """

    update_id: int
    sent: list[dict[str, Any]]
    record: Callable[[str], Awaitable[None]]
    _earlier: list[dict[str, Any]] = field(default_factory=list)
    #: The store failed for a passing cause (a lock, a full disk): handle the update again.
    again: bool = False
    #: How many times the update was handled before this, in this run.
    tries: int = 0

    def __post_init__(self) -> None:
        self._earlier = list(self.sent)  # sent before a hard stop; each matches once

    def anew(self) -> Handling:
        """The next handling of the same update: what this one sent is not sent again."""
        return Handling(self.update_id, list(self.sent), self.record, tries=self.tries + 1)

    def sent_before(self, mark: str) -> JSON | None:
        """Telegram's answer to the same request made before the stop, once; None if it was
        not made."""
        for i, entry in enumerate(self._earlier):
            if entry.get("f") == mark:
                del self._earlier[i]
                answer: JSON = entry.get("r", True)
                return answer
        return None

    async def took(self, mark: str, answer: JSON) -> None:
        """Telegram took a request: write that down at once."""
        self.sent.append({"f": mark, "r": answer})
        try:
            await self.record(json.dumps(self.sent, ensure_ascii=False))
        except Exception:  # the message went; not writing it down must not undo that
            log.exception("could not note that update %s sent a message", self.update_id)


#: The update whose handling runs in this task, if any (set by the update processor).
HANDLING: ContextVar[Handling | None] = ContextVar("between_handling", default=None)


class SentOnce(BaseRateLimiter[dict[str, Any]]):
    """Passes every request to the real rate limiter, and keeps what an update sent.

    PTB hands each request but ``getUpdates`` to the bot's rate limiter, so this is the one
    place every message passes. Outside the handling of an update (scheduled check-ins, which
    their own rows keep once) it only passes requests on.
    """

    def __init__(self, inner: BaseRateLimiter[dict[str, Any]]) -> None:
        self.inner = inner

    async def initialize(self) -> None:
        """Set up the real rate limiter."""
        await self.inner.initialize()

    async def shutdown(self) -> None:
        """Stop the real rate limiter."""
        await self.inner.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> JSON:
        """Make the request unless this update made it before a hard stop; note it once made."""
        handling = HANDLING.get()
        if handling is None or not is_effect(endpoint):
            return await self.inner.process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        mark = fingerprint(endpoint, data)
        earlier = handling.sent_before(mark)
        if earlier is not None:
            log.info("update %s: %s went already; not again", handling.update_id, endpoint)
            return earlier
        answer = await self.inner.process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
        await handling.took(mark, answer)
        return answer

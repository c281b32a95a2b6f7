"""Pacing of requests to Telegram: one global rate, crisis replies first, then replies, then bulk
sends; people taken in turn; each chat kept near Telegram's limit; 429s retried."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict, deque
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from enum import IntEnum
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

JSON = bool | dict[str, Any] | list[dict[str, Any]]


class Priority(IntEnum):
    """Who waits for a slot: someone asking for help, a person who just did something, or a
    scheduled send."""

    URGENT = 0
    REPLY = 1
    BULK = 2


#: Set while an update asking for help is handled (``/helpnow``, the help button, words of
#: crisis): what it sends goes first of all and never waits for its chat's turn.
URGENT: ContextVar[bool] = ContextVar("urgent", default=False)

#: Seconds a chat's replies stay paced after Telegram said it gets too many (a 429).
HOT_FOR = 60.0


MARGIN = 0.995
"""The share of ``rate`` used: a little room for sends that leave a moment late."""

BULK = {"priority": Priority.BULK}
"""Pass as ``rate_limit_args=BULK`` on sends the bot starts itself (check-ins, nudges)."""


class PriorityRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """Releases at most ``rate`` chat-bound requests a second, replies first.

    Requests without a ``chat_id`` (getUpdates, answerCallbackQuery, setMyCommands) are not
    paced: Telegram does not count them. Waiting requests of one priority are released one chat
    at a time in turn, so one person's many replies never hold up another's for more than a few
    slots. Telegram allows one chat about one message a second, with short bursts above it that
    it does not count exactly: once a chat's request gets a 429, replies to that chat are paced
    at one per ``per_chat`` seconds for ``HOT_FOR`` seconds, so a flood of one person's messages
    is answered at the pace Telegram allows that chat instead of drawing 429 after 429 (and
    several at once pause every send). After a 429 the request waits ``retry_after`` and is
    tried again; when several come within a second (3, or one for every 30 of ``rate``),
    Telegram's limit is per bot and the others would fail too, so every paced request waits. A
    bulk send is retried until it goes through, a reply up to ``max_reply_retries`` times. A
    bulk send also waits until ``per_chat`` seconds have passed since the last new message to
    that chat, so two things the bot starts never arrive at once.
    """

    def __init__(
        self,
        rate: float,
        max_reply_retries: int = 5,
        per_chat: float = 1.0,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        # Half a per cent under the limit: a send held up for a moment, then the next on time,
        # must not make rate + 1 in one second at Telegram.
        self._interval = 1.0 / (rate * MARGIN)
        self._cluster = max(3, round(rate / 30))
        self._max_reply_retries = max_reply_retries
        # Per priority, the waiting requests of each chat; the chats in the order they take turns.
        self._waiting: tuple[OrderedDict[object, deque[asyncio.Future[None]]], ...] = tuple(
            OrderedDict() for _ in Priority
        )
        self._next_slot = 0.0
        self._pump: asyncio.Task[None] | None = None
        self._open = asyncio.Event()
        self._open.set()
        self._per_chat = per_chat
        self._chat_free: dict[object, float] = {}
        self._hot: dict[object, float] = {}  # chat -> until when its replies are paced
        self._recent_429: list[float] = []

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Stop releasing slots and fail whoever still waits."""
        if self._pump is not None:
            self._pump.cancel()
            self._pump = None
        for chats in self._waiting:
            for queue in chats.values():
                for waiter in queue:
                    if not waiter.done():
                        waiter.cancel()
            chats.clear()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> JSON:
        """Wait for a slot, make the request, and retry it after a 429."""
        if data.get("chat_id") is None:
            return await callback(*args, **kwargs)
        priority = Priority((rate_limit_args or {}).get("priority", Priority.REPLY))
        if priority is Priority.REPLY and URGENT.get():
            priority = Priority.URGENT
        chat = data["chat_id"]
        attempts = 0
        while True:
            # Only new messages count for the gap: an edit does not make a phone buzz.
            arrives = endpoint.startswith("send")
            if priority is Priority.BULK and arrives:
                await self._chat_turn(chat)
            elif priority is Priority.REPLY and chat in self._hot:
                await self._hot_chat_turn(chat, arrives or endpoint.startswith("edit"))
            # A request that already waited out a 429 goes first among its kind.
            await self._slot(priority, chat, first=attempts > 0)
            if arrives:
                self._mark_chat(chat)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                attempts += 1
                self._heat(chat)
                if priority is Priority.REPLY and attempts > self._max_reply_retries:
                    raise
                pause = exc.retry_after
                seconds = pause if isinstance(pause, int) else pause.total_seconds()
                await self._after_429(seconds + 0.1)

    async def _chat_turn(self, chat: object) -> None:
        loop = asyncio.get_running_loop()
        # Another send to the same chat may take the turn first, hence the loop.
        while (wait := self._chat_free.get(chat, 0.0) - loop.time()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)

    def _heat(self, chat: object) -> None:
        """Telegram said this chat gets too many: pace its replies for a while."""
        now = asyncio.get_running_loop().time()
        if len(self._hot) > 10_000:
            self._hot = {c: t for c, t in self._hot.items() if t > now}
        self._hot[chat] = now + HOT_FOR

    async def _hot_chat_turn(self, chat: object, counts: bool) -> None:
        """A reply to a chat Telegram found busy waits for its turn, a ``per_chat`` apart; each
        takes the next free turn as it comes, so the replies keep their order."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self._hot.get(chat, 0.0) <= now:
            self._hot.pop(chat, None)
            return
        if counts:
            turn = max(now, self._chat_free.get(chat, 0.0))
            self._chat_free[chat] = turn + self._per_chat
            if turn > now:
                await asyncio.sleep(turn - now)

    def _mark_chat(self, chat: object) -> None:
        now = asyncio.get_running_loop().time()
        if len(self._chat_free) > 10_000:  # forget chats that are free again
            self._chat_free = {c: t for c, t in self._chat_free.items() if t > now}
        self._chat_free[chat] = now + self._per_chat

    async def _after_429(self, seconds: float) -> None:
        """Wait out a 429. A lone one holds back only its own request; several close together
        mean the bot as a whole is over Telegram's limit, so every paced request waits."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        self._recent_429 = [t for t in self._recent_429 if now - t < 1.0] + [now]
        if len(self._recent_429) >= self._cluster:
            log.warning("Telegram asked to slow down; pausing all sends for %.1f s", seconds)
            await self._pause(seconds)
        else:
            log.info("one request was asked to wait %.1f s", seconds)
            await asyncio.sleep(seconds)

    async def _pause(self, seconds: float) -> None:
        if not self._open.is_set():
            await self._open.wait()
            return
        self._open.clear()
        try:
            await asyncio.sleep(seconds)
        finally:
            self._open.set()

    async def _slot(self, priority: Priority, chat: object, first: bool = False) -> None:
        await self._open.wait()
        loop = asyncio.get_running_loop()
        now = loop.time()
        if now >= self._next_slot and not any(self._waiting):
            self._next_slot = now + self._interval
            return
        waiter: asyncio.Future[None] = loop.create_future()
        chats = self._waiting[priority]
        queue = chats.setdefault(chat, deque())
        if first:
            queue.appendleft(waiter)
            chats.move_to_end(chat, last=False)
        else:
            queue.append(waiter)
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._release(), name="rate-limiter")
        await waiter

    async def _release(self) -> None:
        loop = asyncio.get_running_loop()
        while any(self._waiting):
            delay = self._next_slot - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await self._open.wait()
            chats = next((c for c in self._waiting if c), None)
            if chats is None:
                break
            # The chat whose turn it is; it goes to the back of the line if it still waits.
            chat, queue = next(iter(chats.items()))
            waiter = queue.popleft()
            if queue:
                chats.move_to_end(chat)
            else:
                del chats[chat]
            if waiter.done():  # its request was cancelled while waiting
                continue
            waiter.set_result(None)
            self._next_slot = max(self._next_slot + self._interval, loop.time())

    @property
    def waiting(self) -> int:
        """How many requests wait for a slot now."""
        return sum(len(q) for chats in self._waiting for q in chats.values())

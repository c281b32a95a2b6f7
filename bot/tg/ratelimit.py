"""Pacing of requests to Telegram: one global rate, replies before bulk sends, 429s retried."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Coroutine
from enum import IntEnum
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

JSON = bool | dict[str, Any] | list[dict[str, Any]]


class Priority(IntEnum):
    """Who waits for a slot: a person who just did something, or a scheduled send."""

    REPLY = 0
    BULK = 1


MARGIN = 0.995
"""The share of ``rate`` used: a little room for sends that leave a moment late."""

BULK = {"priority": Priority.BULK}
"""Pass as ``rate_limit_args=BULK`` on sends the bot starts itself (check-ins, nudges)."""


class PriorityRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """Releases at most ``rate`` chat-bound requests a second, replies first.

    Requests without a ``chat_id`` (getUpdates, answerCallbackQuery, setMyCommands) are not
    paced: Telegram does not count them. After a 429 the request waits ``retry_after`` and is
    tried again; when several come within a second (3, or one for every 30 of ``rate``),
    Telegram's limit is per bot and the others would fail too, so every paced request waits. A
    bulk send is retried until it goes through, a reply up to ``max_reply_retries`` times. A
    bulk send also waits until ``per_chat`` seconds have passed since the last new message to
    that chat, so two things the bot starts never arrive at once.
    """

    def __init__(self, rate: float, max_reply_retries: int = 5, per_chat: float = 1.0) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        # Half a per cent under the limit: a send held up for a moment, then the next on time,
        # must not make rate + 1 in one second at Telegram.
        self._interval = 1.0 / (rate * MARGIN)
        self._cluster = max(3, round(rate / 30))
        self._max_reply_retries = max_reply_retries
        self._waiting: tuple[deque[asyncio.Future[None]], ...] = (deque(), deque())
        self._next_slot = 0.0
        self._pump: asyncio.Task[None] | None = None
        self._open = asyncio.Event()
        self._open.set()
        self._per_chat = per_chat
        self._chat_free: dict[object, float] = {}
        self._recent_429: list[float] = []

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Stop releasing slots and fail whoever still waits."""
        if self._pump is not None:
            self._pump.cancel()
            self._pump = None
        for queue in self._waiting:
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.cancel()

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
        chat = data["chat_id"]
        attempts = 0
        while True:
            # Only new messages count for the gap: an edit does not make a phone buzz.
            arrives = endpoint.startswith("send")
            if priority is Priority.BULK and arrives:
                await self._chat_turn(chat)
            # A request that already waited out a 429 goes first among its kind.
            await self._slot(priority, first=attempts > 0)
            if arrives:
                self._mark_chat(chat)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                attempts += 1
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

    async def _slot(self, priority: Priority, first: bool = False) -> None:
        await self._open.wait()
        loop = asyncio.get_running_loop()
        now = loop.time()
        if now >= self._next_slot and not any(self._waiting):
            self._next_slot = now + self._interval
            return
        waiter: asyncio.Future[None] = loop.create_future()
        if first:
            self._waiting[priority].appendleft(waiter)
        else:
            self._waiting[priority].append(waiter)
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
            queue = next((q for q in self._waiting if q), None)
            if queue is None:
                break
            waiter = queue.popleft()
            if waiter.done():  # its request was cancelled while waiting
                continue
            waiter.set_result(None)
            self._next_slot = max(self._next_slot + self._interval, loop.time())

    @property
    def waiting(self) -> int:
        """How many requests wait for a slot now."""
        return sum(len(q) for q in self._waiting)

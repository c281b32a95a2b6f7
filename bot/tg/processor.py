"""Updates from different people run concurrently; one person's updates run in order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.tg.once import HANDLING, Handling


def _person(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return None


class PerPersonUpdateProcessor(BaseUpdateProcessor):
    """Serialises updates per person with a FIFO lock; everyone else goes on meanwhile.

    PTB starts one task per update in arrival order; each passes PTB's concurrency semaphore and
    then takes its person's lock. Both wake waiters first-come first-served (asyncio's semaphore
    is FIFO since Python 3.11.1), so a person's updates are handled in the order Telegram sent
    them while other people's updates go ahead in parallel.
    """

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}
        #: Told each update's id once its handling is over (the inbox forgets its words).
        self.on_done: Callable[[int], Awaitable[None]] | None = None
        #: Gives each update's handling, which keeps what it sends (``bot.tg.once``).
        self.handling: Callable[[object], Handling | None] | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[object]) -> None:
        """Run ``coroutine`` once this person's earlier updates are done; then report it."""
        token = HANDLING.set(self.handling(update) if self.handling is not None else None)
        try:
            await self._in_order(update, coroutine)
        finally:
            HANDLING.reset(token)
        if self.on_done is not None and isinstance(update, Update):
            await self.on_done(update.update_id)

    async def _in_order(self, update: object, coroutine: Awaitable[object]) -> None:
        key = _person(update)
        if key is None:
            await coroutine
            return
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

"""Updates from different people run concurrently; one person's updates run in order."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.tg.inbox import backoff
from bot.tg.once import HANDLING, Handling
from bot.tg.ratelimit import URGENT

UNLIMITED = 1 << 30


def _person(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return None


class PerPersonUpdateProcessor(BaseUpdateProcessor):
    """Serialises updates per person with a FIFO lock; everyone else goes on meanwhile.

    PTB starts one task per update in arrival order. Each first takes its person's lock, then a
    place among the ``max_concurrent_updates`` handled at once. Both wake waiters first-come
    first-served (asyncio's lock and semaphore are FIFO since Python 3.11.1), so a person's
    updates are handled in the order Telegram sent them. The lock comes first so that one
    person's flood waits for its own turn without holding places: 600 notes from one person
    take one place at a time, and someone else's ``/helpnow`` never queues behind them.
    """

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        # PTB's own limit (taken before ``do_process_update``, in a method we may not override)
        # would hold places for updates waiting for their person: ours is taken after the lock.
        super().__init__(UNLIMITED)
        self._places = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}
        #: Told each update's id once its handling is over (the inbox forgets its words).
        self.on_done: Callable[[int], Awaitable[None]] | None = None
        #: Gives each update's handling, which keeps what it sends (``bot.tg.once``).
        self.handling: Callable[[object], Handling | None] | None = None
        #: Whether an update asks for help: what its handling sends goes first of all.
        self.urgent: Callable[[object], bool] | None = None
        #: Handles an update again (its handling found the store failing for a passing cause).
        self.again: Callable[[object], Awaitable[None]] | None = None
        #: The crisis card without the database, for someone whose earlier update waits.
        self.first_aid: Callable[[object], Awaitable[object]] | None = None
        #: Whether the application still runs (handling again stops when it stops).
        self.running: Callable[[], bool] = lambda: True
        self._held: set[int] = set()  # people whose update is being handled again

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for this person's turn, then for a place; run ``coroutine``; then report it."""
        handling = self.handling(update) if self.handling is not None else None
        token = HANDLING.set(handling)
        asks = self.urgent is not None and self.urgent(update)
        urgent = URGENT.set(asks)
        key = _person(update)
        try:
            if asks and key in self._held and self.first_aid is not None:
                # Their earlier update waits for the database: the card cannot wait with it.
                await self.first_aid(update)
            async with self._turn(update), self._places:
                await coroutine
                if handling is not None and handling.again:
                    handled = await self._again(update, handling, key)
                    if not handled:  # stopping: it stays kept, and is handled at the next start
                        return
        finally:
            URGENT.reset(urgent)
            HANDLING.reset(token)
        if self.on_done is not None and isinstance(update, Update):
            await self.on_done(update.update_id)

    async def _again(self, update: object, handling: Handling, key: int | None) -> bool:
        """The store failed for a passing cause (a lock, a full disk): handle the same update
        again, before anything this person sent after it, until it is handled or the bot stops;
        whether it was handled."""
        if key is not None:
            self._held.add(key)
        try:
            tries = 0
            while handling.again:
                if self.again is None or not self.running():
                    return False
                tries += 1
                await asyncio.sleep(backoff(tries))
                handling = handling.anew()
                HANDLING.set(handling)
                await self.again(update)
            return True
        finally:
            if key is not None:
                self._held.discard(key)

    @contextlib.asynccontextmanager
    async def _turn(self, update: object) -> AsyncIterator[None]:
        """Hold the person's lock (nothing for an update from nobody)."""
        key = _person(update)
        if key is None:
            yield
            return
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
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

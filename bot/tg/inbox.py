"""Incoming updates at least once: each is kept (sealed) before Telegram is told it arrived.

PTB's Updater puts every update it fetched on the application's update queue and only then asks
Telegram for the next ones, which tells Telegram that these arrived; the webhook server answers
200 after the same put. So the queue is where an update is kept: ``DurableQueue.put`` writes it to
the inbox table first. When its handling is over (``PerPersonUpdateProcessor`` reports it), its
words are dropped and only its id stays, so that Telegram sending it again after a restart does
nothing. At start, updates kept but never handled (a crash, a kill) are handled first.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime
from typing import Protocol

from telegram import Bot, Update

from bot.core.clock import Clock

log = logging.getLogger(__name__)


class InboxStore(Protocol):
    """Where incoming updates are kept until they are handled."""

    async def inbox_add(
        self, update_id: int, user_id: int | None, body: str, now: datetime
    ) -> bool: ...
    async def inbox_done(self, update_id: int, now: datetime) -> None: ...
    async def inbox_pending(self, now: datetime) -> list[str]: ...


class DurableQueue(asyncio.Queue[object]):
    """The application's update queue, keeping each update before it is queued."""

    def __init__(self) -> None:
        super().__init__()
        self._store: InboxStore | None = None
        self._clock: Clock | None = None
        #: The updates handled again after a hard stop (their effects may be done already).
        self.replayed: set[int] = set()

    def keep_in(self, store: InboxStore, clock: Clock) -> None:
        """From now on, every update is kept in ``store`` before it is queued."""
        self._store, self._clock = store, clock

    async def put(self, item: object) -> None:
        """Keep an update, then queue it; one already kept (Telegram sent it again) is not
        queued twice."""
        if isinstance(item, Update) and self._store is not None and self._clock is not None:
            user = item.effective_user.id if item.effective_user is not None else None
            body = json.dumps(item.to_dict(), ensure_ascii=False)
            if not await self._store.inbox_add(item.update_id, user, body, self._clock.now()):
                log.info("update %s came again: handled once already", item.update_id)
                return
        await super().put(item)

    async def done(self, update_id: int) -> None:
        """An update's handling is over: its words go, its id stays a while."""
        if self._store is not None and self._clock is not None:
            await self._store.inbox_done(update_id, self._clock.now())

    async def replay(self, bot: Bot) -> int:
        """Queue the updates kept but never handled (the bot stopped hard); how many."""
        if self._store is None or self._clock is None:
            return 0
        pending = await self._store.inbox_pending(self._clock.now())
        for body in pending:
            update = Update.de_json(json.loads(body), bot)
            if update is not None:
                self.replayed.add(update.update_id)
                await super().put(update)
        if pending:
            log.warning("%d updates received before a hard stop are handled now", len(pending))
        return len(pending)

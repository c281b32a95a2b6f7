"""Incoming updates at least once: each is kept (sealed) before Telegram is told it arrived.

PTB's Updater puts every update it fetched on the application's update queue and only then asks
Telegram for the next ones, which tells Telegram that these arrived; the webhook server answers
200 after the same put. So the queue is where an update is kept: ``DurableQueue.put`` writes it to
the inbox table first. When its handling is over (``PerPersonUpdateProcessor`` reports it), its
words are dropped and only its id stays, so that Telegram sending it again after a restart does
nothing. At start, updates kept but never handled (a crash, a kill) are handled first, and what
they sent before the stop is not sent again (``bot.tg.once``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Protocol

from telegram import Bot, Update

from bot.core.clock import Clock
from bot.tg.once import Handling

log = logging.getLogger(__name__)


class InboxStore(Protocol):
    """Where incoming updates are kept until they are handled."""

    async def inbox_add(
        self, update_id: int, user_id: int | None, body: str, now: datetime
    ) -> bool: ...
    async def inbox_write(
        self, sent: Mapping[int, str], done: Iterable[int], now: datetime
    ) -> None: ...
    async def inbox_pending(self, now: datetime) -> list[tuple[str, str | None]]: ...


class DurableQueue(asyncio.Queue[object]):
    """The application's update queue, keeping each update before it is queued."""

    def __init__(self) -> None:
        super().__init__()
        self._store: InboxStore | None = None
        self._clock: Clock | None = None
        #: The updates handled again after a hard stop (their effects may be done already).
        self.replayed: set[int] = set()
        self._sent_before: dict[int, list[dict[str, object]]] = {}
        # Writes waiting for the next commit, and the commit they wait for: updates answered
        # at the same moment write down what they sent in one commit, not one after another.
        self._sent: dict[int, str] = {}
        self._done: list[int] = []
        self._next: asyncio.Future[None] | None = None
        self._writer: asyncio.Task[None] | None = None

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
        if self._store is not None:
            self._done.append(update_id)
            await self._commit()

    def handling(self, update: object) -> Handling | None:
        """The handling of a kept update: what it sends is written beside it."""
        if not isinstance(update, Update) or self._store is None:
            return None
        update_id = update.update_id

        async def record(sent: str) -> None:
            self._sent[update_id] = sent
            await self._commit()

        return Handling(update_id, self._sent_before.pop(update_id, []), record)

    async def _commit(self) -> None:
        """Wait until what is waiting now is committed (with whatever joins it meanwhile)."""
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
        commit = self._next
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write(), name="inbox")
        await asyncio.shield(commit)

    async def _write(self) -> None:
        """Commit what waits, again and again while more comes meanwhile."""
        while self._next is not None:
            assert self._store is not None and self._clock is not None
            commit, self._next = self._next, None
            sent, self._sent = self._sent, {}
            done, self._done = self._done, []
            try:
                await self._store.inbox_write(sent, done, self._clock.now())
            except Exception as exc:  # each waiter hears it
                commit.set_exception(exc)
                commit.exception()  # retrieved: a waiter gone meanwhile is not an error
            else:
                commit.set_result(None)

    async def replay(self, bot: Bot) -> int:
        """Queue the updates kept but never handled (the bot stopped hard); how many."""
        if self._store is None or self._clock is None:
            return 0
        pending = await self._store.inbox_pending(self._clock.now())
        for body, sent in pending:
            update = Update.de_json(json.loads(body), bot)
            if update is not None:
                self.replayed.add(update.update_id)
                if sent:
                    self._sent_before[update.update_id] = json.loads(sent)
                await super().put(update)
        if pending:
            log.warning("%d updates received before a hard stop are handled now", len(pending))
        return len(pending)

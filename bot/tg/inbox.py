"""Incoming updates at least once: each is kept (sealed) before Telegram is told it arrived.

PTB's Updater puts every update it fetched on the application's update queue and only then asks
Telegram for the next ones, which tells Telegram that these arrived; the webhook server answers
200 after the same put. So the queue is where an update is kept: ``DurableQueue.put`` writes it to
the inbox table first. When its handling is over (``PerPersonUpdateProcessor`` reports it), its
words are dropped and only its id stays, so that Telegram sending it again after a restart does
nothing. At start, updates kept but never handled (a crash, a kill) are handled first, and what
they sent before the stop is not sent again (``bot.tg.once``).

Keeping must never stop the bot from hearing people. When the store cannot write (another
program holds its lock, the disk is full, the file is read-only), ``put`` tries again with
backoff until it can, and says so in the log: the update is not confirmed to Telegram meanwhile,
so nothing is lost, and polling goes on by itself once it is kept. Meanwhile anyone asking for
help (``/helpnow``, the help button, words of crisis) gets the crisis card at once, this update's
sender and, when polling, anyone whose update waits behind it at Telegram. An update that can
never be kept as it came (text Telegram sent with a lone surrogate, which no file can hold) is
kept with the broken characters replaced; if even that fails, its sender gets the calm apology
and it is let go, never blocking the ones behind it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from telegram import Bot, Update
from telegram.error import TelegramError

from bot.core.clock import Clock
from bot.storage.store import HANDLED_KEPT
from bot.tg.once import Handling

log = logging.getLogger(__name__)

#: Seconds between tries when the store fails, growing to the last; a lock is waited out by
#: SQLite itself (``busy_timeout``) before each try fails.
BACKOFF = (0.1, 0.25, 0.5, 1.0, 2.0)


def backoff(tries: int) -> float:
    """Seconds to wait before the next try, after ``tries`` failed ones."""
    return BACKOFF[min(max(tries, 1), len(BACKOFF)) - 1]


#: Seconds a try to keep an update may take before first aid is given meanwhile.
SLOW = 0.5
#: How often a failure that goes on is said again in the log.
SAY_AGAIN = 60.0
#: How often the ids of handled updates are forgotten while the bot runs.
FORGET_EVERY = timedelta(hours=1)
#: How long handled updates' "sent" and "done" marks may fail to be written before the waiters
#: hear it (the updates are then handled again, once, at the next start).
WRITE_PATIENCE = 30.0

_SURROGATE = re.compile("[\ud800-\udfff]")


class InboxStore(Protocol):
    """Where incoming updates are kept until they are handled."""

    async def inbox_add(
        self, update_id: int, user_id: int | None, body: str, now: datetime
    ) -> bool: ...
    async def inbox_write(
        self, sent: Mapping[int, str], done: Iterable[int], now: datetime
    ) -> None: ...
    async def inbox_pending(self, now: datetime) -> list[tuple[str, str | None]]: ...
    async def inbox_forget(self, before: datetime) -> int: ...


class FirstAid(Protocol):
    """What the inbox does for someone asking for help while it cannot keep their update."""

    def asks_for_help(self, update: Update) -> bool:
        """Whether the update asks for help (``/helpnow``, the help button, words of crisis)."""
        ...

    async def send_card(self, update: Update) -> bool:
        """Send the crisis card without the database; whether it went."""
        ...

    async def apologise(self, update: Update) -> None:
        """Tell the sender, calmly, that their message could not be taken."""
        ...


#: Reads the updates waiting at Telegram from ``offset`` on, without confirming any before it.
Peek = Callable[[int], Awaitable[Sequence[Update]]]


def reason(exc: BaseException) -> str:
    """A failure in words fit for the log: its kind, and SQLite's code (never a value)."""
    code = getattr(exc, "sqlite_errorname", None)
    return f"{type(exc).__name__} {code}" if code else type(exc).__name__


def sanitised(update: Update) -> Update | None:
    """The update with every lone surrogate replaced by U+FFFD; None if it had none."""

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return _SURROGATE.sub("\ufffd", value)
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    data = update.to_dict()
    cleaned = clean(data)
    if cleaned == data:
        return None
    return Update.de_json(cleaned, update.get_bot())


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
        self._aid: FirstAid | None = None
        self._peek: Peek | None = None
        self._patience: float | None = None
        #: Updates already given the crisis card while they could not be kept.
        self._carded: set[int] = set()
        #: Since when updates cannot be kept (by the injected clock); None while they can.
        self.stuck_since: datetime | None = None
        self._forgotten_at: datetime | None = None

    def keep_in(
        self,
        store: InboxStore,
        clock: Clock,
        *,
        aid: FirstAid | None = None,
        peek: Peek | None = None,
        patience: float | None = None,
    ) -> None:
        """From now on, every update is kept in ``store`` before it is queued.

        Args:
            store: where updates are kept.
            clock: the time updates are kept at.
            aid: the crisis card for those asking for help while updates cannot be kept.
            peek: reads the updates waiting at Telegram (long polling only), so that those
                asking for help behind one that cannot be kept get the card too.
            patience: seconds to go on trying before ``put`` raises (the webhook: Telegram then
                sends the update again later); None tries until it is kept (long polling:
                Telegram holds the update meanwhile).
        """
        self._store, self._clock = store, clock
        self._aid, self._peek, self._patience = aid, peek, patience

    async def put(self, item: object) -> None:
        """Keep an update, then queue it; one already kept (Telegram sent it again) is not
        queued twice. Raises only when cancelled, or after ``patience`` seconds of failing."""
        if not isinstance(item, Update) or self._store is None or self._clock is None:
            await super().put(item)
            return
        kept = await self._keep(item)
        if kept is not None:
            await super().put(kept)

    async def _keep(self, update: Update) -> Update | None:
        """Keep the update, trying again until it is kept; the update to queue (perhaps with
        broken characters replaced), or None when it must not be queued."""
        assert self._store is not None and self._clock is not None
        body = self._body(update)
        if body is None:
            clean = sanitised(update)
            body = self._body(clean) if clean is not None else None
            if clean is None or body is None:
                log.error("update %s cannot be kept; it is let go", update.update_id)
                await self._aid_safely(update, apologise=True)
                return None
            log.warning(
                "update %s holds characters no file can keep; kept with them replaced",
                update.update_id,
            )
            update = clean
        user = update.effective_user.id if update.effective_user is not None else None
        started = time.monotonic()
        said = 0.0
        tries = 0
        while True:
            try:
                added = await self._attempt(update, user, body)
                break
            except Exception as exc:  # the store: locked, full, read-only, gone
                tries += 1
                now = time.monotonic()
                if self.stuck_since is None:
                    self.stuck_since = self._clock.now()
                if tries == 1 or now - said >= SAY_AGAIN:
                    said = now
                    log.warning(
                        "cannot keep incoming updates for %.0f s (%s); Telegram holds them "
                        "meanwhile, trying again",
                        now - started,
                        reason(exc),
                    )
                await self._aid_safely(update)
                if self._patience is not None and now - started >= self._patience:
                    raise
                await asyncio.sleep(backoff(tries))
        self._carded.discard(update.update_id)
        if tries:
            self.stuck_since = None
            log.warning(
                "incoming updates are kept again, after %.1f s and %d tries",
                time.monotonic() - started,
                tries + 1,
            )
        if not added:
            log.info("update %s came again: handled once already", update.update_id)
            return None
        return update

    async def _attempt(self, update: Update, user: int | None, body: str) -> bool:
        """One try to keep the update. A lock makes SQLite wait (``busy_timeout``, 5 s) before
        it fails: while the try takes longer than ``SLOW``, first aid is given every ``SLOW``
        seconds, so someone asking for help does not wait for it."""
        assert self._store is not None and self._clock is not None
        attempt = asyncio.ensure_future(
            self._store.inbox_add(update.update_id, user, body, self._clock.now())
        )
        try:
            while not (await asyncio.wait({attempt}, timeout=SLOW))[0]:
                await self._aid_safely(update)
        finally:
            if not attempt.done():  # cancelled (the bot stops): the try goes with it
                attempt.cancel()
        return attempt.result()

    @staticmethod
    def _body(update: Update) -> str | None:
        """The update as the inbox keeps it, or None if it cannot be written as text."""
        try:
            body = json.dumps(update.to_dict(), ensure_ascii=False)
            body.encode("utf-8")  # a lone surrogate cannot be, in a file or a key
        except (UnicodeError, TypeError, ValueError):
            return None
        return body

    async def _aid_safely(self, update: Update, *, apologise: bool = False) -> None:
        """First aid that never raises: a failure to help must not stop the bot hearing. With
        ``apologise`` (the update is let go) only its sender is answered; else (it waits to be
        kept) those behind it at Telegram too."""
        try:
            if apologise and self._aid is not None:
                await self._aid.apologise(update)
            await self._first_aid(update, look_behind=not apologise)
        except Exception as exc:
            log.error("could not give first aid while updates cannot be kept (%s)", reason(exc))

    async def _first_aid(self, update: Update, *, look_behind: bool) -> None:
        """The crisis card for this update's sender if they ask for help, and (polling,
        ``look_behind``) for anyone asking behind it at Telegram, each once."""
        if self._aid is None:
            return
        waiting: Sequence[Update] = [update]
        if self._peek is not None and look_behind:
            try:
                waiting = [update, *await self._peek(update.update_id)]
            except TelegramError as exc:
                log.info("could not look at the updates waiting at Telegram (%s)", reason(exc))
        for each in waiting:
            if (
                each.update_id not in self._carded
                and self._aid.asks_for_help(each)
                and await self._aid.send_card(each)
            ):
                self._carded.add(each.update_id)

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
        """Commit what waits, again and again while more comes meanwhile. A commit that fails
        is tried again for ``WRITE_PATIENCE`` seconds before its waiters hear of it; what joins
        meanwhile waits for the next."""
        assert self._store is not None and self._clock is not None
        while self._next is not None:
            commit, self._next = self._next, None
            sent, self._sent = self._sent, {}
            done, self._done = self._done, []
            started = time.monotonic()
            tries = 0
            while True:
                try:
                    await self._store.inbox_write(sent, done, self._clock.now())
                except Exception as exc:
                    tries += 1
                    if time.monotonic() - started < WRITE_PATIENCE:
                        if tries == 1:
                            log.warning("cannot mark handled updates (%s); trying again",
                                        reason(exc))  # fmt: skip
                        await asyncio.sleep(backoff(tries))
                        continue
                    log.error("could not mark handled updates for %.0f s (%s); they are "
                              "handled again at the next start", time.monotonic() - started,
                              reason(exc))  # fmt: skip
                    commit.set_exception(exc)
                    commit.exception()  # retrieved: a waiter gone meanwhile is not an error
                    break
                if tries:
                    log.warning("handled updates are marked again after %d tries", tries + 1)
                commit.set_result(None)
                break
            # Inside the loop: a commit asked for meanwhile is still this writer's to make.
            await self._forget_old()

    async def _forget_old(self) -> None:
        """Once an hour, the ids of updates handled long enough ago go (see ``HANDLED_KEPT``)."""
        assert self._store is not None and self._clock is not None
        now = self._clock.now()
        if self._forgotten_at is not None and now - self._forgotten_at < FORGET_EVERY:
            return
        self._forgotten_at = now
        try:
            await self._store.inbox_forget(now - HANDLED_KEPT)
        except Exception as exc:  # tried again within the hour
            self._forgotten_at = now - FORGET_EVERY + timedelta(minutes=1)
            log.warning("could not forget old handled updates (%s)", reason(exc))

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

"""The one typed answer the bot may be waiting for from a person, and when that wait ends.

When a message invites typing ("or type one, like 18:30"), the use case that sent it asks for a
wait: what was asked, about what, and until when. The next typed text answers it; a new command
or button press cancels it; after it expires, typed text is what it would have been anyway
(a private note, for a client). At most one wait per person.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from bot.core.views import Say, View, t

if TYPE_CHECKING:
    from bot.core.ports import Outbox, People

DEFAULT_WAIT = timedelta(minutes=30)


class WaitKind(StrEnum):
    """What typed text would answer. ``subject`` says about what, where it matters."""

    PLAN = "plan"  # a part of the crisis plan; subject: the part
    TIME = "time"  # the check-in time
    ZONE = "zone"  # the time zone (a city)
    HOURS = "hours"  # contact hours
    PAUSE_MESSAGE = "pause_message"  # a message for the team while paused
    PAUSE_UNTIL = "pause_until"  # the day a pause ends
    MEETING = "meeting"  # the next meeting's date; subject: the client (when staff set it)
    NUDGE_WHEN = "nudge_when"  # when a nudge should arrive; subject: the client
    NUDGE_TEXT = "nudge_text"  # a nudge's words; subject: the draft relay
    WRITE = "write"  # a client's message to a member; subject: the draft relay
    ANSWER = "answer"  # a member's answer to a client; subject: the draft relay
    REFLECTION = "reflection"  # someone close's words for a question; subject: "<relay>.<step>"


@dataclass(frozen=True)
class Wait:
    """What was asked, about what, which message asked it, and until when it holds."""

    kind: WaitKind
    subject: str | None
    asked_at: datetime
    expires_at: datetime
    message_id: int | None = None

    def open_at(self, now: datetime) -> bool:
        """Whether typed text at ``now`` still answers it."""
        return now < self.expires_at

    @property
    def subject_id(self) -> int | None:
        """The subject as a row id, when it is one."""
        subject = self.subject or ""
        return int(subject) if subject.isdigit() and len(subject) <= 18 else None


class WaitStore(Protocol):
    """Where waits are kept (one row per person at most)."""

    async def wait(self, user_id: int) -> Wait | None: ...
    async def set_wait(self, user_id: int, wait: Wait | None) -> None: ...
    async def set_wait_message(
        self, user_id: int, asked_at: datetime, message_id: int
    ) -> None: ...
    async def take_wait(self, user_id: int, wait: Wait, update_id: int | None) -> None: ...
    async def taken_wait(self, update_id: int) -> Wait | None: ...
    async def end_expired_waits(self, now: datetime, limit: int) -> list[tuple[int, Wait]]: ...


class Waits:
    """Asking for, reading and ending waits."""

    def __init__(self, store: WaitStore, valid: timedelta = DEFAULT_WAIT) -> None:
        self._store = store
        self.valid = valid

    async def ask(
        self, user_id: int, kind: WaitKind, now: datetime, subject: str | int | None = None
    ) -> Wait:
        """Wait for one typed answer of ``kind``, replacing any earlier wait."""
        wait = Wait(kind, None if subject is None else str(subject), now, now + self.valid)
        await self._store.set_wait(user_id, wait)
        return wait

    async def asked_in(self, user_id: int, wait: Wait, message_id: int) -> None:
        """Remember which message asked (so its buttons can go when it is answered)."""
        await self._store.set_wait_message(user_id, wait.asked_at, message_id)

    async def current(self, user_id: int, now: datetime) -> Wait | None:
        """The wait that typed text at ``now`` would answer; an expired one is ended."""
        wait = await self._store.wait(user_id)
        if wait is None:
            return None
        if not wait.open_at(now):
            await self._store.set_wait(user_id, None)
            return None
        return wait

    async def take(
        self,
        user_id: int,
        now: datetime,
        update_id: int | None = None,
        *,
        replayed: bool = False,
    ) -> Wait | None:
        """The current wait, ended: typed text (in update ``update_id``) answers it once.

        ``replayed``: the update is handled again after a hard stop. If its words took a wait
        the first time, they answer that one again (what they set is set again, the same), not
        a wait asked since: "Jo 0612" typed for the plan's first part never becomes the second.
        """
        if replayed and update_id is not None:
            earlier = await self._store.taken_wait(update_id)
            if earlier is not None:
                return earlier
        wait = await self.current(user_id, now)
        if wait is not None:
            await self._store.take_wait(user_id, wait, update_id)
        return wait

    async def cancel(self, user_id: int) -> Wait | None:
        """Wait for nothing (a new command or button press moved on); the wait that ended."""
        ended = await self._store.wait(user_id)
        await self._store.set_wait(user_id, None)
        return ended

    async def move_on(self, user_id: int, pressed: int | None = None) -> View:
        """A command or a press elsewhere ends the wait: the message that invited typing says
        it no longer takes words (unless it is the message pressed, whose handler answers)."""
        ended = await self.cancel(user_id)
        if ended is None or ended.message_id is None or ended.message_id == pressed:
            return View()
        return View(replace=((ended.message_id, closed(ended)),))

    async def end_expired(self, now: datetime, limit: int = 200) -> list[tuple[int, Wait]]:
        """End waits whose time is over; each person's id with the wait that ended, so the
        message that invited typing can say it no longer takes words."""
        return await self._store.end_expired_waits(now, limit)

    def renewed(self, wait: Wait, now: datetime) -> Wait:
        """The same question asked again (after an answer that could not be read)."""
        return replace(wait, asked_at=now, expires_at=now + self.valid)

    async def again(self, user_id: int, wait: Wait, now: datetime) -> Wait:
        """Keep waiting for the same answer, from now."""
        fresh = self.renewed(wait, now)
        await self._store.set_wait(user_id, fresh)
        return fresh


def closed(wait: Wait) -> Say:
    """What a message that invited typing says once its question has closed."""
    return Say.of(t(f"wait_closed.{wait.kind.value}"))


class WaitsClosing:
    """When a wait ends by time, the message that invited typing says so, in its place
    ("This question has closed. /settings changes the time."), and loses its buttons: words
    typed after that are what they would be anyway, and the person can see why."""

    def __init__(self, waits: Waits, people: People, outbox: Outbox) -> None:
        self._waits = waits
        self._people = people
        self._outbox = outbox

    async def close(self, now: datetime) -> int:
        """End every wait whose time is over; how many messages now say it closed."""
        told = 0
        while ended := await self._waits.end_expired(now):
            for user_id, wait in ended:
                user = await self._people.get_user(user_id)
                if user is None or wait.message_id is None:
                    continue
                told += await self._outbox.edit(user, wait.message_id, closed(wait))
        return told

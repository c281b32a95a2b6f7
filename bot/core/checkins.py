"""The check-in as use cases: start, choose capacity, answer, drop, decline; all state stored."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from zoneinfo import ZoneInfo

from bot.core.actions.checkin import ChooseCapacity, Later, NotNow, SnoozeChoice
from bot.core.dialogs import (
    TEXT,
    Capacity,
    Dialog,
    FreeText,
    Prompt,
    dialog_for,
    next_prompt,
)
from bot.core.model import CheckinRecord, User
from bot.core.planning import CHECKIN, Planner
from bot.core.ports import CheckinStore, Sends, TeamStore
from bot.core.schedule import snooze_until
from bot.core.views import Choice, Say, Text, t

FEWER_AFTER = 3
"""Offer fewer check-ins after this many in a row at the least capacity or declined."""


class Kind(Enum):
    """What the adapter should show next."""

    ASK_CAPACITY = "ask_capacity"  # the first message: how much energy is there
    PROMPT = "prompt"  # the next question
    FINISHED = "finished"  # all asked: say what was saved and who can see it
    DECLINED = "declined"  # "Not now": close kindly, nothing owed
    ALREADY = "already"  # a repeated press: that answer is saved already
    STALE = "stale"  # not this person's open check-in, or no longer a valid choice


@dataclass(frozen=True)
class Result:
    """The outcome of one action on a check-in."""

    kind: Kind
    checkin: CheckinRecord | None = None
    dialog: Dialog | None = None
    prompt: Prompt | None = None
    first: bool = False  # the first prompt after the capacity question carries the cost line
    dropped: bool = False  # the client just chose to be asked less
    offer_fewer: bool = False  # the bot may offer fewer check-ins, once
    shareable: bool = False  # it ended with answers and the client has a team to share with
    label: str | None = None  # the words of the button that was pressed, to show it as chosen

    @property
    def capacity(self) -> Capacity | None:
        """The check-in's capacity, once chosen."""
        if self.checkin is None or self.checkin.capacity is None:
            return None
        return Capacity(self.checkin.capacity)


STALE = Result(Kind.STALE)


def _little(record: CheckinRecord) -> bool:
    """Chosen at the least capacity, declined, or let pass without a single answer."""
    return (
        record.capacity == Capacity.LEAST.value
        or record.status == "declined"
        or (record.status == "closed" and not record.answers)
    )


def option_check(step_id: str, option_id: str) -> str:
    """A short hash of a step's and an option's ids, carried by answer buttons."""
    return hashlib.sha1(f"{step_id}:{option_id}".encode()).hexdigest()[:4]


def capacity_say(dialog: Dialog, checkin_id: int, *, later: bool = False) -> Say:
    """The first message of a check-in: the three levels, least first, then "Not now".

    A check-in the bot sent by itself also offers "Later" (snooze), after "Not now".
    """
    choices = [Choice(t(level.label_key), ChooseCapacity(checkin_id, level)) for level in Capacity]
    choices.append(Choice(t("checkin.not_now"), NotNow(checkin_id)))
    if later:
        choices.append(Choice(t("checkin.later"), Later(checkin_id)))
    return Say.of(Text.plain(dialog.title), t("checkin.capacity_question"), choices=choices)


class Checkins:
    """Check-in use cases over the store and the loaded dialogs."""

    def __init__(
        self,
        store: CheckinStore,
        dialogs: Mapping[str, Dialog],
        team: TeamStore | None = None,
        sends: Sends | None = None,
        planner: Planner | None = None,
    ) -> None:
        self._store = store
        self._dialogs = dialogs
        self._team = team
        self._sends = sends
        self._planner = planner

    async def shown(self, user: User, checkin_id: int, message_id: int) -> None:
        """The message now asking this check-in's question (its buttons go when answered)."""
        await self._store.set_checkin_message(checkin_id, message_id)

    async def set_pace(self, user: User, fewer: bool, now: datetime) -> None:
        """The client's answer to the offer of fewer check-ins."""
        await self._store.set_pace(user.id, "fewer" if fewer else "usual", now)

    async def answer_option(
        self, user: User, checkin_id: int, step_no: int, option_no: int, check: str, now: datetime
    ) -> Result:
        """A button answer, by positions; ``check`` must match the ids found there now."""
        record = await self._store.checkin(checkin_id, user.id)
        dialog = self.dialog(record.dialog, user.language) if record else None
        if record is None or dialog is None or step_no >= len(dialog.steps):
            return STALE
        step = dialog.steps[step_no]
        if option_no >= len(step.options):
            return STALE
        option = step.options[option_no]
        if option_check(step.id, option.id) != check:
            return STALE
        result = await self.answer(user, checkin_id, step.id, option.id, now)
        return replace(result, label=option.label)

    async def snoozable(self, user: User, checkin_id: int) -> bool:
        """Whether "Later" can still move this check-in (open, capacity not yet chosen)."""
        record = await self._store.checkin(checkin_id, user.id)
        return record is not None and record.status == "open" and record.capacity is None

    async def snooze(
        self, user: User, checkin_id: int, choice: SnoozeChoice, now: datetime
    ) -> datetime | None:
        """Move a check-in the bot sent to later; when it comes, or None if it can't move."""
        assert self._planner is not None and self._sends is not None
        record = await self._store.checkin(checkin_id, user.id)
        if record is None or record.status != "open" or record.answers:
            return None
        schedule = await self._planner.schedule_of(user.id)
        if schedule is None:
            return None
        try:
            due = snooze_until(schedule, now, choice.value)
        except ValueError:  # paused with no end: nothing the bot starts comes back until resumed
            return None
        local_date = due.astimezone(ZoneInfo(schedule.timezone)).date()
        await self._store.finish_checkin(record.id, "closed", now)
        await self._sends.plan_send(
            user.id,
            CHECKIN,
            f"snooze:{record.id}",
            local_date.isoformat(),
            due,
            due + self._planner.defaults.window,
        )
        return due

    def dialog(self, dialog_id: str, language: str) -> Dialog | None:
        """The dialog in the person's language, or in another if not translated."""
        return dialog_for(self._dialogs, dialog_id, language)

    async def start(self, user: User, dialog_id: str, now: datetime) -> Result:
        """Open a check-in (closing one left open) and ask for capacity first."""
        dialog = self.dialog(dialog_id, user.language)
        if dialog is None:
            raise KeyError(f"no dialog {dialog_id!r}")
        record = await self._store.start_checkin(user.id, dialog.id, now)
        return Result(Kind.ASK_CAPACITY, record, dialog)

    async def _load(self, user: User, checkin_id: int) -> tuple[CheckinRecord, Dialog] | None:
        record = await self._store.checkin(checkin_id, user.id)
        if record is None or record.status != "open":
            return None
        dialog = self.dialog(record.dialog, user.language)
        if dialog is None:
            return None
        return record, dialog

    async def choose_capacity(
        self, user: User, checkin_id: int, capacity: Capacity, now: datetime
    ) -> Result:
        """Record the capacity once, then ask the first question."""
        loaded = await self._load(user, checkin_id)
        if loaded is None:
            return STALE
        record, dialog = loaded
        if record.capacity is not None:
            return Result(Kind.ALREADY, record, dialog)
        if not await self._store.set_capacity(record.id, capacity.value, first=True):
            return Result(Kind.ALREADY, record, dialog)
        return await self._next(user, record.id, now, first=True)

    async def answer(
        self, user: User, checkin_id: int, step_id: str, value: str, now: datetime
    ) -> Result:
        """Keep a button answer, if it answers the question being asked now."""
        loaded = await self._load(user, checkin_id)
        if loaded is None:
            return STALE
        record, dialog = loaded
        if step_id in record.answer_values:
            return Result(Kind.ALREADY, record, dialog)
        prompt = self._current(record, dialog)
        if prompt is None or prompt.step_id != step_id:
            return STALE
        if value not in {option.id for option in prompt.options}:
            return STALE
        return await self._keep(user, record, step_id, value, None, now)

    async def answer_text(self, user: User, text: str, now: datetime) -> Result | None:
        """Typed words answer the open check-in's question if it takes words; else None."""
        record = await self._store.open_checkin(user.id)
        if record is None or record.capacity is None:
            return None
        dialog = self.dialog(record.dialog, user.language)
        if dialog is None:
            return None
        prompt = self._current(record, dialog)
        if prompt is None or prompt.free_text == FreeText.NONE:
            return None
        return await self._keep(user, record, prompt.step_id, TEXT, text, now)

    async def drop(self, user: User, checkin_id: int, now: datetime) -> Result:
        """ "This is too much": one capacity lower, nothing asked twice."""
        loaded = await self._load(user, checkin_id)
        if loaded is None or loaded[0].capacity is None:
            return STALE
        record, _ = loaded
        lower = Capacity(record.capacity).below() if record.capacity else None
        if lower is None:
            return STALE
        if not await self._store.set_capacity(record.id, lower.value, first=False):
            return STALE
        result = await self._next(user, record.id, now)
        return replace(result, dropped=True)

    async def decline(self, user: User, checkin_id: int, now: datetime) -> Result:
        """ "Not now": close the check-in; what was answered stays; nothing is owed."""
        record = await self._store.checkin(checkin_id, user.id)
        if record is None or not await self._store.finish_checkin(record.id, "declined", now):
            return STALE
        closed = await self._store.checkin(record.id, user.id)
        return Result(
            Kind.DECLINED,
            closed,
            self.dialog(record.dialog, user.language),
            offer_fewer=await self._offer_fewer(user, now),
            shareable=bool(closed and closed.answers) and await self._has_team(user),
        )

    def _current(self, record: CheckinRecord, dialog: Dialog) -> Prompt | None:
        if record.capacity is None:
            return None
        return next_prompt(dialog, Capacity(record.capacity), record.answer_values)

    async def _keep(
        self,
        user: User,
        record: CheckinRecord,
        step_id: str,
        value: str,
        text: str | None,
        now: datetime,
    ) -> Result:
        assert record.capacity is not None
        if not await self._store.add_answer(record.id, step_id, value, text, record.capacity, now):
            return Result(Kind.ALREADY, record)
        return await self._next(user, record.id, now)

    async def _next(
        self, user: User, checkin_id: int, now: datetime, first: bool = False
    ) -> Result:
        record = await self._store.checkin(checkin_id, user.id)
        assert record is not None
        dialog = self.dialog(record.dialog, user.language)
        assert dialog is not None
        prompt = self._current(record, dialog)
        if prompt is not None:
            return Result(Kind.PROMPT, record, dialog, prompt, first=first)
        await self._store.finish_checkin(record.id, "done", now)
        finished = await self._store.checkin(record.id, user.id)
        return Result(
            Kind.FINISHED,
            finished,
            dialog,
            offer_fewer=await self._offer_fewer(user, now),
            shareable=await self._has_team(user),
        )

    async def _has_team(self, user: User) -> bool:
        return self._team is not None and bool(await self._team.team_of(user.id))

    async def _offer_fewer(self, user: User, now: datetime) -> bool:
        """After several check-ins in a row at the least capacity or declined: offer, once
        (the offer is recorded as made when it is decided)."""
        recent = await self._store.recent_checkins(user.id, FEWER_AFTER)
        if len(recent) < FEWER_AFTER:
            return False
        if not all(_little(r) for r in recent):
            return False
        if await self._store.pace_offered(user.id):
            return False
        await self._store.set_pace(user.id, None, now)
        return True

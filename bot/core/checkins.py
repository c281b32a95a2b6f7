"""The check-in as use cases: start, choose capacity, answer, the human step after an answer
that names a need, change the last answer, drop, decline; all state stored."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import Enum
from zoneinfo import ZoneInfo

from bot.core.actions.checkin import SnoozeChoice
from bot.core.dialog_engine import next_prompt, pending_need, plan, takes_words
from bot.core.dialog_model import (
    AGENDA_ASKING,
    ASKED,
    FOLLOW_UP,
    ON_AGENDA,
    SKIPPED,
    TEXT,
    Capacity,
    Dialog,
    FreeText,
    Need,
    NeedStep,
    Option,
    Prompt,
    Step,
    dialog_for,
    follow_up_id,
)
from bot.core.model import Answer, CheckinRecord, Relay, Role, TeamMember, User
from bot.core.planning import CHECKIN, Planner
from bot.core.ports import CheckinStore, MessageStore, Sends, TeamStore
from bot.core.schedule import snooze_until
from bot.core.waits import DEFAULT_WAIT

FEWER_AFTER = 3
"""Offer fewer check-ins after this many in a row at the least capacity or declined."""

AGENDA_DIALOG = "meeting_prep"
"""Getting ready for the next meeting: it starts by showing what is on the agenda so far."""
AFTER_MEETING_DIALOG = "after_meeting"
"""Asked after a meeting: what was put on the agenda before it was for that meeting."""
AGENDA_LOOKBACK = 50
"""Check-ins looked at for what was put on the agenda since the last meeting."""
AGENDA_QUOTE = 120  # how much of someone close's words an agenda line quotes
CONTACT_ORDER = (Role.PEER, Role.CLINICIAN, Role.NETWORK)
"""Whom a client who needs to talk is offered: their peer supporter first, else a clinician,
else someone close."""


class Kind(Enum):
    """What the adapter should show next."""

    ASK_CAPACITY = "ask_capacity"  # the first message: how much energy is there
    PROMPT = "prompt"  # the next question
    NEED = "need"  # the human step after an answer that names a need, in the next question's place
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
    need: NeedStep | None = None  # Kind.NEED: the human step owed
    contact: TeamMember | None = None  # a need to talk: the person of the team offered
    change: int | None = None  # the step "Change this answer" asks again, if it is offered
    again: bool = False  # the question is asked again, so its answer can be changed
    left: int | None = None  # after "This is too much": at most this many questions still come
    kept_words: str | None = None  # the words just kept after "What is it?"
    on_agenda: bool = False  # what an answer named was just put on the agenda
    agenda: tuple[AgendaItem, ...] = ()  # getting ready for a meeting: what is on the agenda
    answered_message: int | None = None  # the message of the question just answered
    answered_before: int | None = None  # the message of the answer that could be changed before

    @property
    def capacity(self) -> Capacity | None:
        """The check-in's capacity, once chosen."""
        if self.checkin is None or self.checkin.capacity is None:
            return None
        return Capacity(self.checkin.capacity)


def agenda_answers(
    record: CheckinRecord, dialog: Dialog
) -> list[tuple[Step, Option, Answer, bool]]:
    """The answers of ``record`` that put something on the agenda of the next meeting, or named
    something to leave out of it (the last of each: ``avoid``), in the order they were given:
    each with its question and the button that named the need. /agenda and the record for a
    meeting read the agenda through this one function."""
    found: list[tuple[Step, Option, Answer, bool]] = []
    for answer in record.answers:
        if FOLLOW_UP not in answer.step_id:
            continue
        step_id, _, option_id = answer.step_id.partition(FOLLOW_UP)
        try:
            step = dialog.step(step_id)
        except KeyError:
            continue  # a question taken out of the dialog since
        option = next((o for o in step.options if o.id == option_id), None)
        if option is None:
            continue
        avoid = option.need is Need.AVOID
        if avoid or answer.value in (ON_AGENDA, AGENDA_ASKING):
            found.append((step, option, answer, avoid))
    return found


@dataclass(frozen=True)
class AgendaItem:
    """Something the client put on the agenda of their next meeting, from a check-in: to
    raise, or (``avoid``) to leave out; in their own ``words`` when they typed some."""

    question: str
    answer: str
    on: date  # the client's own day it was put there
    words: str | None = None
    avoid: bool = False
    from_name: str | None = None  # someone close's words the client chose to talk about
    at: datetime | None = field(default=None, compare=False)  # the moment it was put there


def since_last_meeting(
    records: Sequence[CheckinRecord],
) -> tuple[list[CheckinRecord], datetime | None]:
    """Of a client's check-ins, newest first: those since their last meeting, and when that
    meeting was, as the after-meeting check-in says (None if there is none among them).
    What came before it was for that meeting; what the after-meeting check-in itself put on
    the agenda ("anything different next time?") is for the next one, so it is among them."""
    found: list[CheckinRecord] = []
    for record in records:
        found.append(record)
        if record.dialog == AFTER_MEETING_DIALOG:
            return found, record.started_at
    return found, None


def agenda_items(
    records: Sequence[CheckinRecord],
    relays: Sequence[Relay],
    dialog: Callable[[str], Dialog | None],
    zone: tzinfo,
) -> tuple[AgendaItem, ...]:
    """What the client put on the agenda since their last meeting, oldest first: from the
    check-ins among ``records`` (newest first, as the store reads them; ``dialog`` gives each
    one's dialog in the client's language), and the words of someone close among ``relays``
    that the client chose to talk about. /agenda and /share read the agenda through this."""
    items: list[AgendaItem] = []
    kept, since = since_last_meeting(records)
    for record in kept:
        found = dialog(record.dialog)
        if found is None:
            continue
        for step, option, answer, avoid in reversed(agenda_answers(record, found)):
            words = answer.text if answer.value in (ON_AGENDA, TEXT) else None
            day = answer.answered_at.astimezone(zone).date()
            items.append(
                AgendaItem(
                    step.question.strip(),
                    option.label,
                    day,
                    words,
                    avoid=avoid,
                    at=answer.answered_at,
                )
            )
    items.reverse()
    for relay in relays:
        if relay.agenda_at is None or (since is not None and relay.agenda_at < since):
            continue
        words = relay.body or ""
        if len(words) > AGENDA_QUOTE:
            words = words[: AGENDA_QUOTE - 1].rstrip() + "…"
        day = relay.agenda_at.astimezone(zone).date()
        items.append(
            AgendaItem("", "", day, words, from_name=relay.member_name, at=relay.agenda_at)
        )
    items.sort(key=lambda item: item.on)  # stable: the day each was put there
    return tuple(items)


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


class Checkins:
    """Check-in use cases over the store and the loaded dialogs."""

    def __init__(
        self,
        store: CheckinStore,
        dialogs: Mapping[str, Dialog],
        team: TeamStore | None = None,
        sends: Sends | None = None,
        planner: Planner | None = None,
        wait: timedelta = DEFAULT_WAIT,
        messages: MessageStore | None = None,
    ) -> None:
        self._store = store
        self._messages = messages
        self._dialogs = dialogs
        self._team = team
        self._sends = sends
        self._planner = planner
        self._wait = wait  # how long "What is it?" takes the next typed words as its answer

    async def shown(self, user: User, checkin_id: int, message_id: int) -> None:
        """The message now asking this check-in's question (its buttons go when answered)."""
        await self._store.set_checkin_message(checkin_id, message_id)

    async def set_pace(self, user: User, fewer: bool, now: datetime) -> None:
        """The client's answer to the offer of fewer check-ins."""
        await self._store.set_pace(user.id, "fewer" if fewer else "usual", now)

    async def answer_option(
        self,
        user: User,
        checkin_id: int,
        step_no: int,
        option_no: int,
        check: str,
        now: datetime,
        *,
        replayed: bool = False,
    ) -> Result:
        """A button answer, by positions; ``check`` must match the ids found there now.

        ``replayed``: the press is handled again after a hard stop. Its answer was kept the
        first time, and what came after may not have reached the client: the open question is
        asked again rather than "already saved".
        """
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
        if replayed and (again := await self._as_before(user, record, dialog, step.id, option.id)):
            return replace(again, label=option.label)
        result = await self.answer(user, checkin_id, step.id, option.id, now)
        if result.kind is Kind.ALREADY and replayed:
            return await self.current(user)
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
        """Open a check-in (closing one left open) and ask for capacity first; getting ready
        for a meeting also shows what is on its agenda so far."""
        dialog = self.dialog(dialog_id, user.language)
        if dialog is None:
            raise KeyError(f"no dialog {dialog_id!r}")
        agenda = await self._agenda(user) if dialog.id == AGENDA_DIALOG else ()
        record = await self._store.start_checkin(user.id, dialog.id, now)
        return Result(Kind.ASK_CAPACITY, record, dialog, agenda=agenda)

    async def current(self, user: User) -> Result:
        """What the client's open check-in asks now (to show it again); STALE if none is open."""
        record = await self._store.open_checkin(user.id)
        dialog = self.dialog(record.dialog, user.language) if record is not None else None
        if record is None or dialog is None:
            return STALE
        if record.capacity is None:
            return Result(Kind.ASK_CAPACITY, record, dialog)
        result = await self._asking(user, record, dialog)
        return result if result is not None else STALE

    async def asking(self, user: User, checkin_id: int) -> Result:
        """What check-in ``checkin_id`` asks now, if it is the client's open one; else STALE."""
        result = await self.current(user)
        if result.checkin is None or result.checkin.id != checkin_id:
            return STALE
        return result

    async def _load(self, user: User, checkin_id: int) -> tuple[CheckinRecord, Dialog] | None:
        record = await self._store.checkin(checkin_id, user.id)
        if record is None or record.status != "open":
            return None
        dialog = self.dialog(record.dialog, user.language)
        if dialog is None:
            return None
        return record, dialog

    async def choose_capacity(
        self,
        user: User,
        checkin_id: int,
        capacity: Capacity,
        now: datetime,
        *,
        replayed: bool = False,
    ) -> Result:
        """Record the capacity once, then ask the first question (``replayed``: see
        ``answer_option``)."""
        loaded = await self._load(user, checkin_id)
        if loaded is None:
            return STALE
        record, dialog = loaded
        if record.capacity is not None and replayed and not record.answers:
            asking = await self._asking(user, record, dialog)  # as the first time showed it
            if asking is not None:
                return replace(asking, first=True)
        if record.capacity is not None:
            return await self.current(user) if replayed else Result(Kind.ALREADY, record, dialog)
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
        prompt = _state(record, dialog)
        if not isinstance(prompt, Prompt) or prompt.step_id != step_id:
            return STALE
        if value not in {option.id for option in prompt.options}:
            return STALE
        return await self._answered(user, record, step_id, value, None, now)

    async def _answered(
        self,
        user: User,
        record: CheckinRecord,
        step_id: str,
        value: str,
        text: str | None,
        now: datetime,
    ) -> Result:
        """Keep the answer to the question being asked; its message now carries "Change"."""
        kept = await self._keep(user, record, step_id, value, text, now)
        if kept.kind in (Kind.ALREADY, Kind.STALE) or record.message_id is None:
            return kept
        await self._store.set_answered_message(record.id, record.message_id)
        return replace(
            kept, answered_message=record.message_id, answered_before=record.answered_message_id
        )

    async def answer_text(
        self, user: User, text: str, now: datetime, *, replayed: bool = False
    ) -> Result | None:
        """Typed words answer the open check-in if it takes words now ("What is it?", or a
        question that lets the client type); else None (they are a note).

        ``replayed``: handled again after a hard stop. Words the check-in already kept as its
        last answer show what they showed the first time; they never answer the next question.
        """
        if replayed and (again := await self._words_as_before(user, text)) is not None:
            return again
        record = await self._store.open_checkin(user.id)
        if record is None or record.capacity is None:
            return None
        dialog = self.dialog(record.dialog, user.language)
        if dialog is None:
            return None
        asking = _state(record, dialog)
        if isinstance(asking, NeedStep):
            if not takes_words(asking, Capacity(record.capacity)):
                return None
            asked = asking.answer_id if asking.words else asking.step_id
            named = next((a for a in record.answers if a.step_id == asked), None)
            if named is None or now > named.answered_at + self._wait:
                return None  # a question asked long ago never captures later words
            if asking.words:  # what the client wants to decide, on the agenda in their words
                kept = await self._on_agenda(user, record, asking, text, now)
                return replace(kept, kept_words=text)
            kept = await self._keep(user, record, asking.answer_id, TEXT, text, now)
            return replace(kept, kept_words=text) if kept.kind is not Kind.ALREADY else kept
        if asking is None or asking.free_text == FreeText.NONE:
            return None
        return await self._answered(user, record, asking.step_id, TEXT, text, now)

    async def go_on(self, user: User, checkin_id: int, step_no: int, now: datetime) -> Result:
        """ "Go on" past the human step: nothing more about it, the next question comes."""
        found = await self._need_at(user, checkin_id, step_no)
        if isinstance(found, Result):
            return found
        record, need = found
        if need.words:  # on the agenda as it was named, without words of the client's own
            return await self._on_agenda(user, record, need, None, now)
        return await self._keep(user, record, need.answer_id, SKIPPED, None, now)

    async def put_on_agenda(
        self, user: User, checkin_id: int, step_no: int, now: datetime
    ) -> Result:
        """ "Put it on the agenda": kept for the next meeting's preparation to show."""
        found = await self._need_at(user, checkin_id, step_no)
        if isinstance(found, Result):
            return found
        record, need = found
        if need.need is not Need.AGENDA or need.words:
            return STALE
        if record.capacity == Capacity.LEAST.value:  # nothing asks to type at the least
            kept = await self._keep(user, record, need.answer_id, ON_AGENDA, None, now)
            return replace(kept, on_agenda=True) if kept.kind is not Kind.ALREADY else kept
        return await self._keep(user, record, need.answer_id, AGENDA_ASKING, None, now)

    async def _on_agenda(
        self, user: User, record: CheckinRecord, need: NeedStep, text: str | None, now: datetime
    ) -> Result:
        """What the client wants to decide goes on the agenda: in their words, or as the answer
        named it; the step that asked for the words is done."""
        await self._store.remove_answers(record.id, [need.answer_id])
        kept = await self._keep(user, record, need.answer_id, ON_AGENDA, text, now)
        return replace(kept, on_agenda=True) if kept.kind is not Kind.ALREADY else kept

    async def contact_requested(self, user: User, now: datetime) -> Result:
        """The client sent the request to get in touch that their open check-in offered: that
        step is done, and the check-in goes on. STALE if no check-in waits on such a step."""
        record = await self._store.open_checkin(user.id)
        dialog = self.dialog(record.dialog, user.language) if record is not None else None
        if record is None or dialog is None:
            return STALE
        need = _state(record, dialog)
        if not isinstance(need, NeedStep) or need.need is not Need.CONTACT:
            return STALE
        return await self._keep(user, record, need.answer_id, ASKED, None, now)

    async def _need_at(
        self, user: User, checkin_id: int, step_no: int
    ) -> tuple[CheckinRecord, NeedStep] | Result:
        """The open check-in and its human step, if it is the one after step ``step_no``."""
        loaded = await self._load(user, checkin_id)
        if loaded is None:
            return STALE
        record, dialog = loaded
        need = _state(record, dialog)
        if not isinstance(need, NeedStep) or _index(dialog, need.step_id) != step_no:
            return STALE
        return record, need

    async def change_last(
        self, user: User, checkin_id: int, step_no: int, now: datetime
    ) -> Result:
        """ "Change this answer": that answer (and the human step after it) goes, and its
        question is asked again; ``step_no`` must be the step it was offered for."""
        loaded = await self._load(user, checkin_id)
        if loaded is None:
            return STALE
        record, dialog = loaded
        if _changeable(record, dialog) != step_no:
            return STALE
        step = dialog.steps[step_no]
        follow_ups = [follow_up_id(step.id, o.id) for o in step.options if o.need is not None]
        if not await self._store.remove_answers(record.id, [step.id, *follow_ups]):
            return STALE
        await self._store.set_answered_message(record.id, None)
        return await self._next(user, record.id, now, again=True)

    async def drop(self, user: User, checkin_id: int, now: datetime) -> Result:
        """ "This is too much": this question is let go, and fewer come, at one capacity lower.

        The question it was pressed under is never asked again.
        """
        loaded = await self._load(user, checkin_id)
        if loaded is None or loaded[0].capacity is None:
            return STALE
        record, dialog = loaded
        lower = Capacity(record.capacity).below() if record.capacity else None
        asking = _state(record, dialog)
        if lower is None or not isinstance(asking, Prompt):
            return STALE
        assert record.capacity is not None
        if not await self._store.add_answer(
            record.id, asking.step_id, SKIPPED, None, record.capacity, now
        ):
            return Result(Kind.ALREADY, record, dialog)
        if not await self._store.set_capacity(record.id, lower.value, first=False):
            return STALE
        result = await self._next(user, record.id, now, dropped=True)
        if result.checkin is not None:
            answers = result.checkin.answer_values
            left = sum(1 for step_id in plan(dialog, lower, answers) if step_id not in answers)
            result = replace(result, left=left)
        return result

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
        self,
        user: User,
        checkin_id: int,
        now: datetime,
        *,
        first: bool = False,
        dropped: bool = False,
        again: bool = False,
    ) -> Result:
        record = await self._store.checkin(checkin_id, user.id)
        assert record is not None
        dialog = self.dialog(record.dialog, user.language)
        assert dialog is not None
        asking = await self._asking(user, record, dialog)
        if asking is not None:
            return replace(asking, first=first, dropped=dropped, again=again)
        await self._store.finish_checkin(record.id, "done", now)
        finished = await self._store.checkin(record.id, user.id)
        return Result(
            Kind.FINISHED,
            finished,
            dialog,
            dropped=dropped,
            offer_fewer=await self._offer_fewer(user, now),
            shareable=await self._has_team(user),
        )

    async def _as_before(
        self, user: User, record: CheckinRecord, dialog: Dialog, step_id: str, value: str
    ) -> Result | None:
        """A press handled again after a hard stop, when its answer is the last the check-in
        heard: what its first handling showed (the next question, or the end), so that a
        message that went out then is recognised and not sent again. None otherwise."""
        last = record.answers[-1] if record.answers else None
        if last is None or (last.step_id, last.value) != (step_id, value):
            return None
        if record.status == "open":
            return await self._asking(user, record, dialog)
        if record.status == "done":
            return Result(Kind.FINISHED, record, dialog, shareable=await self._has_team(user))
        return None

    async def _words_as_before(self, user: User, text: str) -> Result | None:
        """If the latest check-in's last answer is these words: what keeping them showed."""
        latest = await self._store.recent_checkins(user.id, 1)
        record = latest[0] if latest else None
        dialog = self.dialog(record.dialog, user.language) if record is not None else None
        if record is None or dialog is None or not record.answers:
            return None
        last = record.answers[-1]
        if last.value not in (TEXT, ON_AGENDA) or last.text != text:
            return None
        shown = await self._as_before(user, record, dialog, last.step_id, last.value)
        if shown is None:
            return None
        said = last.step_id not in {step.id for step in dialog.steps}  # after "What is it?"
        if not said:
            return shown
        return replace(shown, kept_words=text, on_agenda=last.value == ON_AGENDA)

    async def _asking(self, user: User, record: CheckinRecord, dialog: Dialog) -> Result | None:
        """The question or human step the open check-in asks now; None when all is asked."""
        asking = _state(record, dialog)
        needs_contact = isinstance(asking, NeedStep) and asking.need is Need.CONTACT
        return asking_now(record, dialog, await self._contact(user) if needs_contact else None)

    async def _contact(self, user: User) -> TeamMember | None:
        """The person of the client's team to offer: their peer supporter, else a clinician."""
        team = await self._team.team_of(user.id) if self._team is not None else []
        for role in CONTACT_ORDER:
            chosen = [member for member in team if member.role is role]
            if chosen:
                return min(chosen, key=lambda member: member.since)
        return None

    async def _agenda(self, user: User) -> tuple[AgendaItem, ...]:
        """What the client put on the agenda since their last meeting, oldest first."""
        zone = await self._planner.zone_of(user.id) if self._planner is not None else UTC
        records = await self._store.recent_checkins(user.id, AGENDA_LOOKBACK)
        relays = await self._messages.relays(user.id) if self._messages is not None else []
        return agenda_items(records, relays, lambda name: self.dialog(name, user.language), zone)

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


def asking_now(
    record: CheckinRecord, dialog: Dialog, contact: TeamMember | None = None
) -> Result | None:
    """The question or human step an open check-in asks now (``contact``: whom a need to
    talk offers); None when all is asked."""
    asking = _state(record, dialog)
    if asking is None:
        return None
    change = _changeable(record, dialog)
    if isinstance(asking, Prompt):
        return Result(Kind.PROMPT, record, dialog, asking, change=change)
    return Result(Kind.NEED, record, dialog, need=asking, contact=contact, change=change)


def _index(dialog: Dialog, step_id: str) -> int:
    """A step's position in its dialog (buttons carry positions, never labels)."""
    return next(number for number, step in enumerate(dialog.steps) if step.id == step_id)


def _started(record: CheckinRecord) -> Capacity | None:
    """The capacity the check-in started at: capacity only ever goes down, and every answer
    keeps the capacity it was given at."""
    levels = [record.capacity, *(answer.capacity for answer in record.answers)]
    known = [Capacity(level) for level in levels if level in list(Capacity)]
    return max(known, key=lambda level: level.rank) if known else None


def _state(record: CheckinRecord, dialog: Dialog) -> Prompt | NeedStep | None:
    """What the open check-in asks now: the human step owed after an answer that named a
    need, else the next question; None once everything is asked."""
    if record.capacity is None:
        return None
    answers = record.answer_values
    need = pending_need(dialog, answers)
    if need is not None:
        return need
    return next_prompt(dialog, Capacity(record.capacity), answers, started=_started(record))


def _changeable(record: CheckinRecord, dialog: Dialog) -> int | None:
    """The step whose answer "Change this answer" asks again: the last one answered (not let
    go with "This is too much"), if it can still be asked at the check-in's capacity now."""
    if record.capacity is None:
        return None
    steps = {step.id for step in dialog.steps}
    last = next(
        (a for a in reversed(record.answers) if a.step_id in steps and a.value != SKIPPED), None
    )
    if last is None or Capacity(record.capacity) not in dialog.step(last.step_id).at:
        return None
    return _index(dialog, last.step_id)

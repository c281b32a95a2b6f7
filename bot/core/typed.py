"""Typed words, routed once: what the bot asked for, else an open check-in's question, else a
private note; and the crisis card first, in every one of those places, at every capacity.

Every catalog text that invites typing is listed in ``INVITES`` with what takes the words, so a
text that invites words and then files them as a note cannot slip in (tests/test_invites.py).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.core import usecases
from bot.core.checkin_views import CheckinViews
from bot.core.checkins import Checkins, Kind, Result
from bot.core.model import User
from bot.core.people import Persons
from bot.core.safety import RiskPhrases
from bot.core.views import View
from bot.core.waits import Wait, WaitKind, Waits

TypedAnswer = Callable[[User, Wait, str, datetime], Awaitable[View]]
"""A use case that takes the words typed for a question it asked."""

CHECKIN = "checkin"  # an open check-in's question or human step takes them
NOTE = "note"  # they are kept as the person's own note, and the reply says so
BUTTON = "button"  # a button's label: pressing it asks for the words (a text listed here)
SANDBOX = "sandbox"  # `between sandbox` speaking: it takes the line and sends it on, as typed

INVITING = re.compile(
    r"(?i)(\btype\b|\byou can write\b|^write\b|\bwrite (your|which|a few)\b|\bjust send me\b)"
)
"""How an English text invites typing: "Type …", "You can write …", "Write your …"."""

INVITES: Mapping[str, str] = {
    # The check-in: its questions and human steps
    "checkin.free_text_optional": CHECKIN,
    "checkin.free_text_invited": CHECKIN,
    "checkin.free_text_only": CHECKIN,
    "checkin.need.say": CHECKIN,
    "checkin.need.avoid": CHECKIN,
    "checkin.need.agenda_what": CHECKIN,
    # Notes: anything typed outside a question is the client's own note
    "menu.note": BUTTON,
    "menu.note_hint": NOTE,
    "help.client": NOTE,
    "fallback.non_text": NOTE,
    "retention.idle": NOTE,
    # The crisis plan
    "helpnow.plan_none": BUTTON,  # "You can write one": the card then offers "Write my plan"
    "helpnow.plan_write": BUTTON,
    "plan.ask_contacts": WaitKind.PLAN,
    # Settings
    "schedule.pick_time": WaitKind.TIME,
    "schedule.pick_zone": WaitKind.ZONE,
    "schedule.pick_hours": WaitKind.HOURS,
    "schedule.type_other": BUTTON,
    "relay.write_instead": BUTTON,  # "Write instead" under "Please call me": an answer in words
    "reflection.start": BUTTON,  # someone close: the questions of dialogs/reflection.yaml
    "sandbox.playing": SANDBOX,
    "sandbox.something_new": SANDBOX,
    "settings.type_city": BUTTON,
    "settings.type_zone": WaitKind.ZONE,
    "pause.message_write": BUTTON,
    "pause.message_prompt": WaitKind.PAUSE_MESSAGE,
    "settings.pause_ask_day": WaitKind.PAUSE_UNTIL,
    "settings.pause_bad_day": WaitKind.PAUSE_UNTIL,
    # Nudges and messages with the team
    "nudge.ask_when": WaitKind.NUDGE_WHEN,
    "nudge.write": WaitKind.NUDGE_TEXT,
    "relay.write_to": WaitKind.WRITE,
    "relay.write_answer": WaitKind.ANSWER,
    "team_people.write": BUTTON,
    # The meeting
    "meeting.ask": WaitKind.MEETING,
    "meeting_date.ask_propose": WaitKind.MEETING,
    "meeting_when.add_more": WaitKind.MEETING,
    "meeting_date.asked_another": WaitKind.WRITE,
}


@dataclass
class Typed:
    """The one use case for words a person types."""

    waits: Waits
    checkins: Checkins
    persons: Persons
    risk: Mapping[str, RiskPhrases]
    answers: Mapping[WaitKind, TypedAnswer]
    after_note: Callable[[User, int], Awaitable[View]] | None = None
    """What follows someone's own note (someone close is asked whether the client they are
    close to should read it)."""

    async def words(
        self, user: User, text: str, now: datetime, update_id: int, *, replayed: bool = False
    ) -> View:
        """What follows typed words.

        Words that sound like a crisis are answered with the crisis card first, wherever they
        are typed: inside a check-in (at any capacity, answering its question or not) the card
        offers "Go on" and "Stop here", and the question above loses its buttons.
        """
        crisis = usecases.needs_crisis_offer(self.risk, user.language, text)
        # What the bot asked for comes first (if that question is still open): it answers it once.
        wait = await self.waits.take(user.id, now, update_id, replayed=replayed)
        answer = self.answers.get(wait.kind) if wait is not None else None
        if wait is not None and answer is not None:
            view = await answer(user, wait, text, now)
            if crisis:  # the card comes before any next question
                view = await self.persons.words_of_crisis(user) + view
            return view
        answered: Result | None = None
        if user.role.is_client:
            answered = await self.checkins.answer_text(user, text, now, replayed=replayed)
        if crisis and user.role.is_client:
            return await self._crisis_in_checkin(user, text, now, update_id, answered)
        if answered is not None:
            return await CheckinViews(self.checkins).words(user, answered)
        # Anything else is kept as the person's own note, and the reply says so.
        note_id = await self.persons.keep_note(user, text, now, update_id)
        if crisis:
            view = await self.persons.words_of_crisis(user) + View.say("note.kept_crisis")
        else:
            view = View.say("note.saved" if user.role.is_client else "note.kept_member")
        if self.after_note is not None and not user.role.is_client:
            view += await self.after_note(user, note_id)
        return view

    async def _crisis_in_checkin(
        self, user: User, text: str, now: datetime, update_id: int, answered: Result | None
    ) -> View:
        """Words of crisis from a client: the card first. Inside a check-in it waits behind
        the card ("Go on" / "Stop here") when it still has something to ask, and the question
        above loses its buttons; words that did not answer it are kept as a private note."""
        if answered is None:
            await self.persons.keep_note(user, text, now, update_id)
            current = await self.checkins.current(user)
            waiting = current if current.kind is not Kind.STALE else None
        else:
            waiting = answered if answered.kind in (Kind.PROMPT, Kind.NEED, Kind.ALREADY) else None
        record = waiting.checkin if waiting is not None else None
        view = await self.persons.words_of_crisis(user, record.id if record else None)
        if record is not None and record.message_id is not None:
            view = View(unbutton=(record.message_id,)) + view
        if answered is None:
            view += View.say("note.kept_crisis")
        return view

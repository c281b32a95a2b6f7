"""The record for a meeting: a client's own words for a time they choose, as a PDF to keep or
take along. Their notes, their check-ins (each question and the button they pressed, their
typed words exactly as written) and what they put on a meeting's agenda, to talk about or
rather not; in their language, its days and times on their clock. Offered under the first
message of /mydata, to clients only.

Only the client's own words go in: nothing anyone in their team or someone close wrote, and
no one else's name (what was shared with whom stays out). Every word is chosen here, free of
drawing; the pages are drawn by the function the adapter hands in (``bot/draw/record_pdf.py``),
in a worker thread, so the bot goes on answering everyone meanwhile."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import Enum

from bot.core.actions.record import MakeRecord, Period, RecordBack
from bot.core.checkins import agenda_answers
from bot.core.dialog_model import (
    FOLLOW_UP,
    ON_AGENDA,
    SKIPPED,
    TEXT,
    Capacity,
    Dialog,
    dialog_for,
)
from bot.core.i18n import Catalog
from bot.core.model import CheckinRecord, Note, User
from bot.core.my_data import label_shown, question_shown, value_name
from bot.core.ports import CheckinStore, People
from bot.core.views import Attachment, Choice, Say, View, t

FILENAME = "between-my-record.pdf"

SPANS: Mapping[Period, timedelta | None] = {
    Period.WEEKS_4: timedelta(weeks=4),
    Period.WEEKS_12: timedelta(weeks=12),
    Period.EVERYTHING: None,
}
"""How far back each choice reaches (None: to the first day)."""

NAMES: Mapping[Period, str] = {
    Period.WEEKS_4: "record.weeks_4",
    Period.WEEKS_12: "record.weeks_12",
    Period.EVERYTHING: "record.everything",
}
"""Each choice in words: its button, and the line under the record's title."""

EVERY_CHECKIN = 100_000  # as /mydata: every check-in kept


class Style(Enum):
    """How a line of an entry is set."""

    PLAIN = "plain"  # about the entry as a whole: the energy chosen
    QUESTION = "question"  # a question as it was asked: small, quiet
    ANSWER = "answer"  # the button pressed
    WORDS = "words"  # the client's own words, exactly as written


@dataclass(frozen=True)
class Line:
    text: str
    style: Style


@dataclass(frozen=True)
class Entry:
    """One dated thing: a note, a check-in, something for the meeting."""

    when: str  # "Monday 2 March 2026, 09:00"
    title: str = ""  # a check-in's name ("A short check-in")
    lines: tuple[Line, ...] = ()


@dataclass(frozen=True)
class Group:
    """Entries under a small heading of their own (none: straight under the part's)."""

    heading: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Part:
    """A section of the record: its heading, what it says when empty, its entries."""

    heading: str
    nothing: str
    groups: tuple[Group, ...]

    @property
    def empty(self) -> bool:
        return not any(group.entries for group in self.groups)


@dataclass(frozen=True)
class Document:
    """The record, every word of it chosen: the drawing only sets it on pages."""

    language: str
    title: str
    span: str
    about: str
    parts: tuple[Part, ...]
    page: str  # "Page {page} of {pages}"
    made: datetime


def ask() -> View:
    """Which time the record should cover: three choices and "Back", in the place of the list."""
    choices = [Choice(t(NAMES[period]), MakeRecord(period)) for period in Period]
    choices.append(Choice(t("common.back"), RecordBack()))
    return View.of(Say.of(t("record.ask"), choices=choices, edit=True))


def first_day(period: Period, user: User, now: datetime, zone: tzinfo) -> date:
    """The first day the record covers, on the client's clock."""
    span = SPANS[period]
    start = user.created_at if span is None else max(now - span, user.created_at)
    return start.astimezone(zone).date()


def compose(
    catalog: Catalog,
    user: User,
    notes: Sequence[Note],
    checkins: Sequence[CheckinRecord],
    dialogs: Mapping[str, Dialog],
    *,
    zone: tzinfo,
    period: Period,
    now: datetime,
) -> Document:
    """The record of ``period`` for ``user``, from their own notes and check-ins, in their
    language (``catalog``'s region says how its people write dates), times on ``zone``'s
    clock. Oldest first, as a meeting goes through them."""
    language = user.language

    def say(key: str, /, **values: object) -> str:
        return catalog.get(language, f"record.{key}", **values)

    def moment(value: datetime) -> str:
        return catalog.datetime(language, value.astimezone(zone))

    start = first_day(period, user, now, zone)
    end = now.astimezone(zone).date()

    def within(value: datetime) -> bool:
        return SPANS[period] is None or value.astimezone(zone).date() >= start

    notes = sorted((n for n in notes if within(n.created_at)), key=_written)
    records = sorted((c for c in checkins if within(c.started_at)), key=_started)
    noted = tuple(
        Entry(moment(note.created_at), lines=(Line(note.text, Style.WORDS),)) for note in notes
    )
    checked = tuple(
        entry
        for record in records
        if (entry := _checkin(catalog, language, record, dialogs, moment)) is not None
    )
    raise_, avoid = _agenda(catalog, language, records, dialogs, zone)
    return Document(
        language=language,
        title=say("title", name=user.name),
        span=say(
            "span",
            period=catalog.get(language, NAMES[period]),
            start=catalog.date(language, start),
            end=catalog.date(language, end),
        ),
        about=say("about", day=catalog.date(language, end)),
        parts=(
            Part(say("notes"), say("notes_none"), (Group("", noted),)),
            Part(say("checkins"), say("checkins_none"), (Group("", checked),)),
            Part(
                say("meeting"),
                say("meeting_none"),
                (Group(say("meeting_raise"), raise_), Group(say("meeting_avoid"), avoid)),
            ),
        ),
        page=say("page", page="{page}", pages="{pages}"),
        made=now,
    )


def _written(note: Note) -> datetime:
    return note.created_at


def _started(record: CheckinRecord) -> datetime:
    return record.started_at


def _checkin(
    catalog: Catalog,
    language: str,
    record: CheckinRecord,
    dialogs: Mapping[str, Dialog],
    moment: Callable[[datetime], str],
) -> Entry | None:
    """A check-in as the client saw it: the energy chosen, then each question and the button
    pressed, their typed words as written ("Not now" left out: nothing is owed). None for one
    that holds nothing they said (declined at once, or let pass)."""
    answers = [a for a in record.answers if a.value != SKIPPED or a.text]
    if record.capacity is None and not answers:
        return None
    dialog = dialog_for(dialogs, record.dialog, language)
    lines: list[Line] = []
    if record.capacity in set(Capacity):
        level = catalog.get(language, Capacity(str(record.capacity)).label_key)
        lines.append(Line(catalog.get(language, "record.energy", level=level), Style.PLAIN))
    asked = ""
    for answer in answers:
        parent, _, _ = answer.step_id.partition(FOLLOW_UP)
        if parent != asked:  # what followed an answer sits under it, not under it again
            question = question_shown(dialog, answer.step_id, record.capacity)
            lines.append(Line(question or answer.step_id, Style.QUESTION))
        asked = answer.step_id
        if answer.value != TEXT:  # typed instead of a button: the words say it
            label = label_shown(dialog, answer.step_id, record.capacity, answer.value)
            if label is None:
                label = value_name(catalog, language, "answer", answer.value, answer.value)
            lines.append(Line(label, Style.ANSWER))
        if answer.text:
            lines.append(Line(answer.text, Style.WORDS))
    title = dialog.title if dialog is not None else ""
    return Entry(moment(record.started_at), title, tuple(lines))


def _agenda(
    catalog: Catalog,
    language: str,
    records: Sequence[CheckinRecord],
    dialogs: Mapping[str, Dialog],
    zone: tzinfo,
) -> tuple[tuple[Entry, ...], tuple[Entry, ...]]:
    """What the client put on a meeting's agenda in ``records``, as /agenda keeps it (an
    answer that named ``Need.AGENDA`` and was put there, one that named ``Need.AVOID``): to
    talk about, and rather not; each on its day, in their words when they typed some, else as
    the question and the button they pressed."""
    raise_: list[Entry] = []
    avoid: list[Entry] = []
    for record in records:
        dialog = dialog_for(dialogs, record.dialog, language)
        if dialog is None:
            continue
        for step, option, answer, avoided in agenda_answers(record, dialog):
            words = answer.text if answer.value in (ON_AGENDA, TEXT) and answer.text else None
            lines: tuple[Line, ...]
            if words is not None:
                lines = (Line(words, Style.WORDS),)
            else:
                question = question_shown(dialog, step.id, record.capacity) or step.question
                lines = (Line(question, Style.QUESTION), Line(option.label, Style.ANSWER))
            day = catalog.weekday_date(language, answer.answered_at.astimezone(zone).date())
            (avoid if avoided else raise_).append(Entry(day, lines=lines))
    return tuple(raise_), tuple(avoid)


async def make(
    people: People,
    checkins: CheckinStore,
    catalog: Catalog,
    dialogs: Mapping[str, Dialog],
    user: User,
    *,
    zone: tzinfo,
    period: Period,
    now: datetime,
    draw: Callable[[Document], bytes],
) -> Say:
    """The record of ``period`` as a PDF message with a one-line caption; ``draw`` makes the
    pages, in a thread of its own so the bot goes on answering everyone meanwhile."""
    notes = await people.notes(user.id)
    records = await checkins.recent_checkins(user.id, EVERY_CHECKIN)
    document = compose(catalog, user, notes, records, dialogs, zone=zone, period=period, now=now)
    pdf = await asyncio.to_thread(draw, document)
    start = first_day(period, user, now, zone)
    caption = t(
        "record.caption",
        start=catalog.date(user.language, start),
        end=catalog.date(user.language, now.astimezone(zone).date()),
    )
    return Say((caption,), attachment=Attachment(pdf, FILENAME))

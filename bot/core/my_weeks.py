"""/myweeks: a picture of the client's own last weeks, and the same in words.

Per day: the energy chosen at each check-in ("Very little", "Some", "Plenty"), check-ins the bot
sent that were let pass, notes written (when, never what) and network meeting days. Nothing is
scored or judged: no streaks, no trends, no "missed". The caption says everything the picture
shows, so nothing depends on seeing it. Only the client's own rows are read, and the picture goes
only to the client who asked.

The rules are here, free of Telegram and of drawing: ``summarise`` turns the history into
``Weeks``; ``caption`` and ``picture`` say it in the reader's language; ``MyWeeks.show`` is the
use case. The drawing itself is a ``Painter`` the adapter hands in (``bot/draw/weeks.py``, run
off the event loop).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from babel.dates import get_day_names

from bot.core.actions.myweeks import ShareWeeks, ShowWeeks
from bot.core.dates import speech_locale
from bot.core.dialog_model import Capacity
from bot.core.i18n import Catalog
from bot.core.model import CheckinRecord, Send, User
from bot.core.planning import CHECKIN, MEETING, Planner
from bot.core.ports import CheckinStore, People, Sends, TeamStore
from bot.core.views import Attachment, Choice, Say, Text, View, t

SPANS = (4, 8, 12)
"""How many weeks a picture can show; the first is what "My weeks" opens with."""
DAYS = 7
FIRST_LOOK = 64
"""Check-ins read at first; more are read while the oldest read is still inside the weeks."""
SENT = frozenset({"sent", "closed"})
"""Statuses of a check-in the bot sent that reached the client."""


class Mark(StrEnum):
    """One check-in on a day: the energy chosen, or let pass."""

    LEAST = Capacity.LEAST.value
    MIDDLE = Capacity.MIDDLE.value
    MOST = Capacity.MOST.value
    PASSED = "passed"  # a check-in the bot sent, answered with nothing (or "Not now")

    @property
    def energy(self) -> Capacity | None:
        """The energy this mark shows, if it shows one."""
        return None if self is Mark.PASSED else Capacity(self.value)


ENERGY = (Mark.LEAST, Mark.MIDDLE, Mark.MOST)
"""The marks that are an energy, least first (the order of the capacity question)."""


@dataclass(frozen=True)
class Day:
    """One day on the client's own clock."""

    day: date
    marks: tuple[Mark, ...] = ()  # the day's check-ins, in the order they started
    notes: int = 0
    meeting: bool = False

    @property
    def answered(self) -> int:
        """Check-ins answered this day (an energy chosen)."""
        return sum(1 for mark in self.marks if mark is not Mark.PASSED)

    @property
    def passed(self) -> int:
        """Check-ins the bot sent this day that were let pass."""
        return sum(1 for mark in self.marks if mark is Mark.PASSED)


@dataclass(frozen=True)
class Weeks:
    """The client's last ``weeks`` weeks, Monday to Sunday, the last one the current week.

    ``days`` has every day of them, days after ``today`` included (they hold nothing but a
    meeting to come)."""

    weeks: int
    today: date
    days: tuple[Day, ...]

    @property
    def first(self) -> date:
        """The Monday the picture starts on."""
        return self.days[0].day

    def week(self, index: int) -> tuple[Day, ...]:
        """The days of one week, Monday first (0 is the oldest week)."""
        return self.days[index * DAYS : (index + 1) * DAYS]

    def chosen(self, mark: Mark) -> int:
        """How often ``mark`` was the energy chosen (or, for PASSED, how many were let pass)."""
        return sum(day.marks.count(mark) for day in self.days)

    @property
    def answered(self) -> int:
        """Check-ins answered in these weeks."""
        return sum(day.answered for day in self.days)

    @property
    def passed(self) -> int:
        """Check-ins the bot sent that were let pass."""
        return sum(day.passed for day in self.days)

    @property
    def notes(self) -> int:
        """Notes written in these weeks."""
        return sum(day.notes for day in self.days)

    @property
    def meetings(self) -> tuple[date, ...]:
        """Network meeting days in these weeks (a meeting later this week included)."""
        return tuple(day.day for day in self.days if day.meeting)

    @property
    def empty(self) -> bool:
        """Nothing the client did in these weeks: no check-in and no note."""
        return not any(day.marks or day.notes for day in self.days)

    def usual_weekday(self, mark: Mark) -> int | None:
        """The weekday (0 is Monday) ``mark`` came on most often, when one day stands out: the
        only one, or one with at least two that no other weekday equals."""
        counts = Counter(
            day.day.weekday() for day in self.days for found in day.marks if found is mark
        )
        if not counts:
            return None
        (top, most), *rest = counts.most_common()
        if sum(counts.values()) == 1:
            return top
        if most < 2 or (rest and rest[0][1] == most):
            return None
        return top


def first_monday(today: date, weeks: int) -> date:
    """The Monday ``weeks`` weeks back, counting the current week as the last."""
    return today - timedelta(days=today.weekday() + DAYS * (weeks - 1))


def summarise(
    *,
    today: date,
    weeks: int,
    zone: tzinfo,
    checkins: Iterable[CheckinRecord],
    sends: Iterable[Send] = (),
    notes: Iterable[datetime] = (),
    meetings: Iterable[date] = (),
) -> Weeks:
    """The history, day by day on the client's clock (``zone``).

    ``checkins`` are the client's check-ins: one with an energy chosen counts as answered, with
    that energy. One the bot sent (a ``checkin`` row of ``sends`` that reached the client and
    names it) that ended without an energy counts as let pass; one the client opened and left
    counts as nothing, nor does one still open. ``notes`` are the moments notes were written;
    ``meetings`` network meeting days (a day twice counts once)."""
    first = first_monday(today, weeks)
    last = first + timedelta(days=DAYS * weeks - 1)
    sent = {
        send.checkin_id
        for send in sends
        if send.kind == CHECKIN and send.status in SENT and send.checkin_id is not None
    }
    marks: dict[date, list[tuple[datetime, int, Mark]]] = {}
    for record in checkins:
        mark = _mark(record, record.id in sent)
        day = record.started_at.astimezone(zone).date()
        if mark is not None and first <= day <= today:
            marks.setdefault(day, []).append((record.started_at, record.id, mark))
    written = Counter(moment.astimezone(zone).date() for moment in notes)
    meeting_days = {day for day in meetings if first <= day <= last}
    days = []
    for offset in range(DAYS * weeks):
        day = first + timedelta(days=offset)
        found = tuple(mark for _, _, mark in sorted(marks.get(day, [])))
        days.append(Day(day, found, written[day], day in meeting_days))
    return Weeks(weeks, today, tuple(days))


def _mark(record: CheckinRecord, sent_by_the_bot: bool) -> Mark | None:
    if record.capacity in {level.value for level in Capacity}:
        return Mark(record.capacity)
    if sent_by_the_bot and record.status != "open" and not record.answers:
        return Mark.PASSED
    return None


def meeting_days(sends: Iterable[Send], next_meeting: str | None) -> list[date]:
    """Network meeting days the bot knows of: the next one, and each one the bot planned to
    write about (a meeting moved elsewhere is left out: its rows were cancelled)."""
    days = [
        date.fromisoformat(send.local_date)
        for send in sends
        if send.kind == MEETING and send.status != "cancelled"
    ]
    if next_meeting:
        days.append(date.fromisoformat(next_meeting))
    return days


# --- in words --------------------------------------------------------------------------------


def _day_names(language: str, locale: str, *, short: bool = False) -> list[str]:
    """Monday to Sunday in ``language``: "Monday", "maandag" in a sentence; "Mon", "ma" above
    a column (``short``)."""
    where = speech_locale(language, locale)
    if short:
        names = get_day_names("abbreviated", context="stand-alone", locale=where)
    else:
        names = get_day_names("wide", context="format", locale=where)
    return [names[index] for index in range(DAYS)]


def caption(weeks: Weeks, language: str, locale: str) -> tuple[Text, ...]:
    """What the picture shows, in words: counts with their plural forms, the weekday an energy
    came on most often, meeting days; a kind line when there is nothing yet."""
    header = t("myweeks.since", count=weeks.weeks, since=weeks.first)
    lines: list[Text] = []
    if weeks.empty:
        lines.append(t("myweeks.empty"))
    days = _day_names(language, locale)
    for mark in ENERGY:
        count = weeks.chosen(mark)
        if not count:
            continue
        assert mark.energy is not None
        level = t(mark.energy.label_key)
        usual = weeks.usual_weekday(mark)
        if usual is None:
            lines.append(t("myweeks.energy", count=count, level=level))
        else:
            lines.append(t("myweeks.energy_day", count=count, level=level, day=days[usual]))
    for key, count in (
        ("myweeks.answered", weeks.answered),
        ("myweeks.passed", weeks.passed),
        ("myweeks.notes", weeks.notes),
    ):
        if count:
            lines.append(t(key, count=count))
    meetings = weeks.meetings
    if meetings:
        lines.append(t("myweeks.meetings", count=len(meetings), days=meetings))
    return (header, Text.joined(*lines), t("myweeks.private"))


@dataclass(frozen=True)
class Picture:
    """What the drawing needs: the weeks, and every word on the picture already in the
    reader's language."""

    weeks: Weeks
    labels: dict[str, str]
    weekdays: tuple[str, ...]  # Monday to Sunday, short
    rows: tuple[str, ...]  # each week by its Monday ("9 Feb"), oldest first


LABELS = ("title", "energy", "passed", "note", "meeting", "today", "week_of", "nothing_yet")
"""The catalog texts on the picture (``myweeks.picture_<name>``), besides the energy levels."""


def picture(weeks: Weeks, catalog: Catalog, language: str, locale: str) -> Picture:
    """The picture's words in ``language``: its labels, weekday names and week labels."""
    labels = {
        name: catalog.get(language, f"myweeks.picture_{name}", count=weeks.weeks)
        for name in LABELS
    }
    for mark in ENERGY:
        assert mark.energy is not None
        labels[mark.value] = catalog.get(language, mark.energy.label_key)
    rows = tuple(catalog.short_date(language, weeks.week(i)[0].day) for i in range(weeks.weeks))
    return Picture(weeks, labels, tuple(_day_names(language, locale, short=True)), rows)


Painter = Callable[[Picture], Awaitable[bytes]]
"""Draws a picture as PNG bytes (the adapter's, off the event loop)."""


class MyWeeks:
    """/myweeks: the client's own weeks, as a picture with the same in words."""

    def __init__(
        self,
        people: People,
        checkins: CheckinStore,
        sends: Sends,
        team: TeamStore,
        planner: Planner,
        catalog: Catalog,
        painter: Painter,
        *,
        locale: str,
    ) -> None:
        self._people = people
        self._checkins = checkins
        self._sends = sends
        self._team = team
        self._planner = planner
        self._catalog = catalog
        self._paint = painter
        self._locale = locale

    async def weeks(self, user: User, weeks: int, now: datetime) -> Weeks:
        """The client's last ``weeks`` weeks, from their own rows only, on their own clock."""
        zone = await self._planner.zone_of(user.id)
        today = now.astimezone(zone).date()
        start = datetime.combine(first_monday(today, weeks), time(0), zone)
        sends = await self._sends.sends(user.id)
        return summarise(
            today=today,
            weeks=weeks,
            zone=zone,
            checkins=await self._since(user.id, start),
            sends=sends,
            notes=await self._people.note_times(user.id, start),
            meetings=meeting_days(sends, await self._team.next_meeting(user.id)),
        )

    async def _since(self, user_id: int, start: datetime) -> Sequence[CheckinRecord]:
        """The client's check-ins started since ``start`` (and perhaps a few before)."""
        count = FIRST_LOOK
        while True:
            found = await self._checkins.recent_checkins(user_id, count)
            if len(found) < count or found[-1].started_at < start:
                return found
            count *= 4

    @property
    def locale(self) -> str:
        """The service's locale: how its people write dates and name weekdays."""
        return self._locale

    async def drawn(self, user: User, weeks: int, now: datetime) -> tuple[Weeks, bytes]:
        """The client's last ``weeks`` weeks and their picture, as PNG bytes."""
        summary = await self.weeks(user, weeks, now)
        png = await self._paint(picture(summary, self._catalog, user.language, self._locale))
        return summary, png

    async def show(
        self, user: User, weeks: int, now: datetime, *, pressed: int | None = None
    ) -> View:
        """The picture of the last ``weeks`` weeks (4, 8 or 12) with its caption, and buttons
        for the other lengths; "Share this picture" too if the client has a team (nothing goes
        to anyone before they have seen exactly what would). Under a picture whose button was
        pressed (``pressed``), the buttons go: the newest picture has them. Only clients have
        weeks to see."""
        if not user.role.is_client or weeks not in SPANS:
            return View.refuse("fallback.stale_button")
        summary, png = await self.drawn(user, weeks, now)
        others = tuple(
            Choice(t("myweeks.show", count=span), ShowWeeks(span))
            for span in SPANS
            if span != weeks
        )
        rows: tuple[tuple[Choice, ...], ...] = (others,)
        if await self._team.team_of(user.id):
            rows += ((Choice(t("share_more.share_picture"), ShareWeeks(weeks)),),)
        say = Say(
            caption(summary, user.language, self._locale),
            rows,
            attachment=Attachment(png),
        )
        return View((say,), unbutton=(pressed,) if pressed is not None else ())

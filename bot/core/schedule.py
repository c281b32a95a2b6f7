"""Schedule arithmetic: time zones, DST, contact hours, pauses, snoozes and what clients type."""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
import unicodedata
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import TypeGuard
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import get_month_names

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Short weekday names; the index is ``date.weekday()`` (0 = Monday)."""

SNOOZE_CHOICES: tuple[str, ...] = ("hour", "evening", "tomorrow")
"""The choices :func:`snooze_until` understands."""

EVENING = time(19, 0)
"""The local time a snooze "until the evening" aims for."""

_SEARCH_DAYS = 16
"""How many local dates :func:`next_checkin` looks at: two weeks and a margin either side."""


@dataclass(frozen=True)
class Schedule:
    """When the bot may write first and when the check-ins are due, in the client's time zone.

    Contact hours are the half-open local interval ``[contact_start, contact_end)``. When
    ``contact_end <= contact_start`` the hours wrap past midnight (``20:00-02:00``); equal start
    and end therefore mean round the clock.

    Attributes:
        timezone: IANA name, e.g. ``"Europe/London"``.
        days: Check-in weekdays, 0 = Monday … 6 = Sunday; empty means no check-ins.
        time: Local check-in time (naive).
        contact_start: Start of the contact hours (naive local time).
        contact_end: End of the contact hours (naive local time, exclusive).
        every_other_week: "Fewer": only every second week, counted from ``anchor``'s week.
        anchor: Required with ``every_other_week``; the ISO week (Monday to Sunday) containing it
            is an "on" week, and so is every second week from it (an even number of weeks away;
            this stays alternating across years with 53 ISO weeks, unlike week-number parity).
        paused: Nothing the bot starts is sent.
        paused_until: With ``paused``: the local date on which the pause ends (check-ins resume
            that day); ``None`` means until resumed.
    """

    timezone: str
    days: frozenset[int]
    time: dt.time  # `dt.time`: the field name shadows the type inside the class body
    contact_start: dt.time
    contact_end: dt.time
    every_other_week: bool = False
    anchor: date | None = None
    paused: bool = False
    paused_until: date | None = None

    @property
    def zone(self) -> ZoneInfo:
        """The time zone; raises ``ZoneInfoNotFoundError`` for an unknown name."""
        return _zone(self.timezone)

    def problem(self) -> str | None:
        """Return ``None`` if the schedule is coherent, else a short English reason."""
        try:
            self.zone  # noqa: B018 - loading the zone is the check
        except (ZoneInfoNotFoundError, ValueError):
            return f"unknown time zone {self.timezone!r}"
        if any(not isinstance(d, int) or not 0 <= d <= 6 for d in self.days):
            return "days must be 0 (Monday) to 6 (Sunday)"
        if any(t.tzinfo is not None for t in (self.time, self.contact_start, self.contact_end)):
            return "times must be naive local times"
        if self.every_other_week and self.anchor is None:
            return "every other week needs an anchor date"
        if not within_hours(self.time, self.contact_start, self.contact_end):
            return "the check-in time is outside the contact hours"
        return None

    def paused_at(self, moment: datetime) -> bool:
        """Whether the pause covers ``moment`` (its local date is before ``paused_until``)."""
        if not self.paused:
            return False
        if self.paused_until is None:
            return True
        return _local(self, moment).date() < self.paused_until

    def in_contact_hours(self, moment: datetime) -> bool:
        """Whether ``moment``'s local wall-clock time is within the contact hours."""
        return within_hours(_local(self, moment).time(), self.contact_start, self.contact_end)


@dataclass(frozen=True)
class Occurrence:
    """One check-in.

    Attributes:
        local_date: The client's local date of the check-in; one occurrence per local date.
        due_at: When it is sent (UTC).
        closes_at: When it stops being answerable as this check-in (UTC): ``due_at + window``,
            but never after the end of the contact period that contains ``due_at`` (the first
            moment the local wall clock is outside the contact hours, a DST jump included).
            Round-the-clock hours (``contact_start == contact_end``) never cut it short.
    """

    local_date: date
    due_at: datetime
    closes_at: datetime


def next_checkin(schedule: Schedule, after: datetime, window: timedelta) -> Occurrence | None:
    """The first check-in with ``due_at`` strictly after ``after``.

    Each chosen local date has exactly one occurrence, at ``schedule.time`` on the local wall
    clock. A time that does not exist that day (inside a spring-forward gap) is read the way
    ``zoneinfo`` reads ``fold=0``: with the offset before the change, so 01:30 in London on
    2026-03-29 is due at 01:30 UTC, i.e. 02:30 BST. A time that happens twice (the autumn
    repeated hour) is due the first time (``fold=0``, summer time).

    Dates before ``paused_until`` are skipped (the check-ins resume on that date), and so are the
    off weeks of ``every_other_week``. An occurrence whose actual local time falls outside the
    contact hours is skipped too; with a coherent schedule that only happens when a DST gap
    pushes the time past ``contact_end``.

    Args:
        schedule: The client's schedule.
        after: An aware datetime; typically now, or the previous occurrence's ``due_at``.
        window: How long a check-in stays open; must be positive.

    Returns:
        The occurrence, or ``None`` when there are no days, the pause has no end, or no date in
        the two weeks from the later of ``after`` and the pause end qualifies (e.g. the check-in
        time lies outside the contact hours).

    Raises:
        ValueError: ``after`` is naive, ``window`` is not positive, or ``every_other_week`` is set
            without an ``anchor``.
        ZoneInfoNotFoundError: The time zone is unknown (see :meth:`Schedule.problem`).
    """
    _require_aware(after, "after")
    if window <= timedelta(0):
        raise ValueError("window must be positive")
    if schedule.every_other_week and schedule.anchor is None:
        raise ValueError("every other week needs an anchor date")
    if not schedule.days:
        return None
    zone = schedule.zone
    first = after.astimezone(zone).date() - timedelta(days=1)
    if schedule.paused:
        if schedule.paused_until is None:
            return None
        first = max(first, schedule.paused_until)
    for offset in range(_SEARCH_DAYS):
        day = first + timedelta(days=offset)
        if day.weekday() not in schedule.days:
            continue
        if schedule.every_other_week and not _on_week(day, schedule.anchor):
            continue
        due = _at(zone, day, schedule.time)
        if due <= after or not schedule.in_contact_hours(due):
            continue
        period_end = _period_end(schedule, zone, due)
        closes = due + window if period_end is None else min(due + window, period_end)
        return Occurrence(local_date=day, due_at=due, closes_at=closes)
    return None


def next_contact_time(schedule: Schedule, moment: datetime) -> datetime:
    """When something the bot starts at ``moment`` may be delivered (UTC).

    ``moment`` itself if it is inside the contact hours and not paused; otherwise the first
    moment after it that is: normally the next ``contact_start`` on the local wall clock, at or
    after the pause end (the local midnight that starts ``paused_until``; if the contact hours
    wrap past midnight and are open then, that midnight itself). Across a DST change the answer
    is the first instant whose local wall-clock time is inside the hours: a ``contact_start``
    inside a spring-forward gap opens at the jump (start 01:30 in London on 2026-03-29 opens at
    01:00 UTC, when the clocks show 02:00 BST).

    Raises:
        ValueError: ``moment`` is naive, or the schedule is paused with no end date (there is no
            contact time until the client resumes; hold the message instead).
    """
    _require_aware(moment, "moment")
    zone = schedule.zone
    moment = moment.astimezone(UTC)
    if schedule.paused and schedule.paused_until is None:
        raise ValueError("paused with no end: no contact time until resumed")
    if _open(schedule, moment):
        return moment
    base = moment
    points: list[datetime] = []
    if schedule.paused and schedule.paused_until is not None:
        # Search from the day before the pause ends: the pause ends at a midnight crossing, or
        # at a DST jump over midnight, and both must be among the candidate points.
        base = max(base, _at(zone, schedule.paused_until - timedelta(days=1), time(0)))
        points.extend(_crossings(zone, schedule.paused_until, time(0)))
    day = base.astimezone(zone).date()
    points.extend(_transitions(zone, base, base + timedelta(days=10)))
    for offset in range(-1, 9):
        points.extend(_crossings(zone, day + timedelta(days=offset), schedule.contact_start))
    # Contact hours (and the end of a pause) can only begin at one of these points.
    opening = min((p for p in points if p > moment and _open(schedule, p)), default=None)
    if opening is None:  # pragma: no cover - contact hours open every day
        return _at(zone, day + timedelta(days=1), schedule.contact_start)
    return opening


def snooze_until(schedule: Schedule, now: datetime, choice: str) -> datetime:
    """When a snoozed check-in comes back (UTC), always inside the contact hours.

    Choices:
        ``"hour"``: ``now`` plus one hour.
        ``"evening"``: 19:00 local today, if 19:00 is inside the contact hours and still ahead.
            Otherwise the next "last hour" of the contact hours: one hour before
            ``contact_end`` (or the period's start, if the hours are shorter than an hour), the
            first such moment after ``now`` (today's, or tomorrow's if today's has passed).
        ``"tomorrow"``: the same local wall-clock time tomorrow.

    The result is then moved into the contact hours (and past a pause) with
    :func:`next_contact_time`.

    Raises:
        ValueError: An unknown ``choice``, a naive ``now``, or a pause with no end.
    """
    _require_aware(now, "now")
    zone = schedule.zone
    local = now.astimezone(zone)
    if choice == "hour":
        target = now + timedelta(hours=1)
    elif choice == "tomorrow":
        target = _at(zone, local.date() + timedelta(days=1), local.time())
    elif choice == "evening":
        target = _evening(schedule, zone, now)
    else:
        raise ValueError(f"unknown snooze choice {choice!r}; expected one of {SNOOZE_CHOICES}")
    return next_contact_time(schedule, target)


def parse_timezone(text: str) -> str | None:
    """The IANA time zone a client means, or ``None``.

    Understood, in this order:

    * ``"UTC"``, ``"GMT"``, ``"Z"`` (and ``UTC+0`` etc.) → ``"UTC"``.
    * A UTC offset: ``"+2"``, ``"-5"``, ``"UTC+2"``, ``"GMT-03:00"``, ``"+0200"``. A whole-hour
      offset from -12 to +14 becomes the fixed zone ``"Etc/GMT-2"`` style; note the inverted
      sign of the ``Etc`` zones (``UTC+2`` is ``Etc/GMT-2``). These zones have no DST, so a
      client who types an offset will be an hour off for half the year; a city is better. An
      offset that is not whole hours (``"+05:30"``) gives ``None``: IANA has no fixed-offset zone
      for it, so the client should type a city instead (``"Kolkata"``).
    * An IANA name in any case: ``"europe/berlin"`` → ``"Europe/Berlin"``. A legacy name
      without an area (``"Japan"``, ``"CET"``) is used only if no city matches, so
      ``"Singapore"`` gives ``"Asia/Singapore"``.
    * A city: the last part of a zone name, ignoring case, accents, spaces, underscores,
      hyphens, dots and apostrophes (``"new york"``, ``"São Paulo"``, ``"port au prince"``).
      Where several zones share the city, the canonical ``Area/City`` zone wins (``"Africa"``,
      ``"America"``, … over ``"US/…"``; the deeper ``America/Argentina/Cordoba`` over the
      ``America/Cordoba`` alias); ``Etc``, ``posix`` and ``right`` zones are never matched.
      ``"Berlin, Germany"`` is tried as ``"Berlin"``, ``"posix/Europe/London"`` as ``"London"``.

    Never raises; anything else gives ``None``.
    """
    if not isinstance(text, str):
        return None
    cleaned = " ".join(text.split())
    if not cleaned or len(cleaned) > 64:
        return None
    lowered = cleaned.lower()
    if lowered in {"utc", "gmt", "z", "zulu", "utc0", "gmt0"}:
        return "UTC"
    offset = _OFFSET.fullmatch(lowered)
    if offset:
        return _offset_zone(offset)
    full = _zone_names().get(re.sub(r"\s*/\s*", "/", lowered).replace(" ", "_"))
    if full and "/" in full:
        return full
    cities = _zone_cities()
    for candidate in (cleaned, cleaned.split(",", 1)[0], cleaned.rsplit("/", 1)[-1]):
        city = cities.get(_city_key(candidate))
        if city:
            return city
    return full  # a legacy top-level name such as "Japan" or "CET", if nothing better matched


def parse_clock(text: str) -> time | None:
    """A local time of day as a client types it, or ``None``.

    Accepts 24-hour ``"18:00"``, ``"09:30"``, ``"9.30"``, ``"18"``, ``"18h30"``; 12-hour
    ``"6pm"``, ``"6:30 p.m."``, ``"12am"`` (midnight), ``"12pm"`` (noon); ``"noon"`` and
    ``"midnight"``. ``"24:00"`` and anything else give ``None``. Never raises.
    """
    if not isinstance(text, str):
        return None
    cleaned = " ".join(text.lower().split()).replace("a.m.", "am").replace("p.m.", "pm")
    if cleaned in _NAMED_TIMES:
        return _NAMED_TIMES[cleaned]
    match = _CLOCK.fullmatch(cleaned)
    if not match:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if minute > 59:
        return None
    if match["half"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["half"] == "pm" else 0)
    elif hour > 23:
        return None
    return time(hour, minute)


ROUND_THE_CLOCK = "always"
"""How round-the-clock contact hours are written (in the service file and when stored)."""

_ALWAYS = frozenset({ROUND_THE_CLOCK, "24/7", "24 hours", "24h", "24 uur", "24 stunden"})
"""Round the clock as numbers; in words, each language's ``always`` (``words/times.toml``)."""


def parse_hours(text: str) -> tuple[time, time] | None:
    """Contact hours as a client or the service file writes them: ``"09:00-21:00"``,
    ``"9-21"``, ``"9:00 – 21:00"``, ``"9am to 9pm"``, ``"20:00-02:00"`` (wraps past midnight),
    ``"18:00-24:00"`` (until midnight); round the clock: ``"always"`` or ``"00:00-24:00"``.

    The one parser of contact hours: the service file is checked with it, and stored hours are
    read with it. Returns ``(start, end)`` (equal for round the clock), or ``None`` if the text
    is not a range of two different clock times. Never raises.
    """
    if not isinstance(text, str):
        return None
    words = typed_words()
    cleaned = " ".join(text.lower().split())
    if cleaned in _ALWAYS or cleaned in words.always:
        return time(0), time(0)
    first, _, rest = cleaned.partition(" ")
    if first in words.hours_from:  # "from", "tussen", "von"
        cleaned = rest
    separator = _range_separator(words.hours_to)
    parts = [_without_after(part, words.after) for part in separator.split(cleaned)]
    if len(parts) != 2:
        return None
    start = parse_clock(parts[0])
    end = time(0) if re.fullmatch(r"24(?::00)?", parts[1]) else parse_clock(parts[1])
    if start is None or end is None:
        return None
    if start == end:
        # Only 00:00-24:00 means the whole day; 09:00-09:00 is a slip, not a choice.
        return (start, end) if start == time(0) and parts[1].startswith("24") else None
    return start, end


def format_hours(start: time, end: time) -> str:
    """Contact hours as they are stored: ``"09:00-21:00"``, or ``"always"`` round the clock."""
    if start == end:
        return ROUND_THE_CLOCK
    return f"{start:%H:%M}-{end:%H:%M}"


# --- helpers ---------------------------------------------------------------------------------

_CANONICAL_AREAS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)
_NEVER_CITIES = ("Etc/", "posix/", "right/", "SystemV/")
_NOT_ZONES = frozenset({"Factory", "localtime", "posixrules"})

_OFFSET = re.compile(
    r"(?:(?:utc|gmt)\s*)?(?P<sign>[+\-−–])\s*(?P<hours>[0-9]{1,2})"
    r"(?:(?:\s*[:.]\s*|)(?P<minutes>[0-9]{2}))?",
    re.ASCII,
)
_CLOCK = re.compile(
    r"(?P<hour>[0-9]{1,2})(?:\s*[:.h]\s*(?P<minute>[0-9]{2}))?\s*h?\s*(?P<half>am|pm)?",
    re.ASCII,
)
_NAMED_TIMES = {"noon": time(12, 0), "midday": time(12, 0), "midnight": time(0, 0)}


@cache
def _range_separator(hours_to: frozenset[str]) -> re.Pattern[str]:
    """What stands between two times of a range: a dash, or a word ("to", "tot", "bis")."""
    said = "|".join(rf"\b{re.escape(word)}\b" for word in sorted(hours_to, key=len)[::-1])
    return re.compile(rf"\s*(?:-|–|—|−{'|' + said if said else ''})\s*")


def _without_after(part: str, after: frozenset[str]) -> str:
    """A time without the word said after it: "21 uur" → "21", "9 Uhr" → "9"."""
    head, _, last = part.rpartition(" ")
    return head if head and last in after else part


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _local(schedule: Schedule, moment: datetime) -> datetime:
    _require_aware(moment, "moment")
    # Through UTC: an aware datetime already in this zone but inside a DST gap is normalised.
    return moment.astimezone(UTC).astimezone(schedule.zone)


def within_hours(moment: time, start: time, end: time) -> bool:
    """Whether a wall-clock time is in ``[start, end)``, wrapping past midnight if end <= start
    (equal start and end: round the clock)."""
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def _at(zone: ZoneInfo, day: date, clock: time) -> datetime:
    """The UTC instant of a local wall-clock time, read as ``fold=0`` (see next_checkin)."""
    naive = datetime.combine(day, clock.replace(tzinfo=None, fold=0))
    return naive.replace(tzinfo=zone).astimezone(UTC)


def _open(schedule: Schedule, moment: datetime) -> bool:
    return schedule.in_contact_hours(moment) and not schedule.paused_at(moment)


def _on_week(day: date, anchor: date | None) -> bool:
    if anchor is None:
        return True
    monday = day - timedelta(days=day.weekday())
    anchor_monday = anchor - timedelta(days=anchor.weekday())
    return (monday - anchor_monday).days // 7 % 2 == 0


def _period_end(schedule: Schedule, zone: ZoneInfo, due: datetime) -> datetime | None:
    """The first moment after ``due`` outside the contact hours; ``None`` if they never close."""
    day = due.astimezone(zone).date()
    points = _transitions(zone, due, due + timedelta(days=3))
    for offset in range(-1, 3):
        points.extend(_crossings(zone, day + timedelta(days=offset), schedule.contact_end))
    return min((p for p in points if p > due and not schedule.in_contact_hours(p)), default=None)


def _crossings(zone: ZoneInfo, day: date, clock: time) -> list[datetime]:
    """The UTC instants at which the local wall clock shows ``clock`` on ``day`` (both folds)."""
    naive = datetime.combine(day, clock.replace(tzinfo=None))
    return [naive.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1)]


def _offset(zone: ZoneInfo, moment: datetime) -> timedelta | None:
    return moment.astimezone(zone).utcoffset()


def _transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """The instants in ``[start, end]`` at which the zone's UTC offset changes (to the second).

    The local wall clock jumps at these instants, so contact hours can open or close there even
    though no wall-clock boundary is crossed. Samples every six hours: real zones never change
    their offset twice within that.
    """
    found: list[datetime] = []
    step = timedelta(hours=6)
    low, low_offset = start, _offset(zone, start)
    while low < end:
        high = low + step
        high_offset = _offset(zone, high)
        if high_offset != low_offset:
            before, after = math.floor(low.timestamp()), math.ceil(high.timestamp())
            while after - before > 1:
                middle = (before + after) // 2
                moment = datetime.fromtimestamp(middle, UTC)
                if _offset(zone, moment) == low_offset:
                    before = middle
                else:
                    after = middle
            found.append(datetime.fromtimestamp(after, UTC))
        low, low_offset = high, high_offset
    return found


def _evening(schedule: Schedule, zone: ZoneInfo, now: datetime) -> datetime:
    today = now.astimezone(zone).date()
    if within_hours(EVENING, schedule.contact_start, schedule.contact_end):
        evening = _at(zone, today, EVENING)
        if evening > now:
            return evening
    start, end = schedule.contact_start, schedule.contact_end
    for offset in range(-1, 3):
        day = today + timedelta(days=offset)
        period_end = datetime.combine(day, end)
        period_start = datetime.combine(day if start < end else day - timedelta(days=1), start)
        last_hour = max(period_end - timedelta(hours=1), period_start)
        candidate = _at(zone, last_hour.date(), last_hour.time())
        if candidate > now:
            return candidate
    return now + timedelta(hours=1)  # pragma: no cover - the loop always finds one


def _offset_zone(match: re.Match[str]) -> str | None:
    hours, minutes = int(match["hours"]), int(match["minutes"] or 0)
    if minutes:
        return None  # IANA has no fixed zone for a part-hour offset; ask for a city instead
    sign = -1 if match["sign"] in "-−–" else 1
    offset = sign * hours
    if not -12 <= offset <= 14:
        return None
    if offset == 0:
        return "UTC"
    # Etc zones follow POSIX: "Etc/GMT-2" is two hours *ahead* of UTC.
    name = f"Etc/GMT{-offset:+d}"
    return name if name in _zone_names().values() else None


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _city_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", _strip_accents(text).lower())


@cache
def _available() -> frozenset[str]:
    return frozenset(
        name
        for name in zoneinfo.available_timezones()
        if name not in _NOT_ZONES and not name.startswith(("posix/", "right/"))
    )


@cache
def _zone_names() -> dict[str, str]:
    return {name.lower(): name for name in _available()}


@cache
def _zone_cities() -> dict[str, str]:
    def preference(name: str) -> tuple[int, int, str]:
        area = name.split("/", 1)[0]
        return (0 if area in _CANONICAL_AREAS else 1, -name.count("/"), name)

    cities: dict[str, str] = {}
    for name in sorted(_available(), key=preference, reverse=True):
        if "/" in name and not name.startswith(_NEVER_CITIES):
            key = _city_key(name.rsplit("/", 1)[1])
            if key:
                cities[key] = name  # the most preferred name is written last
    return cities


def parse_date(text: str, today: date, locale: str = "en") -> date | None:
    """A day the client typed: ``2026-12-03``, ``3 December``, ``Dec 3``, ``3/12``.

    Month names come from the language's locale data. Without a year, the next such day from
    ``today`` on. None if it is not a date, or if it lies in the past.
    """
    words = re.sub(r"[,.]", " ", text.strip().lower()).split()
    found: date | None = None
    try:
        if len(words) == 1 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", words[0]):
            found = date.fromisoformat(words[0])
        elif len(words) == 1 and (
            m := re.fullmatch(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}))?", words[0])
        ):
            found = _dated(today, int(m[1]), int(m[2]), int(m[3]) if m[3] else None)
        else:
            months = _month_numbers(locale)
            numbers = [w for w in words if w.isdigit()]
            named = [months[w] for w in words if w in months]
            if len(named) == 1 and 1 <= len(numbers) <= 2:
                day = int(numbers[0]) if int(numbers[0]) <= 31 else int(numbers[-1])
                year = next((int(n) for n in numbers if len(n) == 4), None)
                if len(words) == len(numbers) + 1:
                    found = _dated(today, day, named[0], year)
    except ValueError:
        return None
    return found if found is not None and found >= today else None


def _dated(today: date, day: int, month: int, year: int | None) -> date:
    if year is not None:
        return date(year, month, day)
    candidate = date(today.year, month, day)
    return candidate if candidate >= today else date(today.year + 1, month, day)


@cache
def _month_numbers(locale: str) -> dict[str, int]:
    names: dict[str, int] = {}
    for width in ("wide", "abbreviated"):
        for number, name in get_month_names(width, locale=locale).items():
            names[name.lower().rstrip(".")] = number
    names.setdefault("sept", 9)
    return names


# --- words people type, per language (bot/locales/<lang>/words/*.toml) -------------------------

WORDS_FOLDER = Path(__file__).resolve().parent.parent / "locales"
"""Where each language's ``words/`` folder is: ``<language>/words/{days,times,places}.toml``."""


@dataclass(frozen=True)
class TypedWords:
    """The words people type for days, times and places, in every language that has them.

    Each field is the union over the languages (a Dutch reader typing "tomorrow" is still
    understood), so a new language is only its ``words/`` files.
    """

    languages: tuple[str, ...]
    today: frozenset[str]
    tomorrow: frozenset[str]
    day_after: frozenset[str]
    next: frozenset[str]
    week: frozenset[str]
    next_week: frozenset[str]
    hours_from: frozenset[str]
    """Words before a range of hours: "from 9 to 21", "tussen 9 en 21", "von 9 bis 21"."""
    hours_to: frozenset[str]
    """Words between the two times of a range: "to", "tot", "bis"."""
    always: frozenset[str]
    """Round the clock, in words: "all day", "altijd", "immer"."""
    """ "next week" / "volgende week", read as one word: its Monday when no day is named."""
    filler: frozenset[str]
    ordinal: tuple[str, ...]
    months: dict[str, int]
    phrases: dict[str, str]
    """Words of more than one word ("day after tomorrow") → the one word they are read as."""
    before: frozenset[str]
    after: frozenset[str]
    numbers: dict[str, int]
    minutes: dict[str, int]
    past: frozenset[str]
    to: frozenset[str]
    hour_numbers: dict[str, frozenset[str]]
    """Per language, its number words for an hour ("seven", "zeven", "sieben")."""
    hour_shifts: dict[str, dict[str, int]]
    """Per language, a word before an hour and the minutes it moves that hour by: "half zeven"
    is 6:30 (``half = -30``), the British "half seven" 7:30 (``half = 30``), "viertel acht" 7:15.
    One word means different things in different languages, so it is read in one language:
    that of the hour word, else the reader's (see :func:`bot.core.dates.read_clock`)."""
    places: dict[str, dict[str, str]]
    """Per language, a place's key (see :func:`place_key`) → its time zone: places are read in
    the reader's own language only (see :func:`typed_place`)."""


WORD_KEYS = frozenset(
    {
        *("today", "tomorrow", "day_after", "next", "week", "next_week", "filler", "ordinal"),
        *("months", "before", "after", "numbers", "minutes", "past", "to"),
        *("before_hour", "after_hour", "hours_from", "hours_to", "always"),
    }
)
"""The kinds of word a ``days.toml`` or ``times.toml`` may hold; anything else is a slip."""


class WordsError(ValueError):
    """A words file that can't be read, or that says something impossible."""


def place_key(text: str) -> str:
    """A place name without case, accents, spaces, hyphens, dots or apostrophes."""
    return _city_key(text)


@cache
def typed_words(folder: Path = WORDS_FOLDER) -> TypedWords:
    """The words of every ``<language>/words/`` folder under ``folder``, read once.

    English comes first, then the others by name: where two languages give one word different
    meanings (none do today), the first wins.
    """
    languages = sorted(
        (p.name for p in folder.iterdir() if (p / "words").is_dir()),
        key=lambda name: (name != "en", name),
    )
    sets: dict[str, set[str]] = {}
    tables: dict[str, dict[str, int]] = {}
    ordinal: list[str] = []
    places: dict[str, dict[str, str]] = {}
    hour_numbers: dict[str, frozenset[str]] = {}
    hour_shifts: dict[str, dict[str, int]] = {}
    for language in languages:
        for part in ("days", "times", "places"):
            path = folder / language / "words" / f"{part}.toml"
            if not path.exists():
                continue
            try:
                raw = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise WordsError(f"{language}/words/{part}.toml: {exc}") from exc
            where = f"{language}/words/{part}.toml"
            for key, value in raw.items():
                if part != "places" and key not in WORD_KEYS:
                    raise WordsError(f"{where}: {key}: not a kind of word this bot reads")
                if part == "times" and key in ("before_hour", "after_hour") and _numbers(value):
                    sign = -1 if key == "before_hour" else 1
                    shifts = hour_shifts.setdefault(language, {})
                    for word, number in value.items():
                        shifts[" ".join(word.lower().split())] = sign * number
                    continue
                if part == "times" and key == "numbers" and _numbers(value):
                    hour_numbers[language] = frozenset(w.lower() for w in value)
                if part == "places":
                    _place_words(where, key, value, places.setdefault(language, {}))
                elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                    words = [" ".join(v.lower().split()) for v in value]
                    if key == "ordinal":
                        ordinal.extend(w for w in words if w not in ordinal)
                    else:
                        sets.setdefault(key, set()).update(words)
                elif _numbers(value):
                    table = tables.setdefault(key, {})
                    for word, number in value.items():
                        table.setdefault(" ".join(word.lower().split()), number)
                else:
                    raise WordsError(f"{where}: {key}: a list of words or a table of numbers")
    every = {word for words in sets.values() for word in words}
    phrases = {word: word.replace(" ", "_") for word in every if " " in word}

    def one(key: str) -> frozenset[str]:
        return frozenset(phrases.get(w, w) for w in sets.get(key, ()))

    return TypedWords(
        languages=tuple(languages),
        today=one("today"),
        tomorrow=one("tomorrow"),
        day_after=one("day_after"),
        next=one("next"),
        week=one("week"),
        next_week=one("next_week"),
        hours_from=frozenset(sets.get("hours_from", ())),
        hours_to=frozenset(sets.get("hours_to", ())),
        always=frozenset(sets.get("always", ())),
        filler=one("filler"),
        ordinal=tuple(sorted(ordinal, key=len, reverse=True)),
        months=tables.get("months", {}),
        phrases=phrases,
        before=one("before"),
        after=one("after"),
        numbers=tables.get("numbers", {}),
        minutes=tables.get("minutes", {}),
        past=one("past"),
        to=one("to"),
        hour_numbers=hour_numbers,
        hour_shifts=hour_shifts,
        places=places,
    )


def _numbers(value: object) -> TypeGuard[dict[str, int]]:
    """Whether a words file's ``value`` is a table of numbers (``{ half = 30 }``)."""
    return isinstance(value, dict) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value.values()
    )


def typed_place(text: str, language: str) -> str | None:
    """The time zone of a place a reader of ``language`` typed that names no zone ("Den Haag",
    "München", "Köln"), from ``<language>/words/places.toml``; ``None`` if it has none. Tried
    as typed and before a comma ("Den Haag, Nederland")."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    places = typed_words().places.get(language.split("_")[0].split("-")[0].lower(), {})
    for candidate in (text, text.split(",", 1)[0]):
        zone = places.get(place_key(candidate))
        if zone:
            return zone
    return None


def _place_words(where: str, zone: str, names: object, places: dict[str, str]) -> None:
    if zone not in _available():
        raise WordsError(f"{where}: {zone}: not a time zone")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise WordsError(f"{where}: {zone}: a list of places")
    for name in names:
        key = place_key(name)
        if key:
            places.setdefault(key, zone)

"""Days and moments as people type them ("24/12", "next friday", "friday 3pm"), never past."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Literal

from babel.core import Locale, UnknownLocaleError, get_global
from babel.dates import (
    ParseError,
    format_date,
    get_date_format,
    get_day_names,
    get_month_names,
    parse_date,
)

from bot.core.model import Meeting
from bot.core.schedule import parse_clock, typed_words

_WORDS = typed_words()

WORD_LANGUAGES: tuple[str, ...] = _WORDS.languages
"""Languages whose day and month names (and "today", "tomorrow") are always understood: those
with a ``bot/locales/<lang>/words/`` folder (English first). Their words live there, not here."""

_ORDINAL = re.compile(
    r"^(\d{1,2})(?:" + "|".join(re.escape(suffix) for suffix in _WORDS.ordinal) + r")$"
)
_NUMERIC = re.compile(r"^(\d{1,4})([./-])(\d{1,2})(?:\2(\d{1,4}))?\.?$")


def read_day(text: str, today: date, locale: str) -> date | None:
    """The day someone typed, or ``None``; never a day before ``today``.

    Understood, in English, Dutch and German (and the words of ``locale``'s language):

    * ``"today"``, ``"tomorrow"``, ``"overmorgen"``;
    * a weekday, ``"friday"``, ``"next friday"``, ``"this friday"``, ``"vrijdag"``: the first such
      day *after* today (someone who means today types "today"); ``"friday next week"`` /
      ``"volgende week vrijdag"``: that weekday in next week (Monday to Sunday); ``"next
      week"`` / ``"volgende week"`` / ``"nächste Woche"`` alone: its Monday;
    * a day and a month name in either order, maybe a year: ``"24 december"``, ``"Dec 24th"``,
      ``"24. Dezember 2026"``, optionally with its weekday (``"Friday 24 December"``, which must
      then match);
    * numbers: ``"2026-12-24"``; ``"24/12"``, ``"24-12"``, ``"24.12.26"`` in ``locale``'s order
      (day first for en_GB, nl_NL, de_DE; month first for en_US). A first number over 12 can
      only be a day, so ``"24/12"`` is 24 December everywhere.

    Without a year, the next such day from ``today`` on: ``"24/12"`` typed on 25 December is
    next year's. With a year in the past, ``None``. Never raises.
    """
    if not isinstance(text, str) or len(text) > 64:
        return None
    words = _words(text)
    if not words:
        return None
    try:
        return _read_day(words, today, locale)
    except (ValueError, OverflowError, ParseError):
        return None


def read_moment(text: str, now: datetime, locale: str) -> datetime | None:
    """The moment someone typed (a day and/or a time), or ``None``; never before ``now``.

    ``now`` is aware, in the person's own time zone; the answer is aware in the same zone.

    * A time alone (``"18:30"``, ``"3pm"``, ``"9"``, ``"half zeven"``): today, or tomorrow if
      that time has passed today.
    * A day and a time, either order (``"friday 3pm"``, ``"friday at 15:00"``, ``"24/12 10:00"``,
      ``"tomorrow 9"``, ``"vrijdag om 15 uur"``): that day at that time; ``None`` if that is
      already past (``"today 9"`` at ten).
    * A day alone (``"friday"``): the start of that day, or ``now`` for ``"today"``. Callers
      that deliver something move it into the person's contact hours.

    Days are read as by :func:`read_day`; times as by :func:`read_clock`. Hours are read on the
    24-hour clock unless ``am``/``pm`` says otherwise (``"tomorrow 9"`` is 09:00). Never raises.
    """
    if not isinstance(text, str) or len(text) > 64 or now.tzinfo is None:
        return None
    words = _words(text)
    if not words:
        return None
    language = locale.split("_")[0]
    clock = _clock(words, language)
    if clock is not None:
        moment = _on(now.date(), clock, now)
        return moment if moment > now else _on(now.date() + timedelta(days=1), clock, now)
    day = read_day(text, now.date(), locale)
    if day is not None:
        return now if day == now.date() else _on(day, time(0), now)
    for cut in range(1, len(words)):
        for day_words, clock_words in ((words[:cut], words[cut:]), (words[cut:], words[:cut])):
            clock = _clock(clock_words, language)
            if clock is None:
                continue
            day = read_day(" ".join(day_words), now.date(), locale)
            if day is None:
                continue
            moment = _on(day, clock, now)
            return moment if moment > now else None
    return None


def read_clock(text: str, language: str | None = None) -> time | None:
    """A time of day as someone types it, or ``None``.

    Everything :func:`bot.core.schedule.parse_clock` reads (``"18:30"``, ``"6pm"``, ``"9.30"``),
    plus ``"at 6pm"``, ``"om 9 uur"``, ``"um 15 Uhr"``, number words (``"seven"``, ``"zeven"``)
    and half hours as each language says them: ``"half zeven"`` and ``"halb sieben"`` are
    06:30, the British ``"half seven"`` 07:30; quarters and minutes around an hour: ``"kwart
    over zeven"``, ``"Viertel nach sieben"`` (07:15), ``"vijf voor half acht"`` (07:25),
    ``"quarter to eight"``. A word before an hour is read in the language of the hour's word,
    else in the reader's ``language`` (``"half 7"`` is 06:30 to a Dutch reader, 07:30 to an
    English one). The words are each language's ``bot/locales/<lang>/words/times.toml``.
    Never raises.
    """
    if not isinstance(text, str) or len(text) > 64:
        return None
    return _clock(_words(text), language)


PLACE_LIMIT = 300
"""The most characters a meeting's place (an address, a room, a video link) may have."""

_LINK = re.compile(r"https?://\S+", re.IGNORECASE)
_JOINERS = frozenset(
    {"at", "in", "on", "om", "op", "bij", "um", "im", "bei", "am", "-", "–", "@", ",", ";", ":"}
)


def read_meeting(text: str, today: date, locale: str, language: str) -> Meeting | None:
    """A meeting typed in one message, or ``None``: a day (as :func:`read_day` reads it), then
    perhaps a time (as :func:`read_clock`), then perhaps a place: "15/12 14:00 Maple Centre",
    "thursday at 2pm, room 3", "vrijdag om 10 uur https://meet.example/abc", or the time first
    ("14:00 friday"). A bare number after the day is an hour only at the end ("friday 9"); with
    words after it, it begins the place ("15/12 3 Mill Lane"). An hour from 1 to 6 is in the
    afternoon. A place longer than ``PLACE_LIMIT`` is refused. Never raises.
    """
    if not isinstance(text, str) or len(text) > PLACE_LIMIT + 80:
        return None
    tokens, link = _link_apart(text)
    day, at, rest = _day_then_clock(tokens, today, locale, language)
    if day is None:
        return None
    place = _place(rest, link)
    if place is not None and len(place) > PLACE_LIMIT:
        return None
    return Meeting(day, _by_day(at), place)


def read_time_and_place(text: str, language: str) -> tuple[time | None, str | None] | None:
    """A meeting's time and place typed without its day ("14:00 Maple Centre", "om 10 uur",
    "room 3", a video link), or ``None`` if nothing is there or the place is too long."""
    if not isinstance(text, str) or len(text) > PLACE_LIMIT + 40:
        return None
    tokens, link = _link_apart(text)
    clock = _clock_prefix(tokens, language)
    at, rest = clock if clock is not None else (None, tokens)
    place = _place(rest, link)
    if (at is None and place is None) or (place is not None and len(place) > PLACE_LIMIT):
        return None
    return _by_day(at), place


def _by_day(at: time | None) -> time | None:
    """A meeting's hour as meant: nobody meets at three in the night, so "3" or "half drie"
    (02:30 on the clock) is in the afternoon."""
    if at is not None and 1 <= at.hour <= 6:
        return at.replace(hour=at.hour + 12)
    return at


def _link_apart(text: str) -> tuple[list[str], str | None]:
    """The words of ``text`` (a comma is a word of its own), and the first link among them."""
    tokens = text.replace(",", " , ").split()
    link = next((m.group(0) for m in map(_LINK.fullmatch, tokens) if m), None)
    if link is not None:
        tokens = [token for token in tokens if token != link]
    return tokens, link


def _place(words: list[str], link: str | None) -> str | None:
    """The place in the words left over: joining words ("at", "om") trimmed, the link last."""
    words = list(words)
    while words and words[0].lower() in _JOINERS:
        words.pop(0)
    while words and words[-1] in _JOINERS:
        words.pop()
    place = " ".join(words).replace(" , ", ", ")
    if link is not None:
        place = f"{place} {link}".strip()
    return place or None


def _day_then_clock(
    tokens: list[str], today: date, locale: str, language: str
) -> tuple[date | None, time | None, list[str]]:
    """The day and the time at the start of ``tokens`` (either first), and what follows."""
    found = _day_prefix(tokens, today, locale)
    if found is not None:
        day, rest = found
        clock = _clock_prefix(rest, language)
        return (day, None, rest) if clock is None else (day, *clock)
    clock = _clock_prefix(tokens, language)
    if clock is not None:
        then = _day_prefix(clock[1], today, locale)
        if then is not None:
            return then[0], clock[0], then[1]
    return None, None, tokens


def _day_prefix(tokens: list[str], today: date, locale: str) -> tuple[date, list[str]] | None:
    """The day the longest run of ``tokens`` from the start names, and the tokens after it."""
    for end in range(min(len(tokens), 6), 0, -1):
        day = read_day(" ".join(tokens[:end]), today, locale)
        if day is not None:
            return day, tokens[end:]
    return None


def _clock_prefix(tokens: list[str], language: str) -> tuple[time, list[str]] | None:
    """The time the longest run of ``tokens`` from the start names, and the tokens after it;
    a bare number followed by more is no time here (it begins an address: "3 Mill Lane")."""
    for end in range(min(len(tokens), 6), 0, -1):
        said = [token for token in tokens[:end] if token.lower() not in _JOINERS]
        if len(said) == 1 and said[0].isdigit() and end < len(tokens):
            continue
        clock = read_clock(" ".join(tokens[:end]), language)
        if clock is not None:
            return clock, tokens[end:]
    return None


def service_locale(language: str, timezone: str) -> str:
    """A sensible locale for a service: its language in the country of its time zone.

    ``("en", "Europe/London")`` gives ``"en_GB"``, ``("nl", "Europe/Amsterdam")`` ``"nl_NL"``.
    Where that pair is no locale, or the zone has no country (``"UTC"``), the language alone;
    English alone is read day first (``"en_GB"``), as in the countries the service is for.
    """
    territory = get_global("zone_territories").get(timezone)
    if territory:
        candidate = f"{language}_{territory}"
        if _known(candidate):
            return candidate
    if language == "en":
        return "en_GB"
    return language if _known(language) else "en_GB"


def speech_locale(language: str, locale: str) -> str:
    """How a reader of ``language`` writes dates in the service's country.

    The service's own locale when the languages agree (``"en"`` in ``"en_GB"``), else the
    language in the same country if Babel knows it (``"en"`` in ``"de_DE"`` is ``"en_DE"``:
    "Friday 24 December"), else the language alone.
    """
    own = _locale(locale)
    parts = own.split("_")
    if parts[0] == language:
        return own
    if len(parts) > 1 and _known(f"{language}_{parts[-1]}"):
        return f"{language}_{parts[-1]}"
    return language if _known(language) else own


def say_day(day: date, today: date, language: str, locale: str) -> str:
    """A day in words for a reader of ``language``: "Friday, 24 December" (en_GB),
    "vrijdag 24 december", "Freitag, 24. Dezember"; the year only when it is not this year."""
    speech = speech_locale(language, locale)
    pattern = get_date_format("full", locale=speech).pattern
    if day.year == today.year:
        pattern = re.sub(r"[,\s]*\by+\b", "", pattern).strip(" ,")
    return format_date(day, pattern, locale=speech)


# --- helpers ---------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    lowered = " ".join(text.lower().replace(",", " ").split())
    for phrase, word in _WORDS.phrases.items():  # "day after tomorrow" is one word
        lowered = re.sub(rf"(?<!\S){re.escape(phrase)}(?!\S)", word, lowered)
    return lowered.split()


def _read_day(words: list[str], today: date, locale: str) -> date | None:
    words = [w for w in words if w not in _WORDS.filler]
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)  # of next week
    if words and all(w in _WORDS.next_week for w in words):
        return monday  # "next week", "volgende week", "nächste Woche": no day named
    said_next_week = any(w in _WORDS.next_week for w in words)
    next_week = said_next_week or any(w in _WORDS.week for w in words)
    if next_week and not said_next_week and not any(w in _WORDS.next for w in words):
        return None  # "week" alone, or "this week friday", says no day
    words = [
        w
        for w in words
        if w not in _WORDS.next and w not in _WORDS.week and w not in _WORDS.next_week
    ]
    if len(words) == 1:
        word = words[0]
        if word in _WORDS.today:
            return None if next_week else today
        if word in _WORDS.tomorrow:
            return None if next_week else today + timedelta(days=1)
        if word in _WORDS.day_after:
            return None if next_week else today + timedelta(days=2)
    names = _names(locale)
    weekdays = [names.days[w] for w in (_name(w) for w in words) if w in names.days]
    if len(weekdays) > 1:
        return None
    rest = [w for w in words if _name(w) not in names.days]
    weekday = weekdays[0] if weekdays else None
    if not rest:
        if weekday is None:
            return None
        if next_week:
            return monday + timedelta(days=weekday)
        return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    if next_week:
        return None
    found = _dated(rest, today, locale, names.months)
    if found is None or found < today:
        return None
    if weekday is not None and found.weekday() != weekday:
        return None
    return found


def _dated(words: list[str], today: date, locale: str, months: dict[str, int]) -> date | None:
    if len(words) == 1 and (numeric := _NUMERIC.match(words[0])):
        return _numeric(numeric, today, locale)
    month = [months[_name(w)] for w in words if _name(w) in months]
    numbers = [w for w in words if _name(w) not in months]
    if len(month) != 1 or not 1 <= len(numbers) <= 2:
        return None
    day_match = _ORDINAL.match(numbers[0]) or re.fullmatch(r"\d{1,2}", numbers[0])
    if day_match is None:
        return None
    day = int(day_match.group(1) if day_match.groups() else day_match.group(0))
    if len(numbers) == 2:
        if not re.fullmatch(r"\d{4}", numbers[1]):
            return None
        return date(int(numbers[1]), month[0], day)
    return _next_from(today, month[0], day)


def _numeric(match: re.Match[str], today: date, locale: str) -> date | None:
    first, second, year = match[1], match[3], match[4]
    if len(first) == 4:  # 2026-12-24: year first is never ambiguous
        return None if year is None or len(year) > 2 else date(int(first), int(second), int(year))
    if len(first) > 2 or (year is not None and len(year) not in (2, 4)):
        return None
    if year is not None:
        full = int(year) + 2000 if len(year) == 2 else int(year)
        # Babel reads the numbers in the locale's order (and swaps an impossible month).
        return parse_date(f"{first}/{second}/{full}", locale=_locale(locale), format="short")
    day, month = (int(first), int(second)) if _day_first(locale) else (int(second), int(first))
    if month > 12 and day <= 12:
        day, month = month, day
    return _next_from(today, month, day)


def _next_from(today: date, month: int, day: int) -> date | None:
    """The first ``day``/``month`` on or after ``today`` (29 February may be years away)."""
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    for year in range(today.year, today.year + 9):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _clock(words: list[str], language: str | None = None) -> time | None:
    if words and words[0] in _WORDS.before:
        words = words[1:]
    if words and words[-1] in _WORDS.after:
        words = words[:-1]
    if not words or len(words) > 4:
        return None
    said = _said_clock(words, language)
    if said is not None or len(words) > 3:
        return said
    if len(words) == 1 and words[0] in _WORDS.numbers:
        return time(_WORDS.numbers[words[0]] % 24, 0)
    text = " ".join(words)
    if not re.fullmatch(r"[0-9:.h ]+(?:am|pm|a\.m\.|p\.m\.)?", text):
        return None  # parse_clock would accept "9 am" but also lenient shapes we want no part of
    return parse_clock(text)


def _said_clock(words: list[str], language: str | None = None) -> time | None:
    """A time said in words around an hour: "half zeven" (6:30), "kwart over zeven" (7:15),
    "Viertel nach sieben", "quarter to eight", "vijf voor half acht" (7:25), "dreiviertel acht"
    (7:45), "half seven" (7:30). Which words do what is in each language's
    ``words/times.toml``."""
    hour = _hour(words[-1])
    if hour is None or len(words) < 2:
        return None
    minutes = hour * 60
    shift = _hour_shift(words[-2], words[-1], language)
    if shift is not None:  # "half zeven", "halb acht", "viertel acht", "half seven"
        minutes += shift
        words = words[:-2]
    else:
        words = words[:-1]
    if len(words) == 2 and (words[1] in _WORDS.past or words[1] in _WORDS.to):
        amount = _minutes(words[0])
        if amount is None:
            return None
        minutes += amount if words[1] in _WORDS.past else -amount
    elif words:
        return None
    minutes %= 24 * 60
    return time(minutes // 60, minutes % 60)


def _hour_shift(word: str, hour: str, language: str | None) -> int | None:
    """How many minutes ``word`` before the hour ``hour`` moves it, read in one language: the
    one whose number word ``hour`` is (the reader's first, if it is theirs too), else the
    reader's, else the first that knows ``word`` (English first)."""
    order = [language] if language in _WORDS.languages else []
    order += [other for other in _WORDS.languages if other != language]
    speaking = [lang for lang in order if hour in _WORDS.hour_numbers.get(lang, ())]
    for lang in speaking or order:
        shifts = _WORDS.hour_shifts.get(lang, {})
        if word in shifts:
            return shifts[word]
    return None


def _minutes(word: str) -> int | None:
    if word in _WORDS.minutes:
        return _WORDS.minutes[word]
    if word in _WORDS.numbers:
        return _WORDS.numbers[word]
    if re.fullmatch(r"\d{1,2}", word) and 1 <= int(word) <= 29:
        return int(word)
    return None


def _hour(word: str) -> int | None:
    if word in _WORDS.numbers:
        return _WORDS.numbers[word]
    if re.fullmatch(r"\d{1,2}", word) and 1 <= int(word) <= 24:
        return int(word)
    return None


def _on(day: date, clock: time, now: datetime) -> datetime:
    return datetime.combine(day, clock, tzinfo=now.tzinfo)


def _name(word: str) -> str:
    return word.rstrip(".")


@dataclass(frozen=True)
class _Names:
    days: dict[str, int]
    months: dict[str, int]


_CONTEXTS: tuple[Literal["format", "stand-alone"], ...] = ("format", "stand-alone")


@cache
def _names(locale: str) -> _Names:
    """Day and month names (lowercase, no trailing dot) in the word languages and ``locale``'s."""
    days: dict[str, int] = {}
    months: dict[str, int] = {}
    languages = [*WORD_LANGUAGES]
    own = _locale(locale).split("_")[0]
    if own not in languages:
        languages.append(own)
    for language in languages:
        for day_width in ("wide", "abbreviated", "short"):
            for context in _CONTEXTS:
                for number, name in get_day_names(day_width, context, language).items():
                    days.setdefault(_name(name.lower()), number)
        for month_width in ("wide", "abbreviated"):
            for context in _CONTEXTS:
                for number, name in get_month_names(month_width, context, language).items():
                    months.setdefault(_name(name.lower()), number)
    months.update(_WORDS.months)
    return _Names(days, months)


@cache
def _day_first(locale: str) -> bool:
    pattern = get_date_format("short", locale=_locale(locale)).pattern.lower()
    return pattern.index("d") < pattern.index("m")


@cache
def _locale(locale: str) -> str:
    name = locale.replace("-", "_")
    return name if _known(name) else "en_GB"


def known_locale(name: str) -> bool:
    """Whether Babel knows ``name`` ("en_GB", "nl_NL", "de")."""
    return "-" not in name and _known(name)


def _known(name: str) -> bool:
    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True

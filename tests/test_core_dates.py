"""Days and moments as people type them: tables of typed text, and properties that always hold."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.dates import read_clock, read_day, read_moment, service_locale

TUESDAY = date(2026, 12, 1)
LONDON = ZoneInfo("Europe/London")
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24/12", date(2026, 12, 24)),
        ("24-12", date(2026, 12, 24)),
        ("24.12.", date(2026, 12, 24)),
        ("24/12/2026", date(2026, 12, 24)),
        ("24.12.26", date(2026, 12, 24)),
        ("2026-12-24", date(2026, 12, 24)),
        ("24 december", date(2026, 12, 24)),
        ("24 December 2026", date(2026, 12, 24)),
        ("December 24", date(2026, 12, 24)),
        ("Dec 24th", date(2026, 12, 24)),
        ("the 24th of December", date(2026, 12, 24)),
        ("Friday 25 December", date(2026, 12, 25)),
        ("until 24/12", date(2026, 12, 24)),
        ("today", TUESDAY),
        ("Tomorrow", date(2026, 12, 2)),
        ("day after tomorrow", date(2026, 12, 3)),
        ("friday", date(2026, 12, 4)),
        ("next friday", date(2026, 12, 4)),
        ("this Friday", date(2026, 12, 4)),
        ("fri", date(2026, 12, 4)),
        ("tuesday", date(2026, 12, 8)),  # a weekday is never today: that is "today"
        ("friday next week", date(2026, 12, 11)),
        ("8/12", date(2026, 12, 8)),  # day first in en_GB
        ("1/1", date(2027, 1, 1)),
        ("30/11", date(2027, 11, 30)),  # yesterday's date is next year's
        ("29/2", date(2028, 2, 29)),
    ],
)
def test_read_day_in_british_english(text: str, expected: date) -> None:
    assert read_day(text, TUESDAY, "en_GB") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vrijdag", date(2026, 12, 4)),
        ("volgende week vrijdag", date(2026, 12, 11)),
        ("24 december", date(2026, 12, 24)),
        ("24 dec", date(2026, 12, 24)),
        ("24e december", date(2026, 12, 24)),
        ("vandaag", TUESDAY),
        ("morgen", date(2026, 12, 2)),
        ("overmorgen", date(2026, 12, 3)),
        ("tot vrijdag", date(2026, 12, 4)),
        ("3 mei", date(2027, 5, 3)),
        ("8-12", date(2026, 12, 8)),
    ],
)
def test_read_day_in_dutch(text: str, expected: date) -> None:
    assert read_day(text, TUESDAY, "nl_NL") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Freitag", date(2026, 12, 4)),
        ("nächsten Freitag", date(2026, 12, 4)),
        ("24. Dezember", date(2026, 12, 24)),
        ("24. Dez.", date(2026, 12, 24)),
        ("3. März", date(2027, 3, 3)),
        ("bis zum 24.12.", date(2026, 12, 24)),
        ("heute", TUESDAY),
        ("übermorgen", date(2026, 12, 3)),
        ("8.12.", date(2026, 12, 8)),
    ],
)
def test_read_day_in_german(text: str, expected: date) -> None:
    assert read_day(text, TUESDAY, "de_DE") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8/12", date(2027, 8, 12)),  # month first in en_US: 12 August
        ("12/24", date(2026, 12, 24)),
        ("24/12", date(2026, 12, 24)),  # 24 cannot be a month
        ("12/24/26", date(2026, 12, 24)),
    ],
)
def test_read_day_in_american_english_is_month_first(text: str, expected: date) -> None:
    assert read_day(text, TUESDAY, "en_US") == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "soon",
        "12",
        "december",
        "31/11",
        "32/12",
        "24/13/2026",
        "2025-12-24",  # a year in the past
        "24/12/2025",
        "Friday 24 December",  # 24 December 2026 is a Thursday
        "friday monday",
        "this week",
        "24 december 2026 2027",
        "x" * 100,
    ],
)
def test_read_day_refuses(text: str) -> None:
    assert read_day(text, TUESDAY, "en_GB") is None


def test_24_12_typed_on_25_12_is_next_year() -> None:
    assert read_day("24/12", date(2026, 12, 25), "en_GB") == date(2027, 12, 24)


def test_an_unknown_locale_reads_day_first() -> None:
    assert read_day("8/12", TUESDAY, "xx_YY") == date(2026, 12, 8)


NOW = datetime(2026, 12, 1, 10, 0, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("friday 3pm", datetime(2026, 12, 4, 15, 0)),
        ("friday 15:00", datetime(2026, 12, 4, 15, 0)),
        ("friday at 3pm", datetime(2026, 12, 4, 15, 0)),
        ("3pm friday", datetime(2026, 12, 4, 15, 0)),
        ("friday 9 am", datetime(2026, 12, 4, 9, 0)),
        ("24/12 10:00", datetime(2026, 12, 24, 10, 0)),
        ("24 december at 10:30", datetime(2026, 12, 24, 10, 30)),
        ("tomorrow 9", datetime(2026, 12, 2, 9, 0)),
        ("18:30", datetime(2026, 12, 1, 18, 30)),  # later today
        ("9:30", datetime(2026, 12, 2, 9, 30)),  # passed today: tomorrow
        ("at 6pm", datetime(2026, 12, 1, 18, 0)),
        ("today 11:15", datetime(2026, 12, 1, 11, 15)),
        ("vrijdag om 15 uur", datetime(2026, 12, 4, 15, 0)),
        ("morgen half zeven", datetime(2026, 12, 2, 6, 30)),
        ("Freitag um 15 Uhr", datetime(2026, 12, 4, 15, 0)),
        ("am Freitag um 9", datetime(2026, 12, 4, 9, 0)),
        ("friday", datetime(2026, 12, 4, 0, 0)),  # a day alone: its start
        ("today", datetime(2026, 12, 1, 10, 0)),  # today alone: now
    ],
)
def test_read_moment(text: str, expected: datetime) -> None:
    moment = read_moment(text, NOW, "en_GB")
    assert moment == expected.replace(tzinfo=LONDON)
    assert moment is not None and moment.tzinfo is LONDON


@pytest.mark.parametrize(
    "text", ["", "today 9", "friday 25:00", "soon", "friday later", "31/11 10:00", "3pm 4pm"]
)
def test_read_moment_refuses(text: str) -> None:
    assert read_moment(text, NOW, "en_GB") is None


def test_read_moment_refuses_a_naive_now() -> None:
    assert read_moment("18:30", NOW.replace(tzinfo=None), "en_GB") is None


def test_read_moment_keeps_the_wall_clock_across_a_clock_change() -> None:
    now = datetime(2026, 3, 27, 12, 0, tzinfo=AMSTERDAM)  # Friday; clocks go forward on Sunday
    moment = read_moment("monday 9:00", now, "nl_NL")
    assert moment == datetime(2026, 3, 30, 9, 0, tzinfo=AMSTERDAM)
    assert moment is not None and moment.utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18:30", time(18, 30)),
        ("6pm", time(18, 0)),
        ("om 9 uur", time(9, 0)),
        ("um 15 Uhr", time(15, 0)),
        ("half zeven", time(6, 30)),
        ("halb sieben", time(6, 30)),
        ("seven", time(7, 0)),
        ("zeven", time(7, 0)),
        ("soon", None),
        ("25:00", None),
    ],
)
def test_read_clock(text: str, expected: time | None) -> None:
    assert read_clock(text) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("half seven", "en", time(7, 30)),  # British: half past seven
        ("half seven", "nl", time(7, 30)),  # an English hour word is read in English
        ("half zeven", "en", time(6, 30)),  # a Dutch one in Dutch, whoever types it
        ("half acht", "de", time(7, 30)),
        ("halb acht", "en", time(7, 30)),
        ("half 7", "nl", time(6, 30)),  # digits: as the reader means it
        ("half 7", "en", time(7, 30)),
        ("halb 7", "en", time(6, 30)),  # only German says "halb"
        ("half past seven", "nl", time(7, 30)),
    ],
)
def test_a_half_hour_is_read_in_the_language_that_says_it(
    text: str, language: str, expected: time
) -> None:
    assert read_clock(text, language) == expected


def test_a_nudge_time_is_read_as_its_writer_means_it() -> None:
    evening = datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("Europe/London"))
    dutch = read_moment("morgen half 7", evening, "nl_NL")
    english = read_moment("tomorrow half 7", evening, "en_GB")
    assert dutch is not None and (dutch.hour, dutch.minute) == (6, 30)
    assert english is not None and (english.hour, english.minute) == (7, 30)


@pytest.mark.parametrize(
    ("language", "zone", "expected"),
    [
        ("en", "Europe/London", "en_GB"),
        ("en", "America/New_York", "en_US"),
        ("nl", "Europe/Amsterdam", "nl_NL"),
        ("de", "Europe/Berlin", "de_DE"),
        ("en", "UTC", "en_GB"),
        ("nl", "Europe/London", "nl"),
    ],
)
def test_service_locale(language: str, zone: str, expected: str) -> None:
    assert service_locale(language, zone) == expected


# --- properties -------------------------------------------------------------------------------

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31))
locales = st.sampled_from(["en_GB", "en_US", "nl_NL", "de_DE"])


@settings(max_examples=300, deadline=None)
@given(today=days, target=days, locale=locales)
def test_a_day_is_never_in_the_past(today: date, target: date, locale: str) -> None:
    for text in (
        target.isoformat(),
        f"{target.day}/{target.month}",
        f"{target.day} {format_date(target, 'MMMM', locale='en')}",
        format_date(target, "EEEE", locale="en"),
    ):
        found = read_day(text, today, locale)
        assert found is None or found >= today


@settings(max_examples=300, deadline=None)
@given(today=days, target=days, locale=locales)
def test_the_day_written_out_in_any_language_reads_back(
    today: date, target: date, locale: str
) -> None:
    language = locale.split("_")[0]
    written = format_date(target, "d MMMM y", locale=language)
    expected = target if target >= today else None
    assert read_day(written, today, locale) == expected
    short = format_date(target, "short", locale=locale)  # the locale's own numeric form
    assert read_day(short, today, locale) == expected


@settings(max_examples=300, deadline=None)
@given(today=days, target=days)
def test_a_date_without_year_is_the_next_one_within_a_year(today: date, target: date) -> None:
    if (target.month, target.day) == (2, 29):
        return
    found = read_day(f"{target.day}/{target.month}", today, "en_GB")
    assert found is not None
    assert (found.month, found.day) == (target.month, target.day)
    assert today <= found < today + timedelta(days=366)


@settings(max_examples=200, deadline=None)
@given(today=days, weekday=st.integers(0, 6), language=st.sampled_from(["en", "nl", "de"]))
def test_a_weekday_is_within_the_next_seven_days(today: date, weekday: int, language: str) -> None:
    name = format_date(date(2024, 1, 1) + timedelta(days=weekday), "EEEE", locale=language)
    found = read_day(name, today, "en_GB")
    assert found is not None and found.weekday() == weekday
    assert today < found <= today + timedelta(days=7)


@settings(max_examples=300, deadline=None)
@given(
    now=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1)),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
)
def test_a_time_alone_is_within_the_next_day(now: datetime, hour: int, minute: int) -> None:
    aware = now.replace(tzinfo=AMSTERDAM)
    moment = read_moment(f"{hour}:{minute:02d}", aware, "nl_NL")
    assert moment is not None
    assert moment.tzinfo is AMSTERDAM
    assert (moment.hour, moment.minute) == (hour, minute)
    assert aware.replace(tzinfo=None) < moment.replace(tzinfo=None)
    assert moment.date() - aware.date() <= timedelta(days=1)

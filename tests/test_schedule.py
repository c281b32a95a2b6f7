"""The pure schedule arithmetic: DST, pauses, fortnightly weeks, contact hours, snooze, parsers."""

from __future__ import annotations

import zoneinfo
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.core.schedule import (
    WEEKDAYS,
    Occurrence,
    Schedule,
    next_checkin,
    next_contact_time,
    parse_clock,
    parse_hours,
    parse_timezone,
    snooze_until,
)

WINDOW = timedelta(hours=3)
ALL_DAYS = frozenset(range(7))
MICRO = timedelta(microseconds=1)

# (zone, a local date with a DST change, or an ordinary date for zones without DST)
TRANSITIONS = [
    ("Europe/London", date(2026, 3, 29)),
    ("Europe/London", date(2026, 10, 25)),
    ("America/New_York", date(2026, 3, 8)),
    ("America/New_York", date(2026, 11, 1)),
    ("Australia/Sydney", date(2026, 4, 5)),
    ("Australia/Sydney", date(2026, 10, 4)),
    ("Asia/Kolkata", date(2026, 3, 29)),
    ("Asia/Tokyo", date(2026, 10, 25)),
]
ZONES = sorted({zone for zone, _ in TRANSITIONS} | {"UTC", "America/Sao_Paulo", "Asia/Tehran"})


def make(
    zone: str = "Europe/London",
    days: frozenset[int] = ALL_DAYS,
    at: time = time(9, 0),
    hours: tuple[time, time] = (time(8, 0), time(22, 0)),
    **extra: Any,
) -> Schedule:
    return Schedule(zone, days, at, hours[0], hours[1], **extra)


def walk(schedule: Schedule, after: datetime, until: datetime) -> list[Occurrence]:
    """Occurrences from ``after`` up to ``until``, each asked for after the previous one."""
    found: list[Occurrence] = []
    while (occurrence := next_checkin(schedule, after, WINDOW)) and occurrence.due_at <= until:
        found.append(occurrence)
        after = occurrence.due_at
        assert len(found) < 100, "runaway sequence"
    return found


def local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def midnight(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def exists(day: date, clock: time, zone: str) -> bool:
    """Whether a local wall-clock time exists that day (it is not in a spring-forward gap)."""
    wall = datetime.combine(day, clock, tzinfo=ZoneInfo(zone))
    return wall.astimezone(UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None) == wall.replace(
        tzinfo=None
    )


minute_clocks = st.builds(time, st.integers(0, 23), st.integers(0, 59))
day_sets = st.frozensets(st.integers(0, 6), min_size=1)
near_transitions = st.tuples(st.sampled_from(TRANSITIONS), st.integers(-3 * 1440, 3 * 1440)).map(
    lambda t: midnight(t[0][1], "UTC") + timedelta(minutes=t[1])
)
utc_moments = near_transitions | st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2027, 2, 1), timezones=st.just(UTC)
)
"""Any moment, often within three days of a DST change."""


def _clock(minutes: int) -> time:
    return time(minutes // 60 % 24, minutes % 60)


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    """A coherent schedule: any zone, days, contact hours (maybe wrapping, maybe round the clock,
    often short and at night to meet DST changes) and a check-in time inside them."""
    zone = draw(st.sampled_from(ZONES))
    start = draw(st.integers(0, 1439) | st.integers(0, 240))
    length = draw(st.integers(1, 1440) | st.integers(1, 180))
    at = start + draw(st.integers(0, length - 1))
    schedule = make(zone, draw(day_sets), _clock(at), (_clock(start), _clock(start + length)))
    assert schedule.problem() is None
    return schedule


# --- the data types --------------------------------------------------------------------------


def test_weekday_names_follow_date_weekday() -> None:
    assert WEEKDAYS[date(2026, 3, 2).weekday()] == "mon"
    assert WEEKDAYS[date(2026, 3, 8).weekday()] == "sun"
    assert len(WEEKDAYS) == 7


def test_a_coherent_schedule_has_no_problem() -> None:
    assert make().problem() is None
    assert make(days=frozenset()).problem() is None
    assert make(at=time(23), hours=(time(20), time(2))).problem() is None
    assert make(at=time(1), hours=(time(20), time(2))).problem() is None


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        (make(zone="Mars/Olympus"), "time zone"),
        (make(zone=""), "time zone"),
        (make(zone="../etc/passwd"), "time zone"),
        (make(at=time(7)), "outside"),
        (make(at=time(22)), "outside"),  # the end is exclusive
        (make(at=time(3), hours=(time(20), time(2))), "outside"),
        (make(every_other_week=True), "anchor"),
        (make(days=frozenset({7})), "days"),
        (make(at=time(9, tzinfo=UTC)), "naive"),
    ],
)
def test_problems_are_named(schedule: Schedule, words: str) -> None:
    problem = schedule.problem()
    assert problem is not None
    assert words in problem


def test_zone_is_the_zoneinfo() -> None:
    assert make("Asia/Tokyo").zone == ZoneInfo("Asia/Tokyo")


def test_contact_hours_are_half_open_and_wrap() -> None:
    london = make(hours=(time(9), time(21)))
    assert london.in_contact_hours(datetime(2026, 7, 1, 8, 0, tzinfo=UTC))  # 09:00 BST
    assert not london.in_contact_hours(datetime(2026, 7, 1, 7, 59, tzinfo=UTC))
    assert not london.in_contact_hours(datetime(2026, 7, 1, 20, 0, tzinfo=UTC))  # 21:00 BST
    assert london.in_contact_hours(datetime(2026, 1, 1, 20, 59, tzinfo=UTC))  # 20:59 GMT

    night = make("UTC", hours=(time(20), time(2)))
    for hour, inside in [(19, False), (20, True), (23, True), (0, True), (1, True), (2, False)]:
        assert night.in_contact_hours(datetime(2026, 5, 5, hour, tzinfo=UTC)) is inside

    always = make("UTC", hours=(time(6), time(6)))
    assert all(always.in_contact_hours(datetime(2026, 5, 5, h, tzinfo=UTC)) for h in range(24))


def test_contact_hours_read_a_time_in_a_dst_gap_as_the_real_local_time() -> None:
    schedule = make(hours=(time(1), time(2)), at=time(1))
    in_gap = datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo("Europe/London"))  # really 02:30 BST
    assert not schedule.in_contact_hours(in_gap)
    assert not schedule.in_contact_hours(in_gap.astimezone(UTC))


def test_paused_at_covers_dates_before_the_end_in_local_time() -> None:
    schedule = make("America/New_York", paused=True, paused_until=date(2026, 6, 10))
    # 03:59 UTC on the 10th is still the 9th in New York.
    assert schedule.paused_at(datetime(2026, 6, 10, 3, 59, tzinfo=UTC))
    assert not schedule.paused_at(datetime(2026, 6, 10, 4, 0, tzinfo=UTC))
    assert make(paused=True).paused_at(datetime(2030, 1, 1, tzinfo=UTC))
    assert not make(paused_until=date(2030, 1, 1)).paused_at(datetime(2026, 1, 1, tzinfo=UTC))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        next_checkin(make(), datetime(2026, 1, 1), WINDOW)
    with pytest.raises(ValueError):
        next_contact_time(make(), datetime(2026, 1, 1))
    with pytest.raises(ValueError):
        make().in_contact_hours(datetime(2026, 1, 1))


# --- next_checkin: DST -----------------------------------------------------------------------


@pytest.mark.parametrize(("zone", "day"), TRANSITIONS)
def test_a_week_across_a_dst_change_keeps_the_wall_clock(zone: str, day: date) -> None:
    schedule = make(zone, at=time(9, 0))
    start = midnight(day - timedelta(days=3), zone)
    found = walk(schedule, start, start + timedelta(days=7) - MICRO)
    assert [o.local_date for o in found] == [day + timedelta(days=i) for i in range(-3, 4)]
    for occurrence in found:
        assert occurrence.due_at.tzinfo is UTC
        wall = local(occurrence.due_at, zone)
        assert (wall.date(), wall.time()) == (occurrence.local_date, time(9, 0))


def test_a_zone_without_dst_is_exactly_a_day_apart() -> None:
    for zone in ("Asia/Kolkata", "Asia/Tokyo"):
        start = datetime(2026, 3, 1, tzinfo=UTC)
        found = walk(make(zone, at=time(9, 30)), start, start + timedelta(days=60))
        gaps = {b.due_at - a.due_at for a, b in pairwise(found)}
        assert gaps == {timedelta(days=1)}


def test_london_spring_forward_shifts_a_time_in_the_gap_to_summer_time() -> None:
    schedule = make(at=time(1, 30), hours=(time(0), time(23, 59)))
    found = walk(schedule, datetime(2026, 3, 28, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC))
    assert [(o.local_date, o.due_at) for o in found] == [
        (date(2026, 3, 28), datetime(2026, 3, 28, 1, 30, tzinfo=UTC)),  # 01:30 GMT
        (date(2026, 3, 29), datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),  # 02:30 BST, fold=0
        (date(2026, 3, 30), datetime(2026, 3, 30, 0, 30, tzinfo=UTC)),  # 01:30 BST
    ]
    assert local(found[1].due_at, "Europe/London").time() == time(2, 30)


def test_london_autumn_repeated_hour_happens_once_the_first_time() -> None:
    schedule = make(at=time(1, 30), hours=(time(0), time(23, 59)))
    found = walk(schedule, datetime(2026, 10, 24, tzinfo=UTC), datetime(2026, 10, 27, tzinfo=UTC))
    assert [(o.local_date, o.due_at) for o in found] == [
        (date(2026, 10, 24), datetime(2026, 10, 24, 0, 30, tzinfo=UTC)),  # 01:30 BST
        (date(2026, 10, 25), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # first 01:30, BST
        (date(2026, 10, 26), datetime(2026, 10, 26, 1, 30, tzinfo=UTC)),  # 01:30 GMT
    ]


@pytest.mark.parametrize(
    ("zone", "day", "at", "due"),
    [
        ("America/New_York", date(2026, 3, 8), time(2, 30), datetime(2026, 3, 8, 7, 30)),  # 03:30
        ("America/New_York", date(2026, 11, 1), time(1, 30), datetime(2026, 11, 1, 5, 30)),
        ("Australia/Sydney", date(2026, 10, 4), time(2, 30), datetime(2026, 10, 3, 16, 30)),
        ("Australia/Sydney", date(2026, 4, 5), time(2, 30), datetime(2026, 4, 4, 15, 30)),
    ],
)
def test_gap_and_repeated_hour_elsewhere(zone: str, day: date, at: time, due: datetime) -> None:
    schedule = make(zone, at=at, hours=(time(0), time(23, 59)))
    found = walk(
        schedule, midnight(day - timedelta(days=1), zone), midnight(day, zone) + timedelta(days=2)
    )
    on_the_day = [o for o in found if o.local_date == day]
    assert [o.due_at for o in on_the_day] == [due.replace(tzinfo=UTC)]


@settings(max_examples=150, deadline=None)
@given(
    schedule=schedules(),
    start=st.sampled_from(TRANSITIONS).flatmap(
        lambda t: st.integers(-4 * 24, 2 * 24).map(
            lambda h: midnight(t[1], "UTC") + timedelta(hours=h)
        )
    ),
)
def test_repeated_next_checkin_gives_one_per_chosen_date_at_the_wall_clock(
    schedule: Schedule, start: datetime
) -> None:
    zone = schedule.timezone
    end = start + timedelta(days=9)
    found = walk(schedule, start, end)
    dates = [o.local_date for o in found]
    assert len(dates) == len(set(dates)), "one occurrence per local date"
    assert dates == sorted(dates)
    assert [o.due_at for o in found] == sorted({o.due_at for o in found})
    first_day = local(start, zone).date()
    last_day = local(end, zone).date()
    expected = [
        first_day + timedelta(days=i)
        for i in range((last_day - first_day).days + 1)
        if (first_day + timedelta(days=i)).weekday() in schedule.days
    ]
    # Every chosen date strictly inside the span has its check-in, unless a DST gap pushes
    # the time out of the contact hours that day.
    inner = [
        d
        for d in expected
        if first_day < d < last_day
        and schedule.in_contact_hours(
            datetime.combine(d, schedule.time, tzinfo=schedule.zone).astimezone(UTC)
        )
    ]
    assert set(inner) <= set(dates)
    assert set(dates) <= set(expected)
    for occurrence in found:
        assert start < occurrence.due_at <= end
        assert occurrence.due_at.tzinfo is UTC
        wall = local(occurrence.due_at, zone)
        if exists(occurrence.local_date, schedule.time, zone):
            assert (wall.date(), wall.time()) == (occurrence.local_date, schedule.time)
        else:  # in a spring-forward gap: moved forward by the gap, same date
            assert wall.date() == occurrence.local_date
            assert wall.time() > schedule.time


@settings(max_examples=150, deadline=None)
@given(schedule=schedules(), after=utc_moments)
def test_next_checkin_is_the_first_chosen_date_after(schedule: Schedule, after: datetime) -> None:
    occurrence = next_checkin(schedule, after, WINDOW)
    if occurrence is None:  # only when a DST gap pushes every candidate out of contact hours
        pytest.fail(f"no check-in for a coherent schedule {schedule} after {after}")
    zone = schedule.zone
    assert occurrence.due_at > after
    assert occurrence.local_date.weekday() in schedule.days
    # Nothing earlier qualifies: no chosen date between after's date and the found date has a
    # check-in still ahead.
    day = after.astimezone(zone).date()
    while day < occurrence.local_date:
        if day.weekday() in schedule.days:
            due = datetime.combine(day, schedule.time, tzinfo=zone).astimezone(UTC)
            assert due.astimezone(UTC) <= after or not schedule.in_contact_hours(due)
        day += timedelta(days=1)


# --- next_checkin: closes_at -----------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    schedule=schedules(),
    after=utc_moments,
    window=st.integers(1, 48 * 60).map(lambda m: timedelta(minutes=m)),
)
def test_closes_at_is_after_due_and_within_the_contact_period(
    schedule: Schedule, after: datetime, window: timedelta
) -> None:
    occurrence = next_checkin(schedule, after, window)
    assert occurrence is not None
    due, closes = occurrence.due_at, occurrence.closes_at
    assert closes.tzinfo is UTC
    assert due < closes <= due + window
    assert schedule.in_contact_hours(due)
    assert schedule.in_contact_hours(closes - MICRO)
    if closes < due + window:  # cut short: exactly at the end of the contact hours
        assert not schedule.in_contact_hours(closes)
    # the contact hours do not end in between (sampled every 10 minutes)
    probe = due
    while probe < closes:
        assert schedule.in_contact_hours(probe)
        probe += timedelta(minutes=10)


def test_closes_at_examples() -> None:
    evening = make("UTC", at=time(20, 30), hours=(time(9), time(21)))
    occurrence = next_checkin(evening, datetime(2026, 5, 5, tzinfo=UTC), timedelta(hours=2))
    assert occurrence == Occurrence(
        date(2026, 5, 5),
        datetime(2026, 5, 5, 20, 30, tzinfo=UTC),
        datetime(2026, 5, 5, 21, 0, tzinfo=UTC),
    )
    night = make("UTC", at=time(1), hours=(time(20), time(2)))
    occurrence = next_checkin(night, datetime(2026, 5, 5, tzinfo=UTC), timedelta(hours=3))
    assert occurrence is not None
    assert occurrence.closes_at == datetime(2026, 5, 5, 2, 0, tzinfo=UTC)
    late = make("UTC", at=time(23), hours=(time(20), time(2)))
    occurrence = next_checkin(late, datetime(2026, 5, 5, tzinfo=UTC), timedelta(hours=1))
    assert occurrence is not None
    assert occurrence.closes_at == datetime(2026, 5, 6, 0, 0, tzinfo=UTC)
    occurrence = next_checkin(late, datetime(2026, 5, 5, tzinfo=UTC), timedelta(hours=5))
    assert occurrence is not None
    assert occurrence.closes_at == datetime(2026, 5, 6, 2, 0, tzinfo=UTC)


def test_closes_at_follows_the_clock_through_dst_changes() -> None:
    # Spring: contact hours end at 01:30, which does not exist; they end when the clocks jump.
    spring = make(at=time(0, 30), hours=(time(0), time(1, 30)))
    occurrence = next_checkin(spring, datetime(2026, 3, 29, tzinfo=UTC), WINDOW)
    assert occurrence is not None
    assert occurrence.due_at == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert occurrence.closes_at == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 02:00 BST
    # Autumn: the hours stay open through the change, so the night lasts an hour longer.
    autumn = make(at=time(0, 30), hours=(time(0), time(3)))
    occurrence = next_checkin(autumn, datetime(2026, 10, 24, 22, tzinfo=UTC), timedelta(hours=5))
    assert occurrence is not None
    assert occurrence.due_at == datetime(2026, 10, 24, 23, 30, tzinfo=UTC)  # 00:30 BST
    assert occurrence.closes_at == datetime(2026, 10, 25, 3, 0, tzinfo=UTC)  # 03:00 GMT


def test_round_the_clock_hours_never_cut_the_window() -> None:
    schedule = make("UTC", at=time(9), hours=(time(6), time(6)))
    occurrence = next_checkin(schedule, datetime(2026, 5, 5, tzinfo=UTC), timedelta(hours=30))
    assert occurrence is not None
    assert occurrence.closes_at == occurrence.due_at + timedelta(hours=30)


def test_window_must_be_positive() -> None:
    with pytest.raises(ValueError):
        next_checkin(make(), datetime(2026, 1, 1, tzinfo=UTC), timedelta(0))


# --- next_checkin: days, pause, fewer --------------------------------------------------------


def test_no_days_means_no_checkins() -> None:
    assert next_checkin(make(days=frozenset()), datetime(2026, 1, 1, tzinfo=UTC), WINDOW) is None


def test_chosen_weekdays_only() -> None:
    schedule = make(days=frozenset({0, 3}))  # Monday and Thursday
    start = datetime(2026, 3, 1, tzinfo=UTC)  # a Sunday
    found = walk(schedule, start, start + timedelta(days=14))
    assert [WEEKDAYS[o.local_date.weekday()] for o in found] == ["mon", "thu"] * 2
    assert found[0].local_date == date(2026, 3, 2)


def test_paused_with_no_end_gives_none() -> None:
    schedule = make(paused=True)
    assert next_checkin(schedule, datetime(2026, 1, 1, tzinfo=UTC), WINDOW) is None


def test_a_pause_that_already_ended_changes_nothing() -> None:
    after = datetime(2026, 6, 1, tzinfo=UTC)
    ended = make(paused=True, paused_until=date(2026, 5, 1))
    assert next_checkin(ended, after, WINDOW) == next_checkin(make(), after, WINDOW)


def test_a_pause_resumes_on_its_end_date() -> None:
    schedule = make(paused=True, paused_until=date(2026, 6, 10))
    occurrence = next_checkin(schedule, datetime(2026, 6, 1, tzinfo=UTC), WINDOW)
    assert occurrence is not None
    assert occurrence.local_date == date(2026, 6, 10)
    assert occurrence.due_at == datetime(2026, 6, 10, 8, 0, tzinfo=UTC)  # 09:00 BST


def test_a_long_pause_still_terminates_and_resumes() -> None:
    schedule = make(days=frozenset({6}), paused=True, paused_until=date(2031, 1, 1))
    occurrence = next_checkin(schedule, datetime(2026, 6, 1, tzinfo=UTC), WINDOW)
    assert occurrence is not None
    assert occurrence.local_date == date(2031, 1, 5)  # the first Sunday on or after


@settings(max_examples=150, deadline=None)
@given(
    schedule=schedules(),
    after=utc_moments,
    pause_days=st.integers(-5, 40),
)
def test_a_pause_skips_exactly_the_dates_before_its_end(
    schedule: Schedule, after: datetime, pause_days: int
) -> None:
    until = after.date() + timedelta(days=pause_days)
    paused = replace(schedule, paused=True, paused_until=until)
    found = walk(paused, after, after + timedelta(days=max(pause_days, 0) + 10))
    unpaused = walk(schedule, after, after + timedelta(days=max(pause_days, 0) + 10))
    assert found == [o for o in unpaused if o.local_date >= until]


def test_every_other_week_alternates_from_the_anchor_week() -> None:
    anchor = date(2026, 3, 4)  # a Wednesday; its week (Mon 2 March) is an "on" week
    schedule = make(days=frozenset({0, 4}), every_other_week=True, anchor=anchor)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    found = walk(schedule, start, start + timedelta(days=42))
    assert [o.local_date for o in found] == [
        date(2026, 3, 2),
        date(2026, 3, 6),
        date(2026, 3, 16),
        date(2026, 3, 20),
        date(2026, 3, 30),
        date(2026, 4, 3),
    ]


def test_every_other_week_keeps_alternating_across_a_53_week_year() -> None:
    # 2026 has ISO week 53; week-number parity would give two "on" weeks in a row here.
    schedule = make(days=frozenset({3}), every_other_week=True, anchor=date(2026, 12, 31))
    start = datetime(2026, 12, 1, tzinfo=UTC)
    found = walk(schedule, start, start + timedelta(days=70))
    dates = [o.local_date for o in found]
    assert date(2026, 12, 31) in dates
    assert {b - a for a, b in pairwise(dates)} == {timedelta(days=14)}
    assert len(dates) == 5


@settings(max_examples=100, deadline=None)
@given(
    schedule=schedules(),
    anchor=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    after=utc_moments,
)
def test_every_other_week_only_on_weeks(schedule: Schedule, anchor: date, after: datetime) -> None:
    fewer = replace(schedule, every_other_week=True, anchor=anchor)
    weekly = walk(schedule, after, after + timedelta(days=28))
    found = walk(fewer, after, after + timedelta(days=28))
    anchor_monday = anchor - timedelta(days=anchor.weekday())

    def on(day: date) -> bool:
        return ((day - timedelta(days=day.weekday())) - anchor_monday).days % 14 == 0

    assert found == [o for o in weekly if on(o.local_date)]
    assert found, "four weeks always contain two on weeks"


def test_every_other_week_without_anchor_is_refused() -> None:
    with pytest.raises(ValueError, match="anchor"):
        next_checkin(make(every_other_week=True), datetime(2026, 1, 1, tzinfo=UTC), WINDOW)


def test_a_checkin_time_outside_contact_hours_is_never_sent() -> None:
    schedule = make(at=time(23), hours=(time(9), time(21)))
    assert next_checkin(schedule, datetime(2026, 1, 1, tzinfo=UTC), WINDOW) is None


# --- next_contact_time -----------------------------------------------------------------------


def test_next_contact_time_examples() -> None:
    day = make("UTC", hours=(time(9), time(21)))
    inside = datetime(2026, 5, 5, 12, 34, 56, tzinfo=UTC)
    assert next_contact_time(day, inside) == inside
    assert next_contact_time(day, datetime(2026, 5, 5, 7, tzinfo=UTC)) == datetime(
        2026, 5, 5, 9, tzinfo=UTC
    )
    assert next_contact_time(day, datetime(2026, 5, 5, 21, tzinfo=UTC)) == datetime(
        2026, 5, 6, 9, tzinfo=UTC
    )

    night = make("UTC", at=time(22), hours=(time(20), time(2)))
    assert next_contact_time(night, datetime(2026, 5, 5, 1, tzinfo=UTC)) == datetime(
        2026, 5, 5, 1, tzinfo=UTC
    )
    assert next_contact_time(night, datetime(2026, 5, 5, 3, tzinfo=UTC)) == datetime(
        2026, 5, 5, 20, tzinfo=UTC
    )
    assert next_contact_time(night, datetime(2026, 5, 5, 23, tzinfo=UTC)) == datetime(
        2026, 5, 5, 23, tzinfo=UTC
    )


def test_next_contact_time_returns_utc_in_the_clients_zone() -> None:
    tokyo = make("Asia/Tokyo", hours=(time(9), time(21)))
    moment = datetime(2026, 5, 5, 13, tzinfo=UTC)  # 22:00 in Tokyo
    result = next_contact_time(tokyo, moment.astimezone(ZoneInfo("Europe/Berlin")))
    assert result == datetime(2026, 5, 6, 0, tzinfo=UTC)  # 09:00 in Tokyo
    assert result.tzinfo is UTC
    berlin_moment = datetime(2026, 5, 5, 3, tzinfo=UTC).astimezone(ZoneInfo("Europe/Berlin"))
    assert next_contact_time(tokyo, berlin_moment).tzinfo is UTC


def test_next_contact_time_across_dst_changes() -> None:
    # Contact hours start at 01:30, inside the spring gap: they open when the clocks jump.
    spring = make(at=time(3), hours=(time(1, 30), time(5)))
    assert next_contact_time(spring, datetime(2026, 3, 29, 0, 30, tzinfo=UTC)) == datetime(
        2026, 3, 29, 1, 0, tzinfo=UTC
    )
    # In the autumn the hour 01:00-02:00 happens twice; the hours open again the second time.
    autumn = make(at=time(1), hours=(time(1), time(1, 30)))
    moment = datetime(2026, 10, 25, 0, 45, tzinfo=UTC)  # 01:45 BST, after the first 01:30
    assert next_contact_time(autumn, moment) == datetime(2026, 10, 25, 1, 0, tzinfo=UTC)


def test_next_contact_time_waits_for_the_pause_end() -> None:
    paused = make("UTC", paused=True, paused_until=date(2026, 5, 10), hours=(time(9), time(21)))
    assert next_contact_time(paused, datetime(2026, 5, 5, 12, tzinfo=UTC)) == datetime(
        2026, 5, 10, 9, tzinfo=UTC
    )
    night = make(
        "UTC", at=time(22), hours=(time(20), time(2)), paused=True, paused_until=date(2026, 5, 10)
    )
    # the contact hours are open at the midnight the pause ends
    assert next_contact_time(night, datetime(2026, 5, 5, 21, tzinfo=UTC)) == datetime(
        2026, 5, 10, 0, tzinfo=UTC
    )
    with pytest.raises(ValueError):
        next_contact_time(make(paused=True), datetime(2026, 5, 5, tzinfo=UTC))


@settings(max_examples=300, deadline=None)
@given(
    schedule=schedules(),
    moment=utc_moments,
    pause=st.none() | st.integers(-3, 20),
)
def test_next_contact_time_is_the_first_open_moment(
    schedule: Schedule, moment: datetime, pause: int | None
) -> None:
    if pause is not None:
        until = moment.date() + timedelta(days=pause)
        schedule = replace(schedule, paused=True, paused_until=until)
    result = next_contact_time(schedule, moment)
    assert result.tzinfo is UTC
    assert result >= moment
    assert result - moment < timedelta(days=max(pause or 0, 0) + 2)
    assert schedule.in_contact_hours(result)
    assert not schedule.paused_at(result)
    if result > moment:  # nothing open just before: it is the start of the hours or the pause end
        before = result - MICRO
        assert not schedule.in_contact_hours(before) or schedule.paused_at(before)


# --- snooze ----------------------------------------------------------------------------------


def test_snooze_examples() -> None:
    schedule = make("UTC", hours=(time(9), time(22)))
    now = datetime(2026, 5, 5, 14, 10, tzinfo=UTC)
    assert snooze_until(schedule, now, "hour") == datetime(2026, 5, 5, 15, 10, tzinfo=UTC)
    assert snooze_until(schedule, now, "evening") == datetime(2026, 5, 5, 19, tzinfo=UTC)
    assert snooze_until(schedule, now, "tomorrow") == datetime(2026, 5, 6, 14, 10, tzinfo=UTC)

    late = datetime(2026, 5, 5, 19, 30, tzinfo=UTC)  # past 19:00: the last hour before 22:00
    assert snooze_until(schedule, late, "evening") == datetime(2026, 5, 5, 21, tzinfo=UTC)
    later = datetime(2026, 5, 5, 21, 30, tzinfo=UTC)  # past that too: tomorrow's last hour
    assert snooze_until(schedule, later, "evening") == datetime(2026, 5, 6, 21, tzinfo=UTC)
    # an hour past the end of the contact hours waits for the morning
    assert snooze_until(schedule, later, "hour") == datetime(2026, 5, 6, 9, tzinfo=UTC)

    early_end = make("UTC", hours=(time(9), time(18)))  # 19:00 is outside the contact hours
    assert snooze_until(early_end, now, "evening") == datetime(2026, 5, 5, 17, tzinfo=UTC)

    night = make("UTC", at=time(22), hours=(time(20), time(2)))  # wraps: ends 02:00 tomorrow
    assert snooze_until(night, now, "evening") == datetime(2026, 5, 6, 1, tzinfo=UTC)
    assert snooze_until(night, now, "tomorrow") == datetime(2026, 5, 6, 20, tzinfo=UTC)


def test_snooze_evening_in_local_time() -> None:
    schedule = make("America/New_York", hours=(time(8), time(22)))
    now = datetime(2026, 7, 1, 14, tzinfo=UTC)  # 10:00 EDT
    assert snooze_until(schedule, now, "evening") == datetime(2026, 7, 1, 23, tzinfo=UTC)


def test_snooze_tomorrow_keeps_the_wall_clock_across_dst() -> None:
    schedule = make(hours=(time(8), time(22)))
    now = datetime(2026, 3, 28, 10, tzinfo=UTC)  # 10:00 GMT, the day before BST starts
    assert snooze_until(schedule, now, "tomorrow") == datetime(2026, 3, 29, 9, tzinfo=UTC)


def test_snooze_refuses_an_unknown_choice() -> None:
    with pytest.raises(ValueError, match="snooze"):
        snooze_until(make(), datetime(2026, 5, 5, tzinfo=UTC), "week")


@settings(max_examples=300, deadline=None)
@given(
    schedule=schedules(),
    now=utc_moments,
    choice=st.sampled_from(["hour", "evening", "tomorrow"]),
)
def test_snoozes_land_inside_contact_hours(schedule: Schedule, now: datetime, choice: str) -> None:
    result = snooze_until(schedule, now, choice)
    assert result.tzinfo is UTC
    assert result > now
    assert result - now <= timedelta(days=3)
    assert schedule.in_contact_hours(result)
    if choice == "hour":
        assert result >= now + timedelta(hours=1)
    if choice == "tomorrow":
        assert result >= now + timedelta(hours=22)  # a DST night may be 23 hours long


# --- parse_timezone --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Europe/London", "Europe/London"),
        ("europe/berlin", "Europe/Berlin"),
        ("  EUROPE/BERLIN ", "Europe/Berlin"),
        ("america/new york", "America/New_York"),
        ("Berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("New_York", "America/New_York"),
        ("São Paulo", "America/Sao_Paulo"),
        ("sao paulo", "America/Sao_Paulo"),
        ("Port au Prince", "America/Port-au-Prince"),
        ("St. John's", "America/St_Johns"),
        ("Kolkata", "Asia/Kolkata"),
        ("Buenos Aires", "America/Argentina/Buenos_Aires"),
        ("Indianapolis", "America/Indiana/Indianapolis"),
        ("Samoa", "Pacific/Samoa"),
        ("Singapore", "Asia/Singapore"),
        ("Japan", "Japan"),
        ("cet", "CET"),
        ("Berlin, Germany", "Europe/Berlin"),
        ("posix/Europe/London", "Europe/London"),
        ("UTC", "UTC"),
        ("gmt", "UTC"),
        ("UTC+0", "UTC"),
        ("-0", "UTC"),
        ("+2", "Etc/GMT-2"),
        ("-5", "Etc/GMT+5"),
        ("UTC+2", "Etc/GMT-2"),
        ("utc + 2", "Etc/GMT-2"),
        ("GMT-03:00", "Etc/GMT+3"),
        ("+0200", "Etc/GMT-2"),
        ("UTC−3", "Etc/GMT+3"),  # a typographic minus
        ("+14", "Etc/GMT-14"),
        ("-12", "Etc/GMT+12"),
        ("+05:30", None),
        ("UTC+5:45", None),
        ("+15", None),
        ("-13", None),
        ("2", None),
        ("", None),
        ("   ", None),
        ("Atlantis", None),
        ("Mars/Olympus", None),
        ("../../etc/passwd", None),
        ("localtime", None),
        ("right/Europe/London", "Europe/London"),
        ("Etc", None),
        ("x" * 10_000, None),
    ],
)
def test_parse_timezone(text: str, expected: str | None) -> None:
    assert parse_timezone(text) == expected


def test_every_canonical_zone_is_recognised_by_name_and_city() -> None:
    areas = ("Africa/", "America/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Pacific/")
    names = [n for n in zoneinfo.available_timezones() if n.startswith(areas)]
    assert len(names) > 200
    for name in names:
        assert parse_timezone(name) == name
        assert parse_timezone(name.lower()) == name
        city = parse_timezone(name.rsplit("/", 1)[1].replace("_", " ").upper())
        assert city is not None
        # an alias may win for a shared city name, but it is the same city
        assert city.rsplit("/", 1)[1] == name.rsplit("/", 1)[1]


@pytest.mark.parametrize("hours", range(-12, 15))
def test_whole_hour_offsets_give_a_zone_with_that_offset(hours: int) -> None:
    for text in (f"{hours:+d}", f"UTC{hours:+d}", f"GMT{hours:+03d}:00"):
        zone = parse_timezone(text)
        assert zone is not None, text
        offset = datetime(2026, 1, 1, tzinfo=ZoneInfo(zone)).utcoffset()
        assert offset == timedelta(hours=hours), text


@settings(max_examples=500)
@given(st.text(max_size=40) | st.from_regex(r"(UTC|GMT)?[+\-−]?[0-9]{1,4}(:[0-9]{2})?"))
@example("\x00")
@example("Europe/\x00")
@example("/")
@example("+")
def test_parse_timezone_never_raises(text: str) -> None:
    zone = parse_timezone(text)
    if zone is not None:
        ZoneInfo(zone)  # always loadable
        assert make(zone).problem() is None


# --- parse_clock and parse_hours -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18:00", time(18)),
        ("6pm", time(18)),
        ("6 PM", time(18)),
        ("6:30 p.m.", time(18, 30)),
        ("18", time(18)),
        ("9.30", time(9, 30)),
        ("09:30", time(9, 30)),
        (" 9:05 ", time(9, 5)),
        ("0:00", time(0)),
        ("00", time(0)),
        ("23:59", time(23, 59)),
        ("12am", time(0)),
        ("12pm", time(12)),
        ("12:30am", time(0, 30)),
        ("18h30", time(18, 30)),
        ("noon", time(12)),
        ("midnight", time(0)),
        ("24:00", None),
        ("25", None),
        ("9:60", None),
        ("9:5", None),
        ("13pm", None),
        ("0am", None),
        ("-1", None),
        ("9:30:00", None),
        ("nine", None),
        ("", None),
        ("18:00-21:00", None),
    ],
)
def test_parse_clock(text: str, expected: time | None) -> None:
    assert parse_clock(text) == expected


@given(st.integers(0, 23), st.integers(0, 59))
def test_parse_clock_round_trips(hour: int, minute: int) -> None:
    expected = time(hour, minute)
    assert parse_clock(f"{hour}:{minute:02d}") == expected
    assert parse_clock(f"{hour:02d}.{minute:02d}") == expected
    half = "am" if hour < 12 else "pm"
    assert parse_clock(f"{(hour - 1) % 12 + 1}:{minute:02d} {half}") == expected
    assert parse_clock(expected.strftime("%I:%M%p")) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00-21:00", (time(9), time(21))),
        ("9-21", (time(9), time(21))),
        ("9:00 – 21:00", (time(9), time(21))),
        ("9am to 9pm", (time(9), time(21))),
        ("from 8.30 until 17", (time(8, 30), time(17))),
        ("20:00-02:00", (time(20), time(2))),
        ("9-9", None),
        ("9", None),
        ("9-", None),
        ("-21", None),
        ("9-21-22", None),
        ("morning-evening", None),
        ("", None),
    ],
)
def test_parse_hours(text: str, expected: tuple[time, time] | None) -> None:
    assert parse_hours(text) == expected


@given(minute_clocks, minute_clocks, st.sampled_from(["-", " - ", "–", " to "]))
def test_parse_hours_round_trips(start: time, end: time, dash: str) -> None:
    parsed = parse_hours(f"{start:%H:%M}{dash}{end:%H:%M}")
    assert parsed == (None if start == end else (start, end))


@settings(max_examples=500)
@given(st.text(max_size=30) | st.from_regex(r"[0-9apm:. \-–]{0,14}"))
def test_parsers_never_raise(text: str) -> None:
    clock = parse_clock(text)
    assert clock is None or isinstance(clock, time)
    hours = parse_hours(text)
    assert hours is None or (hours[0] != hours[1])

"""Contact hours: the service file is checked with the same parser the bot reads them with, so
every value the check accepts works at run time, and round-the-clock hours can be written."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.app import App, build_application, running
from bot.config import EXAMPLE_CONFIG, ConfigError, load_settings, parse_service_config
from bot.core.clock import ManualClock
from bot.core.i18n import Catalog
from bot.core.model import ClientSchedule
from bot.core.planning import ScheduleDefaults, effective
from bot.core.schedule import next_checkin, next_contact_time, parse_hours
from bot.standin import FakeBotAPI
from tests.conftest import START, Person, by_hand
from tests.test_delivery import run_until

EXAMPLE = tomllib.loads(EXAMPLE_CONFIG.read_text())


def _service(catalog: Catalog, **checkins: object) -> object:
    raw = {**EXAMPLE, "checkins": {**EXAMPLE.get("checkins", {}), **checkins}}
    return parse_service_config(raw, "service.toml", catalog)


def test_round_the_clock_hours_can_be_written(catalog: Catalog) -> None:
    for text in ("always", "00:00-24:00"):
        service = _service(catalog, contact_hours=text, time="03:00")
        assert service.checkins.contact_hours == "always"  # type: ignore[attr-defined]


def test_equal_start_and_end_are_refused_by_name(catalog: Catalog) -> None:
    with pytest.raises(ConfigError) as refused:
        _service(catalog, contact_hours="00:00-00:00")
    assert str(refused.value) == (
        "service.toml: checkins.contact_hours: '00:00-00:00' is not a range of two different "
        'times like 09:00-21:00 (round the clock: "always")'
    )


clock_times = st.builds(time, st.integers(0, 23), st.integers(0, 59))
hours_texts = st.one_of(
    st.tuples(clock_times, clock_times).map(lambda p: f"{p[0]:%H:%M}-{p[1]:%H:%M}"),
    st.tuples(clock_times, st.sampled_from(["24:00", "24"])).map(lambda p: f"{p[0]:%H:%M}-{p[1]}"),
    st.sampled_from(["always", "00:00-24:00", "9-21", "9am to 9pm", "20:00-02:00", "nonsense"]),
)


@settings(max_examples=300, deadline=None)
@given(hours=hours_texts, at=clock_times, days=st.sets(st.sampled_from(["mon", "thu", "sun"])))
def test_every_accepted_value_works_at_run_time(
    catalog: Catalog, hours: str, at: time, days: set[str]
) -> None:
    try:
        service = _service(catalog, contact_hours=hours, time=f"{at:%H:%M}", days=sorted(days))
    except ConfigError:
        return  # refused, by name (the test above): the bot never starts with it
    assert parse_hours(hours) is not None  # what is accepted, the bot can read
    checkins = service.checkins  # type: ignore[attr-defined]
    defaults = ScheduleDefaults(
        timezone=service.defaults.timezone,  # type: ignore[attr-defined]
        days=",".join(checkins.days),
        time=checkins.time,
        contact_hours=checkins.contact_hours,
        window=timedelta(minutes=checkins.window_minutes),
    )
    schedule = effective(ClientSchedule(agreed_on="2026-03-01"), defaults)
    moment = START
    for _ in range(3):
        occurrence = next_checkin(schedule, moment, defaults.window)
        if occurrence is None:
            break
        assert occurrence.due_at > moment
        moment = occurrence.due_at
    assert next_contact_time(schedule, START) >= START


async def test_a_service_that_may_write_at_any_time_checks_in_at_three_at_night(
    tmp_path: Path, catalog: Catalog, clock: ManualClock, api: FakeBotAPI
) -> None:
    raw = EXAMPLE_CONFIG.read_text()
    raw = raw.replace('contact_hours = "09:00-21:00"', 'contact_hours = "always"')
    raw = raw.replace('time = "18:00"', 'time = "03:00"')
    assert 'contact_hours = "always"' in raw and 'time = "03:00"' in raw
    config = tmp_path / "service.toml"
    config.write_text(raw)
    env = {
        "BOT_DATA_DIR": str(tmp_path / "data"),
        "BOT_KEY_FILE": str(tmp_path / "keys" / "between.key"),
        "BOT_CONFIG": str(config),
    }
    app: App = build_application(
        load_settings(env, catalog=catalog), catalog, clock=clock, request=api, polling=False
    )
    async with running(app):
        by_hand(app)
        alex = Person(app, api, 101, "Alex")
        await alex.send("/start")
        assert "I may write first at any time of day." in alex.last().body
        await alex.press("That's fine")
        # Monday and Thursday at 03:00 in London (UTC in March): Thursday night comes first.
        await run_until(app, clock, datetime(2026, 3, 5, 4, 0, tzinfo=UTC), timedelta(minutes=30))
        asked = [m for m in api.messages(alex.id) if "How much energy do you have" in m.body]
        assert [datetime.fromtimestamp(m.date, UTC) for m in asked] == [
            datetime(2026, 3, 5, 3, 0, tzinfo=UTC)
        ]

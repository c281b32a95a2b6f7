"""Configuration: a wrong or missing value stops the start with one line naming the setting."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from dataclasses import replace
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cli import main
from bot.config import (
    EXAMPLE_CONFIG,
    ConfigError,
    ServiceConfig,
    load_service_config,
    load_settings,
    parse_service_config,
)
from bot.core.i18n import Catalog
from bot.core.model import ClientSchedule
from bot.core.planning import SPACING, ScheduleDefaults, effective
from bot.core.schedule import WEEKDAYS, next_checkin
from tests.conftest import START, keys_for


def _example() -> dict[str, Any]:
    return tomllib.loads(EXAMPLE_CONFIG.read_text())


def test_the_bundled_example_is_valid(catalog: Catalog) -> None:
    settings = load_settings({}, catalog=catalog)
    assert settings.service.organisation.name
    assert settings.service.crisis["en"].contacts
    assert settings.data_dir == Path("./data")
    assert settings.api_url == "https://api.telegram.org/bot"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("defaults", "timezone", "Mars/Olympus"),
            "defaults.timezone: 'Mars/Olympus' is not a known time zone",
        ),
        (
            ("defaults", "retention_days", 0),
            "defaults.retention_days: Input should be greater than or equal to 1",
        ),
        (
            ("defaults", "language", "xx"),
            "defaults.language: no catalog for 'xx' (available: de, en, nl)",
        ),
        (("defaults", "locale", "en-GB"), "defaults.locale: 'en-GB' is not a known locale"),
        (("checkins", "time", "25:00"), "checkins.time: '25:00' is not a time like 18:00"),
        (
            ("checkins", "contact_hours", "9-5"),
            "checkins.contact_hours: '9-5' is not a range of two different times like "
            '09:00-21:00 (round the clock: "always")',
        ),
        (("checkins", "days", ["mon", "someday"]), "checkins.days[1]: Input should be 'mon'"),
        (("telegram", "send_rate", 0), "telegram.send_rate: 0 is less than 1 message a second"),
        (("telegram", "colour", "blue"), "telegram.colour: unknown setting (a typo?)"),
        (
            ("organisation", "name", ""),
            "organisation.name: String should have at least 1 character",
        ),
    ],
)
def test_a_wrong_value_names_the_setting(
    catalog: Catalog, change: tuple[str, str, object], expected: str
) -> None:
    raw = _example()
    section, key, value = change
    raw[section][key] = value
    with pytest.raises(ConfigError) as info:
        parse_service_config(raw, "service.toml", catalog)
    assert str(info.value).startswith(f"service.toml: {expected}")
    assert "\n" not in str(info.value)


#: Settings that passed the check once and harmed people (issue 19): each as an edit of the
#: bundled example, as a service would write it, and the one line that now refuses it.
HARMFUL: list[tuple[tuple[str, str], str]] = [
    (
        ("retention_days = 365", "retention_days = 1"),
        "defaults.retention_days: 1 is less than 30 days: a client who goes quiet that long "
        "would lose their whole account (if a shorter period is meant, as for a trial, also "
        "set defaults.allow_short_retention = true)",
    ),
    (
        ("send_rate = 30", "send_rate = 0.05"),
        "telegram.send_rate: 0.05 is less than 1 message a second: every message would wait its "
        "turn for seconds, a /helpnow reply included (Telegram allows about 30)",
    ),
    (
        ('contact_hours = "09:00-21:00"', 'contact_hours = "20:00-02:00"'),
        "checkins.time: '18:00' (the default) is outside the contact hours 20:00-02:00, so no "
        "check-in would ever be sent; set a time inside them",
    ),
    (
        ('time = "18:00"', 'time = "20:58"'),
        "checkins.time: '20:58' is 2 minutes before the contact hours 09:00-21:00 end; it must "
        "be more than 5 minutes before, the wait between two messages the bot starts to one "
        "person",
    ),
    (
        ('contact_hours = "09:00-21:00"', 'contact_hours = "17:30-19:00"'),
        "checkins.window_minutes: 120 minutes (the default) and the 5 minutes between two "
        "messages the bot starts to one person do not fit in the contact hours 17:30-19:00 "
        "(90 minutes); use at most 85, or longer contact hours",
    ),
]
HARMFUL_IDS = ["retention", "send_rate", "time_outside_hours", "time_at_the_end", "window"]


def harmful_config(directory: Path, edit: tuple[str, str]) -> Path:
    """A copy of the bundled example with one line changed."""
    old, new = edit
    text = EXAMPLE_CONFIG.read_text()
    assert text.count(old) == 1, old
    config = directory / "service.toml"
    config.write_text(text.replace(old, new))
    return config


@pytest.mark.parametrize(("edit", "expected"), HARMFUL, ids=HARMFUL_IDS)
def test_a_harmful_setting_stops_the_start_with_one_line(
    tmp_path: Path,
    catalog: Catalog,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    edit: tuple[str, str],
    expected: str,
) -> None:
    config = harmful_config(tmp_path, edit)
    with pytest.raises(ConfigError) as refused:
        load_settings({"BOT_CONFIG": str(config)}, catalog=catalog)
    assert str(refused.value) == f"{config}: {expected}"
    # `between run` (and every other command) prints that line and exits 2.
    for name in ("BOT_ENCRYPTION_KEY", "BOT_DIALOGS_DIR", "BOT_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_CONFIG", str(config))
    monkeypatch.setenv("BOT_TOKEN", "123456:" + "A" * 35)
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    assert main(["run"]) == 2
    assert capsys.readouterr().err.splitlines() == [f"between: {config}: {expected}"]
    assert not (tmp_path / "data").exists()


def _with(catalog: Catalog, section: str, **values: object) -> ServiceConfig:
    raw = _example()
    raw[section].update(values)
    return parse_service_config(raw, "service.toml", catalog)


def _refusal(catalog: Catalog, section: str, **values: object) -> str:
    with pytest.raises(ConfigError) as refused:
        _with(catalog, section, **values)
    return str(refused.value).removeprefix("service.toml: ")


def test_a_short_retention_needs_saying_it_is_meant(catalog: Catalog) -> None:
    assert _refusal(catalog, "defaults", retention_days=29).startswith(
        "defaults.retention_days: 29 is less than 30 days"
    )
    assert _with(catalog, "defaults", retention_days=30).defaults.retention_days == 30
    trial = _with(catalog, "defaults", retention_days=1, allow_short_retention=True)
    assert trial.defaults.retention_days == 1
    assert _refusal(catalog, "defaults", retention_days=0, allow_short_retention=True) == (
        "defaults.retention_days: Input should be greater than or equal to 1"
    )
    assert _refusal(catalog, "defaults", retention_days=3651, allow_short_retention=True) == (
        "defaults.retention_days: Input should be less than or equal to 3650"
    )


def test_the_send_rate_is_one_to_a_thousand_a_second(catalog: Catalog) -> None:
    assert _with(catalog, "telegram", send_rate=1).telegram.send_rate == 1
    assert _with(catalog, "telegram", send_rate=1000).telegram.send_rate == 1000
    assert _refusal(catalog, "telegram", send_rate=0.99).startswith(
        "telegram.send_rate: 0.99 is less than 1 message a second"
    )
    assert _refusal(catalog, "telegram", send_rate=1001) == (
        "telegram.send_rate: Input should be less than or equal to 1000"
    )


@pytest.mark.parametrize(
    ("hours", "at", "window"),
    [
        ("20:00-02:00", "20:00", 120),  # past midnight
        ("20:00-02:00", "23:30", 120),
        ("20:00-02:00", "01:54", 120),  # six minutes left: the window is cut short, as designed
        ("18:00-24:00", "18:00", 120),  # until midnight
        ("18:00-24:00", "23:54", 355),
        ("always", "23:59", 720),  # round the clock: nothing to fit in
        ("00:00-24:00", "00:00", 720),
        ("09:00-21:00", "09:00", 715),
        ("09:00-11:05", "09:00", 120),  # the window and the spacing fill the hours exactly
    ],
)
def test_check_ins_that_fit_the_contact_hours_are_accepted(
    catalog: Catalog, hours: str, at: str, window: int
) -> None:
    service = _with(catalog, "checkins", contact_hours=hours, time=at, window_minutes=window)
    assert service.checkins.time == at


@pytest.mark.parametrize(
    ("hours", "at", "window", "expected"),
    [
        ("20:00-02:00", "02:00", 120, "checkins.time: '02:00' is outside the contact hours"),
        ("20:00-02:00", "19:59", 120, "checkins.time: '19:59' is outside the contact hours"),
        ("18:00-24:00", "00:00", 120, "checkins.time: '00:00' is outside the contact hours"),
        ("20:00-02:00", "01:55", 120, "checkins.time: '01:55' is 5 minutes before the contact "),
        ("18:00-24:00", "23:58", 120, "checkins.time: '23:58' is 2 minutes before the contact "),
        ("09:00-21:00", "09:00", 716, "checkins.window_minutes: 716 minutes and the 5 minutes"),
        ("23:50-00:05", "23:50", 15, "checkins.window_minutes: 15 minutes and the 5 minutes"),
    ],
)
def test_check_ins_that_cannot_fit_the_contact_hours_are_refused(
    catalog: Catalog, hours: str, at: str, window: int, expected: str
) -> None:
    refusal = _refusal(catalog, "checkins", contact_hours=hours, time=at, window_minutes=window)
    assert refusal.startswith(expected)


def test_the_check_in_defaults_meet_hours_set_alone(catalog: Catalog) -> None:
    """A file that sets only the hours still has a check-in time and window: the defaults."""
    raw = _example()
    raw["checkins"] = {"contact_hours": "06:00-07:00"}
    with pytest.raises(ConfigError) as refused:
        parse_service_config(raw, "service.toml", catalog)
    assert str(refused.value) == (
        "service.toml: checkins.time: '18:00' (the default) is outside the contact hours "
        "06:00-07:00, so no check-in would ever be sent; set a time inside them"
    )
    raw["checkins"] = {"contact_hours": "06:00-07:00", "time": "06:00"}
    with pytest.raises(ConfigError, match=r"checkins.window_minutes: 120 minutes \(the default\)"):
        parse_service_config(raw, "service.toml", catalog)


clock_times = st.builds(time, st.integers(0, 23), st.integers(0, 59))


@settings(max_examples=300, deadline=None)
@given(
    start=clock_times,
    end=clock_times,
    at=clock_times,
    window=st.integers(15, 720),
    days=st.integers(0, 20),
)
def test_accepted_check_ins_arrive_and_stay_open_past_the_spacing(
    catalog: Catalog, start: time, end: time, at: time, window: int, days: int
) -> None:
    """What the check accepts, the bot can send: the time is one a client could choose in
    /settings, and each check-in is open longer than the wait behind another message."""
    try:
        service = _with(
            catalog,
            "checkins",
            contact_hours=f"{start:%H:%M}-{end:%H:%M}",
            time=f"{at:%H:%M}",
            window_minutes=window,
            days=list(WEEKDAYS),
        )
    except ConfigError:
        return
    checkins = service.checkins
    defaults = ScheduleDefaults(
        timezone="UTC",
        days=",".join(checkins.days),
        time=checkins.time,
        contact_hours=checkins.contact_hours,
        window=timedelta(minutes=checkins.window_minutes),
    )
    schedule = effective(ClientSchedule(agreed_on="2026-03-01"), defaults)
    assert schedule.problem() is None
    occurrence = next_checkin(schedule, START + timedelta(days=days), defaults.window)
    assert occurrence is not None
    assert occurrence.closes_at - occurrence.due_at > SPACING


@pytest.mark.parametrize(
    ("defaults", "expected"),
    [
        ({}, "en_GB"),  # English in a London service
        ({"timezone": "America/New_York"}, "en_US"),
        ({"timezone": "UTC"}, "en_GB"),  # no country: day first, as where the service is used
        ({"timezone": "America/New_York", "locale": "en_GB"}, "en_GB"),  # said outright
    ],
)
def test_the_locale_dates_are_read_in(
    catalog: Catalog, defaults: dict[str, str], expected: str
) -> None:
    raw = _example()
    raw["defaults"].update(defaults)
    service = parse_service_config(raw, "service.toml", catalog)
    settings = replace(load_settings({}, catalog=catalog), service=service)
    assert settings.policy.locale == expected


def test_a_missing_section_is_named(catalog: Catalog) -> None:
    raw = _example()
    del raw["organisation"]
    with pytest.raises(ConfigError, match=r"^service.toml: organisation: missing"):
        parse_service_config(raw, "service.toml", catalog)


def test_the_default_languages_crisis_card_is_required(catalog: Catalog) -> None:
    raw = _example()
    raw["crisis"] = {"de": raw["crisis"]["en"]}
    with pytest.raises(ConfigError, match=r"crisis.en: missing"):
        parse_service_config(raw, "service.toml", catalog)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"BOT_TOKEN": "hello"}, "BOT_TOKEN: does not look like a bot token"),
        ({"BOT_API_URL": "ftp://x"}, "BOT_API_URL: 'ftp://x' must start with http:// or https://"),
        ({"BOT_CONFIG": "/nowhere/service.toml"}, "BOT_CONFIG: cannot read /nowhere/service.toml"),
    ],
)
def test_a_wrong_environment_variable_is_named(
    catalog: Catalog, env: dict[str, str], expected: str
) -> None:
    with pytest.raises(ConfigError, match=f"^{expected}"):
        load_settings(env, catalog=catalog)


def test_run_needs_a_token(catalog: Catalog) -> None:
    with pytest.raises(ConfigError, match=r"^BOT_TOKEN: missing"):
        load_settings({}, catalog=catalog, require_token=True)


def test_a_webhook_needs_a_secret(tmp_path: Path, catalog: Catalog) -> None:
    config = tmp_path / "s.toml"
    config.write_text(
        EXAMPLE_CONFIG.read_text() + '\n[webhook]\nurl = "https://bot.example.org/tg"\n'
    )
    with pytest.raises(ConfigError, match=r"^BOT_WEBHOOK_SECRET: required"):
        load_settings({"BOT_CONFIG": str(config)}, catalog=catalog)
    ok = load_settings(
        {"BOT_CONFIG": str(config), "BOT_WEBHOOK_SECRET": "s" * 32}, catalog=catalog
    )
    assert ok.service.webhook is not None


def _between(
    args: list[str], env: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    full.update(
        {
            "BOT_DATA_DIR": str(tmp_path / "data"),
            "BOT_KEY_FILE": str(tmp_path / "keys" / "between.key"),
            **env,
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_configuration_error_stops_the_start_with_one_line(tmp_path: Path) -> None:
    config = tmp_path / "s.toml"
    config.write_text(EXAMPLE_CONFIG.read_text().replace('"Europe/London"', '"Europe/Lodnon"'))
    result = _between(
        ["run"], {"BOT_CONFIG": str(config), "BOT_TOKEN": "123456:" + "A" * 35}, tmp_path
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"between: {config}: defaults.timezone: 'Europe/Lodnon' is not a known time zone "
        "(use a name like Europe/London)"
    ]
    assert not (tmp_path / "data").exists()


def test_run_without_a_token_says_so(tmp_path: Path) -> None:
    result = _between(["run"], {}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("between: BOT_TOKEN: missing")


def test_staff_invite_prints_a_one_time_link_last(tmp_path: Path) -> None:
    result = _between(["staff", "invite", "--role", "clinician", "--name", "Dr Kim"], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    link = result.stdout.strip().splitlines()[-1]
    assert link.startswith("https://t.me/between_bot?start=s_")
    code = link.split("start=", 1)[1]
    assert len(code) <= 64 and len(code) >= 24


def test_staff_invite_rejects_a_wrong_role(tmp_path: Path) -> None:
    result = _between(["staff", "invite", "--role", "admin", "--name", "X"], {}, tmp_path)
    assert result.returncode == 2
    assert "invalid choice: 'admin'" in result.stderr


def test_the_bot_does_not_start_on_a_broken_dialog(tmp_path: Path) -> None:
    broken = Path(__file__).parent / "dialogs_broken"
    result = _between(
        ["run"],
        {"BOT_TOKEN": "123456:" + "A" * 35, "BOT_DIALOGS_DIR": str(broken)},
        tmp_path,
    )
    check = _between(["dialogs", "--dir", str(broken), "check"], {}, tmp_path)
    assert result.returncode == 2
    assert check.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert (
        lines[-1]
        == "between: fix the dialog files above (folder: BOT_DIALOGS_DIR), then start again"
    )
    assert lines[:-1] == check.stderr.strip().splitlines()[:-1]
    assert not (tmp_path / "data").exists()


def test_staff_list_and_remove(tmp_path: Path) -> None:
    import asyncio

    from bot.core.clock import SystemClock
    from bot.storage.safekeeping import open_store

    invite = _between(["staff", "invite", "--role", "peer", "--name", "Sam"], {}, tmp_path)
    code = invite.stdout.strip().splitlines()[-1].split("start=")[1]
    listed = _between(["staff", "list"], {}, tmp_path)
    assert "peer\tSam\tinvited, link valid until" in listed.stdout

    async def redeem() -> None:
        from bot.core import usecases

        data = tmp_path / "data"
        store = await open_store(data / "between.sqlite3", keys_for(tmp_path))
        from bot.core.model import hash_code

        now = SystemClock().now()
        _, sam = await usecases.redeem_staff_code(store, code, 301, 301, "en", now)
        assert sam is not None
        await store.add_client(7, 7, "Alex", "en", now)
        client_code = await usecases.create_team_invite(store, sam, now, timedelta(hours=1))
        await store.join_team(hash_code(client_code), 7, 7, "Alex", "en", now)
        await store.close()

    asyncio.run(redeem())
    listed = _between(["staff", "list"], {}, tmp_path)
    assert listed.stdout.startswith("301\tpeer\tSam\tsince ")
    assert _between(["staff", "remove", "7"], {}, tmp_path).returncode == 1  # a client: never
    removed = _between(["staff", "remove", "301"], {}, tmp_path)
    assert removed.returncode == 0
    assert removed.stdout.strip().splitlines() == [
        "Removed Sam (peer).",
        "Their 1 client(s) will be told, inside their contact hours.",
    ]
    assert "No staff accounts yet." in _between(["staff", "list"], {}, tmp_path).stdout

    async def planned() -> list[str | None]:
        data = tmp_path / "data"
        store = await open_store(data / "between.sqlite3", keys_for(tmp_path))
        try:
            assert await store.team_of(7) == []
            return [s.payload for s in await store.sends(7) if s.kind == "notice"]
        finally:
            await store.close()

    (payload,) = asyncio.run(planned())
    assert payload is not None and '"key": "team.notice_left"' in payload and "Sam" in payload


def test_deeply_nested_toml_is_one_clear_line(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "service.toml"
    path.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_service_config(path, catalog)


def test_overnight_hours_without_the_default_time_stop_start_and_doctor(tmp_path: Path) -> None:
    """Contact hours past midnight (20:00-02:00) and no time in the file: the default 18:00 is
    outside them, so nobody would ever get a check-in. `between run` refuses to start (exit 2)
    and `between doctor` fails (exit 1), each with the same one line naming both values."""
    text = EXAMPLE_CONFIG.read_text()
    assert text.count('time = "18:00"\n') == 1
    text = text.replace('time = "18:00"\n', "")  # the default check-in time, unwritten
    config = tmp_path / "service.toml"
    overnight = 'contact_hours = "20:00-02:00"'
    config.write_text(text.replace('contact_hours = "09:00-21:00"', overnight))
    line = (
        f"{config}: checkins.time: '18:00' (the default) is outside the contact hours "
        "20:00-02:00, so no check-in would ever be sent; set a time inside them"
    )
    token = "123456:" + "A" * 35
    started = _between(["run"], {"BOT_CONFIG": str(config), "BOT_TOKEN": token}, tmp_path)
    assert (started.returncode, started.stderr.splitlines()) == (2, [f"between: {line}"])
    assert not (tmp_path / "data").exists()
    checked = _between(["doctor"], {"BOT_CONFIG": str(config)}, tmp_path)
    assert checked.returncode == 1
    assert checked.stdout.splitlines() == [f"FAIL  configuration: {line}"]

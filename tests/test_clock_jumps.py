"""A clock that jumps (a year ahead, a day behind) purges nothing early, holds nothing for a day,
and leaves no plan made by the wrong time behind once it is put right."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.cli import main
from bot.core.clock import ManualClock
from bot.core.i18n import Catalog
from bot.doctor import accept_clock, doctor
from bot.standin import FakeBotAPI
from tests.conftest import Person, services, with_sam
from tests.test_delivery import agree, tick


async def test_a_clock_a_year_ahead_purges_nothing_and_its_plans_go_when_it_is_put_right(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    await agree(alex, days="mon,thu", time="18:00")
    await alex.send("A note from March")
    store = services(app).db
    right = clock.now()
    await tick(app)

    clock.set(right + timedelta(days=400))  # the clock runs a year ahead
    outcome = await tick(app)
    assert outcome["clock"] == 1
    assert [n.text for n in await store.notes(alex.id)] == ["A note from March"]
    far = [s for s in await store.sends(alex.id) if s.status == "planned" and s.kind == "checkin"]
    assert far and far[0].due_at > right + timedelta(days=399)  # planned by the wrong time

    clock.set(right + timedelta(hours=1))  # put right
    await tick(app)
    planned = [s.due_at for s in await store.sends(alex.id) if s.status == "planned"]
    assert planned and all(due < right + timedelta(days=8) for due in planned)
    assert [n.text for n in await store.notes(alex.id)] == ["A note from March"]
    # And purging goes on as before: a year later, day by day, the note goes.
    for _ in range(367):
        clock.advance(timedelta(days=1))
        await tick(app)
    assert await store.notes(alex.id) == [] or await store.get_user(alex.id) is None


async def test_a_clock_a_day_behind_holds_no_message_for_a_day(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    sam = await with_sam(app, api, alex)
    await agree(alex, days="mon,tue,wed,thu,fri,sat,sun", time="10:00")
    clock.advance(timedelta(hours=1))
    await tick(app)  # Monday's check-in goes at 10:00
    assert "How much energy" in alex.last().body
    clock.set(clock.now() - timedelta(days=1) + timedelta(hours=2))  # now a day behind
    await sam.send("/nudge")
    await sam.press("Alex")
    await sam.press("Now")
    await sam.send("Thinking of you")
    await sam.press("Send")
    await tick(app)
    assert "Thinking of you" in alex.last().body


async def test_doctor_names_the_jump_and_accept_clock_confirms_the_new_time(
    app: App, clock: ManualClock, alex: Person, catalog: Catalog
) -> None:
    await alex.send("A note")
    await tick(app)
    clock.set(clock.now() + timedelta(days=3))  # the bot was off over a long weekend
    assert (await tick(app))["clock"] == 1
    settings = services(app).settings
    env = {"BOT_DATA_DIR": str(settings.data_dir), "BOT_KEY_FILE": str(settings.key_file)}

    (line,) = [f for f in await doctor(env, catalog, clock.now()) if f.name == "clock"]
    assert line.line() == (
        "FAIL  clock: it jumped from 2026-03-02 09:00 to 2026-03-05 09:00 UTC, so nothing is "
        "purged. Set the clock right; if the new time is right (the bot was off), confirm it "
        "with: between doctor --accept-clock"
    )
    said = await accept_clock(env, catalog, clock.now())
    assert said == "clock: 2026-03-05 09:00 UTC is confirmed as the right time"
    (line,) = [f for f in await doctor(env, catalog, clock.now()) if f.name == "clock"]
    assert line.ok
    assert (await tick(app))["clock"] == 0  # the running bot purges again


def test_accept_clock_on_a_fresh_machine_confirms_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("BOT_CONFIG", "BOT_ENCRYPTION_KEY", "BOT_DIALOGS_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOT_KEY_FILE", str(tmp_path / "keys" / "between.key"))
    assert main(["doctor", "--accept-clock"]) == 0
    assert capsys.readouterr().out.startswith("clock: no database yet, nothing to confirm\n")
    assert not (tmp_path / "data").exists()

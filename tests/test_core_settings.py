"""The client's schedule as use cases, without Telegram: real SQLite, the real planner."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.core.actions import Action
from bot.core.actions.settings import (
    Agree,
    Pause,
    PauseAsk,
    PauseMessage,
    PauseOn,
    PickDays,
    PickHours,
    PickTime,
    PickZone,
    Setting,
    ShowSettings,
    TurnOff,
    TypeOther,
)
from bot.core.i18n import Catalog
from bot.core.model import User
from bot.core.planning import Planner
from bot.core.schedule_settings import (
    ScheduleSettings,
    find_zone,
    place,
    service_zones,
)
from bot.core.views import Text, View
from bot.core.waits import Wait, WaitKind, Waits
from bot.storage.store import SqliteStore
from tests.fakes import DEFAULTS

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 09:00 in London


@pytest.fixture
def use(store: SqliteStore, waits: Waits) -> ScheduleSettings:
    return ScheduleSettings(store, Planner(store, DEFAULTS), waits)


@pytest.fixture
async def alex(store: SqliteStore) -> User:
    return await store.add_client(101, 101, "Alex", "en", NOW)


@pytest.fixture
async def blair(store: SqliteStore) -> User:
    return await store.add_client(102, 102, "Blair", "en", NOW)


def words(catalog: Catalog, text: Text) -> str:
    """A text as an English reader sees it (values shown plainly)."""
    if text.words is not None:
        return text.words
    values = {
        name: words(catalog, value) if isinstance(value, Text) else value
        for name, value in text.values
    }
    return catalog.get("en", text.key, **values)


def said(catalog: Catalog, view: View) -> str:
    return "\n\n".join(words(catalog, part) for say in view.says for part in say.parts)


def buttons(view: View) -> list[Action]:
    return [choice.action for say in view.says for row in say.rows for choice in row]


async def planned(store: SqliteStore, user: User) -> list[datetime]:
    return [s.due_at for s in await store.sends(user.id) if s.status == "planned"]


async def asked(use: ScheduleSettings, waits: Waits, user: User, action: Action) -> Wait:
    """Press a button whose screen invites typing (shown as message 555); type 5 minutes later."""
    view = await use.press(user, action, NOW)
    on_sent = view.says[-1].on_sent
    assert on_sent is not None
    await on_sent(555)
    wait = await waits.take(user.id, NOW + timedelta(minutes=5))
    assert wait is not None and wait.message_id == 555
    return wait


async def test_a_typed_time_is_applied_and_said(
    use: ScheduleSettings, store: SqliteStore, waits: Waits, alex: User, catalog: Catalog
) -> None:
    await use.press(alex, Agree(first=True), NOW)
    wait = await asked(use, waits, alex, PickTime())
    assert wait.kind is WaitKind.TIME
    view = await use.typed(alex, wait, "18:30", NOW + timedelta(minutes=5))
    assert said(catalog, view) == (
        "Saved.\n"
        "Check-ins on Monday and Thursday at 18:30, London time.\n"
        "I only write first between 09:00 and 21:00.\n"
        "Next one: today at 18:30."
    )
    assert view.unbutton == (555,)  # the question's buttons go once it is answered
    own = await store.schedule(alex.id)
    assert own is not None and own.time == "18:30"
    assert await planned(store, alex) == [datetime(2026, 3, 2, 18, 30, tzinfo=UTC)]
    assert await store.notes(alex.id) == []


async def test_a_typed_city_sets_the_time_zone(
    use: ScheduleSettings, store: SqliteStore, waits: Waits, alex: User, catalog: Catalog
) -> None:
    await use.press(alex, Agree(), NOW)
    wait = await asked(use, waits, alex, PickZone())
    assert wait.kind is WaitKind.ZONE
    view = await use.typed(alex, wait, "Berlin", NOW)
    assert said(catalog, view).startswith(
        "Saved. Your time now: 10:00.\nCheck-ins on Monday and Thursday at 18:00, Berlin time."
    )
    own = await store.schedule(alex.id)
    assert own is not None and own.timezone == "Europe/Berlin"
    assert await planned(store, alex) == [datetime(2026, 3, 2, 17, 0, tzinfo=UTC)]


async def test_typed_hours_are_applied(
    use: ScheduleSettings, store: SqliteStore, waits: Waits, alex: User, catalog: Catalog
) -> None:
    wait = await asked(use, waits, alex, TypeOther(Setting.HOURS))
    assert wait.kind is WaitKind.HOURS
    view = await use.typed(alex, wait, "10-22", NOW)
    assert said(catalog, view).startswith("Saved.\nCheck-ins are off. If you start them:")
    assert "I only write first between 10:00 and 22:00." in said(catalog, view)
    own = await store.schedule(alex.id)
    assert own is not None and own.contact_hours == "10:00-22:00"


async def test_an_unreadable_time_is_refused_and_the_question_stays_open(
    use: ScheduleSettings, store: SqliteStore, waits: Waits, alex: User, catalog: Catalog
) -> None:
    wait = await asked(use, waits, alex, PickTime())
    later = NOW + timedelta(minutes=20)
    view = await use.typed(alex, wait, "25:99", later)
    assert said(catalog, view).startswith("I didn't understand that time.")
    assert view.unbutton == ()
    own = await store.schedule(alex.id)
    assert own is not None and own.time is None
    again = await waits.current(alex.id, later + timedelta(minutes=29))  # renewed from now
    assert again is not None and again.kind is WaitKind.TIME and again.message_id == 555
    view = await use.typed(alex, again, "7.30pm", later)
    own = await store.schedule(alex.id)
    assert own is not None and own.time == "19:30"


async def test_a_time_outside_the_contact_hours_is_refused_and_still_asked(
    use: ScheduleSettings, store: SqliteStore, waits: Waits, alex: User, catalog: Catalog
) -> None:
    wait = await asked(use, waits, alex, PickTime())
    view = await use.typed(alex, wait, "23:30", NOW)
    assert "23:30 is outside the hours I may write (09:00–21:00)" in said(catalog, view)
    assert await waits.current(alex.id, NOW) is not None
    own = await store.schedule(alex.id)
    assert own is not None and own.time is None


async def test_an_expired_question_captures_nothing(
    use: ScheduleSettings, store: SqliteStore, waits: Waits, alex: User
) -> None:
    await use.press(alex, PickTime(), NOW)
    assert await waits.take(alex.id, NOW + timedelta(minutes=31)) is None
    own = await store.schedule(alex.id)
    assert own is not None and own.time is None


async def test_every_screen_that_invites_typing_waits_for_it(
    use: ScheduleSettings, store: SqliteStore, waits: Waits, alex: User, catalog: Catalog
) -> None:
    await use.pause_command(alex, None, NOW)
    await use.press(alex, Pause(None), NOW)
    for action, kind in (
        (PickTime(), WaitKind.TIME),
        (PickZone(), WaitKind.ZONE),
        (PickHours(), WaitKind.HOURS),
        (TypeOther(Setting.TIME), WaitKind.TIME),
        (TypeOther(Setting.ZONE), WaitKind.ZONE),
        (TypeOther(Setting.HOURS), WaitKind.HOURS),
        (PauseMessage(write=True), WaitKind.PAUSE_MESSAGE),
        (PauseAsk(), WaitKind.PAUSE_UNTIL),
    ):
        view = await use.press(alex, action, NOW)
        assert "type" in said(catalog, view).lower()
        wait = await waits.current(alex.id, NOW)
        assert wait is not None and wait.kind is kind, action
        await waits.cancel(alex.id)


async def test_the_message_for_the_team_is_saved_and_said(
    use: ScheduleSettings, store: SqliteStore, waits: Waits, alex: User, catalog: Catalog
) -> None:
    view = await use.pause_command(alex, None, NOW)
    assert buttons(view)[:3] == [Pause(1), Pause(7), Pause(None)]
    await use.press(alex, Pause(None), NOW)
    wait = await asked(use, waits, alex, PauseMessage(write=True))
    assert wait.kind is WaitKind.PAUSE_MESSAGE
    view = await use.typed(alex, wait, "Away with family, back soon", NOW)
    assert "Away with family, back soon" in said(catalog, view)
    own = await store.schedule(alex.id)
    assert own is not None and own.paused and own.pause_message == "Away with family, back soon"
    assert await store.notes(alex.id) == []


async def test_no_message_means_none_and_resume_clears_the_pause(
    use: ScheduleSettings, store: SqliteStore, alex: User, catalog: Catalog
) -> None:
    await use.press(alex, Agree(), NOW)
    await store.set_schedule(alex.id, pause_message="from an earlier pause")
    view = await use.press(alex, Pause(7), NOW)
    assert said(catalog, view).startswith("Paused until Monday, 9 March.")
    # Check-ins resume on the day the pause ends.
    assert await planned(store, alex) == [datetime(2026, 3, 9, 18, 0, tzinfo=UTC)]
    await use.press(alex, PauseMessage(write=False), NOW)
    own = await store.schedule(alex.id)
    assert own is not None and own.paused and own.pause_message is None
    view = await use.resume(alex, NOW)
    assert said(catalog, view).startswith("Welcome back.")
    own = await store.schedule(alex.id)
    assert own is not None and not own.paused and own.paused_until is None
    assert await planned(store, alex) == [datetime(2026, 3, 2, 18, 0, tzinfo=UTC)]
    assert said(catalog, await use.resume(alex, NOW)).startswith("You're not paused.")


async def test_a_day_typed_after_pause_is_confirmed_in_words_before_it_counts(
    use: ScheduleSettings, store: SqliteStore, waits: Waits, alex: User, catalog: Catalog
) -> None:
    view = await use.pause_command(alex, "next tuesday", NOW)
    assert said(catalog, view) == "Pause until Tuesday, 3 March? Check-ins start again that day."
    assert buttons(view) == [PauseOn("2026-03-03"), PauseAsk()]
    own = await store.schedule(alex.id)
    assert own is not None and not own.paused
    await use.press(alex, PauseOn("2026-03-03"), NOW)
    own = await store.schedule(alex.id)
    assert own is not None and own.paused and own.paused_until == date(2026, 3, 3).isoformat()


async def test_a_typed_day_that_cannot_be_used_asks_again(
    use: ScheduleSettings, store: SqliteStore, waits: Waits, alex: User, catalog: Catalog
) -> None:
    wait = await asked(use, waits, alex, PauseAsk())
    assert wait.kind is WaitKind.PAUSE_UNTIL
    view = await use.typed(alex, wait, "whenever", NOW)
    assert said(catalog, view).startswith("I didn't understand that day.")
    again = await waits.take(alex.id, NOW)
    assert again is not None and again.kind is WaitKind.PAUSE_UNTIL
    view = await use.typed(alex, again, "2/3", NOW)  # today
    assert said(catalog, view).startswith("Please choose a day after today")
    again = await waits.take(alex.id, NOW)
    assert again is not None
    view = await use.typed(alex, again, "24 december", NOW)
    assert said(catalog, view).startswith("Pause until Thursday, 24 December?")
    assert view.unbutton == (555,)
    own = await store.schedule(alex.id)
    assert own is not None and not own.paused and own.pause_message is None
    assert await store.notes(alex.id) == []


async def test_the_service_locale_decides_how_numbers_are_read(
    store: SqliteStore, waits: Waits, alex: User, catalog: Catalog
) -> None:
    british = ScheduleSettings(store, Planner(store, DEFAULTS), waits, locale="en_GB")
    american = ScheduleSettings(store, Planner(store, DEFAULTS), waits, locale="en_US")
    view = await british.pause_command(alex, "8/12", NOW)
    assert said(catalog, view).startswith("Pause until Tuesday, 8 December?")
    view = await american.pause_command(alex, "8/12", NOW)
    assert said(catalog, view).startswith("Pause until Wednesday, August 12?")


async def test_the_schedule_is_said_in_the_readers_language(
    use: ScheduleSettings, store: SqliteStore, catalog: Catalog
) -> None:
    anna = await store.add_client(103, 103, "Anna", "nl", NOW)
    await use.press(anna, Agree(), NOW)
    view = await use.summary(anna, NOW)
    # The English catalog stands in for the Dutch one; the names are Anna's own.
    assert said(catalog, view).startswith(
        "Check-ins on maandag en donderdag at 18:00, Londen time."
    )


async def test_the_time_zones_offered_are_the_services_likeliest(
    use: ScheduleSettings, alex: User
) -> None:
    assert use.zones == ("Europe/London",)
    assert service_zones("Europe/Berlin") == ("Europe/Berlin",)  # Büsingen: the same clock
    assert service_zones("Europe/Madrid") == ("Europe/Madrid", "Atlantic/Canary")
    assert service_zones("America/New_York") == ("America/New_York",)  # a country of many
    assert service_zones("UTC") == ()  # only "Type a city"
    assert place("Europe/Amsterdam", "nl") == "Amsterdam"
    assert place("America/Argentina/Cordoba", "en") == "Córdoba"
    assert place("UTC", "en") is None and place("Etc/GMT-2", "en") is None
    view = await use.press(alex, PickZone(), NOW)
    assert buttons(view) == [PickZone(0), TypeOther(Setting.ZONE), ShowSettings(everything=True)]


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Berlin", "Europe/Berlin"),
        ("Berlijn", "Europe/Berlin"),
        ("Londen", "Europe/London"),
        ("Wien", "Europe/Vienna"),
        ("Nederland", "Europe/Amsterdam"),
        ("Deutschland", "Europe/Berlin"),
        ("United Kingdom", "Europe/London"),
        ("United States", None),  # many clocks: a city is needed
        ("Den Haag", None),
    ],
)
def test_places_are_found_in_the_words_people_use(typed: str, zone: str | None) -> None:
    assert find_zone(typed) == zone


async def test_a_typed_time_without_am_or_pm_is_read_inside_the_contact_hours(
    use: ScheduleSettings, store: SqliteStore, waits: Waits, alex: User
) -> None:
    for typed, expected in (("7", "19:00"), ("half acht", "19:30"), ("10", "10:00")):
        wait = await asked(use, waits, alex, PickTime())
        await use.typed(alex, wait, typed, NOW)
        own = await store.schedule(alex.id)
        assert own is not None and own.time == expected, typed
    wait = await asked(use, waits, alex, PickTime())
    await use.typed(alex, wait, "07:00", NOW)  # said outright: refused, not moved
    own = await store.schedule(alex.id)
    assert own is not None and own.time == "10:00"


async def test_turning_off_cancels_what_was_planned(
    use: ScheduleSettings, store: SqliteStore, alex: User
) -> None:
    await use.press(alex, Agree(first=True), NOW)
    assert len(await planned(store, alex)) == 1
    await use.press(alex, TurnOff(first=True), NOW)
    assert await planned(store, alex) == []
    own = await store.schedule(alex.id)
    assert own is not None and own.agreed_on is None


async def test_a_press_changes_only_the_pressers_own_schedule(
    use: ScheduleSettings, store: SqliteStore, alex: User, blair: User
) -> None:
    await use.press(alex, Agree(), NOW)
    await use.press(blair, PickDays(0), NOW)
    await use.press(blair, Pause(None), NOW)
    alex_own, blair_own = await store.schedule(alex.id), await store.schedule(blair.id)
    assert alex_own is not None and alex_own.days is None and not alex_own.paused
    assert blair_own is not None and blair_own.days == "thu" and blair_own.paused
    assert len(await planned(store, alex)) == 1


async def test_forged_presses_change_nothing(
    use: ScheduleSettings, store: SqliteStore, alex: User
) -> None:
    before = await store.schedule(alex.id)
    refused = await use.press(alex, Pause(30), NOW)  # only a day or a week are offered
    assert refused.toast is not None and not refused.says
    for day in ("2026-03-02", "2026-02-30", "tomorrow"):  # today, no such day, not a date
        assert (await use.press(alex, PauseOn(day), NOW)).toast is not None
    await use.press(alex, PickDays(9), NOW)
    await use.press(alex, PickZone(99), NOW)
    await use.press(alex, PickHours(99), NOW)
    await use.press(alex, PickTime("99.99"), NOW)
    # A message for the team only while paused.
    assert (await use.press(alex, PauseMessage(write=True), NOW)).toast is not None
    assert await store.schedule(alex.id) == before

"""The client's own schedule through Telegram: onboarding, /settings, /pause, /resume."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app import App
from bot.core.actions.settings import PickDays
from bot.core.clock import ManualClock
from bot.tg.codec import encode
from tests.conftest import Person, services


async def planned(app: App, person: Person) -> list[datetime]:
    return [s.due_at for s in await services(app).db.sends(person.id) if s.status == "planned"]


async def open_settings(person: Person) -> None:
    """A client who agreed to the proposed schedule opens /settings."""
    await person.send("/start")
    await person.press("That's fine")
    await person.send("/settings")


async def test_onboarding_proposes_a_schedule_and_the_client_decides(
    app: App, alex: Person
) -> None:
    sent = await alex.send("/start")
    proposal = sent[-1]
    assert "When may I write to you?" in proposal.body
    assert "Monday, Thursday at 18:00 (Europe/London time)" in proposal.body
    assert [label for label, _ in proposal.buttons()] == [
        "That's fine",
        "Change it",
        "Only when I ask",
        "I need help now",
    ]
    assert await planned(app, alex) == []  # nothing until the client agrees
    after = await alex.press("That's fine")
    assert proposal.body.startswith("Thank you. Your next check-in: Monday")
    assert [label for label, _ in after[-1].buttons()][-1] == "I need help now"  # the menu
    assert await planned(app, alex) == [datetime(2026, 3, 2, 18, 0, tzinfo=UTC)]


async def test_only_when_i_ask_plans_nothing(app: App, alex: Person) -> None:
    await alex.send("/start")
    await alex.press("Only when I ask")
    assert await planned(app, alex) == []
    (summary,) = await alex.send("/settings")
    assert "I don't send check-ins by myself right now" in summary.body
    await alex.press("Send check-ins")
    assert len(await planned(app, alex)) == 1


async def test_a_typed_city_sets_the_time_zone_and_moves_the_checkin(
    app: App, alex: Person
) -> None:
    await open_settings(alex)
    await alex.press("Time zone")
    await alex.press("Type another")
    sent = await alex.send("berlin")
    assert "Time zone: Europe/Berlin" in sent[-1].body
    # 18:00 in Berlin is 17:00 UTC in winter.
    assert await planned(app, alex) == [datetime(2026, 3, 2, 17, 0, tzinfo=UTC)]
    assert await services(app).db.notes(alex.id) == []


async def test_a_place_that_is_not_found_changes_nothing(app: App, alex: Person) -> None:
    await open_settings(alex)
    await alex.press("Time zone")
    await alex.press("Type another")
    sent = await alex.send("Atlantis under the sea")
    assert "I didn't find that place" in sent[-1].body and "Nothing has changed" in sent[-1].body
    own = await services(app).db.schedule(alex.id)
    assert own is not None and own.timezone is None
    assert await planned(app, alex) == [datetime(2026, 3, 2, 18, 0, tzinfo=UTC)]


async def test_a_time_outside_contact_hours_is_refused(app: App, alex: Person) -> None:
    await open_settings(alex)
    await alex.press("Time")
    labels = [label for label, _ in alex.last().buttons()]
    assert "08:00" not in labels and "10:00" in labels  # only times inside 09:00–21:00
    await alex.press("Type another")
    sent = await alex.send("23:30")
    assert "23:30 is outside the hours I may write (09:00–21:00)" in sent[-1].body
    assert await planned(app, alex) == [datetime(2026, 3, 2, 18, 0, tzinfo=UTC)]
    await alex.send("/settings")
    await alex.press("Time")
    await alex.press("Type another")
    await alex.send("7.30pm")
    assert await planned(app, alex) == [datetime(2026, 3, 2, 19, 30, tzinfo=UTC)]


async def test_days_are_toggled_and_replanned(app: App, alex: Person) -> None:
    await open_settings(alex)
    await alex.press("Days")
    await alex.press("✓ Monday")  # off
    await alex.press("Tuesday")  # on
    labels = [label for label, _ in alex.last().buttons()]
    assert "✓ Tuesday" in labels and "✓ Thursday" in labels and "Monday" in labels
    assert await planned(app, alex) == [datetime(2026, 3, 3, 18, 0, tzinfo=UTC)]


async def test_contact_hours_that_would_leave_the_checkin_outside_are_refused(
    app: App, alex: Person
) -> None:
    await open_settings(alex)
    await alex.press("Contact hours")
    await alex.press("Type another")
    sent = await alex.send("08:00-12:00")
    assert "18:00 is outside the hours I may write (08:00–12:00)" in sent[-1].body
    own = await services(app).db.schedule(alex.id)
    assert own is not None and own.contact_hours is None


async def test_every_other_week(app: App, alex: Person) -> None:
    await open_settings(alex)
    await alex.press("How often")
    sent = await alex.press("Every other week")
    assert "How often: every other week" in sent[-1].body if sent else alex.last().body
    own = await services(app).db.schedule(alex.id)
    assert own is not None and own.fewer


async def test_pause_until_a_typed_date_and_a_wrong_date(app: App, alex: Person) -> None:
    await alex.send("/start")
    await alex.press("That's fine")
    (reply,) = await alex.send("/pause next tuesday")
    assert reply.body.startswith("I didn't understand that date")
    own = await services(app).db.schedule(alex.id)
    assert own is not None and not own.paused
    sent = await alex.send("/pause 2026-03-10")
    assert sent[0].body.startswith("Paused until March 10, 2026.")
    assert await planned(app, alex) == [datetime(2026, 3, 12, 18, 0, tzinfo=UTC)]


async def test_resume_when_not_paused_says_so(alex: Person) -> None:
    await alex.send("/start")
    (reply,) = await alex.send("/resume")
    assert reply.body == "You're not paused. Your check-ins go on as planned."


async def test_settings_buttons_act_only_for_the_presser(
    app: App, alex: Person, blair: Person
) -> None:
    await alex.send("/start")
    await alex.press("That's fine")
    await blair.send("/start")
    await blair.press("Only when I ask")
    menu = blair.last()
    await blair.press_data(
        menu.message_id, encode(PickDays(0))
    )  # Blair toggles Monday: Blair's own
    alex_own = await services(app).db.schedule(alex.id)
    blair_own = await services(app).db.schedule(blair.id)
    assert alex_own is not None and alex_own.days is None
    assert blair_own is not None and blair_own.days == "thu"


async def test_a_time_typed_after_the_time_question_is_applied_and_said(
    app: App, alex: Person
) -> None:
    await open_settings(alex)
    await alex.press("Time")  # the summary becomes the question
    assert "Or type one, like 18:30" in alex.last().body
    (reply,) = await alex.send("18:30")
    assert reply.body.startswith("Saved: check-ins at 18:30.")
    assert "Time: 18:30" in reply.body
    assert await planned(app, alex) == [datetime(2026, 3, 2, 18, 30, tzinfo=UTC)]
    assert await services(app).db.notes(alex.id) == []
    assert alex.api.messages(alex.id)[-2].buttons() == []  # the answered question's buttons go


async def test_a_city_typed_after_the_zone_question_is_applied_and_said(
    app: App, alex: Person
) -> None:
    await open_settings(alex)
    await alex.press("Time zone")
    (reply,) = await alex.send("Berlin")
    assert reply.body.startswith("Saved: your time zone is Europe/Berlin.")
    assert await planned(app, alex) == [datetime(2026, 3, 2, 17, 0, tzinfo=UTC)]
    assert await services(app).db.notes(alex.id) == []


async def test_an_unreadable_time_is_refused_and_the_question_stays_open(
    app: App, alex: Person
) -> None:
    await open_settings(alex)
    await alex.press("Time")
    (reply,) = await alex.send("25:99")
    assert reply.body.startswith("I didn't understand that time.")
    (reply,) = await alex.send("19:00")
    assert reply.body.startswith("Saved: check-ins at 19:00.")
    assert await services(app).db.notes(alex.id) == []


async def test_a_message_typed_after_write_a_message_is_kept_for_the_team(
    app: App, alex: Person
) -> None:
    await alex.send("/start")
    await alex.press("That's fine")
    await alex.send("/pause")
    await alex.press("Until I resume")
    await alex.press("Write a message")
    (reply,) = await alex.send("Back on Monday")
    assert reply.body.startswith("Saved.") and "Back on Monday" in reply.body
    own = await services(app).db.schedule(alex.id)
    assert own is not None and own.pause_message == "Back on Monday"
    assert await services(app).db.notes(alex.id) == []


async def test_a_question_left_unanswered_expires_and_words_become_a_note(
    app: App, alex: Person, clock: ManualClock
) -> None:
    await open_settings(alex)
    await alex.press("Time")
    clock.advance(timedelta(minutes=31))
    (reply,) = await alex.send("18:30")
    assert reply.body.startswith("Saved. Only you can see this.")
    own = await services(app).db.schedule(alex.id)
    assert own is not None and own.time is None
    assert [note.text for note in await services(app).db.notes(alex.id)] == ["18:30"]


async def test_a_command_moves_on_from_the_question(app: App, alex: Person) -> None:
    await open_settings(alex)
    await alex.press("Time zone")
    await alex.send("/settings")
    await alex.send("Berlin")
    own = await services(app).db.schedule(alex.id)
    assert own is not None and own.timezone is None
    assert [note.text for note in await services(app).db.notes(alex.id)] == ["Berlin"]

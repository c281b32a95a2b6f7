"""The client's own schedule through Telegram: onboarding, /settings, /pause, /resume."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

from bot.app import App
from bot.core.actions.settings import PickDays
from bot.core.clock import ManualClock
from bot.standin import ChatMessage
from bot.tg.codec import encode
from tests.conftest import Person, services

# What a client never reads: time zone ids, "UTC", offsets (issue #11, point 4).
JARGON = re.compile(r"\b(?:UTC|GMT|offset)\b|[A-Z][a-z]+/[A-Z][a-z_]+")


async def planned(app: App, person: Person) -> list[datetime]:
    sends = await services(app).db.sends(person.id)
    return [s.due_at for s in sends if s.status == "planned" and s.kind != "ask"]


async def open_settings(person: Person) -> None:
    """A client who agreed to the proposed schedule opens /settings."""
    await person.send("/start")
    await person.press("That's fine")
    await person.send("/settings")


def labels(message: ChatMessage) -> list[str]:
    return [label for label, _ in message.buttons()]


def inline(message: ChatMessage) -> bool:
    return bool((message.reply_markup or {}).get("inline_keyboard"))


async def test_onboarding_proposes_a_schedule_in_words_and_the_client_decides(
    app: App, alex: Person
) -> None:
    sent = await alex.send("/start")
    proposal = sent[-1]
    assert proposal.body == (
        "May I send you a short check-in on Monday and Thursday at 18:00, London time?\n"
        "I only write first between 09:00 and 21:00."
    )
    assert labels(proposal) == ["That's fine", "Change it", "Only when I ask", "I need help now"]
    assert await planned(app, alex) == []  # nothing until the client agrees
    after = await alex.press("That's fine")
    assert proposal.body.startswith(
        "Thank you. Check-ins are on.\n"
        "Check-ins on Monday and Thursday at 18:00, London time.\n"
        "I only write first between 09:00 and 21:00.\n"
        "Next one: today at 18:00."
    )
    assert labels(after[-1])[-1] == "I need help now"  # the menu
    assert await planned(app, alex) == [datetime(2026, 3, 2, 18, 0, tzinfo=UTC)]


async def test_change_it_shows_the_proposal_and_what_can_change(app: App, alex: Person) -> None:
    await alex.send("/start")
    await alex.press("Change it")
    screen = alex.last()
    # Still a proposal: said as what it will be, not as check-ins that are off.
    assert screen.body.startswith(
        "Your check-ins will be on Monday and Thursday at 18:00, London time.\n"
        "I only write first between 09:00 and 21:00."
    )
    assert "off" not in screen.body
    assert labels(screen) == [
        "Start check-ins", "Days", "Time", "Time zone", "Contact hours", "How often",
    ]  # fmt: skip
    await alex.press("Time")
    await alex.press("20:00")
    assert alex.last().body.startswith(
        "Saved.\nYour check-ins will be on Monday and Thursday at 20:00, London time."
    )
    assert await planned(app, alex) == []
    sent = await alex.press("Start check-ins")
    assert "Check-ins on Monday and Thursday at 20:00, London time." in screen.body
    assert labels(sent[-1])[-1] == "I need help now"  # the menu follows, as after "That's fine"
    assert await planned(app, alex) == [datetime(2026, 3, 2, 20, 0, tzinfo=UTC)]


async def test_while_the_proposal_is_open_every_settings_screen_says_what_will_be(
    app: App, alex: Person
) -> None:
    """Onboarding: "Change it" opens the schedule being changed, never "Check-ins are off"
    (a client who said "Only when I ask" is told that they are: see the test below)."""
    await alex.send("/start")
    await alex.press("Change it")
    await alex.press("Days")
    assert alex.last().body.startswith(
        "Your check-ins will be on Monday and Thursday at 18:00, London time."
    )
    await alex.press("Wednesday")
    assert alex.last().body.startswith(
        "Your check-ins will be on Monday, Wednesday and Thursday at 18:00, London time."
    )
    assert await planned(app, alex) == []  # still only a proposal: nothing is sent unasked


async def test_client_who_never_agreed_turns_check_ins_on_with_one_tap(
    app: App, alex: Person
) -> None:
    await alex.send("/start")  # the proposal is left unanswered
    (summary,) = await alex.send("/settings")
    assert summary.body == (
        "Your check-ins will be on Monday and Thursday at 18:00, London time.\n"
        "I only write first between 09:00 and 21:00."
    )
    assert labels(summary) == ["Start check-ins", "Change something", "🌐 Language"]
    await alex.press("Start check-ins")
    assert summary.body.startswith("Thank you. Check-ins are on.")
    assert "Next one: today at 18:00." in summary.body
    assert await planned(app, alex) == [datetime(2026, 3, 2, 18, 0, tzinfo=UTC)]


async def test_only_when_i_ask_plans_nothing(app: App, alex: Person) -> None:
    await alex.send("/start")
    await alex.press("Only when I ask")
    assert await planned(app, alex) == []
    (summary,) = await alex.send("/settings")
    assert summary.body.startswith("Check-ins are off. If you start them:")  # not a proposal
    await alex.press("Start check-ins")
    assert len(await planned(app, alex)) == 1


async def test_client_changes_time_and_hears_the_schedule(app: App, alex: Person) -> None:
    await open_settings(alex)
    await alex.press("Time")
    question = alex.last()
    assert question.body.endswith("What time? Or type one, like 18:30.")
    assert labels(question) == ["10:00", "14:00", "18:00", "20:00", "Type another", "Back"]
    (reply,) = await alex.send("18:30")
    assert reply.body == (
        "Saved.\n"
        "Check-ins on Monday and Thursday at 18:30, London time.\n"
        "I only write first between 09:00 and 21:00.\n"
        "Next one: today at 18:30."
    )
    assert question.buttons() == []  # the answered question's buttons go
    assert await planned(app, alex) == [datetime(2026, 3, 2, 18, 30, tzinfo=UTC)]
    assert await services(app).db.notes(alex.id) == []
    await alex.press("Time")
    await alex.press("10:00")
    assert alex.last().body.startswith(
        "Saved.\nCheck-ins on Monday and Thursday at 10:00, London time."
    )


async def test_every_change_is_said_as_the_resulting_schedule(app: App, alex: Person) -> None:
    await open_settings(alex)
    screen = alex.last()
    await alex.press("Days")
    await alex.press("✓ Monday")  # off: the screen says the schedule it leaves
    assert screen.body.startswith("Check-ins on Thursday at 18:00, London time.")
    await alex.press("Friday to Sunday")
    await alex.press("Saturday")
    assert screen.body.startswith("Check-ins on Thursday and Saturday at 18:00, London time.")
    await alex.press("Back")
    await alex.press("Contact hours")
    await alex.press("10:00–22:00")
    assert screen.body.startswith("Saved.\nCheck-ins on Thursday and Saturday at 18:00")
    assert "I only write first between 10:00 and 22:00." in screen.body
    await alex.press("How often")
    await alex.press("Every other week")
    assert screen.body.startswith(
        "Saved.\nCheck-ins every other week, on Thursday and Saturday at 18:00, London time."
    )
    await alex.press("Days")
    await alex.press("Friday to Sunday")
    await alex.press("Friday")
    await alex.press("✓ Saturday")
    await alex.press("Monday to Thursday")
    for day in ("Monday", "Tuesday", "Wednesday"):
        await alex.press(day)
    assert screen.body.startswith("Check-ins every other week, on weekdays at 18:00")


async def test_no_settings_screen_has_more_than_six_choices(app: App, alex: Person) -> None:
    """Walk every screen of /settings and /pause, from check-ins off, on and paused: every
    path of presses is replayed from the same starting point."""
    db = services(app).db
    shown: set[tuple[str, ...]] = set()
    expanded: set[tuple[str, ...]] = set()

    def screen() -> ChatMessage | None:
        """The newest message with buttons to press (not the main menu's keyboard)."""
        return next((m for m in reversed(alex.api.messages(alex.id)) if inline(m)), None)

    async def walk(
        opener: str, start: dict[str, object], depth: int, path: tuple[str, ...] = ()
    ) -> None:
        await db.set_schedule(alex.id, **start)
        await db.set_language(alex.id, "en")  # a walk may have chosen another language
        await alex.send(opener)
        for data in path:
            shown_now = screen()
            assert shown_now is not None
            await alex.press_data(shown_now.message_id, data)
        for message in alex.api.messages(alex.id)[-3:]:  # what the last step sent or edited
            assert len(message.buttons()) <= 6, labels(message)
            assert not JARGON.search(message.body), message.body
        now = screen()
        if now is None:
            return
        shown.add(tuple(labels(now)))
        key = (opener, str(start), *(label.removeprefix("✓ ") for label in labels(now)))
        if len(path) == depth or key in expanded:
            return
        expanded.add(key)
        for _, data in now.buttons():
            await walk(opener, start, depth, (*path, data))

    sent = await alex.send("/start")
    assert len(sent[-1].buttons()) <= 6
    own = await db.schedule(alex.id)
    assert own is not None
    never_agreed = asdict(own)
    # Screens below the first ones are the same whether check-ins are on or off.
    await walk("/settings", never_agreed, depth=2)
    on = {**never_agreed, "agreed_on": "2026-03-02"}
    await walk("/settings", on, depth=3)
    await walk("/pause", on, depth=2)
    await walk("/settings", {**on, "paused": True, "paused_until": "2026-03-09"}, depth=1)
    for expected in (
        ("Start check-ins", "Change something", "🌐 Language"),
        ("Start check-ins", "Days", "Time", "Time zone", "Contact hours", "How often"),
        ("Days", "Time", "Time zone", "Contact hours", "How often", "🌐 Language"),
        ("Every chosen day", "Every other week", "Stop sending check-ins", "Back"),
        ("English", "Deutsch", "Nederlands", "Back"),
        ("Friday", "Saturday", "Sunday", "Monday to Thursday", "Back"),
        ("London", "Type a city", "Back"),
    ):
        assert expected in shown


async def test_time_zones_are_place_names(app: App, alex: Person) -> None:
    await open_settings(alex)
    await alex.press("Time zone")
    question = alex.last()
    assert question.body.endswith("Where are you? Tap a place, or type a city, like Berlin.")
    assert labels(question) == ["London", "Type a city", "Back"]
    (reply,) = await alex.send("berlin")
    assert reply.body.startswith(
        "Saved. Your time now: 10:00.\nCheck-ins on Monday and Thursday at 18:00, Berlin time."
    )
    # 18:00 in Berlin is 17:00 UTC in winter.
    assert await planned(app, alex) == [datetime(2026, 3, 2, 17, 0, tzinfo=UTC)]
    await alex.press("Time zone")
    await alex.press("London")
    assert alex.last().body.startswith("Saved. Your time now: 09:00.\nCheck-ins on Monday")
    # A zone that is only a clock (someone typed "+2") is never shown as "UTC+2" or an id.
    await alex.press("Time zone")
    await alex.send("+2")
    assert "Check-ins on Monday and Thursday at 18:00, by your clock (it shows 11:00 now)." in (
        alex.last().body
    )
    assert not any(JARGON.search(body) for body in alex.texts())
    assert await services(app).db.notes(alex.id) == []


async def test_a_place_that_is_not_found_changes_nothing(app: App, alex: Person) -> None:
    await open_settings(alex)
    await alex.press("Time zone")
    await alex.press("Type a city")
    assert alex.last().body.endswith("Type a city near you, like Berlin.")
    sent = await alex.send("Atlantis under the sea")
    assert sent[-1].body == (
        "I didn't find that place. Try a bigger city nearby, or your country. Nothing has changed."
    )
    own = await services(app).db.schedule(alex.id)
    assert own is not None and own.timezone is None
    assert await planned(app, alex) == [datetime(2026, 3, 2, 18, 0, tzinfo=UTC)]
    await alex.send("Amsterdam")  # the question is still open
    own = await services(app).db.schedule(alex.id)
    assert own is not None and own.timezone == "Europe/Amsterdam"


async def test_anna_names_her_place_in_dutch(app: App, alex: Person) -> None:
    await open_settings(alex)
    await alex.press("Time zone")
    (reply,) = await alex.send("Den Haag")  # no time zone is named after it
    assert reply.body.startswith("I didn't find that place.")
    (reply,) = await alex.send("Nederland")  # one country, one clock
    assert "Check-ins on Monday and Thursday at 18:00, Amsterdam time." in reply.body
    await alex.press("Time zone")
    await alex.send("Keulen")  # Cologne: no zone's city in any language; asked again
    (reply,) = await alex.send("Berlijn")
    assert "at 18:00, Berlin time." in reply.body
    own = await services(app).db.schedule(alex.id)
    assert own is not None and own.timezone == "Europe/Berlin"


async def test_a_time_outside_contact_hours_is_refused(app: App, alex: Person) -> None:
    await open_settings(alex)
    await alex.press("Time")
    assert "08:00" not in labels(alex.last())  # only times inside 09:00–21:00
    await alex.press("Type another")
    sent = await alex.send("23:30")
    assert "23:30 is outside the hours I may write (09:00–21:00)" in sent[-1].body
    assert await planned(app, alex) == [datetime(2026, 3, 2, 18, 0, tzinfo=UTC)]
    await alex.send("/settings")
    await alex.press("Time")
    await alex.press("Type another")
    await alex.send("7.30pm")
    assert await planned(app, alex) == [datetime(2026, 3, 2, 19, 30, tzinfo=UTC)]


async def test_half_seven_typed_the_dutch_way_is_the_evening(app: App, alex: Person) -> None:
    await open_settings(alex)
    await alex.press("Time")
    (reply,) = await alex.send("half zeven")  # 6:30; only 18:30 is inside the hours
    assert reply.body.startswith("Saved.\nCheck-ins on Monday and Thursday at 18:30")


async def test_days_are_toggled_and_replanned(app: App, alex: Person) -> None:
    await open_settings(alex)
    await alex.press("Days")
    await alex.press("✓ Monday")  # off
    await alex.press("Tuesday")  # on
    assert labels(alex.last()) == [
        "Monday", "✓ Tuesday", "Wednesday", "✓ Thursday", "Friday to Sunday", "Back",
    ]  # fmt: skip
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


async def test_client_pauses_until_24_12(app: App, alex: Person) -> None:
    await alex.send("/start")
    await alex.press("That's fine")
    (question,) = await alex.send("/pause 24/12")
    assert question.body == "Pause until Thursday, 24 December? Check-ins start again that day."
    assert labels(question) == ["Yes", "Another day"]
    own = await services(app).db.schedule(alex.id)
    assert own is not None and not own.paused  # nothing counts before "Yes"
    sent = await alex.press("Yes")
    assert question.body == "Paused until Thursday, 24 December. /resume starts again any time."
    assert sent[-1].body.startswith("Would you like to leave a short message for your team?")
    own = await services(app).db.schedule(alex.id)
    assert own is not None and own.paused and own.paused_until == "2026-12-24"
    assert await planned(app, alex) == [datetime(2026, 12, 24, 18, 0, tzinfo=UTC)]
    (summary,) = await alex.send("/settings")
    assert "Paused until Thursday, 24 December." in summary.body


async def test_client_pauses_until_a_day_typed_in_words(app: App, alex: Person) -> None:
    await alex.send("/start")
    await alex.press("That's fine")
    await alex.send("/pause")
    assert "Until a day I choose" in labels(alex.last())
    await alex.press("Until a day I choose")
    assert alex.last().body == "Until which day? Type it, like 24/12 or Friday."
    (reply,) = await alex.send("someday soon")
    assert reply.body.startswith("I didn't understand that day.")
    (reply,) = await alex.send("today")
    assert reply.body.startswith("Please choose a day after today")
    (question,) = await alex.send("friday")
    assert question.body.startswith("Pause until Friday, 6 March?")
    await alex.press("Another day")
    (question,) = await alex.send("next tuesday")
    assert question.body.startswith("Pause until Tuesday, 3 March?")
    await alex.press("Yes")
    own = await services(app).db.schedule(alex.id)
    assert own is not None and own.paused_until == "2026-03-03"
    assert await services(app).db.notes(alex.id) == []  # typed days are answers, not notes
    assert await planned(app, alex) == [datetime(2026, 3, 5, 18, 0, tzinfo=UTC)]


async def test_a_day_that_cannot_be_read_after_pause_asks_for_one(app: App, alex: Person) -> None:
    await alex.send("/start")
    await alex.press("That's fine")
    (reply,) = await alex.send("/pause when I feel better")
    assert reply.body == (
        "I didn't understand that day. Type one like 24/12 or Friday. Nothing has changed."
    )
    own = await services(app).db.schedule(alex.id)
    assert own is not None and not own.paused
    (question,) = await alex.send("2026-03-10")
    assert question.body.startswith("Pause until Tuesday, 10 March?")
    await alex.press("Yes")
    assert await planned(app, alex) == [datetime(2026, 3, 12, 18, 0, tzinfo=UTC)]


async def test_a_confirmation_left_until_its_day_has_passed_changes_nothing(
    app: App, alex: Person, clock: ManualClock
) -> None:
    await alex.send("/start")
    await alex.press("That's fine")
    await alex.send("/pause tomorrow")
    clock.advance(timedelta(days=2))
    await alex.press("Yes")
    own = await services(app).db.schedule(alex.id)
    assert own is not None and not own.paused


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
    await blair.press_data(menu.message_id, encode(PickDays(0)))  # Blair's own Monday
    alex_own = await services(app).db.schedule(alex.id)
    blair_own = await services(app).db.schedule(blair.id)
    assert alex_own is not None and alex_own.days is None
    assert blair_own is not None and blair_own.days == "thu"


async def test_an_unreadable_time_is_refused_and_the_question_stays_open(
    app: App, alex: Person
) -> None:
    await open_settings(alex)
    await alex.press("Time")
    (reply,) = await alex.send("25:99")
    assert reply.body.startswith("I didn't understand that time.")
    (reply,) = await alex.send("19:00")
    assert reply.body.startswith("Saved.\nCheck-ins on Monday and Thursday at 19:00")
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

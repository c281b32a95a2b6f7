"""The meeting as a real thing (issue 22, point 3): a day, a time and a place (or a video link)
typed in one message or a step at a time, read back in words before it counts; proposed by
anyone in the team, confirmed by the client in one tap; and on the day one reminder for each
invited person, inside that person's own hours, with the client's record a tap away."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app import App
from bot.core.actions.settings import Agree
from bot.standin import ChatMessage, FakeBotAPI
from tests.conftest import ManualClock, Person, join, link_code, make_staff, services
from tests.test_team import _press_action, _tick_until

HALF_HOUR = timedelta(minutes=30)  # the hours here begin on the hour: a step lands on each


def _labels(message: ChatMessage) -> list[str]:
    return [label for label, _ in message.buttons()]


async def _team(app: App, api: FakeBotAPI, alex: Person) -> tuple[Person, Person, Person]:
    """Alex agreed that the bot may write first, with hours from 11:00 to 20:00; Dr Kim and
    Sam are in Alex's team (no hours of their own: the service's 09:00 to 21:00), and Jo,
    someone close to Alex."""
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    sam = await make_staff(app, api, 301, "Sam", "peer")
    await alex.send("/start")
    await _press_action(alex, Agree(first=True))
    await services(app).db.set_schedule(alex.id, contact_hours="11:00-20:00")
    await join(kim, alex)
    await join(sam, alex)
    await alex.send("/team")
    code = link_code(await alex.press("Invite someone close to me"))
    jo = Person(app, api, 401, "Jo")
    await jo.send(f"/start {code}")
    await jo.press("Accept")
    return kim, sam, jo


def _now_shown(person: Person, message: ChatMessage) -> ChatMessage:
    """``message`` as it reads now (after an edit)."""
    return next(m for m in person.api.messages(person.id) if m.message_id == message.message_id)


def _reminders(person: Person) -> list[tuple[str, ChatMessage]]:
    """Each reminder ``person`` got, with the time on the clock of its arrival."""
    return [
        (datetime.fromtimestamp(message.date, UTC).strftime("%a %d %H:%M"), message)
        for message in person.api.messages(person.id)
        if message.body.startswith("A reminder:")
    ]


async def test_a_proposed_meeting_is_confirmed_and_each_invited_person_reminded_in_their_hours(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    kim, sam, jo = await _team(app, api, alex)
    await kim.send("/clients")
    await kim.press("Alex")
    (ask,) = await kim.press("Propose a meeting date to Alex")
    assert "the time and place if you know them" in ask.body
    (check,) = await kim.send("12/3 14:00 Maple Centre, room 2")
    assert check.body == (
        "Propose Thursday, 12 March 2026 at 14:00 (Maple Centre, room 2) to Alex for the next "
        "network meeting?"
    )
    assert _labels(check) == ["Propose it to Alex", "Another date"]
    await kim.press("Propose it to Alex")
    assert api.messages(kim.id)[-1].body.startswith(
        "Proposed to Alex: Thursday, 12 March 2026 at 14:00 (Maple Centre, room 2)."
    )
    # Until Alex answers, it is "proposed" wherever the team looks.
    (clients,) = await sam.send("/clients")
    assert "Thursday, 12 March 2026 at 14:00 (Maple Centre, room 2) proposed" in clients.body
    assert await _tick_until(
        app, clock, alex, "Dr Kim (clinician) proposes", days=1, step=HALF_HOUR
    )
    (offer,) = [m for m in api.messages(alex.id) if m.body.startswith("Dr Kim (clinician) prop")]
    assert "Thursday, 12 March 2026 at 14:00 (Maple Centre, room 2)" in offer.body
    assert _labels(offer) == ["That works", "Another day"]
    sam_before = len(api.messages(sam.id))
    await alex.press("That works")
    confirmed = _now_shown(alex, offer)
    assert confirmed.body.startswith(
        "Thank you. Your next network meeting is on Thursday, 12 March 2026 at 14:00 "
        "(Maple Centre, room 2). I told Dr Kim and Sam."
    )
    # The truth about reminders: Alex, Dr Kim and Sam; Jo is told by Alex, if Alex wants.
    assert confirmed.body.endswith("On the day, I'll remind you and Dr Kim and Sam.")
    (told,) = api.messages(sam.id)[sam_before:]
    assert told.body == (
        "Alex set the date of their next network meeting: Thursday, 12 March 2026 at 14:00 "
        "(Maple Centre, room 2)."
    )
    (team,) = await alex.send("/team")
    assert "Your next network meeting: Thursday, 12 March 2026 at 14:00 (Maple Centre" in team.body

    # On the day: each one reminder, at the start of their own hours, none before.
    assert await _tick_until(app, clock, alex, "A reminder:", days=11, step=HALF_HOUR)
    assert [when for when, _ in _reminders(kim)] == ["Thu 12 09:00"]
    assert [when for when, _ in _reminders(sam)] == ["Thu 12 09:00"]
    assert [when for when, _ in _reminders(alex)] == ["Thu 12 11:00"]
    (_, own), (_, kims) = _reminders(alex)[0], _reminders(kim)[0]
    assert own.body == (
        "A reminder: your network meeting is today, Thursday, 12 March 2026 at 14:00 "
        "(Maple Centre, room 2)."
    )
    assert _labels(own) == ["Get ready now", "My last 4 weeks, as a PDF"]
    assert kims.body == (
        "A reminder: Alex's network meeting is today, Thursday, 12 March 2026 at 14:00 "
        "(Maple Centre, room 2)."
    )
    assert _labels(kims) == ["Alex's page"]
    assert _reminders(jo) == []
    # Never twice: the rest of the day brings nothing more.
    assert not await _tick_until(app, clock, kim, "never", days=1, step=HALF_HOUR)
    assert len(_reminders(kim)) == len(_reminders(alex)) == 1

    # The record is a tap away, and the reminder stays as it was.
    sent = await alex.press_data(own.message_id, own.buttons()[1][1])
    (made,) = [message for message in sent if message.document is not None]
    assert made.document is not None and made.document["file_name"].endswith(".pdf")
    kept = next(m for m in api.messages(alex.id) if m.message_id == own.message_id)
    assert kept.body == own.body


async def test_a_client_types_the_day_then_the_time_and_place_and_is_told_who_will_be_reminded(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    kim, _, _ = await _team(app, api, alex)
    await alex.send("/team")
    (ask,) = await alex.press("Set the meeting date")
    assert "You can add the time and place" in ask.body
    (check,) = await alex.send("friday")
    assert check.body.startswith("Is your next network meeting on Friday, 6 March 2026?")
    assert "If you know the time and place, type them now" in check.body
    # The time and place typed next join the day read back; the older question loses its buttons.
    (again,) = await alex.send("10:00 https://meet.example/alex-network")
    assert again.body.startswith(
        "Is your next network meeting on Friday, 6 March 2026 at 10:00 "
        "(https://meet.example/alex-network)?"
    )
    assert _now_shown(alex, check).buttons() == []
    kim_before = len(api.messages(kim.id))
    await alex.press("Yes, save it")
    saved = _now_shown(alex, again)
    assert saved.body.startswith(
        "Saved: your next network meeting is on Friday, 6 March 2026 at 10:00 "
        "(https://meet.example/alex-network)."
    )
    # Alex's hours begin at 11:00, after the meeting: no reminder can reach Alex in them, and
    # Alex is not promised one.
    assert saved.body.endswith("On the day, I'll remind Dr Kim and Sam.")
    (told,) = api.messages(kim.id)[kim_before:]
    assert "Friday, 6 March 2026 at 10:00 (https://meet.example/alex-network)" in told.body
    assert await _tick_until(app, clock, kim, "A reminder:", days=5, step=HALF_HOUR)
    assert [when for when, _ in _reminders(kim)] == ["Fri 06 09:00"]
    assert not await _tick_until(app, clock, alex, "A reminder:", days=1, step=HALF_HOUR)


async def test_a_moved_meeting_is_reminded_once_and_an_older_read_back_confirms_nothing(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    kim, _, _ = await _team(app, api, alex)
    await alex.send("/team")
    await alex.press("Set the meeting date")
    (first,) = await alex.send("10/3 15:00 Maple Centre")
    old_yes = first.buttons()[0][1]
    (second,) = await alex.send("10/3 16:00 Oak House")
    await alex.press_data(second.message_id, second.buttons()[0][1])
    meeting = await services(app).db.meeting(alex.id)
    assert meeting is not None and meeting.place == "Oak House"
    # The first read-back was replaced by what Alex typed next: its button changes nothing.
    update = api.press(alex.id, first.message_id, old_yes)
    await alex.feed(update)
    assert api.callback_answers[update["callback_query"]["id"]]["text"] == (
        "This button is no longer active. Nothing has changed."
    )
    assert await services(app).db.meeting(alex.id) == meeting
    # Moved to the day after: the reminder of the first day is taken back.
    await alex.send("/team")
    await alex.press("Set the meeting date")
    await alex.send("11/3 16:00 Oak House")
    await alex.press("Yes, save it")
    assert await _tick_until(app, clock, kim, "A reminder:", days=10, step=HALF_HOUR)
    assert [when for when, _ in _reminders(kim)] == ["Wed 11 09:00"]
    assert not await _tick_until(app, clock, kim, "never", days=2, step=HALF_HOUR)
    assert len(_reminders(kim)) == 1


async def test_someone_close_who_proposed_the_meeting_is_reminded_too(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    _, _, jo = await _team(app, api, alex)
    await jo.send("/clients")
    await jo.press("Alex")
    await jo.press("Propose a meeting date to Alex")
    (check,) = await jo.send("13/3 at 2pm, at home")
    assert "Friday, 13 March 2026 at 14:00 (home)" in check.body
    await jo.press("Propose it to Alex")
    assert await _tick_until(app, clock, alex, "Jo (", days=1, step=HALF_HOUR)
    (offer,) = [m for m in api.messages(alex.id) if m.body.startswith("Jo (")]
    await alex.press("That works")
    confirmed = _now_shown(alex, offer)
    assert confirmed.body.endswith("On the day, I'll remind you and Dr Kim, Sam and Jo.")
    assert await _tick_until(app, clock, jo, "A reminder:", days=12, step=HALF_HOUR)
    assert [when for when, _ in _reminders(jo)] == ["Fri 13 09:00"]


async def test_reminders_keep_to_the_button_limit_and_someone_who_left_the_team_gets_none(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    kim, sam, _ = await _team(app, api, alex)
    await alex.send("/team")
    await alex.press("Set the meeting date")
    await alex.send("12/3 14:00")
    await alex.press("Yes, save it")
    # Sam leaves Alex's team before the day: Sam's reminder is not sent.
    await alex.send("/team")
    await alex.press("Sam")
    await alex.press("Remove Sam")
    await alex.press("Remove Sam")
    assert await _tick_until(app, clock, alex, "A reminder:", days=11, step=HALF_HOUR)
    assert _reminders(sam) == []
    for person in (alex, kim):
        for _, reminder in _reminders(person):
            assert len(reminder.buttons()) <= 6

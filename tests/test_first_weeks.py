"""A person's first weeks, as people really use the bot: they answer only the newest message,
open links late or twice, and type instead of tapping."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.core.clock import ManualClock
from bot.core.model import Role
from bot.standin import ChatMessage, FakeBotAPI
from tests.conftest import START, Person, link_code, make_staff, services, with_sam
from tests.test_delivery import checkins_received, run_until


def decisions(messages: list[ChatMessage]) -> list[str]:
    """The messages among ``messages`` that carry buttons (open decisions)."""
    return [m.body for m in messages if m.buttons()]


async def test_client_joining_by_qr_answers_only_the_newest_and_gets_a_checkin(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    code = link_code(await kim.send("/invite"))
    opened = await alex.send(f"/start {code}")
    # What the bot is, then one question: the invite, newest.
    assert "not an emergency service" in opened[0].body
    assert decisions(opened) == [opened[-1].body]
    assert opened[-1].body.startswith("Dr Kim (clinician")
    accepted = await alex.press("Accept Dr Kim")
    # The next question is when the bot may write; it is the only one open, and the newest.
    assert decisions(accepted) == [accepted[-1].body]
    assert "check-in on Monday and Thursday at 18:00" in accepted[-1].body
    await alex.press("That's fine")
    await run_until(app, clock, clock.now() + timedelta(days=4), timedelta(minutes=30))
    # Monday and Thursday: two check-ins came by themselves (each closed later, unanswered).
    assert checkins_received(api, alex.id) == 2


async def test_a_used_link_makes_nobody_a_client(app: App, api: FakeBotAPI, alex: Person) -> None:
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    code = link_code(await kim.send("/invite"))
    await join_with(alex, code, "Accept Dr Kim")
    jo = Person(app, api, 401, "Jo")
    (reply,) = await jo.send(f"/start {code}")
    assert reply.body.startswith("This link doesn't work any more")
    assert reply.buttons() == []
    assert await services(app).db.get_user(jo.id) is None


async def join_with(person: Person, code: str, label: str) -> None:
    await person.send(f"/start {code}")
    await person.press(label)


async def test_someone_close_who_typed_help_first_becomes_someone_close(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    await alex.send("/start")
    await alex.send("/team")
    code = link_code(await alex.press("Invite someone close to me"))
    jo = Person(app, api, 401, "Jo")
    await jo.send("/help")  # before the link: Jo is taken for a client for now
    await jo.send("/settings")
    await jo.press("Start check-ins")  # and even agrees to check-ins
    await join_with(jo, code, "Accept")
    user = await services(app).db.get_user(jo.id)
    assert user is not None and user.role is Role.NETWORK
    # No check-ins for someone close: none planned, none arrive, none on request.
    await run_until(app, clock, clock.now() + timedelta(days=4), timedelta(hours=1))
    assert checkins_received(api, jo.id) == 0
    (reply,) = await jo.send("/checkin")
    assert "isn't available for your account" in reply.body


async def test_someone_close_typing_a_worry_is_told_it_was_kept(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    await alex.send("/start")
    await alex.send("/team")
    code = link_code(await alex.press("Invite someone close to me"))
    jo = Person(app, api, 401, "Jo")
    await join_with(jo, code, "Accept")
    reply, offer = await jo.send("I'm worried about Alex, he didn't sleep")
    assert reply.body.startswith("I kept this as your own note. Only you can see it.")
    assert offer.body.startswith("Would you like Alex to read this? Alex reads it first.")
    notes = await services(app).db.notes(jo.id)
    assert [n.text for n in notes] == ["I'm worried about Alex, he didn't sleep"]


async def test_a_staff_link_makes_staff_of_someone_who_typed_start_first(
    app: App, api: FakeBotAPI, clock: ManualClock
) -> None:
    from bot.core import usecases

    kim = Person(app, api, 201, "Kim")
    await kim.send("/start")  # a client for now
    code = await usecases.create_staff_invite(
        services(app).db, Role.CLINICIAN, "Dr Kim", clock.now(), timedelta(hours=1)
    )
    sent = await kim.send(f"/start {code}")
    assert sent[0].body.startswith("Welcome, Dr Kim.")
    user = await services(app).db.get_user(kim.id)
    assert user is not None and user.role is Role.CLINICIAN


async def test_words_of_crisis_in_a_note_get_the_card_and_a_named_person(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    await with_sam(app, api, alex)
    card, kept = await alex.send("I want to kill myself")
    assert "private note" in kept.body and kept.buttons() == []
    assert "116 123" in card.body
    assert [label for label, _ in card.buttons()] == ["Ask Sam to get in touch", "Write my plan"]
    preview = await alex.press("Ask Sam to get in touch")
    assert "Sam" in preview[-1].body


async def test_words_of_crisis_inside_a_checkin_show_the_card_first_and_the_checkin_waits(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    await with_sam(app, api, alex)
    await alex.send("/checkin")
    asked = await alex.press("Some")
    question = asked[-1].body
    (card,) = await alex.send("I don't want to be here anymore")
    assert "116 123" in card.body
    assert [label for label, _ in card.buttons()] == [
        "Ask Sam to get in touch",
        "Write my plan",
        "Go on with the check-in",
        "Stop here",
    ]
    # The question it interrupted lost its buttons: the card is the one open decision.
    assert [m for m in api.messages(alex.id) if m.buttons()][-1].body == card.body
    resumed = await alex.press("Go on with the check-in")
    assert resumed[-1].buttons() and resumed[-1].body != question
    assert resumed[-1].body != card.body


async def test_stop_here_under_the_card_ends_the_checkin_and_keeps_the_answer(
    app: App, alex: Person
) -> None:
    await alex.send("/start")
    await alex.send("/checkin")
    await alex.press("Some")
    await alex.send("I can't go on")
    (ended,) = await alex.press("Stop here")
    assert ended.buttons() == [] or "Share" not in ended.body
    record = await services(app).db.recent_checkins(alex.id, 1)
    assert record[0].status != "open"
    assert [a.step_id for a in record[0].answers] == ["mood"]


async def test_menu_opens_the_main_menu(alex: Person) -> None:
    await alex.send("/start")
    (reply,) = await alex.send("/menu")
    assert reply.body == "What would you like to do?"
    assert "I need help now" in [label for label, _ in reply.buttons()]


async def test_the_crisis_card_fits_however_long_the_plan(app: App, alex: Person) -> None:
    await alex.send("/start")
    # Three parts of 4,500 characters, as a release without the 1,000-character limit kept.
    db = services(app).db
    for part in ("contacts", "helps", "avoid"):
        await db.set_plan_part(alex.id, part, "word " * 900, START)
    sent = await alex.send("/helpnow")
    assert len(sent) >= 2
    assert all(len(m.body) <= 4096 for m in sent)
    assert "116 123" in sent[0].body
    assert sent[-1].buttons()  # "Change my plan" under the last part


async def test_staff_see_the_card_without_a_plan_of_their_own(app: App, api: FakeBotAPI) -> None:
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    (card,) = await kim.send("/helpnow")
    assert "116 123" in card.body
    assert "Your own plan" not in card.body and card.buttons() == []


async def test_mydata_lists_every_kind_of_thing_kept_and_sends_a_readable_file(
    app: App, alex: Person
) -> None:
    await alex.send("/start")
    await alex.press("That's fine")
    await alex.send("Slept badly again")
    listed, readable, data = await alex.send("/mydata")
    assert listed.body.startswith("Here is what I keep about you:")
    assert "• Private notes: 1, the newest from 2 March 2026" in listed.body
    assert "• Check-ins: none" in listed.body
    assert "• When I may write to you: agreed on 2 March 2026" in listed.body
    assert "The two files below hold all of it" in listed.body
    assert readable.document is not None and data.document is not None
    assert readable.document["file_name"] == "between-my-data.txt"
    assert b"Slept badly again" in readable.document["content"]
    assert data.document["file_name"] == "between-my-data.json"


async def test_client_who_needs_to_talk_asks_sam_and_the_checkin_goes_on(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    sam = await with_sam(app, api, alex)
    await alex.send("/checkin")
    await alex.press("Some")
    await alex.press("Hard")
    await alex.press("Family or friends")
    (step,) = await alex.press("Talking to someone")
    assert "Sam" in step.body
    assert "Ask Sam to get in touch" in [label for label, _ in step.buttons()]
    await alex.press("Ask Sam to get in touch")
    sent = await alex.press("Send to Sam")
    # Sam gets the request; Alex's check-in goes on, its next question the newest message.
    assert any("Alex" in m.body for m in api.messages(sam.id)[-2:])
    assert sent[-1].buttons() and "of 4" in sent[-1].body
    assert decisions(api.messages(alex.id))[-1] == sent[-1].body


async def _joined_by_qr(app: App, api: FakeBotAPI, alex: Person) -> None:
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    code = link_code(await kim.send("/invite"))
    await join_with(alex, code, "Accept Dr Kim")


async def test_a_schedule_question_never_answered_is_asked_once_more_gently(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    await _joined_by_qr(app, api, alex)  # and then Alex answers nothing
    before = len(api.messages(alex.id))
    await run_until(app, clock, clock.now() + timedelta(days=14), timedelta(hours=1))
    asked = [m for m in api.messages(alex.id)[before:] if "check-ins" in m.body]
    assert [m.body for m in asked] == [
        "Earlier I asked if I may send you short check-ins. Would you like them? "
        "It's fine to say no."
    ]
    assert checkins_received(api, alex.id) == 0  # nothing unasked in two weeks
    await alex.press("Yes, please")
    await run_until(app, clock, clock.now() + timedelta(days=4), timedelta(minutes=30))
    assert checkins_received(api, alex.id) == 2


async def test_a_schedule_question_answered_is_not_asked_again(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    await _joined_by_qr(app, api, alex)
    await alex.press("Only when I ask")
    before = len(api.messages(alex.id))
    await run_until(app, clock, clock.now() + timedelta(days=10), timedelta(hours=2))
    assert api.messages(alex.id)[before:] == []


async def test_someone_whose_first_words_are_help_gets_one_decision_only(
    app: App, api: FakeBotAPI
) -> None:
    jo = Person(app, api, 401, "Jo")
    sent = await jo.send("/help")
    assert "not an emergency service" in sent[0].body
    assert not any("check-in on Monday" in m.body for m in sent)
    assert len(decisions(sent)) == 1


async def test_someone_close_who_takes_a_clinicians_link_becomes_a_client_too(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    await alex.send("/start")
    await alex.send("/team")
    jo = Person(app, api, 401, "Jo")
    await join_with(jo, link_code(await alex.press("Invite someone close to me")), "Accept")
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    accepted = await jo.send(f"/start {link_code(await kim.send('/invite'))}")
    assert accepted[-1].buttons()
    sent = await jo.press("Accept Dr Kim")
    assert "check-in on Monday and Thursday" in sent[-1].body
    user = await services(app).db.get_user(jo.id)
    assert user is not None and user.role is Role.CLIENT
    assert await services(app).db.team_role(alex.id, jo.id) is Role.NETWORK
    assert api.commands[("chat", jo.id, "")][1]["command"] == "menu"


async def test_declining_an_invite_asks_nothing_more(app: App, api: FakeBotAPI) -> None:
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    blair = Person(app, api, 102, "Blair")
    await blair.send("/start")  # a client who has not answered the schedule question yet
    await blair.send(f"/start {link_code(await kim.send('/invite'))}")
    assert await blair.press("Decline") == []  # the invite is settled in place; no question
    assert blair.last().body.startswith("Okay. Nobody was added to your team")
    assert blair.last().buttons() == []


async def test_words_of_crisis_typed_as_an_answer_get_the_card_before_the_next_question(
    alex: Person,
) -> None:
    await alex.send("/helpnow")
    await alex.press("Write my plan")
    await alex.send("My sister Jo")
    card, question = await alex.send("I cant go on")
    assert "116 123" in card.body
    assert question.body.startswith("Part 3 of 3.")
    assert decisions([card, question]) == [question.body]  # the newest is the one open question

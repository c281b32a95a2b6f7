"""Someone close speaks too (issue 22, point 1): Jo's words reach Alex first, or at the same
moment as Alex's staff when Jo chooses so, never staff alone; Alex can answer, thank, or put
them on the agenda of the next meeting."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.core.actions.settings import Agree
from bot.standin import ChatMessage, FakeBotAPI
from tests.conftest import Person, join, link_code, make_staff, services
from tests.test_nudge import _later, _press_action, _tick

WORRY = "I'm worried about Alex, she hasn't been sleeping"


def _labels(message: ChatMessage) -> list[str]:
    return [label for label, _ in message.buttons()]


async def _network(app: App, api: FakeBotAPI, alex: Person) -> tuple[Person, Person, Person]:
    """Alex agreed that the bot may write (hours 09:00–21:00), has Dr Kim and Sam in their
    team, and Jo, someone close, who joined through Alex's link."""
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    sam = await make_staff(app, api, 301, "Sam", "peer")
    await alex.send("/start")
    await _press_action(alex, Agree(first=True))
    await join(kim, alex)
    await join(sam, alex)
    await alex.send("/team")
    code = link_code(await alex.press("Invite someone close to me"))
    jo = Person(app, api, 401, "Jo")
    await jo.send(f"/start {code}")
    await jo.press("Accept")
    await _later(app, timedelta(hours=1))  # 10:00: the notices that Jo joined go out
    await _later(app, timedelta(hours=1))  # 11:00: nothing went out just now
    return kim, sam, jo


async def test_jos_words_reach_alex_alone_when_jo_chooses_so(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim, sam, jo = await _network(app, api, alex)
    kept, offer = await jo.send(WORRY)
    assert kept.body.startswith("I kept this as your own note. Only you can see it.")
    assert offer.body == (
        "Would you like Alex to read this? Alex reads it first. Only if you choose, Alex's "
        "team reads it too, at the same moment."
    )
    assert _labels(offer) == ["Send to Alex", "To Alex and Alex's team"]
    (preview,) = await jo.press("Send to Alex")
    assert preview.body.startswith("Alex will see this now:")
    assert f"Jo (someone close) wrote to you:\n\n{WORRY}" in preview.body
    staff_before = {p.id: len(api.messages(p.id)) for p in (kim, sam)}
    alex_before = len(api.messages(alex.id))
    await jo.press("Send")
    await _tick(app)
    (arrived,) = api.messages(alex.id)[alex_before:]
    assert arrived.body == f"Jo (someone close) wrote to you:\n\n{WORRY}"
    assert _labels(arrived) == ["Reply to Jo", "Let's talk about this at the meeting", "Thanks"]
    # Nothing reached the staff: Jo chose Alex alone.
    assert {p.id: len(api.messages(p.id)) for p in (kim, sam)} == staff_before


async def test_with_the_team_the_staff_get_it_at_the_moment_alex_does_never_before(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    """Jo writes at night: Alex's copy waits for Alex's hours, and so do the staff's."""
    kim, sam, jo = await _network(app, api, alex)
    await _later(app, timedelta(hours=11))  # 22:00, outside Alex's hours
    await jo.send(WORRY)
    (preview,) = await jo.press("To Alex and Alex's team")
    assert preview.body.startswith("Alex will see this tomorrow at 09:00")
    assert preview.body.endswith("Dr Kim and Sam get it at the same moment, never before.")
    # One person of staff gets it, in the singular (checked on the words themselves).
    catalog = services(app).catalog
    one = catalog.get("en", "reflection.team_too", names="Dr Kim", count=1)
    assert one == "Dr Kim gets it at the same moment, never before."
    staff_before = {p.id: len(api.messages(p.id)) for p in (kim, sam)}
    await jo.press("Send")
    await _later(app, timedelta(hours=1))  # 23:00: nothing yet, for anyone
    assert {p.id: len(api.messages(p.id)) for p in (kim, sam)} == staff_before
    alex_before = len(api.messages(alex.id))
    await _later(app, timedelta(hours=10))  # 09:00
    (arrived,) = api.messages(alex.id)[alex_before:]
    assert WORRY in arrived.body
    for member in (kim, sam):
        (copy,) = api.messages(member.id)[staff_before[member.id] :]
        assert copy.body == (
            "Jo, someone close to Alex, wrote this. Alex got it at the same moment:\n\n" + WORRY
        )
        assert copy.buttons() == []


async def test_alex_puts_jos_words_on_the_agenda_and_answers_jo(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    _, _, jo = await _network(app, api, alex)
    await jo.send(WORRY)
    await jo.press("Send to Alex")
    await jo.press("Send")
    await _tick(app)
    (said,) = await alex.press("Let's talk about this at the meeting")
    assert said.body == "Okay. It's on the agenda for your next network meeting, with Jo's words."
    words = next(m for m in api.messages(alex.id) if m.body.endswith(WORRY))
    assert _labels(words) == ["Reply to Jo", "Thanks"]  # done: that button is gone
    sent = await alex.send("/agenda")
    assert any(f"• What Jo wrote: “{WORRY}”" in m.body for m in sent), [m.body for m in sent]
    # Alex answers Jo; Jo can answer back.
    await alex.press("Reply to Jo")
    (preview,) = await alex.send("I'm sleeping a bit better now, thank you")
    assert "I'm sleeping a bit better now, thank you" in preview.body
    jo_before = len(api.messages(jo.id))
    await alex.press("Send to Jo")
    (reply,) = api.messages(jo.id)[jo_before:]
    assert reply.body == "Alex wrote to you:\n\nI'm sleeping a bit better now, thank you"
    assert _labels(reply) == ["Answer Alex"]


async def test_staff_copies_are_taken_back_when_alex_erases_everything(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim, _, jo = await _network(app, api, alex)
    await jo.send(WORRY)
    await jo.press("To Alex and Alex's team")
    kim_before = len(api.messages(kim.id))
    await jo.press("Send")
    await _tick(app)
    (copy,) = api.messages(kim.id)[kim_before:]
    await alex.send("/delete")
    await alex.press("Erase everything")
    assert not any(WORRY in m.body for m in api.messages(kim.id))
    assert copy.message_id not in {m.message_id for m in api.messages(kim.id)}


async def test_someone_closes_card_has_the_lines_meant_for_carers(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    _, _, jo = await _network(app, api, alex)
    (card,) = await jo.send("/helpnow")
    assert "For you, as someone close:\n• Carers UK Helpline: 0808 808 7777 (weekdays)" in (
        card.body
    )
    assert "Samaritans" in card.body  # the card's own contacts first
    (own,) = [m for m in await alex.send("/helpnow") if "Samaritans" in m.body]
    assert "Carers UK" not in own.body  # a client's card is theirs
    await jo.send("/language")
    await jo.press("Nederlands")
    (dutch,) = await jo.send("/helpnow")
    assert "Voor jou, als naaste:\n• Mantelzorglijn: 030 760 60 55 (werkdagen)" in dutch.body


async def test_jo_answers_a_few_questions_for_the_meeting_and_alex_reads_them(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    """The questions of dialogs/reflection.yaml, each answered by typing or skipped; nothing
    goes anywhere until Jo chooses, at the end."""
    _, _, jo = await _network(app, api, alex)
    await jo.send("/clients")
    page = await jo.press("Alex")
    assert "Write something for Alex's meeting" in _labels(page[-1])
    (first,) = await jo.press("Write something for Alex's meeting")
    assert first.body == (
        "1 of 3\n\nWhat have you noticed since the last meeting? A few words are enough."
    )
    assert _labels(first) == ["Skip this one"]
    (second,) = await jo.send("She is tired, but she laughs more")
    assert second.body.startswith("2 of 3\n\nWhat would you like to talk about")
    await jo.press("Skip this one")
    assert jo.last().body.startswith("3 of 3\n\nIs there something you hope for")
    (offer,) = await jo.send("We went for a walk on Sunday")
    assert _labels(offer) == ["Send to Alex", "To Alex and Alex's team"]
    alex_before = len(api.messages(alex.id))
    (preview,) = await jo.press("Send to Alex")
    previewed = preview.body
    await jo.press("Send")
    await _tick(app)
    (arrived,) = api.messages(alex.id)[alex_before:]
    assert arrived.body == (
        "Jo (someone close) wrote to you:\n\n"
        "What have you noticed since the last meeting? A few words are enough.\n"
        "She is tired, but she laughs more\n\n"
        "Is there something you hope for, or something that went well?\n"
        "We went for a walk on Sunday"
    )
    assert previewed.endswith(arrived.body)  # exactly what was previewed


async def test_skipping_every_question_sends_nothing(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    _, _, jo = await _network(app, api, alex)
    await jo.send("/clients")
    await jo.press("Alex")
    await jo.press("Write something for Alex's meeting")
    for _ in range(3):
        await jo.press("Skip this one")
    assert jo.last().body == "Nothing was written, so nothing was sent."
    assert jo.last().buttons() == []


async def test_a_client_who_chose_only_when_i_ask_reads_it_first_and_the_staff_then(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    """Alex chose "Only when I ask": Jo's words wait for Alex's next message, and the staff's
    copies go at that moment, not before."""
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    await alex.send("/start")
    await join(kim, alex)
    await alex.press("Only when I ask")
    await alex.send("/team")
    code = link_code(await alex.press("Invite someone close to me"))
    jo = Person(app, api, 401, "Jo")
    await jo.send(f"/start {code}")
    await jo.press("Accept")
    await _later(app, timedelta(hours=1))
    await jo.send(WORRY)
    (preview,) = await jo.press("To Alex and Alex's team")
    assert "the next time they write to me" in preview.body
    kim_before = len(api.messages(kim.id))
    await jo.press("Send")
    await _later(app, timedelta(hours=2))
    assert api.messages(kim.id)[kim_before:] == []  # Alex has not read it: nobody has
    sent = await alex.send("hi")
    assert any(WORRY in m.body for m in sent)
    (copy,) = api.messages(kim.id)[kim_before:]
    assert copy.body.endswith(WORRY)
    await alex.send("hi again")
    assert len(api.messages(kim.id)[kim_before:]) == 1  # once


async def test_when_jo_erases_their_account_their_words_leave_the_staffs_chats(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim, _, jo = await _network(app, api, alex)
    await jo.send(WORRY)
    await jo.press("To Alex and Alex's team")
    kim_before = len(api.messages(kim.id))
    await jo.press("Send")
    await _tick(app)
    (copy,) = api.messages(kim.id)[kim_before:]
    await jo.send("/delete")
    await jo.press("Erase everything")
    assert copy.message_id not in {m.message_id for m in api.messages(kim.id)}
    assert not any(WORRY in m.body for m in api.messages(kim.id))

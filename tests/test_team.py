"""The care team: invite links, Accept or Decline, /team, /clients, and the next meeting set with
the client (a clinician proposes, the client answers; a passed date is never the next one)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from telegram import Update

from bot.app import App
from bot.core.actions import Action
from bot.core.actions.settings import Agree
from bot.core.actions.team import AskMeeting, ConfirmMeeting
from bot.core.clock import ManualClock
from bot.standin import ChatMessage, FakeBotAPI
from bot.tg.codec import encode
from tests.conftest import Person, join, link_code, make_staff, services


async def test_staff_invite_makes_a_link_and_a_qr_code(app: App, api: FakeBotAPI) -> None:
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    sent = await kim.send("/invite")
    assert "It works once, for 24 hours" in sent[0].body
    assert link_code(sent).startswith("c_")
    photo = sent[1]
    assert photo.kind == "photo" and photo.photo is not None
    assert photo.photo.startswith(b"\x89PNG")
    assert "Dr Kim (clinician)" in photo.body


async def test_client_sees_who_asks_and_what_they_will_see_then_accepts(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    await alex.send("/start")
    code = link_code(await kim.send("/invite"))
    (card,) = await alex.send(f"/start {code}")
    assert "Dr Kim (clinician" in card.body
    assert "only what you choose to share" in card.body
    assert "won't see your check-ins, notes or answers" in card.body
    assert [label for label, _ in card.buttons()] == ["Accept Dr Kim", "Decline"]

    staff_before = len(api.messages(kim.id))
    await alex.press("Accept Dr Kim")
    assert any(body.startswith("Dr Kim is now in your team.") for body in alex.texts())
    assert api.messages(kim.id)[staff_before].body.startswith("Alex accepted your invite.")
    (team,) = await alex.send("/team")
    assert "Dr Kim, clinician, since 2 March 2026." in team.body
    assert "Dr Kim" in [label for label, _ in team.buttons()]
    (clients,) = await kim.send("/clients")
    assert "Alex: no meeting date set" in clients.body


async def test_a_new_person_opening_a_client_link_is_welcomed_first(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    code = link_code(await kim.send("/invite"))
    sent = await alex.send(f"/start {code}")
    assert "not an emergency service" in sent[0].body
    assert sent[-1].body.startswith("Dr Kim (clinician")


async def test_decline_links_nobody_and_uses_the_code_up(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    await alex.send("/start")
    code = link_code(await kim.send("/invite"))
    await alex.send(f"/start {code}")
    await alex.press("Decline")
    assert any("Nobody was added" in body for body in alex.texts())
    assert await services(app).db.team_of(alex.id) == []
    (again,) = await alex.send(f"/start {code}")
    assert "doesn't work any more" in again.body


async def test_expired_reused_and_wrong_kind_codes_are_refused_calmly(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person, blair: Person
) -> None:
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    sam = await make_staff(app, api, 301, "Sam", "peer")
    await alex.send("/start")
    await blair.send("/start")
    # The same code twice: the second person is refused.
    code = link_code(await kim.send("/invite"))
    await alex.send(f"/start {code}")
    (card,) = await blair.send(f"/start {code}")
    await alex.press("Accept Dr Kim")
    await blair.press_data(card.message_id, card.buttons()[0][1])
    assert any("doesn't work any more" in body for body in blair.texts())
    # A client link opened by staff; the inviter's own link.
    code = link_code(await kim.send("/invite"))
    (wrong,) = await sam.send(f"/start {code}")
    assert "can't be used from this account" in wrong.body
    (own,) = await kim.send(f"/start {code}")
    assert "your own link" in own.body
    # Expired.
    clock.advance(timedelta(hours=25))
    (old,) = await blair.send(f"/start {code}")
    assert "doesn't work any more" in old.body
    # Made-up codes of every kind.
    for forged in ("c_" + "A" * 32, "n_" + "B" * 32, "s_" + "C" * 32, "x_nothing"):
        (reply,) = await blair.send(f"/start {forged}")
        assert "doesn't work any more" in reply.body
    team = await services(app).db.team_of(blair.id)
    assert team == []
    assert [m.person.name for m in await services(app).db.team_of(alex.id)] == ["Dr Kim"]


async def test_fifty_people_accepting_one_code_at_once_link_exactly_one(
    app: App, api: FakeBotAPI
) -> None:
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    code = link_code(await kim.send("/invite"))
    people = [Person(app, api, 1000 + i, f"P{i}") for i in range(50)]
    cards = []
    for person in people:
        await person.send("/start")
        (card,) = await person.send(f"/start {code}")
        cards.append(card)
    presses = [
        Update.de_json(api.press(p.id, card.message_id, card.buttons()[0][1]), app.bot)
        for p, card in zip(people, cards, strict=True)
    ]
    await asyncio.gather(*(app.process_update(u) for u in presses))
    clients = await services(app).db.clients_of(kim.id)
    assert len(clients) == 1
    joined = [any(b.startswith("Dr Kim is now in your team") for b in p.texts()) for p in people]
    refused = [any("doesn't work any more" in b for b in p.texts()) for p in people]
    assert sum(joined) == 1
    assert sum(refused) == 49


async def test_removing_someone_tells_the_client_and_ends_their_view(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    await alex.send("/start")
    await join(kim, alex)
    await alex.send("/team")
    (person,) = await alex.press("Dr Kim")
    assert [label for label, _ in person.buttons()] == [
        "Write to Dr Kim",
        "Ask Dr Kim to get in touch",
        "Remove Dr Kim",
    ]
    (ask,) = await alex.press("Remove Dr Kim")
    assert [label for label, _ in ask.buttons()] == ["Remove Dr Kim", "Keep Dr Kim"]
    remove = ask.buttons()[0][1]
    await alex.press_data(ask.message_id, remove)
    assert alex.last().body == "Dr Kim is no longer in your team."
    (clients,) = await kim.send("/clients")
    assert "Alex" not in clients.body
    # An old "Remove" button, pressed again: nothing to do.
    await alex.press_data(ask.message_id, remove)
    assert "not in your team" in alex.last().body


async def test_network_member_joins_through_the_clients_link(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    await alex.send("/start")
    await alex.send("/team")
    sent = await alex.press("Invite someone close to me")
    code = link_code(sent)
    assert code.startswith("n_")
    jo = Person(app, api, 401, "Jo")
    (card,) = await jo.send(f"/start {code}")
    assert card.body.startswith("Alex would like you to be in their team")
    assert "not an emergency" not in card.body  # no client welcome for someone close
    await jo.press("Accept")
    assert "You're now in Alex's team" in jo.last().body
    assert next(c["command"] for c in api.commands[("chat", 401, "")]) == "clients"
    jo_user = await services(app).db.get_user(jo.id)
    assert jo_user is not None and jo_user.role.value == "network"
    # Alex hears of it at a time the bot may write (09:00 is inside the default hours).
    before = len(api.messages(alex.id))
    scheduler = services(app).scheduler
    assert scheduler is not None
    await scheduler.tick()
    assert api.messages(alex.id)[before].body.startswith("Jo joined your team as someone close")
    # Jo cannot check in or keep notes.
    (reply,) = await jo.send("/checkin")
    assert "isn't available for your account" in reply.body


async def test_team_notice_waits_for_contact_hours(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    await alex.send("/start")
    await alex.send("/team")
    code = link_code(await alex.press("Invite someone close to me"))
    clock.advance(timedelta(hours=13))  # 22:00 in London: outside 09:00-21:00
    jo = Person(app, api, 401, "Jo")
    await jo.send(f"/start {code}")
    await jo.press("Accept")
    scheduler = services(app).scheduler
    assert scheduler is not None
    before = len(api.messages(alex.id))
    await scheduler.tick()
    assert len(api.messages(alex.id)) == before
    clock.advance(timedelta(hours=11))  # 09:00 next morning
    await scheduler.tick()
    assert api.messages(alex.id)[before].body.startswith("Jo joined your team")


async def _press_action(person: Person, action: Action) -> list[ChatMessage]:
    """Press the newest button that carries ``action``, whatever its label says."""
    data = encode(action)
    for message in reversed(person.api.messages(person.id)):
        if any(pressed == data for _, pressed in message.buttons()):
            return await person.press_data(message.message_id, data)
    raise AssertionError(f"no button {action} in chat {person.id}")


async def _agreed_client_of(app: App, api: FakeBotAPI, alex: Person) -> Person:
    """Alex says the bot may write to them (check-ins Mon and Thu at 18:00), and joins Dr Kim."""
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    await alex.send("/start")
    await _press_action(alex, Agree(first=True))
    await join(kim, alex)
    return kim


async def _tick_until(
    app: App,
    clock: ManualClock,
    person: Person,
    start: str,
    days: int,
    step: timedelta = timedelta(minutes=10),
) -> bool:
    """Move the clock in steps of ``step`` (at most ``days``) until ``person`` gets a message
    starting with ``start``."""
    scheduler = services(app).scheduler
    assert scheduler is not None
    for _ in range(int(timedelta(days=days) / step)):
        if any(body.startswith(start) for body in person.texts()):
            return True
        clock.advance(step)
        await scheduler.tick()
    return any(body.startswith(start) for body in person.texts())


async def test_client_tells_nudges_from_what_someone_close_wrote_and_declines_each_person_once(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    sam = await make_staff(app, api, 301, "Sam", "peer")
    await alex.send("/start")
    await _press_action(alex, Agree(first=True))
    await join(sam, alex)
    await alex.send("/team")
    code = link_code(await alex.press("Invite someone close to me"))
    jo = Person(app, api, 401, "Jo")
    await jo.send(f"/start {code}")
    await jo.press("Accept")
    # Sam nudges twice for in three days; Alex writes to Jo, and Jo answers.
    for words in ("See you soon", "Thinking of you"):
        await sam.send("/nudge")
        await sam.press("Alex")
        await sam.press("In 3 days")
        await sam.send(words)
        await sam.press("Send")
    await alex.send("/team")
    await alex.press("Jo")
    await alex.press("Write to Jo")
    await alex.send("Are you coming on Sunday?")
    await alex.press("Send to Jo")
    await jo.press("Answer Alex")
    await jo.send("Yes, I'll bring lunch")
    await jo.press("Send")

    (team,) = await alex.send("/team")
    nudges, close = team.body.split("Messages from someone close, waiting for you:\n")
    assert "Nudges waiting for you:\n• From Sam," in nudges
    assert nudges.count("• From Sam,") == 2 and "From Jo" not in nudges
    assert close.startswith("• From Jo,")
    labels = [label for label, _ in team.buttons()]
    assert len(labels) <= 6
    declines = [label for label in labels if label.startswith("Decline")]
    assert declines == ["Decline the 2 nudges from Sam", "Decline the message from Jo (2 Mar)"]
    # Jo's screen offers the same one Decline, in words for what Jo wrote.
    (jo_screen,) = await alex.press("Jo")
    assert "Decline the message from Jo" in [label for label, _ in jo_screen.buttons()]

    (declined,) = await alex.press("Decline the 2 nudges from Sam")
    assert declined.body == "Okay. You won't get those 2 nudges."
    (team,) = await alex.send("/team")
    assert "Nudges waiting" not in team.body and "• From Jo," in team.body
    assert not any("Sam" in label for label, _ in team.buttons() if label.startswith("Decline"))
    before = len(api.messages(alex.id))
    assert not await _tick_until(app, clock, alex, "Sam (peer supporter) wanted", days=4)
    arrived = [m.body for m in api.messages(alex.id)[before:]]
    assert any("Yes, I'll bring lunch" in body for body in arrived)
    assert not any("See you soon" in body or "Thinking of you" in body for body in arrived)


async def _propose(kim: Person, typed: str) -> ChatMessage:
    """Dr Kim proposes a date to Alex from /clients; the date read back, then confirmed."""
    await kim.send("/clients")
    await kim.press("Alex")
    (ask,) = await kim.press("Propose a meeting date to Alex")
    assert ask.body.startswith("Which day would you like to propose to Alex")
    (check,) = await kim.send(typed)
    assert [label for label, _ in check.buttons()] == ["Propose it to Alex", "Another date"]
    await kim.press("Propose it to Alex")
    return kim.api.messages(kim.id)[-1]


async def test_clinician_proposes_a_meeting_and_client_confirms(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    kim = await _agreed_client_of(app, api, alex)
    await kim.send("/clients")
    await kim.press("Alex")
    (ask,) = await kim.press("Propose a meeting date to Alex")
    assert "Type the date" in ask.body
    (bad,) = await kim.send("someday")
    assert "Nothing has changed" in bad.body
    # Dr Kim types 12/3: read day first and said back in words before anything counts.
    (check,) = await kim.send("12/3")
    assert (
        check.body.split("\n\n")[0]
        == "Propose Thursday, 12 March 2026 to Alex for the next network meeting?"
    )
    await kim.press("Propose it to Alex")
    proposed = api.messages(kim.id)[-1]
    assert proposed.body == (
        "Proposed to Alex: Thursday, 12 March 2026.\n\n"
        "Alex will get it now and can say if it works. I'll tell you the answer."
    )
    (clients,) = await kim.send("/clients")
    assert "Alex: Thursday, 12 March 2026 proposed, waiting for Alex's answer" in clients.body
    # Alex gets one message from Dr Kim, with the date in words and two answers.
    assert await _tick_until(app, clock, alex, "Dr Kim (clinician) proposes", days=1)
    (offer,) = [m for m in api.messages(alex.id) if m.body.startswith("Dr Kim (clinician) prop")]
    assert offer.body == (
        "Dr Kim (clinician) proposes a date for your next network meeting: "
        "Thursday, 12 March 2026.\n\n"
        "Does that day work for you?"
    )
    assert [label for label, _ in offer.buttons()] == ["That works", "Another day"]
    kim_before = len(api.messages(kim.id))
    await alex.press("That works")
    assert api.messages(alex.id)[-1].body.startswith(
        "Thank you. Your next network meeting is on Thursday, 12 March 2026. I told Dr Kim."
    )
    (told,) = api.messages(kim.id)[kim_before:]
    assert told.body == "Alex said yes to the next network meeting on Thursday, 12 March 2026."
    (clients,) = await kim.send("/clients")
    assert "Alex: next meeting Thursday, 12 March 2026" in clients.body
    # Three days before, at Alex's check-in time: the invitation to prepare, once.
    assert await _tick_until(app, clock, alex, "Your next network meeting is", days=8)
    assert clock.now().strftime("%a %d %H") == "Mon 09 18"
    (invite,) = [m for m in api.messages(alex.id) if m.body.startswith("Your next network m")]
    assert [label for label, _ in invite.buttons()] == ["Get ready now", "Not now"]
    sent = await alex.press("Get ready now")
    assert "How much energy" in sent[-1].body
    # The day after the meeting, the after-meeting questions are offered.
    assert await _tick_until(app, clock, alex, "How was your network meeting?", days=4)
    assert clock.now().strftime("%a %d") == "Fri 13"


async def test_client_asks_for_another_day(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    kim = await _agreed_client_of(app, api, alex)
    await _propose(kim, "12 March")
    assert await _tick_until(app, clock, alex, "Dr Kim (clinician) proposes", days=1)
    kim_before = len(api.messages(kim.id))
    (offer,) = [m for m in api.messages(alex.id) if m.body.startswith("Dr Kim (clinician) prop")]
    (ask,) = await alex.press("Another day")
    answered = next(m for m in api.messages(alex.id) if m.message_id == offer.message_id)
    assert answered.body == (
        "Okay. I told Dr Kim you'd like another day. You can write to Dr Kim which days suit you."
    )
    assert answered.buttons() == []
    # The newest message opens the writing: what Alex types next is for Dr Kim, after Send.
    assert ask.body.startswith("Write your message to Dr Kim. It goes only to Dr Kim")
    (told,) = api.messages(kim.id)[kim_before:]
    assert told.body == (
        "Alex would like another day than Thursday, 12 March 2026 for the next network "
        "meeting. You can propose another in /clients."
    )
    (team,) = await alex.send("/team")
    assert "No date is set for your next network meeting." in team.body
    # Nothing is planned around a date the client did not confirm.
    assert not await _tick_until(app, clock, alex, "Your next network meeting is", days=11)
    assert not any(b.startswith("How was your network meeting?") for b in alex.texts())


async def test_client_asks_for_another_day_and_writes_which_days_suit_them(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    kim = await _agreed_client_of(app, api, alex)
    await _propose(kim, "12 March")
    assert await _tick_until(app, clock, alex, "Dr Kim (clinician) proposes", days=1)
    await alex.press("Another day")
    (preview,) = await alex.send("Tuesday or Wednesday afternoon")
    assert preview.body == "Dr Kim will get this:\n\nTuesday or Wednesday afternoon"
    assert [label for label, _ in preview.buttons()] == ["Send to Dr Kim", "Cancel"]
    kim_before = len(api.messages(kim.id))
    sent = await alex.press("Send to Dr Kim")
    assert sent[-1].body == "Sent to Dr Kim. Only Dr Kim can see it."
    (received,) = api.messages(kim.id)[kim_before:]
    assert received.body == "Alex wrote to you:\n\nTuesday or Wednesday afternoon"
    assert [label for label, _ in received.buttons()] == ["Answer Alex"]
    # Nothing became a private note.
    assert await services(app).db.notes(alex.id) == []
    assert not any(b.startswith("I kept this as your own note") for b in alex.texts())


async def test_past_meeting_is_never_next(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    kim = await _agreed_client_of(app, api, alex)
    await alex.send("/team")
    await alex.press("Set the meeting date")
    (check,) = await alex.send("5/3")
    assert check.body.split("\n\n")[0] == "Is your next network meeting on Thursday, 5 March 2026?"
    await alex.press("Yes, save it")
    assert api.messages(alex.id)[-1].body == (
        "Saved: your next network meeting is on Thursday, 5 March 2026.\n\n"
        "I'll ask today at 18:00 if you'd like to get ready for it.\n\nI told Dr Kim.\n\n"
        "On the day, I'll remind you and Dr Kim."
    )
    assert api.messages(kim.id)[-1].body == (
        "Alex set the date of their next network meeting: Thursday, 5 March 2026."
    )
    clock.advance(timedelta(days=3, hours=12))  # Thursday 21:00: still the day of the meeting
    (team,) = await alex.send("/team")
    assert "Your next network meeting: Thursday, 5 March 2026." in team.body
    clock.advance(timedelta(hours=4))  # Friday
    (team,) = await alex.send("/team")
    assert "Your next network meeting" not in team.body
    assert (
        "Your last network meeting was on Thursday, 5 March 2026. No date is set for the next one."
    ) in team.body
    (clients,) = await kim.send("/clients")
    assert "next meeting Thursday" not in clients.body
    assert "Alex: no date set for the next meeting (the last was Thursday, 5 March" in (
        clients.body
    )
    (detail,) = await kim.press("Alex")
    assert "Next network meeting" not in detail.body
    # A proposal for a day that passes before Alex answers is never "next" either.
    await _propose(kim, "9/3")
    clock.advance(timedelta(days=4))  # Tuesday 10 March
    (team,) = await alex.send("/team")
    assert "proposed" not in team.body and "next network meeting:" not in team.body


async def test_only_someone_in_the_team_can_propose_a_date(
    app: App, api: FakeBotAPI, alex: Person, blair: Person
) -> None:
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    lee = await make_staff(app, api, 202, "Dr Lee", "clinician")
    sam = await make_staff(app, api, 301, "Sam", "peer")
    await alex.send("/start")
    await join(kim, alex)
    await join(sam, alex)
    outsider = lee  # not in Alex's team
    (reply,) = await outsider.press_data(
        outsider.last().message_id if api.messages(outsider.id) else 1,
        encode(AskMeeting(alex.id)),
    )
    assert "not in your list" in reply.body or "Nothing has changed" in reply.body
    (forged,) = await outsider.press_data(
        outsider.last().message_id, encode(ConfirmMeeting(alex.id, "2026-03-20"))
    )
    assert "not in your list" in forged.body
    waits, now = services(app).waits, services(app).clock.now()
    assert waits is not None
    assert await waits.current(lee.id, now) is None
    assert await services(app).db.meeting_proposal(alex.id) is None
    # Sam, a peer supporter, may propose a date too (anyone in the team may), and nudge.
    await sam.send("/clients")
    (detail,) = await sam.press("Alex")
    assert [label for label, _ in detail.buttons()] == [
        "Propose a meeting date to Alex",
        "Nudge Alex",
        "All clients",
    ]
    # The client can set it too, after reading it back.
    await alex.send("/team")
    await alex.press("Set the meeting date")
    (check,) = await alex.send("2026-03-20")
    assert check.body.split("\n\n")[0] == "Is your next network meeting on Friday, 20 March 2026?"
    await alex.press("Yes, save it")
    saved = api.messages(alex.id)[-1]
    assert saved.body.startswith("Saved: your next network meeting is on Friday, 20 March 2026")


async def test_a_peer_supporter_proposes_a_date_and_it_is_proposed_everywhere_until_alex_says(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    """Anyone in the team may propose the next meeting's date (issue 22): the client answers
    in one tap; until then the team reads it as proposed."""
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    sam = await make_staff(app, api, 301, "Sam", "peer")
    await alex.send("/start")
    await alex.press("That's fine")
    await join(kim, alex)
    await join(sam, alex)
    await sam.send("/clients")
    await sam.press("Alex")
    await sam.press("Propose a meeting date to Alex")
    (check,) = await sam.send("2026-03-20")
    assert "Friday, 20 March 2026" in check.body
    await sam.press(check.buttons()[0][0])
    clock = services(app).clock
    clock.advance(timedelta(hours=1))
    scheduler = services(app).scheduler
    assert scheduler is not None
    await scheduler.tick()
    proposal = next(m for m in api.messages(alex.id) if "proposes a date" in m.body)
    assert proposal.body.startswith("Sam (peer supporter) proposes a date for your next")
    await kim.send("/clients")
    (listing,) = api.messages(kim.id)[-1:]
    assert "20 March 2026 proposed, waiting for Alex's answer" in listing.body
    sam_before = len(api.messages(sam.id))
    await alex.press("That works")
    assert await services(app).db.next_meeting(alex.id) == "2026-03-20"
    (told,) = api.messages(sam.id)[sam_before:]
    assert told.body.startswith("Alex said yes to the next network meeting on")

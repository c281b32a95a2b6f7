"""The care team: invite links, Accept or Decline, /team, /clients and the next meeting."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from telegram import Update

from bot.app import App
from bot.core.actions.team import AskMeeting
from bot.core.clock import ManualClock
from bot.standin import FakeBotAPI
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
    assert alex.last().body.startswith("Dr Kim is now in your team.")
    assert api.messages(kim.id)[staff_before].body.startswith("Alex accepted your invite.")
    (team,) = await alex.send("/team")
    assert "Dr Kim, clinician, since March 2, 2026." in team.body
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
    assert "Nobody was added" in alex.last().body
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
    assert "doesn't work any more" in blair.last().body
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
    outcomes = [api.last(p.id).body for p in people]
    assert sum(o.startswith("Dr Kim is now in your team") for o in outcomes) == 1
    assert sum("doesn't work any more" in o for o in outcomes) == 49


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
    assert api.messages(alex.id)[before].body.startswith("Jo joined your team as network member")
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


async def test_clinician_sets_the_meeting_date_and_the_client_is_invited_to_prepare(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    await alex.send("/start")
    await alex.press("That's fine")  # check-ins on Mon and Thu at 18:00
    await join(kim, alex)
    await kim.send("/clients")
    await kim.press("Alex")
    (ask,) = await kim.press("Set Alex's meeting date")
    assert "When is Alex's next network meeting?" in ask.body
    (bad,) = await kim.send("someday")
    assert "Nothing has changed" in bad.body
    (saved,) = await kim.send("12 March")
    assert saved.body.startswith(
        "Saved: Alex's next network meeting is on Thursday, March 12, 2026"
    )
    (clients,) = await kim.send("/clients")
    assert "Alex: next meeting Thursday, March 12, 2026" in clients.body

    scheduler = services(app).scheduler
    assert scheduler is not None
    before = len(api.messages(alex.id))
    await scheduler.tick()
    told = api.messages(alex.id)[before:]
    assert any("Dr Kim set the date of your next network meeting" in m.body for m in told)
    # Three days before, at Alex's check-in time: the invitation to prepare, once.
    invitations = []
    for _ in range(8 * 24 * 6):
        clock.advance(timedelta(minutes=10))
        await scheduler.tick()
        invitations = [
            m for m in api.messages(alex.id) if m.body.startswith("Your next network meeting is")
        ]
        if invitations:
            break
    (invite,) = invitations
    assert clock.now().strftime("%a %d %H") == "Mon 09 18"
    assert [label for label, _ in invite.buttons()] == ["Get ready now", "Not now"]
    sent = await alex.press("Get ready now")
    assert "How much energy" in sent[-1].body
    # The day after the meeting, the after-meeting questions are offered.
    for _ in range(4 * 24 * 6):
        clock.advance(timedelta(minutes=10))
        await scheduler.tick()
        if any(m.body.startswith("How was your network meeting?") for m in api.messages(alex.id)):
            break
    assert clock.now().strftime("%a %d") == "Fri 13"


async def test_only_a_clinician_in_the_team_can_set_the_date(
    app: App, api: FakeBotAPI, alex: Person, blair: Person
) -> None:
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    lee = await make_staff(app, api, 202, "Dr Lee", "clinician")
    sam = await make_staff(app, api, 301, "Sam", "peer")
    await alex.send("/start")
    await join(kim, alex)
    await join(sam, alex)
    for outsider in (lee, sam):
        (reply,) = await outsider.press_data(
            outsider.last().message_id if api.messages(outsider.id) else 1,
            encode(AskMeeting(alex.id)),
        )
        assert "not in your list" in reply.body or "Nothing has changed" in reply.body
    waits, now = services(app).waits, services(app).clock.now()
    assert waits is not None
    assert await waits.current(lee.id, now) is None
    assert await waits.current(sam.id, now) is None
    # The client can set it too.
    await alex.send("/team")
    await alex.press("Set the meeting date")
    (saved,) = await alex.send("2026-03-20")
    assert saved.body.startswith("Saved: your next network meeting is on Friday, March 20, 2026")

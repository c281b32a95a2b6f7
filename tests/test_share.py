"""Sharing: the client picks items, sees the exact text, picks people, and can take it back."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.core.clock import ManualClock
from bot.standin import ChatMessage, FakeBotAPI
from tests.conftest import Person, join, make_staff, services


async def _team(app: App, api: FakeBotAPI, alex: Person) -> tuple[Person, Person]:
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    sam = await make_staff(app, api, 301, "Sam", "peer")
    await alex.send("/start")
    await join(kim, alex)
    await join(sam, alex)
    return kim, sam


def _labels(message: ChatMessage) -> list[str]:
    return [label for label, _ in message.buttons()]


async def _preview(alex: Person, *items: str) -> ChatMessage:
    """/share, tick the items whose labels start with ``items``, preview; the exact text."""
    await alex.send("/share")
    for start in items:
        label = next(label for label in _labels(alex.last()) if label.startswith(start))
        await alex.press(label)
    sent = await alex.press("See what would be sent")
    return sent[-1]


async def test_share_sends_exactly_the_previewed_words_to_the_one_person_picked(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim, sam = await _team(app, api, alex)
    await alex.send("I slept badly all week and the new dose makes me dizzy")
    await alex.send("Keep this one to myself")
    preview = await _preview(alex, "Note Mar 2: I slept")
    assert preview.body == (
        "From Alex, shared with you on March 2, 2026:\n\n"
        "Note, March 2, 2026\nI slept badly all week and the new dose makes me dizzy"
    )
    # Each person by name, none picked; Share is not possible yet.
    assert _labels(preview)[:3] == [
        "Dr Kim (clinician)",
        "Sam (peer supporter)",
        "Share (choose someone first)",
    ]
    before = {p.id: len(api.messages(p.id)) for p in (kim, sam)}
    await alex.press("Share (choose someone first)")
    assert len(api.messages(kim.id)) == before[kim.id]

    await alex.press("Dr Kim (clinician)")
    assert _labels(alex.last())[:3] == [
        "✓ Dr Kim (clinician)",
        "Sam (peer supporter)",
        "Share with Dr Kim",
    ]
    sent = await alex.press("Share with Dr Kim")
    assert sent[-1].body.startswith("Shared with Dr Kim. Only they can see it.")
    (delivered,) = api.messages(kim.id)[before[kim.id] :]
    assert delivered.body == preview.body
    assert len(api.messages(sam.id)) == before[sam.id]
    # Kim sees it in /clients; never the private note, never a count or a score.
    await kim.send("/clients")
    (view,) = await kim.press("Alex")
    assert "the new dose makes me dizzy" in view.body
    assert "to myself" not in view.body
    await sam.send("/clients")
    (sam_view,) = await sam.press("Alex")
    assert "Alex hasn't shared anything with you." in sam_view.body
    shares = await services(app).db.shares(alex.id)
    assert [[r.name for r in s.recipients] for s in shares] == [["Dr Kim"]]


async def test_withdraw_deletes_the_delivered_message_and_empties_the_view(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim, _ = await _team(app, api, alex)
    await alex.send("Please don't bring up my brother at the meeting")
    await _preview(alex, "Note")
    await alex.press("Dr Kim (clinician)")
    await alex.press("Share with Dr Kim")
    delivered = api.messages(kim.id)[-1]
    assert "my brother" in delivered.body
    await kim.send("/clients")
    (earlier_view,) = await kim.press("Alex")
    assert "my brother" in earlier_view.body

    await alex.send("/share")
    (history,) = await alex.press("What I've shared")
    assert "with Dr Kim: Note" in history.body
    (ask,) = await alex.press("Withdraw Mar 2 (Dr Kim)")
    assert _labels(ask) == ["Withdraw it", "Keep it"]
    await alex.press("Withdraw it")
    assert alex.last().body.startswith("Withdrawn.")
    assert delivered.deleted
    assert earlier_view.deleted  # the /clients message that showed it is taken back too
    await kim.send("/clients")
    (view,) = await kim.press("Alex")
    assert "my brother" not in view.body
    (share,) = await services(app).db.shares(alex.id)
    assert share.body is None and share.withdrawn_at is not None
    # Pressing Withdraw again changes nothing.
    await alex.send("/share")
    (history,) = await alex.press("What I've shared")
    assert "withdrawn on" in history.body


async def test_withdrawing_an_old_share_edits_what_cannot_be_deleted(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    kim, _ = await _team(app, api, alex)
    await alex.send("Something I'd rather take back later")
    await _preview(alex, "Note")
    await alex.press("Dr Kim (clinician)")
    await alex.press("Share with Dr Kim")
    delivered = api.messages(kim.id)[-1]
    clock.advance(timedelta(days=3))  # Telegram deletes bot messages only for 48 hours
    await alex.send("/share")
    await alex.press("What I've shared")
    await alex.press("Withdraw Mar 2 (Dr Kim)")
    await alex.press("Withdraw it")
    assert not delivered.deleted
    assert delivered.body == "Alex withdrew what they shared here."


async def test_removing_someone_stops_future_shares_but_withdraws_nothing(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    _, sam = await _team(app, api, alex)
    await alex.send("First thing")
    preview = await _preview(alex, "Note")
    await alex.press("Sam (peer supporter)")
    await alex.press("Share with Sam")
    assert api.messages(sam.id)[-1].body == preview.body
    # A preview made while Sam is in the team...
    await alex.send("Second thing")
    await _preview(alex, "Note Mar 2: Second")
    await alex.press("Sam (peer supporter)")
    await alex.send("/team")
    await alex.press("Sam")
    await alex.press("Remove Sam")
    await alex.press("Remove Sam")
    # ... is sent to nobody once Sam is removed: the old button refuses.
    before = len(api.messages(sam.id))
    share_buttons = [
        (m, data)
        for m in api.messages(alex.id)
        for label, data in m.buttons()
        if label == "Share with Sam"
    ]
    message, data = share_buttons[-1]
    await alex.press_data(message.message_id, data)
    assert len(api.messages(sam.id)) == before
    # What Sam already had stays in his chat; his list no longer shows Alex.
    assert not api.messages(sam.id, include_deleted=True)[-1].deleted
    (clients,) = await sam.send("/clients")
    assert "Alex" not in clients.body


async def test_an_old_preview_never_sends_a_different_text(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim, _ = await _team(app, api, alex)
    await alex.send("Version one")
    await alex.send("Version two")
    first = await _preview(alex, "Note Mar 2: Version one")
    await alex.press_data(first.message_id, first.buttons()[0][1])  # Dr Kim
    old_go = next(data for label, data in alex.last().buttons() if label.startswith("Share"))
    # The client starts over and previews something else.
    await _preview(alex, "Note Mar 2: Version two")
    before = len(api.messages(kim.id))
    await alex.press_data(first.message_id, old_go)
    assert len(api.messages(kim.id)) == before


async def test_share_this_after_a_check_in_and_the_suggested_draft(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    await _team(app, api, alex)
    await alex.send("/checkin")
    sent = await alex.press("Very little")
    while "Share this" not in _labels(alex.last()):
        first = alex.last().buttons()[0][0]
        sent = await alex.press(first)
    assert sent[-1].body.startswith("Saved.")
    await alex.press("Share this")
    menu = alex.last()
    assert _labels(menu)[0].startswith("✓ Check-in Mar 2:")
    sent = await alex.press("See what would be sent")
    body = sent[-1].body
    assert body.startswith("From Alex, shared with you on March 2, 2026:\n\nCheck-in, March 2")
    assert "energy" not in body.lower()  # the capacity answer is never shared
    # Since nothing was shared before, "everything from the list" is offered.
    await alex.send("A note")
    (menu,) = await alex.send("/share")
    assert "Everything from the list" in _labels(menu)


async def test_a_client_without_a_team_is_told_kindly(alex: Person) -> None:
    await alex.send("/start")
    (reply,) = await alex.send("/share")
    assert "Nobody is in your team yet" in reply.body


async def test_erasing_everything_takes_back_what_was_shared(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim, _ = await _team(app, api, alex)
    await alex.send("Shared and then erased")
    await _preview(alex, "Note")
    await alex.press("Dr Kim (clinician)")
    await alex.press("Share with Dr Kim")
    delivered = api.messages(kim.id)[-1]
    await alex.send("/delete")
    await alex.press("Erase everything")
    assert delivered.deleted
    (clients,) = await kim.send("/clients")
    assert "Alex" not in clients.body


async def test_mydata_holds_the_team_and_what_was_shared(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    import json

    await _team(app, api, alex)
    await alex.send("Words for Dr Kim")
    await _preview(alex, "Note")
    await alex.press("Dr Kim (clinician)")
    await alex.press("Share with Dr Kim")
    sent = await alex.send("/mydata")
    document = sent[-1].document
    assert document is not None
    data = json.loads(document["content"])
    assert [m["name"] for m in data["team"]] == ["Dr Kim", "Sam"]
    (shared,) = data["shared"]
    assert shared["with"] == ["Dr Kim"] and "Words for Dr Kim" in shared["text"]
    assert shared["withdrawn"] is None


async def test_someone_close_who_erases_their_account_leaves_the_team_and_the_client_is_told(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    await alex.send("/start")
    await alex.send("/team")
    from tests.conftest import link_code

    code = link_code(await alex.press("Invite someone close to me"))
    jo = Person(app, api, 401, "Jo")
    await jo.send(f"/start {code}")
    await jo.press("Accept")
    scheduler = services(app).scheduler
    assert scheduler is not None
    await scheduler.tick()
    (reply,) = await jo.send("a few words")
    assert "this message was not kept" in reply.body
    await jo.send("/delete")
    await jo.press("Erase everything")
    before = len(api.messages(alex.id))
    await scheduler.tick()
    # Right after the notice that Jo joined, the next one waits a few minutes.
    assert len(api.messages(alex.id)) == before
    clock.advance(timedelta(minutes=5))
    await scheduler.tick()
    assert api.messages(alex.id)[before].body.startswith("Jo is no longer in your team")
    assert await services(app).db.team_of(alex.id) == []

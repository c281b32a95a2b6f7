"""Sharing: the client picks items, sees the exact text, picks people, and can take it back."""

from __future__ import annotations

import re
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
    preview = await _preview(alex, "Note 2 Mar: I slept")
    assert preview.body == (
        "From Alex, shared with you on 2 March 2026:\n\n"
        "Note, 2 March 2026\nI slept badly all week and the new dose makes me dizzy"
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
    (ask,) = await alex.press("Withdraw 2 Mar (Dr Kim)")
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
    await alex.press("Withdraw 2 Mar (Dr Kim)")
    await alex.press("Withdraw it")
    assert not delivered.deleted
    assert delivered.body == "Alex withdrew what they shared here."


async def test_removing_someone_stops_future_shares_and_takes_back_what_they_had(
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
    await _preview(alex, "Note 2 Mar: Second")
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
    # What Sam already had is taken back from his chat; his list no longer shows Alex.
    shared = [m for m in api.messages(sam.id, include_deleted=True) if m.body == preview.body]
    assert shared and all(m.deleted for m in shared)
    (clients,) = await sam.send("/clients")
    assert "Alex" not in clients.body


async def test_an_old_preview_never_sends_a_different_text(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim, _ = await _team(app, api, alex)
    await alex.send("Version one")
    await alex.send("Version two")
    first = await _preview(alex, "Note 2 Mar: Version one")
    await alex.press_data(first.message_id, first.buttons()[0][1])  # Dr Kim
    old_go = next(data for label, data in alex.last().buttons() if label.startswith("Share"))
    # The client starts over and previews something else.
    await _preview(alex, "Note 2 Mar: Version two")
    before = len(api.messages(kim.id))
    await alex.press_data(first.message_id, old_go)
    assert len(api.messages(kim.id)) == before


async def test_client_shares_a_check_in_from_share_this(
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
    assert _labels(menu)[0].startswith("✓ Check-in 2 Mar:")
    sent = await alex.press("See what would be sent")
    body = sent[-1].body
    assert body.startswith("From Alex, shared with you on 2 March 2026:\n\nCheck-in, 2 March")
    assert "energy" not in body.lower()  # the capacity answer is never shared


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
    reply, _ = await jo.send("a few words")  # then: would Alex like to read it?
    assert reply.body.startswith("I kept this as your own note. Only you can see it.")
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


# --- the edges: older items, long items, buttons that stay put ------------------------------


def _long_note() -> str:
    """Just over 4,000 characters in the client's words (as long as one message can be):
    paragraphs of short sentences, numbered words, so a word cut in two would show."""
    note = "\n\n".join(
        " ".join(f"Today w{p:02d}x{s:02d} felt slow and heavy again." for s in range(11))
        for p in range(9)
    )
    n = 0
    while len(note) < 4040:
        note += f" Still w99x{n:02d} here."
        n += 1
    return note


async def _newest_share_menu(alex: Person) -> ChatMessage:
    (menu,) = await alex.send("/share")
    assert menu.body.startswith("What would you like to share?")
    return menu


async def test_client_shares_a_note_from_three_weeks_ago(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    kim, _ = await _team(app, api, alex)
    await alex.send("The talk with my sister went badly")
    for day in range(1, 13):  # newer notes push it far down the list
        clock.advance(timedelta(days=1))
        await alex.send(f"Small note number {day}")
    clock.advance(timedelta(days=9))  # three weeks after the note
    menu = await _newest_share_menu(alex)
    assert len(_labels(menu)) <= 6  # three items, then the same actions on every page
    assert not any("sister" in label for label in _labels(menu))
    assert "Page 1 of 5" in menu.body
    # "Older" until it is there, in the same message.
    while not any("sister" in label for label in _labels(alex.last())):
        await alex.press("Older ›")
        assert alex.last().message_id == menu.message_id
    page = alex.last()
    assert "Page 5 of 5" in page.body
    (old_note,) = [label for label in _labels(page) if "sister" in label]
    assert old_note.startswith("Note 2 Mar:")
    await alex.press(old_note)
    assert "Chosen: 1" in alex.last().body
    # At the oldest page, the same button leads back to the newest, where what was ticked
    # further back is still counted.
    assert "Older ›" not in _labels(alex.last())
    await alex.press("‹ Back to the newest")
    assert "Page 1 of 5" in alex.last().body and "Chosen: 1" in alex.last().body
    (preview,) = await alex.press("See what would be sent")
    assert preview.body == (
        "From Alex, shared with you on 23 March 2026:\n\n"
        "Note, 2 March 2026\nThe talk with my sister went badly"
    )
    await alex.press("Dr Kim (clinician)")
    await alex.press("Share with Dr Kim")
    assert api.messages(kim.id)[-1].body == preview.body


async def test_client_shares_one_long_note_whole(app: App, api: FakeBotAPI, alex: Person) -> None:
    kim, sam = await _team(app, api, alex)
    note = _long_note()
    assert 4000 < len(note) < 4096
    await alex.send(note)
    menu = await _newest_share_menu(alex)
    await alex.press(_labels(menu)[0])
    preview = await alex.press("See what would be sent")
    # The message that was the list now says what follows: every message, in order.
    assert alex.api.messages(alex.id)[-3].message_id == menu.message_id
    assert menu.message_id not in [m.message_id for m in preview]
    intro = next(m for m in api.messages(alex.id) if m.message_id == menu.message_id)
    assert intro.body.startswith(
        "This is exactly what would be sent, as 2 messages in this order."
    )
    assert intro.buttons() == []
    first, last = preview
    assert first.body.startswith("(1/2)\nFrom Alex, shared with you on 2 March 2026:\n\nNote,")
    assert last.body.startswith("(2/2)\n")
    assert first.buttons() == []  # one decision, under the last message
    assert _labels(last)[:2] == ["Dr Kim (clinician)", "Sam (peer supporter)"]
    # Whole: every word, none cut in two, in order.
    numbered = re.compile(r"w\d\dx\d\d")
    shown = "\n".join(part.body.split("\n", 1)[1] for part in preview)
    assert numbered.findall(shown) == numbered.findall(note)
    assert [w for w in shown.split() if w.startswith("w") and w != "with"] == [
        w for w in note.split() if w.startswith("w")
    ]
    for part in preview:
        assert len(part.body.encode("utf-16-le")) // 2 <= 4096

    await alex.press("Dr Kim (clinician)")
    before = len(api.messages(kim.id))
    sent = await alex.press("Share with Dr Kim")
    assert sent[-1].body.startswith("Shared with Dr Kim.")
    assert [m.body for m in api.messages(kim.id)[before:]] == [first.body, last.body]

    # Withdrawing takes back both messages.
    await alex.send("/share")
    await alex.press("What I've shared")
    await alex.press("Withdraw 2 Mar (Dr Kim)")
    await alex.press("Withdraw it")
    delivered = api.messages(kim.id, include_deleted=True)[before:]
    assert len(delivered) == 2 and all(m.deleted for m in delivered)
    assert api.messages(sam.id, include_deleted=True)[-1].body != first.body


async def test_buttons_stay_in_place_while_ticking(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    await _team(app, api, alex)
    for n in range(7):
        await alex.send(f"Thought {n}")
    menu = await _newest_share_menu(alex)

    def shape(message: ChatMessage) -> tuple[list[int], list[list[tuple[str, str]]], int]:
        """How many buttons each row has, the rows below the items, and the text's lines."""
        rows = message.rows()
        return [len(row) for row in rows], rows[3:], message.body.count("\n")

    start = shape(menu)
    assert start[0] == [1, 1, 1, 1, 1, 1]  # three items, Older, preview, Cancel: six
    assert [label for row in start[1] for label, _ in row] == [
        "Older ›",
        "See what would be sent",
        "Cancel",
    ]
    item_data = [data for label, data in menu.buttons()[:3]]
    for label in _labels(menu)[:3]:
        await alex.press(label)
        now = alex.last()
        assert now.message_id == menu.message_id  # the same message, changed in place
        assert shape(now) == start
        assert [data for _, data in now.buttons()[:3]] == item_data
    assert "Chosen: 3" in alex.last().body
    ticked = [label for label in _labels(alex.last()) if label.startswith("✓ ")]
    assert len(ticked) == 3
    # Untick one: still nothing moves.
    await alex.press(ticked[0])
    assert shape(alex.last()) == start and "Chosen: 2" in alex.last().body
    # A page further back is as full, so paging moves nothing below the items; the oldest
    # holds only the one item no other page has, with the same actions under it.
    await alex.press("Older ›")
    older = alex.last()
    assert older.message_id == menu.message_id
    assert shape(older)[0] == start[0]
    await alex.press("Older ›")
    oldest = alex.last()
    assert oldest.message_id == menu.message_id
    assert _labels(oldest) == [
        "Note 2 Mar: Thought 0",
        "‹ Back to the newest",
        "See what would be sent",
        "Cancel",
    ]
    await alex.press("Note 2 Mar: Thought 0")
    assert [len(row) for row in alex.last().rows()] == [1, 1, 1, 1]
    assert "Chosen: 3" in alex.last().body

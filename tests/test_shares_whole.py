"""A share is one thing wherever it shows: whole in /clients even when it arrived as several
messages, once on the pages of /share, and never behind more buttons than a person can take in."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.app import App
from bot.core.clock import ManualClock
from bot.standin import ChatMessage, FakeBotAPI
from tests.conftest import Person, join, link_code, make_staff, services


async def _with_kim(app: App, api: FakeBotAPI, alex: Person) -> Person:
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    await alex.send("/start")
    await join(kim, alex)
    return kim


def _labels(message: ChatMessage) -> list[str]:
    return [label for label, _ in message.buttons()]


def _long_note() -> str:
    """About 4,000 characters in the client's words, numbered so a word lost would show."""
    note = "\n\n".join(
        " ".join(f"Today w{p:02d}x{s:02d} felt slow and heavy again." for s in range(11))
        for p in range(9)
    )
    n = 0
    while len(note) < 4040:
        note += f" Still w99x{n:02d} here."
        n += 1
    return note


async def _share_with_kim(alex: Person, starts: str) -> list[ChatMessage]:
    """/share, tick the newest item starting with ``starts``, preview, pick Dr Kim, Share."""
    await alex.send("/share")
    while not any(label.startswith(starts) for label in _labels(alex.last())):
        await alex.press("Older ›")
    await alex.press(next(lb for lb in _labels(alex.last()) if lb.startswith(starts)))
    preview = await alex.press("See what would be sent")
    await alex.press("Dr Kim (clinician)")
    await alex.press("Share with Dr Kim")
    return preview


async def test_clinician_sees_a_long_shared_note_whole_in_clients(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim = await _with_kim(app, api, alex)
    await alex.send("A short one from before")
    await _share_with_kim(alex, "Note 2 Mar: A short")
    note = _long_note()
    await alex.send(note)
    before = len(api.messages(kim.id))
    await _share_with_kim(alex, "Note 2 Mar: Today")
    delivered = [m.body for m in api.messages(kim.id)[before:]]
    assert [body[:6] for body in delivered] == ["(1/2)\n", "(2/2)\n"]

    await kim.send("/clients")
    view = await kim.press("Alex")
    shown = "\n".join(m.body for m in view)
    # The long note is there, whole: every numbered word once, in order.
    numbered = re.compile(r"w\d\dx\d\d")
    assert numbered.findall(shown) == numbered.findall(note)
    # One share, shown as it was delivered, newest first: its two parts, never one without
    # the other. The older share is further up in Dr Kim's chat, and the page says so.
    assert shown.count("From Alex, shared with you on") == 1
    assert [m.body[:6] for m in view[1:3]] == ["(1/2)\n", "(2/2)\n"]
    assert view[1].body == delivered[0] and view[2].body.startswith(delivered[1])
    assert "A short one from before" not in shown
    assert view[-1].body.endswith("(Older ones are further up in this chat.)")
    for message in view:
        assert len(message.body.encode("utf-16-le")) // 2 <= 4096
    # One decision, under the last message.
    assert [_labels(m) for m in view[:-1]] == [[] for _ in view[:-1]]
    assert _labels(view[-1]) == ["Propose a meeting date to Alex", "All clients"]

    # Withdrawing the long share takes back every /clients message that showed it.
    await alex.send("/share")
    await alex.press("What I've shared")
    withdraw = next(lb for lb in _labels(alex.last()) if lb.startswith("Withdraw"))
    await alex.press(withdraw)
    await alex.press("Withdraw it")
    view_ids = {m.message_id for m in view}
    shown_again = [
        m for m in api.messages(kim.id, include_deleted=True) if m.message_id in view_ids
    ]
    assert len(shown_again) == len(view) and all(m.deleted for m in shown_again)


async def test_client_pages_through_six_notes_and_sees_each_once(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    await _with_kim(app, api, alex)
    for n in range(1, 7):
        await alex.send(f"n{n}")
    (menu,) = await alex.send("/share")
    seen: list[str] = []
    while True:
        page = alex.last()
        assert page.message_id == menu.message_id
        seen += [label for label in _labels(page) if label.startswith("Note")]
        if "‹ Back to the newest" in _labels(page):
            break
        await alex.press("Older ›")
    # Newest first, every note once, none twice.
    assert seen == [f"Note 2 Mar: n{n}" for n in range(6, 0, -1)]
    await alex.press("‹ Back to the newest")
    assert [lb for lb in _labels(alex.last()) if lb.startswith("Note")] == seen[:3]


class _Screens:
    """Every message in these people's chats, looked at after each thing anyone does (edits
    included): none may offer more than six buttons."""

    def __init__(self, api: FakeBotAPI, *people: Person) -> None:
        self.api = api
        self.people = list(people)
        self.looked = 0

    def check(self) -> None:
        for person in self.people:
            for message in self.api.messages(person.id):
                shown = _labels(message)
                assert len(shown) <= 6, f"{len(shown)} buttons: {shown}\n{message.body}"
                self.looked += 1

    async def send(self, person: Person, text: str) -> list[ChatMessage]:
        sent = await person.send(text)
        self.check()
        return sent

    async def press(self, person: Person, label: str) -> list[ChatMessage]:
        sent = await person.press(label)
        self.check()
        return sent

    async def press_starting(self, person: Person, start: str) -> list[ChatMessage]:
        label = next(lb for lb in _labels(person.last()) if lb.startswith(start))
        return await self.press(person, label)


async def test_a_client_with_a_big_team_and_much_shared_never_sees_more_than_six_buttons(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    lee = await make_staff(app, api, 202, "Dr Lee", "clinician")
    sam = await make_staff(app, api, 301, "Sam", "peer")
    jo, max_ = Person(app, api, 401, "Jo"), Person(app, api, 402, "Max")
    others = [Person(app, api, 110 + n, f"Client {n}") for n in range(6)]
    screens = _Screens(api, alex, kim, lee, sam, jo, max_, *others)
    await alex.send("/start")
    await alex.press("That's fine")
    for member in (kim, lee, sam):
        code = link_code(await screens.send(member, "/invite"))
        await screens.send(alex, f"/start {code}")
        await screens.press(alex, f"Accept {member.name}")
    for close in (jo, max_):
        await screens.send(alex, "/team")
        code = link_code(await screens.press(alex, "Invite someone close to me"))
        await screens.send(close, f"/start {code}")
        await screens.press(close, "Accept")
    for n in range(8):
        await screens.send(alex, f"Note number {n}")

    # /share: every page, round to the newest again; then the people of a big team, page by
    # page; six times, so the history has more than one page too.
    (menu,) = await screens.send(alex, "/share")
    assert len(_labels(menu)) <= 6
    while "‹ Back to the newest" not in _labels(alex.last()):
        await screens.press(alex, "Older ›")
    await screens.press(alex, "‹ Back to the newest")
    for n in range(6):
        if n:
            await screens.send(alex, "/share")
        await screens.press_starting(alex, "Note")
        await screens.press(alex, "See what would be sent")
        while "‹ Back to the first people" not in _labels(alex.last()):
            await screens.press(alex, "More people ›")
        await screens.press(alex, "‹ Back to the first people")
        await screens.press(alex, "Dr Kim (clinician)")
        await screens.press(alex, "Share with Dr Kim")
    await screens.send(alex, "/share")
    (history,) = await screens.press(alex, "What I've shared")
    assert _labels(history)[-1] == "Older ›"  # five Withdraws, then the older ones
    await screens.press(alex, "Older ›")
    await screens.press_starting(alex, "Withdraw")
    await screens.press(alex, "Keep it")
    await screens.press(alex, "‹ Back to the newest")

    # /team with waiting nudges: its pages, one person, removing (kept), a meeting date.
    for words in ("See you soon", "Thinking of you"):
        await screens.send(sam, "/nudge")
        await screens.press(sam, "Alex")
        await screens.press(sam, "In 3 days")
        await screens.send(sam, words)
        await screens.press(sam, "Send")
    (team,) = await screens.send(alex, "/team")
    assert "Decline the 2 nudges from Sam" in _labels(team)
    while "‹ Back to the first people" not in _labels(alex.last()):
        await screens.press(alex, "More people ›")
    await screens.press(alex, "‹ Back to the first people")
    await screens.press(alex, "Sam")
    await screens.press(alex, "Remove Sam")
    await screens.press(alex, "Keep Sam")
    await screens.send(alex, "/team")
    await screens.press(alex, "Set the meeting date")
    await screens.send(alex, "20/3")
    await screens.press(alex, "Yes, save it")

    # Dr Kim's /clients with seven clients, a client's page, proposing a date, the answer.
    for other in others:
        code = link_code(await screens.send(kim, "/invite"))
        await screens.send(other, f"/start {code}")
        await screens.press(other, "Accept Dr Kim")
    (clients,) = await screens.send(kim, "/clients")
    assert len(_labels(clients)) == 6 and "Page 1 of 2" in clients.body
    await screens.press(kim, "More clients ›")
    await screens.press(kim, "‹ Back to the first clients")
    await screens.press(kim, "Alex")
    await screens.press(kim, "Propose a meeting date to Alex")
    await screens.send(kim, "27/3")
    await screens.press(kim, "Propose it to Alex")
    scheduler = services(app).scheduler
    assert scheduler is not None
    for _ in range(12):
        clock.advance(timedelta(minutes=10))
        await scheduler.tick()
        screens.check()
    await screens.press(alex, "Another day")
    await screens.press(kim, "All clients")
    assert screens.looked > 1000

"""The access matrix (issue 5): two clients, two clinicians, a peer supporter and a network
member; each client's words carry a unique canary. Every command and every button anyone was
ever shown is replayed by everyone: no canary may reach a chat its client did not pick."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from bot.app import App
from bot.core import usecases
from bot.core.actions import ACTIONS, load_all
from bot.core.actions.checkin import EraseAll
from bot.core.clock import ManualClock
from bot.core.model import Role
from bot.standin import ChatMessage, FakeBotAPI
from bot.tg.codec import encode
from tests.conftest import Person, join, link_code, make_staff, services

ALEX, BLAIR, KIM, LEE, SAM, JO = 101, 102, 201, 202, 301, 401
NAMES = {ALEX: "Alex", BLAIR: "Blair", KIM: "Dr Kim", LEE: "Dr Lee", SAM: "Sam", JO: "Jo"}

# Each canary and the chats it may ever reach: its client's, and the people they picked for it.
ALEX_NOTE_1 = "CANARY-ALEX-NOTE-1"  # shared with Dr Kim only
ALEX_NOTE_2 = "CANARY-ALEX-NOTE-2"  # shared with Sam and Jo
ALEX_PRIVATE = "CANARY-ALEX-PRIVATE"
ALEX_ANSWER = "CANARY-ALEX-ANSWER"
ALEX_PLAN = "CANARY-ALEX-PLAN"
ALEX_PAUSE = "CANARY-ALEX-PAUSE"
BLAIR_NOTE = "CANARY-BLAIR-NOTE"  # shared with Dr Lee, with Blair's check-in answer
BLAIR_ANSWER = "CANARY-BLAIR-ANSWER"
BLAIR_PRIVATE = "CANARY-BLAIR-PRIVATE"
# Messages between a client and one person of their team: only those two.
SAM_NUDGE = "CANARY-SAM-NUDGE"
ALEX_REPLY = "CANARY-ALEX-REPLY"
SAM_ANSWER = "CANARY-SAM-ANSWER"
ALEX_TO_KIM = "CANARY-ALEX-TO-KIM"
KIM_ANSWER = "CANARY-KIM-ANSWER"
BLAIR_TO_LEE = "CANARY-BLAIR-TO-LEE"
ALLOWED = {
    ALEX_NOTE_1: {ALEX, KIM},
    ALEX_NOTE_2: {ALEX, SAM, JO},
    ALEX_PRIVATE: {ALEX},
    ALEX_ANSWER: {ALEX},
    ALEX_PLAN: {ALEX},
    ALEX_PAUSE: {ALEX, KIM, SAM, JO},  # left for the team, shown to those who try to reach him
    BLAIR_NOTE: {BLAIR, LEE},
    BLAIR_ANSWER: {BLAIR, LEE},
    BLAIR_PRIVATE: {BLAIR},
    SAM_NUDGE: {SAM, ALEX},
    ALEX_REPLY: {ALEX, SAM},
    SAM_ANSWER: {SAM, ALEX},
    ALEX_TO_KIM: {ALEX, KIM},
    KIM_ANSWER: {KIM, ALEX},
    BLAIR_TO_LEE: {BLAIR, LEE},
}
CANARY = re.compile(r"CANARY(?:-[A-Z0-9]+)+")
# Who a client is, and who is close to them, is theirs too: these names reach their team only.
NAME_ALLOWED = {"Alex": {ALEX, KIM, SAM, JO}, "Jo": {ALEX, KIM, SAM, JO}, "Blair": {BLAIR, LEE}}
MEETINGS = {ALEX: "2026-03-12", BLAIR: "2026-03-19"}

COMMANDS = (
    "/start", "/help", "/helpnow", "/checkin", "/agenda", "/settings", "/pause", "/resume",
    "/team", "/share", "/mydata", "/delete", "/clients", "/invite", "/nudge",
)  # fmt: skip
# Button data of the contract that this story never shows (meeting invitations, the offer of
# fewer check-ins, the main menu), and forged data: "a bad client can send arbitrary data" in a
# callback query (Bot API), so ids that name nothing, or do not fit in a database integer, must
# be refused as calmly as anyone else's.
BIG = "9" * 30
EXTRA_DATA = (
    "m:help", "m:ci", "m:note", "m:team", "f:fewer", "f:same", "mt:prep", "mt:after", "mt:no",
    "mt:nox", "t:mt", "t:mtx", "t:inv", "p:write", "p:skip", "p:stop", "z:msg", "z:nomsg",
    "sh:list", "sh:new", "sh:pv", "sh:back", "sh:x", "sh:wn", "cl:all", "cl:v:101",
    "cl:v:102", "cl:mt:101", "cl:mt:102", "cl:mtx:101", "cl:mtx:102", "del:no", "cl:v:0",
    f"cl:v:{BIG}", f"sh:w:{BIG}", f"sh:wy:{BIG}", f"sh:c:{BIG}", f"t:p:{BIG}", f"t:nd:{BIG}",
    f"a:{BIG}", f"r:send:{BIG}", f"n:c:{BIG}", f"n:x:{BIG}", "n:c:101", "n:c:102",
    "n:w:102:now",
)  # fmt: skip


def _forged_actions() -> list[str]:
    """Every kind of button this version makes, with ids that name nothing (0, and the largest
    id button data can carry), pressed as data nobody was shown."""
    load_all()
    forged = []
    for cls in ACTIONS.values():
        for number in (0, 10**17):
            values: dict[str, object] = {}
            for name, kind in typing.get_type_hints(cls).items():
                if name == "tag":
                    continue
                args = [a for a in typing.get_args(kind) if a is not type(None)] or [kind]
                kind = args[0]
                if kind is int:
                    values[name] = number
                elif kind is bool:
                    values[name] = True
                elif kind is str:
                    values[name] = "abcd"
                else:
                    values[name] = next(iter(kind))
            action = cls(**values)
            if not isinstance(action, EraseAll):  # it only ever erases the presser's own account
                forged.append(encode(action))
    return sorted(set(forged))


EXTRA_DATA = EXTRA_DATA + tuple(_forged_actions())
APOLOGY = "Sorry, something went wrong on my side"


def _owner_only(data: str) -> bool:
    """Buttons that take back or remove: pressed by others (who must be refused), never by the
    client they were shown to, whose shares and team they would change. Erasing ("del:yes")
    is pressed by nobody: it only ever erases the presser's own account."""
    return data.startswith(("del:yes", "dy:", "sy:", "sh:wy:", "t:rmy:", "try:"))


@dataclass
class World:
    app: App
    api: FakeBotAPI
    people: dict[int, Person]
    pressed_by: dict[str, int]  # callback query id -> who pressed it


def _track_presses(api: FakeBotAPI) -> dict[str, int]:
    """Remember who pressed each button, so callback answers (alerts) are scanned too."""
    pressed_by: dict[str, int] = {}
    original = api.press

    def press(user_id: int, message_id: int, data: str) -> dict[str, Any]:
        update = original(user_id, message_id, data)
        pressed_by[str(update["callback_query"]["id"])] = user_id
        return update

    api.press = press  # type: ignore[method-assign]
    return pressed_by


def _find(person: Person, match: Callable[[str], bool]) -> tuple[int, str]:
    """The newest button in ``person``'s chat whose label matches: (message id, data)."""
    for message in reversed(person.api.messages(person.id)):
        for label, data in message.buttons():
            if match(label):
                return message.message_id, data
    shown = [label for m in person.api.messages(person.id) for label, _ in m.buttons()]
    raise AssertionError(f"no such button in {person.name}'s chat; shown: {shown}")


async def _press_containing(person: Person, fragment: str) -> list[ChatMessage]:
    message_id, data = _find(person, lambda label: fragment in label)
    return await person.press_data(message_id, data)


async def _checkin_with_words(person: Person, words: str) -> None:
    """A check-in at the most capacity: words typed for the first question, buttons after."""
    await person.send("/checkin")
    await person.press("Plenty")
    await person.send(words)
    for _ in range(10):
        buttons = [d for _, d in person.last().buttons()]
        go_on = [d for d in buttons if d.startswith("cgo:")]  # past a human step
        answers = go_on or [d for d in buttons if d.startswith("ca:")]
        if not answers:
            break
        await person.press_data(person.last().message_id, answers[0])
    assert person.last().body.startswith("Saved."), person.last().body


async def _share(client: Person, canaries: list[str], recipients: list[str]) -> None:
    """/share the items holding ``canaries`` (already ticked ones stay) with ``recipients``."""
    if not client.last().body.startswith("What would you like to share?"):
        await client.send("/share")
    for canary in canaries:
        await _press_containing(client, canary)
    (preview,) = await client.press("See what would be sent")
    assert all(c in preview.body for c in canaries), preview.body
    for name in recipients:
        await _press_containing(client, f"{name} (")
    go = f"Share with {recipients[0]}" if len(recipients) == 1 else f"Share with {len(recipients)}"
    sent = await _press_containing(client, go)
    assert sent and sent[-1].body.startswith("Shared with"), [m.body for m in sent]


async def _deliver(
    app: App, clock: ManualClock, rounds: int = 3, step: timedelta = timedelta(minutes=6)
) -> None:
    """Let the scheduler send what is due (one message a person every few minutes)."""
    scheduler = services(app).scheduler
    assert scheduler is not None
    for _ in range(rounds):
        clock.advance(step)
        await scheduler.tick()


async def _write(client: Person, member: str, words: str) -> None:
    """The client writes to one person of their team, from /team."""
    await client.send("/team")
    await client.press(member)
    await client.press(f"Write to {member}")
    await client.send(words)
    sent = await client.press(f"Send to {member}")
    assert sent[-1].body.startswith(f"Sent to {member}"), sent[-1].body


async def _answer(member: Person, words: str) -> None:
    """The member answers what their client wrote."""
    await _press_containing(member, "Answer ")
    await member.send(words)
    await member.press("Send")
    assert "will get it" in member.last().body, member.last().body


async def _build(app: App, api: FakeBotAPI, clock: ManualClock) -> World:
    """Six people, the teams, the canaries, the shares and messages; and every kind of button
    shown at least once."""
    pressed_by = _track_presses(api)
    kim = await make_staff(app, api, KIM, "Dr Kim", "clinician")
    lee = await make_staff(app, api, LEE, "Dr Lee", "clinician")
    sam = await make_staff(app, api, SAM, "Sam", "peer")
    alex, blair = Person(app, api, ALEX, "Alex"), Person(app, api, BLAIR, "Blair")
    for client in (alex, blair):
        await client.send("/start")
        await client.press("That's fine")
    await join(kim, alex)
    await join(sam, alex)
    await join(lee, blair)
    await alex.send("/team")
    code = link_code(await alex.press("Invite someone close to me"))
    jo = Person(app, api, JO, "Jo")
    await jo.send(f"/start {code}")
    await jo.press("Accept")
    # The clinicians propose their clients' meeting dates (read back in words first).
    await kim.send("/clients")
    await kim.press("Alex")
    await kim.press("Propose a meeting date to Alex")
    await kim.send("12 March")
    await kim.press("Propose it to Alex")
    await lee.send("/clients")
    await lee.press("Blair")
    await lee.press("Propose a meeting date to Blair")
    await lee.send("19 March")
    await lee.press("Propose it to Blair")

    # Alex's words: notes, a check-in, a crisis plan.
    await alex.send(f"{ALEX_NOTE_1} I slept badly all week")
    await alex.send(f"{ALEX_NOTE_2} my sister visited")
    await alex.send(f"{ALEX_PRIVATE} nobody needs to know this")
    await _checkin_with_words(alex, f"{ALEX_ANSWER} heavy but okay")
    await alex.send("/helpnow")
    await alex.press("Write my plan")
    await alex.send(f"{ALEX_PLAN} call my sister Ruth")
    await alex.press("Skip this part")
    await alex.press("Skip this part")
    await alex.send("/helpnow")
    assert ALEX_PLAN in alex.last().body
    # Blair's words.
    await blair.send(f"{BLAIR_NOTE} the new dose makes me tired")
    await blair.send(f"{BLAIR_PRIVATE} I skipped the meeting on purpose")
    await _checkin_with_words(blair, f"{BLAIR_ANSWER} tired")

    # The shares: Blair from "Share this" under her check-in, with her note, to Dr Lee.
    await blair.press("Share this")
    await _share(blair, [BLAIR_NOTE], ["Dr Lee"])
    await _share(alex, [ALEX_NOTE_1], ["Dr Kim"])
    await _share(alex, [ALEX_NOTE_2], ["Sam", "Jo"])

    # Messages: Sam nudges Alex, Alex replies, Sam answers; Alex writes to Dr Kim, who
    # answers, and asks Dr Kim to call; Blair writes to Dr Lee.
    await sam.send("/nudge")
    await sam.press("Alex")
    await sam.press("Now")
    await sam.send(f"{SAM_NUDGE} thinking of you")
    await sam.press("Send")
    await _deliver(app, clock)
    await alex.press("Reply to Sam")
    await alex.send(f"{ALEX_REPLY} thanks, it helped")
    await alex.press("Send to Sam")
    await _answer(sam, f"{SAM_ANSWER} glad to hear")
    await _write(alex, "Dr Kim", f"{ALEX_TO_KIM} can we talk about the dose")
    await _answer(kim, f"{KIM_ANSWER} yes, on Thursday")
    await _write(blair, "Dr Lee", f"{BLAIR_TO_LEE} I feel worse")
    await _deliver(app, clock)
    assert any(SAM_ANSWER in m.body for m in api.messages(ALEX))
    assert any(KIM_ANSWER in m.body for m in api.messages(ALEX))
    await alex.press("Thanks")
    await alex.press("No more nudges from Sam")
    await alex.press("Keep them")
    await alex.send("/team")
    await alex.press("Dr Kim")
    await alex.press("Ask Dr Kim to get in touch")
    await alex.press("Please call me")
    await alex.press("Send to Dr Kim")

    # Alex pauses with a message for his team; Sam's next nudge waits, and Sam is told.
    await alex.send("/pause")
    await alex.press("For a day")
    await alex.press("Write a message")
    await alex.send(f"{ALEX_PAUSE} back on Wednesday")
    await sam.send("/nudge")
    await sam.press("Alex")
    await sam.press("Tomorrow morning")
    await sam.press("Thinking of you. No need to reply.")
    (told,) = await sam.press("Send")
    assert ALEX_PAUSE in told.body, told.body
    await sam.send("/nudge")  # shows the waiting nudge, with "Cancel"

    # Show every other kind of button once: withdraw (kept), remove (kept), erase (kept), the
    # settings pickers, the people's views of their clients.
    for client, member in ((alex, "Dr Kim"), (blair, "Dr Lee")):
        await client.send("/share")
        (history,) = await client.press("What I've shared")
        for label, _ in history.buttons():
            await client.press(label)
            await client.press("Keep it")
        await client.send("/team")
        await client.press(member)
        await client.press(f"Remove {member}")
        await client.press(f"Keep {member}")
        await client.send("/delete")
        await client.press("Keep my data")
    await alex.send("/settings")
    for menu in ("Days", "Time", "Time zone", "Contact hours", "How often"):
        await alex.press(menu)
        await alex.press("Back")
    for person, client_name in ((kim, "Alex"), (sam, "Alex"), (jo, "Alex"), (lee, "Blair")):
        await person.send("/clients")
        await person.press(client_name)

    world = World(app, api, {p.id: p for p in (alex, blair, kim, lee, sam, jo)}, pressed_by)
    # What was shared and written reached whom it was meant for.
    assert _reached(world, ALEX_NOTE_1) == {ALEX, KIM}
    assert _reached(world, ALEX_NOTE_2) == {ALEX, SAM, JO}
    assert _reached(world, BLAIR_NOTE) == {BLAIR, LEE}
    assert _reached(world, ALEX_TO_KIM) == {ALEX, KIM}
    assert _reached(world, SAM_ANSWER) == {ALEX, SAM}
    return world


# --- what reached whom ------------------------------------------------------------------------


def _strings(value: object, key: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a request's parameters with the key it sits under, JSON opened up."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _strings(item, str(name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item, key)
    elif isinstance(value, str):
        yield key, value
        if value[:1] in "[{":
            with contextlib.suppress(ValueError):
                yield from _strings(json.loads(value), key)
    elif value is not None:
        yield key, str(value)


def _deliveries(world: World) -> Iterator[tuple[int | None, str, str]]:
    """(chat, what, text) for everything the bot ever put before someone: every request
    (sends, edits, button labels, alerts to the presser) and every message as it is now,
    deleted ones and the content of documents included."""
    for number, (method, params) in enumerate(world.api.calls):
        if method == "answerCallbackQuery":
            chat = world.pressed_by.get(str(params.get("callback_query_id")))
        elif "chat_id" in params:
            chat = int(params["chat_id"])
        else:
            chat = None
        yield chat, f"request #{number} {method}", "\n".join(v for _, v in _strings(params))
    for chat in world.api.chat_ids:
        for message in world.api.messages(chat, include_deleted=True):
            parts = [message.text or "", message.caption or "", json.dumps(message.reply_markup)]
            if message.document is not None:
                content = message.document["content"]
                if content.startswith(b"%PDF-"):  # its words, as a reader sees them
                    parts += [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]
                else:
                    parts.append(content.decode("utf-8", "replace"))
            yield chat, f"message {message.message_id} ({message.kind})", "\n".join(parts)


def _reached(world: World, canary: str) -> set[int | None]:
    return {chat for chat, _, text in _deliveries(world) if canary in text}


def _leaks(world: World) -> list[str]:
    found = []
    for chat, what, text in _deliveries(world):
        for canary in set(CANARY.findall(text)):
            assert canary in ALLOWED, f"unknown canary {canary} in {what}"
            if chat not in ALLOWED[canary]:
                found.append(f"{canary} reached {NAMES.get(chat or 0, chat)} ({what})")
        for name, allowed in NAME_ALLOWED.items():
            if chat not in allowed and re.search(rf"\b{name}\b", text):
                found.append(f"the name {name} reached {NAMES.get(chat or 0, chat)} ({what})")
    return found


# --- nobody changes anybody else's data -----------------------------------------------------


async def _state(app: App, person_id: int) -> dict[str, Any]:
    """What the store keeps about one person and their links, by topic."""
    db = services(app).db
    user = await db.get_user(person_id)
    assert user is not None
    state = await usecases.export_data(db, db, db, db, db, db, user)
    state["meeting"] = state.pop("next_meeting", None)
    state["messages"] = state.pop("messages_with_the_team", None)
    state.update(
        team_rows=[(m.person.id, m.role.value) for m in await db.team_of(person_id)],
        clients=[(c.person.id, c.role.value) for c in await db.clients_of(person_id)],
        share_rows=[
            (s.id, s.body, s.withdrawn_at, [(r.recipient_id, r.status) for r in s.recipients])
            for s in await db.shares(person_id)
        ],
        draft=await db.share_draft(person_id),
        meeting_row=await db.next_meeting(person_id),
        awaiting=await db.wait(person_id),
    )
    return state


async def _states(app: App) -> dict[int, dict[str, Any]]:
    return {person_id: await _state(app, person_id) for person_id in NAMES}


def _changed(
    before: dict[int, dict[str, Any]], after: dict[int, dict[str, Any]], presser: int
) -> list[str]:
    """What changed about anyone but ``presser``. Someone in a client's team may write to
    them (or cancel what they wrote); a clinician may set the client's meeting date."""
    found = []
    for person_id, state in before.items():
        if person_id == presser:
            continue
        role = dict(state["team_rows"]).get(presser)
        allowed = {"meeting", "meeting_row"} if role == Role.CLINICIAN.value else set()
        for key in state.keys() | after[person_id].keys():  # an empty section is left out
            value, now = state.get(key), after[person_id].get(key)
            if key == "messages" and role and value is not None:
                # Only the presser's own messages with this client may have changed.
                value = [m for m in value if m["with"] != NAMES[presser]]
                now = [m for m in now if m["with"] != NAMES[presser]]
            if key == "messages_with_your_clients" and value is not None:
                # A member's export shows their messages with each client: the presser's own
                # conversation with them may have changed, nobody else's.
                value = [m for m in value if m["client"] != NAMES[presser]]
                now = [m for m in now if m["client"] != NAMES[presser]]
            if key == "your_page_shown" and role and value is not None:
                # The client's export lists when each member was shown their page: only the
                # presser's own viewings of this client may have been added.
                value = [v for v in value if v["shown_to"] != NAMES[presser]]
                now = [v for v in now or [] if v["shown_to"] != NAMES[presser]]
            if key not in allowed and now != value:
                found.append(
                    f"{NAMES[presser]}'s replay changed {NAMES[person_id]}'s {key}: "
                    f"{value!r} -> {now!r}"
                )
    return found


# --- the replay -------------------------------------------------------------------------------


def _everything_shown(world: World) -> tuple[dict[str, set[int]], list[str]]:
    """Every button data anyone was ever shown (with the chats it was shown in), and every
    invite code anyone was shown or typed."""
    shown: dict[str, set[int]] = {data: set() for data in EXTRA_DATA}
    codes: set[str] = set()
    for _, params in world.api.calls:
        for key, text in _strings(params):
            if key == "callback_data":
                shown.setdefault(text, set()).add(int(params["chat_id"]))
            codes.update(re.findall(r"\?start=([\w-]+)", text))
    for chat in world.api.chat_ids:
        for message in world.api.messages(chat, include_deleted=True, from_bot=None):
            for _, data in message.buttons():
                shown.setdefault(data, set()).add(chat)
            codes.update(re.findall(r"(?:\?start=|^/start )([\w-]+)", message.body))
    return shown, sorted(codes)


async def _replay(
    world: World,
    person: Person,
    shown: dict[str, set[int]],
    commands: list[str],
    problems: list[str],
) -> None:
    """``person`` presses every button and sends every command; apologies are problems."""
    for data in sorted(shown):
        if _owner_only(data) and (person.id in shown[data] or data.startswith(("del:yes", "dy:"))):
            continue
        sent = await person.press_data(person.last().message_id, data)
        if any(APOLOGY in m.body for m in sent):
            problems.append(f"{person.name} pressed {data!r}: the apology")
    for command in commands:
        sent = await person.send(command)
        if any(APOLOGY in m.body for m in sent):
            problems.append(f"{person.name} sent {command!r}: the apology")


async def test_no_canary_reaches_anyone_the_client_did_not_pick(
    app: App, api: FakeBotAPI, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    world = await _build(app, api, clock)
    leaks = _leaks(world)
    assert leaks == [], "\n".join(leaks)
    db = services(app).db
    set_up = await _states(app)

    shown, codes = _everything_shown(world)
    commands = [*COMMANDS, *(f"/start {code}" for code in codes)]
    problems: list[str] = []
    caplog.set_level(logging.ERROR)
    # Members first, the clients last, so everyone meets the clients' data as it was set up;
    # the meeting dates (which a clinician in the team may clear) are set again each time.
    for person_id in (KIM, LEE, SAM, JO, BLAIR, ALEX):
        for client, day in MEETINGS.items():
            await db.set_next_meeting(client, day)
        before = await _states(app)
        await _replay(world, world.people[person_id], shown, commands, problems)
        problems += _changed(before, await _states(app), person_id)
    # A day on: whatever was planned meanwhile (notices, nudges, check-ins) is delivered.
    await _deliver(app, clock, rounds=24, step=timedelta(hours=1))

    errors = [
        f"{r.getMessage()} {r.exc_info[1]!r}" if r.exc_info else r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR
    ]
    assert problems == [], "\n".join(problems)
    assert errors == [], "\n".join(errors)
    leaks = _leaks(world)
    assert leaks == [], "\n".join(leaks)
    # The teams are as they were set up; nobody's notes changed.
    assert [(m.person.id, m.role) for m in await db.team_of(ALEX)] == [
        (KIM, Role.CLINICIAN),
        (SAM, Role.PEER),
        (JO, Role.NETWORK),
    ]
    assert [(m.person.id, m.role) for m in await db.team_of(BLAIR)] == [(LEE, Role.CLINICIAN)]
    for client in (ALEX, BLAIR):
        now = await _state(app, client)
        for key in ("notes", "crisis_plan", "share_rows"):
            assert now[key] == set_up[client][key], f"{NAMES[client]}'s {key} changed"

    # Alex withdraws what Dr Kim got: it leaves Dr Kim's chat and Dr Kim's view of Alex.
    alex, kim = world.people[ALEX], world.people[KIM]
    shared = [
        m
        for m in api.messages(KIM, include_deleted=True)
        if m.body.startswith("From Alex") and ALEX_NOTE_1 in m.body
    ]
    assert len(shared) == 1 and not shared[0].deleted
    await alex.send("/share")
    await alex.press("What I've shared")
    await _press_containing(alex, "(Dr Kim)")
    await alex.press("Withdraw it")
    assert alex.last().body.startswith("Withdrawn."), alex.last().body
    assert shared[0].deleted, "Dr Kim's copy of the share is still in the chat"
    shown_still = [m.message_id for m in api.messages(KIM) if ALEX_NOTE_1 in m.body]
    assert shown_still == [], f"Dr Kim's chat still shows the withdrawn words: {shown_still}"
    await kim.send("/clients")
    (view,) = await kim.press("Alex")
    assert ALEX_NOTE_1 not in view.body, view.body
    # Sam and Jo keep what was shared with them.
    for member in (world.people[SAM], world.people[JO]):
        await member.send("/clients")
        (view,) = await member.press("Alex")
        assert ALEX_NOTE_2 in view.body, view.body

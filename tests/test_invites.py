"""Every text that invites typing says what takes the words (bot/core/typed.py, ``INVITES``);
for each kind of question, words typed under it are that question's answer, never a note; and a
question whose time is over says so, so words typed after it are a note the person expected."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from bot.app import App
from bot.core.clock import ManualClock
from bot.core.i18n import Catalog, Entry
from bot.core.typed import BUTTON, INVITES, INVITING
from bot.core.waits import WaitKind
from bot.standin import ChatMessage, FakeBotAPI
from tests.conftest import Person, join, make_staff, services, with_sam

# --- 1. the catalog and INVITES agree -------------------------------------------------------


def test_every_text_that_invites_typing_says_what_takes_the_words() -> None:
    english = Catalog.load().texts["en"]

    def forms(entry: Entry) -> list[str]:
        return [entry] if isinstance(entry, str) else list(entry.values())

    inviting = {key for key, entry in english.items() if any(map(INVITING.search, forms(entry)))}
    unlisted = sorted(inviting - set(INVITES))
    assert not unlisted, (
        f"these texts invite typing but INVITES (bot/core/typed.py) does not say what takes "
        f"the words: {unlisted}. Add each to INVITES with what takes them (a WaitKind, "
        f"CHECKIN, NOTE or BUTTON)."
    )
    gone = sorted(set(INVITES) - set(english))
    assert not gone, f"INVITES lists keys the English catalog does not have: {gone}"


# --- 2. under every question, typed words are its answer ------------------------------------


def invites(app: App, kind: str, key: str, **fields: object) -> str:
    """The words of the INVITES text ``key``, listed as taken by ``kind``: the whole text filled
    with ``fields``, or, when a field cannot be known here (an example date), its first words."""
    assert INVITES[key] == kind, f"{key} is listed for {INVITES[key]}, not {kind}"
    raw = services(app).catalog.texts["en"][key]
    assert isinstance(raw, str)
    return services(app).catalog.get("en", key, **fields) if fields else raw.split("{")[0]


def asking(person: Person, words: str) -> ChatMessage:
    """The newest message in ``person``'s chat (sent or edited last), which shows ``words``."""
    question = person.last()
    assert words in question.body, f"{words!r} not in {question.body!r}"
    return question


async def taken(app: App, person: Person, sent: list[ChatMessage], next_step: str) -> None:
    """The words were the question's answer: its own next step came, and no note was kept."""
    bodies = [message.body for message in sent]
    assert any(next_step in body for body in bodies), bodies
    assert await services(app).db.notes(person.id) == []


async def settings_open(alex: Person) -> None:
    """Alex agreed to the proposed schedule (Monday and Thursday at 18:00) and opens /settings."""
    await alex.send("/start")
    await alex.press("That's fine")
    await alex.send("/settings")


async def alex_writes_a_plan(app: App, api: FakeBotAPI, alex: Person) -> None:
    await alex.send("/start")
    (card,) = await alex.send("/helpnow")
    assert invites(app, BUTTON, "helpnow.plan_none") in card.body
    await alex.press("Write my plan")
    asking(alex, invites(app, WaitKind.PLAN, "plan.ask_contacts"))
    sent = await alex.send("My sister Jo, 0612 345 678")
    await taken(app, alex, sent, "Part 2 of 3")
    plan = await services(app).db.crisis_plan(alex.id)
    assert plan is not None and plan.contacts == "My sister Jo, 0612 345 678"


async def alex_types_a_time(app: App, api: FakeBotAPI, alex: Person) -> None:
    await settings_open(alex)
    await alex.press("Time")
    await alex.press("Type another")
    question = asking(alex, invites(app, WaitKind.TIME, "schedule.pick_time"))
    sent = await alex.send("18:30")
    await taken(app, alex, sent, "Saved.\nCheck-ins on Monday and Thursday at 18:30")
    assert question.buttons() == []


async def alex_types_a_city(app: App, api: FakeBotAPI, alex: Person) -> None:
    await settings_open(alex)
    await alex.press("Time zone")
    asking(alex, invites(app, WaitKind.ZONE, "schedule.pick_zone"))
    await alex.press("Type a city")
    asking(alex, invites(app, WaitKind.ZONE, "settings.type_zone"))
    sent = await alex.send("Berlin")
    await taken(app, alex, sent, "Check-ins on Monday and Thursday at 18:00, Berlin time.")


async def alex_types_contact_hours(app: App, api: FakeBotAPI, alex: Person) -> None:
    await settings_open(alex)
    await alex.press("Contact hours")
    await alex.press("Type another")
    asking(alex, invites(app, WaitKind.HOURS, "schedule.pick_hours"))
    sent = await alex.send("10:00-20:00")
    await taken(app, alex, sent, "I only write first between 10:00 and 20:00.")


async def alex_leaves_a_message_while_paused(app: App, api: FakeBotAPI, alex: Person) -> None:
    await alex.send("/start")
    await alex.press("That's fine")
    await alex.send("/pause")
    await alex.press("Until I resume")
    await alex.press("Write a message")
    asking(alex, invites(app, WaitKind.PAUSE_MESSAGE, "pause.message_prompt"))
    sent = await alex.send("Back on Monday")
    await taken(app, alex, sent, "Back on Monday")
    assert sent[-1].body.startswith("Saved.")
    own = await services(app).db.schedule(alex.id)
    assert own is not None and own.pause_message == "Back on Monday"


async def alex_types_the_day_a_pause_ends(app: App, api: FakeBotAPI, alex: Person) -> None:
    await alex.send("/start")
    await alex.press("That's fine")
    await alex.send("/pause")
    await alex.press("Until a day I choose")
    asking(alex, invites(app, WaitKind.PAUSE_UNTIL, "settings.pause_ask_day"))
    await alex.send("someday soon")
    asking(alex, invites(app, WaitKind.PAUSE_UNTIL, "settings.pause_bad_day"))
    sent = await alex.send("friday")
    await taken(app, alex, sent, "Pause until Friday, 6 March?")


async def alex_and_dr_kim_type_the_meeting_date(app: App, api: FakeBotAPI, alex: Person) -> None:
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    await alex.send("/start")
    await join(kim, alex)
    # Alex sets it from /team.
    await alex.send("/team")
    await alex.press("Set the meeting date")
    asking(alex, invites(app, WaitKind.MEETING, "meeting.ask"))
    sent = await alex.send("20/3")
    await taken(app, alex, sent, "Is your next network meeting on Friday, 20 March 2026?")
    # Dr Kim proposes one to Alex from /clients.
    await kim.send("/clients")
    await kim.press("Alex")
    await kim.press("Propose a meeting date to Alex")
    asking(kim, invites(app, WaitKind.MEETING, "meeting_date.ask_propose"))
    sent = await kim.send("12/3")
    await taken(
        app, kim, sent, "Propose Thursday, 12 March 2026 to Alex for the next network meeting?"
    )


async def sam_types_when_a_nudge_arrives(app: App, api: FakeBotAPI, alex: Person) -> None:
    sam = await with_sam(app, api, alex)
    await sam.send("/nudge")
    await sam.press("Alex")
    await sam.press("Another day and time")
    asking(sam, invites(app, WaitKind.NUDGE_WHEN, "nudge.ask_when"))
    sent = await sam.send("Thursday 18:00")
    await taken(app, sam, sent, invites(app, WaitKind.NUDGE_TEXT, "nudge.write", name="Alex"))


async def sam_types_a_nudge(app: App, api: FakeBotAPI, alex: Person) -> None:
    sam = await with_sam(app, api, alex)
    await sam.send("/nudge")
    await sam.press("Alex")
    await sam.press("Now")
    asking(sam, invites(app, WaitKind.NUDGE_TEXT, "nudge.write", name="Alex"))
    sent = await sam.send("Thinking of you")
    await taken(app, sam, sent, "Sam (peer supporter) wanted to check in:\n\nThinking of you")
    assert "Send" in [label for label, _ in sent[-1].buttons()]


async def alex_writes_to_sam(app: App, api: FakeBotAPI, alex: Person) -> None:
    await with_sam(app, api, alex)
    await alex.send("/team")
    await alex.press("Sam")
    await alex.press("Write to Sam")
    asking(alex, invites(app, WaitKind.WRITE, "relay.write_to", name="Sam"))
    sent = await alex.send("Can we talk on Thursday?")
    await taken(app, alex, sent, "Can we talk on Thursday?")
    assert [label for label, _ in sent[-1].buttons()] == ["Send to Sam", "Cancel"]


async def sam_answers_alex(app: App, api: FakeBotAPI, alex: Person) -> None:
    sam = await with_sam(app, api, alex)
    await alex.send("/team")
    await alex.press("Sam")
    await alex.press("Write to Sam")
    await alex.send("Can we talk on Thursday?")
    await alex.press("Send to Sam")
    assert sam.last().body == "Alex wrote to you:\n\nCan we talk on Thursday?"
    await sam.press("Answer Alex")
    asking(sam, invites(app, WaitKind.ANSWER, "relay.write_answer", name="Alex"))
    sent = await sam.send("Yes, Thursday at 3 works")
    await taken(app, sam, sent, "Yes, Thursday at 3 works")
    assert "Send" in [label for label, _ in sent[-1].buttons()]


Scenario = Callable[[App, FakeBotAPI, Person], Awaitable[None]]

SCENARIOS: dict[WaitKind, Scenario] = {
    WaitKind.PLAN: alex_writes_a_plan,
    WaitKind.TIME: alex_types_a_time,
    WaitKind.ZONE: alex_types_a_city,
    WaitKind.HOURS: alex_types_contact_hours,
    WaitKind.PAUSE_MESSAGE: alex_leaves_a_message_while_paused,
    WaitKind.PAUSE_UNTIL: alex_types_the_day_a_pause_ends,
    WaitKind.MEETING: alex_and_dr_kim_type_the_meeting_date,
    WaitKind.NUDGE_WHEN: sam_types_when_a_nudge_arrives,
    WaitKind.NUDGE_TEXT: sam_types_a_nudge,
    WaitKind.WRITE: alex_writes_to_sam,
    WaitKind.ANSWER: sam_answers_alex,
}

KINDS = sorted({kind for kind in INVITES.values() if isinstance(kind, WaitKind)})


def test_every_kind_of_question_has_a_scenario() -> None:
    assert set(SCENARIOS) == set(KINDS), (
        "each WaitKind that INVITES uses needs a scenario in SCENARIOS, showing words typed "
        "under its text are taken as its answer"
    )


@pytest.mark.parametrize("kind", KINDS, ids=str)
async def test_words_typed_under_a_question_answer_it(
    app: App, api: FakeBotAPI, alex: Person, kind: WaitKind
) -> None:
    scenario = SCENARIOS.get(kind)
    assert scenario is not None, f"no scenario for {kind}: add one to SCENARIOS"
    await scenario(app, api, alex)


# --- 3. a question whose time is over --------------------------------------------------------


async def test_a_question_whose_time_is_over_says_so_and_words_become_a_note(
    app: App, alex: Person, clock: ManualClock
) -> None:
    await settings_open(alex)
    await alex.press("Time")
    question = asking(alex, "What time? Or type one, like 18:30.")
    waits, scheduler = services(app).waits, services(app).scheduler
    assert waits is not None and scheduler is not None
    clock.advance(waits.valid + timedelta(minutes=1))
    await scheduler.tick()
    assert question.body == "This question has closed. /settings to change the time."
    assert question.buttons() == []
    (reply,) = await alex.send("18:30")
    assert reply.body.startswith("Saved. Only you can see this.")
    assert [note.text for note in await services(app).db.notes(alex.id)] == ["18:30"]
    own = await services(app).db.schedule(alex.id)
    assert own is not None and own.time is None

"""Nudges from a named person, delivered inside the client's hours, and the channel back."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.app import App, build_application, running
from bot.config import Settings
from bot.core.actions import Action
from bot.core.actions.messages import NudgeWhen, NudgeWho, When
from bot.core.actions.settings import Agree
from bot.core.clock import ManualClock
from bot.core.i18n import Catalog
from bot.standin import ChatMessage, FakeBotAPI
from bot.tg.codec import encode
from tests.conftest import Person, join, make_staff, services


async def _tick(app: App) -> None:
    scheduler = services(app).scheduler
    assert scheduler is not None
    await scheduler.tick()


async def _later(app: App, delta: timedelta) -> None:
    """The clock moves on by ``delta``; whatever is due then goes out."""
    services(app).clock.advance(delta)
    await _tick(app)


async def _press_action(person: Person, action: Action) -> list[ChatMessage]:
    """Press the newest button that carries ``action``, whatever its label says."""
    data = encode(action)
    for message in reversed(person.api.messages(person.id)):
        if any(pressed == data for _, pressed in message.buttons()):
            return await person.press_data(message.message_id, data)
    raise AssertionError(f"no button {action} in chat {person.id}")


async def _setup(app: App, api: FakeBotAPI, alex: Person) -> tuple[Person, Person]:
    """Alex says at first contact that the bot may write (check-ins Mon and Thu at 18:00), and
    has Dr Kim and Sam in their team."""
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    sam = await make_staff(app, api, 301, "Sam", "peer")
    await alex.send("/start")
    await _press_action(alex, Agree(first=True))
    await join(kim, alex)
    await join(sam, alex)
    return kim, sam


async def _nudge(
    sam: Person, when: str, words: str, *, typed_when: str | None = None
) -> list[ChatMessage]:
    await sam.send("/nudge")
    await sam.press("Alex")
    await sam.press(when)
    if typed_when is not None:
        await sam.send(typed_when)
    (preview,) = await sam.send(words)
    assert "Sam (peer supporter) wanted to check in:" in preview.body
    return await sam.press("Send")


async def _waiting(app: App, user_id: int) -> object:
    """What typed text from ``user_id`` would answer now, if anything."""
    waits = services(app).waits
    assert waits is not None
    return await waits.current(user_id, services(app).clock.now())


def _labels(message: ChatMessage) -> list[str]:
    return [label for label, _ in message.buttons()]


async def test_a_nudge_comes_from_sam_and_can_be_answered(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim, sam = await _setup(app, api, alex)
    done = await _nudge(sam, "Now", "How did the appointment go?")
    assert done[-1].body.startswith("Done. Alex will get it now.")
    before = len(api.messages(alex.id))
    await _tick(app)
    (nudge,) = api.messages(alex.id)[before:]
    assert nudge.body == "Sam (peer supporter) wanted to check in:\n\nHow did the appointment go?"
    assert _labels(nudge) == ["Reply to Sam", "Thanks", "Not now", "No more nudges from Sam"]

    (ask,) = await alex.press("Reply to Sam")
    assert "It goes only to Sam, after you press Send." in ask.body
    (preview,) = await alex.send("Better than I feared, thank you")
    assert _labels(preview) == ["Send to Sam", "Cancel"]
    kim_before = len(api.messages(kim.id))
    sam_before = len(api.messages(sam.id))
    await alex.press("Send to Sam")
    (relayed,) = api.messages(sam.id)[sam_before:]
    assert relayed.body == "Alex replied to your nudge:\n\nBetter than I feared, thank you"
    assert len(api.messages(kim.id)) == kim_before  # only the sender gets the reply

    # Sam answers through the bot; it reaches Alex inside Alex's hours.
    await sam.press("Answer Alex")
    await sam.send("Glad to hear it. See you Thursday.")
    await sam.press("Send")
    before = len(api.messages(alex.id))
    await _tick(app)
    assert len(api.messages(alex.id)) == before  # a moment after the nudge, not at once
    await _tick_after(app, timedelta(minutes=5))
    (answer,) = api.messages(alex.id)[before:]
    assert (
        answer.body == "Sam (peer supporter) answered you:\n\nGlad to hear it. See you Thursday."
    )
    # All of it is in Alex's own data.
    sent = await alex.send("/mydata")
    document = sent[-1].document
    assert document is not None
    kept = json.loads(document["content"])["messages_with_the_team"]
    assert [(m["kind"], m["words"]) for m in kept] == [
        ("nudge", "How did the appointment go?"),
        ("reply", "Better than I feared, thank you"),
        ("answer", "Glad to hear it. See you Thursday."),
    ]


async def _arrives(app: App, person: Person, words: str, minutes: int = 10) -> ChatMessage:
    """Tick, a minute at a time, until ``person`` has a message ending with ``words``.

    The app's own tick runs beside the test's, so a send may be under way in it for a moment.
    """
    for _ in range(minutes):
        await _tick_after(app, timedelta(minutes=1))
        found = [m for m in person.api.messages(person.id) if m.body.endswith(words)]
        if found:
            return found[-1]
    raise AssertionError(f"{words!r} did not reach {person.name}")


async def _tick_after(app: App, delta: timedelta) -> None:
    clock = services(app).clock
    assert isinstance(clock, ManualClock)
    clock.advance(delta)
    await _tick(app)


async def test_late_nudge_preview_says_tomorrow(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    """Sam nudges at 23:00: "Now" is still the first choice, and every message before Send
    says it arrives tomorrow at 09:00, which is when it does; nothing reaches Alex at night."""
    _, sam = await _setup(app, api, alex)
    clock.advance(timedelta(hours=14))  # 23:00 in London; Alex may be written to 09:00-21:00
    await sam.send("/nudge")
    (when,) = await sam.press("Alex")
    assert when.body == (
        'When should Alex get it? "Now" means tomorrow at 09:00, inside Alex\'s own hours.'
    )
    assert _labels(when)[0] == "Now"
    await sam.press("Now")
    (preview,) = await sam.send("Thinking of you")
    assert preview.body == (
        "Alex will see this tomorrow at 09:00:\n\n"
        "Sam (peer supporter) wanted to check in:\n\nThinking of you"
    )
    assert "now:" not in preview.body
    done = await sam.press("Send")
    assert done[-1].body == "Done. Alex will get it tomorrow at 09:00."
    (upcoming, _who) = await sam.send("/nudge")
    assert "• To Alex, tomorrow at 09:00: Thinking of you" in upcoming.body
    before = len(api.messages(alex.id))
    for _ in range(14):
        await _tick_after(app, timedelta(hours=1))
        if len(api.messages(alex.id)) > before:
            break
    assert clock.now().strftime("%a %H:%M") == "Tue 09:00"
    assert api.messages(alex.id)[before].body.endswith("Thinking of you")


async def test_nudge_waits_until_client_agrees(
    app: App, api: FakeBotAPI, clock: ManualClock, blair: Person
) -> None:
    """Blair joined Sam's team but never said the bot may write to them: Sam is told before
    writing, in the preview and after Send, with until when it waits; nothing reaches Blair
    until Blair agrees, not even when Blair writes."""
    sam = await make_staff(app, api, 301, "Sam", "peer")
    await blair.send("/start")
    await join(sam, blair)
    await sam.send("/nudge")
    (when,) = await sam.press("Blair")
    assert when.body == (
        "When should Blair get it? Blair hasn't said yet that I may write to them. "
        "It waits until they do, for at most 7 days after the time you choose."
    )
    await sam.press("Now")
    (preview,) = await sam.send("Thinking of you")
    assert preview.body.startswith(
        "Blair hasn't said yet that I may write to them. This waits until they do; if they "
        "haven't by Monday, 9 March 2026, 09:00, it is not sent:"
    )
    done = await sam.press("Send")
    assert done[-1].body == (
        "Done. Blair hasn't said yet that I may write to them, so it waits until they do. "
        "If they haven't by Monday, 9 March 2026, 09:00, it is not sent. /nudge shows it."
    )
    answered = await blair.send("hi")  # never said: writing does not bring it
    assert [m.body for m in answered] == ["Saved. Only you can see this."]
    (team,) = await blair.send("/team")
    assert "waits until you let me write to you (/settings)" in team.body
    before = len(api.messages(blair.id))
    for _ in range(6):
        await _tick_after(app, timedelta(hours=8))
    assert not any("Thinking of you" in m.body for m in api.messages(blair.id)[before:])
    # Blair says yes to the schedule question: the nudge follows, inside Blair's hours.
    clock.advance(timedelta(hours=2))  # Thursday 11:00
    await _press_action(blair, Agree(first=True))
    nudge = await _arrives(app, blair, "Thinking of you")
    assert nudge.body == "Sam (peer supporter) wanted to check in:\n\nThinking of you"


async def test_a_nudge_during_a_pause_waits_and_sam_is_told(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    _, sam = await _setup(app, api, alex)
    await alex.send("/pause")
    await alex.press("Until I resume")
    await alex.press("Write a message")
    await alex.send("Taking a break, I'm okay")
    done = await _nudge(sam, "Now", "Just saying hello")
    assert "Alex has paused messages, so your nudge will wait until they resume." in done[-1].body
    assert "Alex left a message for the team: Taking a break, I'm okay" in done[-1].body
    before = len(api.messages(alex.id))
    for _ in range(3):
        await _tick_after(app, timedelta(hours=8))
    assert len(api.messages(alex.id)) == before
    await alex.send("/resume")
    await _arrives(app, alex, "Just saying hello")


async def test_no_more_nudges_from_sam_holds_across_a_restart(
    api: FakeBotAPI, settings: Settings, catalog: Catalog, clock: ManualClock
) -> None:
    first = build_application(settings, catalog, clock=clock, request=api, polling=False)
    async with running(first):
        alex = Person(first, api, 101, "Alex")
        _, sam = await _setup(first, api, alex)
        await _nudge(sam, "Now", "Hello")
        await _tick(first)
        await _nudge(sam, "In 3 days", "Later hello")  # waiting when Alex says stop
        await alex.press("No more nudges from Sam")
        sam_before = len(api.messages(sam.id))
        await alex.press("Stop nudges from Sam")
        assert alex.last().body == "Okay. No more nudges from Sam."
        (told,) = api.messages(sam.id)[sam_before:]
        assert told.body.startswith("Alex would rather not get nudges for now.")

    # The bot stops and starts again: what the client chose is stored, not remembered.
    again = build_application(settings, catalog, clock=clock, request=api, polling=False)
    async with running(again):
        sam = Person(again, api, 301, "Sam")
        await sam.send("/nudge")
        (refusal,) = await sam.press("Alex")
        assert (
            "Alex has asked not to get nudges from you for now. Nothing was sent." in refusal.body
        )
        before = len(api.messages(101))
        await _tick_after(again, timedelta(days=4))
        assert not any("Later hello" in m.body for m in api.messages(101)[before:])
        assert await services(again).db.planned_relays(client_id=101) == []


async def test_a_nudge_and_a_check_in_due_together_arrive_a_few_minutes_apart(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    _, sam = await _setup(app, api, alex)  # check-ins on Monday and Thursday at 18:00
    await _nudge(sam, "Another day and time", "Evening hello", typed_when="18:00")
    clock.advance(timedelta(hours=9))  # 18:00
    before = len(api.messages(alex.id))
    await _tick(app)
    (first,) = api.messages(alex.id)[before:]
    assert "How much energy" in first.body
    await _tick_after(app, timedelta(minutes=5))
    (second,) = api.messages(alex.id)[before + 1 :]
    assert second.body.endswith("Evening hello")


async def test_a_peer_not_in_the_team_cannot_nudge(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    await _setup(app, api, alex)
    pat = await make_staff(app, api, 302, "Pat", "peer")
    (menu,) = await pat.send("/nudge")
    assert "nobody to nudge" in menu.body
    for action in (
        NudgeWho(alex.id),
        NudgeWhen(alex.id, When.NOW),
        NudgeWhen(alex.id, When.OTHER),
    ):
        (reply,) = await pat.press_data(menu.message_id, encode(action))
        assert "Nothing has changed" in reply.body
    assert await _waiting(app, pat.id) is None
    assert await services(app).db.planned_relays(member_id=pat.id) == []
    # A client cannot use the nudge buttons either.
    await alex.press_data(alex.last().message_id, encode(NudgeWhen(alex.id, When.NOW)))
    assert await services(app).db.planned_relays(client_id=alex.id) == []


async def test_the_client_sees_waiting_nudges_in_team_and_can_decline_one(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    _, sam = await _setup(app, api, alex)
    await _nudge(sam, "In 3 days", "See you soon")
    (team,) = await alex.send("/team")
    assert "Nudges waiting for you:\n• From Sam," in team.body
    await alex.press("Decline the nudge from Sam (5 Mar)")
    assert alex.last().body == "Okay. You won't get that nudge."
    before = len(api.messages(alex.id))
    await _tick_after(app, timedelta(days=4))
    assert not any("See you soon" in m.body for m in api.messages(alex.id)[before:])
    facts, _ = await sam.send("/nudge")
    assert "still to arrive" not in facts.body
    assert facts.body.endswith(": it was not sent.")  # no reason: nobody is pressed for a no


async def test_asking_a_team_member_for_contact_reaches_only_them(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim, sam = await _setup(app, api, alex)
    await alex.send("/team")
    await alex.press("Dr Kim")
    await alex.press("Ask Dr Kim to get in touch")
    (preview,) = await alex.press("Please call me")
    assert preview.body == "Dr Kim will get this request:\n\nPlease call me"
    sam_before = len(api.messages(sam.id))
    kim_before = len(api.messages(kim.id))
    await alex.press("Send to Dr Kim")
    (request,) = api.messages(kim.id)[kim_before:]
    assert request.body == "Alex asks: Please call me"
    assert _labels(request) == ["I'll call today", "I'll call tomorrow", "Write instead"]
    assert len(api.messages(sam.id)) == sam_before
    # Sam cannot answer a message that went to Dr Kim.
    await sam.press_data(sam.last().message_id, request.buttons()[0][1])
    assert await _waiting(app, sam.id) is None


async def test_cancelling_a_draft_sends_nothing(app: App, api: FakeBotAPI, alex: Person) -> None:
    _, sam = await _setup(app, api, alex)
    await alex.send("/team")
    await alex.press("Sam")
    await alex.press("Write to Sam")
    await alex.send("Actually, never mind")
    sam_before = len(api.messages(sam.id))
    await alex.press("Cancel")
    assert len(api.messages(sam.id)) == sam_before
    assert alex.last().body == "Okay, nothing was sent."

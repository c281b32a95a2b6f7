"""Incoming updates at least once, handled once: an update is kept before Telegram hears it
arrived, a hard stop before its handling loses nothing, and Telegram sending it again after a
restart changes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

from telegram import Update

from bot.app import App, build_application, post_init, post_shutdown, running
from bot.config import Settings
from bot.core.clock import ManualClock
from bot.core.i18n import Catalog
from bot.standin import FakeBotAPI
from bot.tg.processor import PerPersonUpdateProcessor
from tests.conftest import Person, by_hand, services
from tests.test_delivery import agree, tick


async def _until(done: Callable[[], Awaitable[bool]], never: str) -> None:
    """Wait (bounded) until ``done()`` holds; else fail saying what ``never`` happened."""
    for _ in range(500):
        if await done():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(never)


async def _until_answered(api: FakeBotAPI, chat_id: int, count: int) -> None:
    """Wait (bounded) until the bot has sent ``count`` messages to the chat."""

    async def answered() -> bool:
        return len(api.messages(chat_id)) >= count

    await _until(answered, f"the bot sent {len(api.messages(chat_id))} messages, not {count}")


async def _until_handled(app: App) -> None:
    """Wait (bounded) until every update put on the queue has been handled."""
    db = services(app).db.db

    async def handled() -> bool:
        return await db.fetchone("SELECT 1 FROM inbox WHERE done_at IS NULL") is None

    await _until(handled, "an update was never handled")


async def test_an_update_kept_before_a_hard_stop_is_answered_after_the_restart(
    settings: Settings, catalog: Catalog, clock: ManualClock, api: FakeBotAPI
) -> None:
    api.add_user(101, first_name="Alex", language_code="en")
    first: App = build_application(settings, catalog, clock=clock, request=api, polling=False)
    async with first:
        await post_init(first)  # running, but killed before it handled anything
        await first.update_queue.put(Update.de_json(api.text(101, "/start"), first.bot))
        assert api.messages(101) == []
        await post_shutdown(first)

    second: App = build_application(settings, catalog, clock=clock, request=api, polling=False)
    async with running(second):
        by_hand(second)
        await _until_answered(api, 101, 1)
        assert api.messages(101)[0].body.startswith("Hello, Alex. I'm Between")
        for _ in range(500):  # handled: its words go from the inbox
            if await services(second).db.inbox_pending(clock.now()) == []:
                break
            await asyncio.sleep(0.01)
        assert await services(second).db.inbox_pending(clock.now()) == []


async def test_an_update_sent_again_after_a_restart_is_handled_once(
    app: App, api: FakeBotAPI
) -> None:
    api.add_user(101, first_name="Alex", language_code="en")
    update = api.text(101, "A note, once")
    await app.update_queue.put(Update.de_json(update, app.bot))
    await _until_handled(app)
    answered = len(api.messages(101))
    await app.update_queue.put(Update.de_json(update, app.bot))  # Telegram sends it again
    await app.update_queue.put(Update.de_json(api.text(101, "A second note"), app.bot))
    await _until_handled(app)  # the second note is handled: the copy before it was dropped
    assert len(api.messages(101)) == answered + 1
    assert [n.text for n in await services(app).db.notes(101)] == ["A note, once", "A second note"]


async def test_the_inbox_keeps_no_words_once_an_update_is_handled(
    app: App, api: FakeBotAPI
) -> None:
    api.add_user(101, first_name="Alex", language_code="en")
    await app.update_queue.put(Update.de_json(api.text(101, "private words"), app.bot))
    await _until_handled(app)
    rows = await services(app).db.db.fetchall("SELECT body, done_at FROM inbox")
    assert [(r["body"], r["done_at"] is not None) for r in rows] == [(None, True)]


@asynccontextmanager
async def _bot(
    settings: Settings, catalog: Catalog, clock: ManualClock, api: FakeBotAPI
) -> AsyncIterator[tuple[App, Person]]:
    """The bot running on the test's database (started again, it first handles what its inbox
    kept), and Alex."""
    app: App = build_application(settings, catalog, clock=clock, request=api, polling=False)
    async with running(app):
        by_hand(app)
        yield app, Person(app, api, 101, "Alex")


async def test_a_check_in_cut_off_by_a_crash_is_asked_again_never_replaced(
    settings: Settings, catalog: Catalog, clock: ManualClock, api: FakeBotAPI
) -> None:
    async with _bot(settings, catalog, clock, api) as (first, alex):
        await agree(alex, days="mon", time="10:00")
        clock.advance(timedelta(hours=1, minutes=1))
        await tick(first)  # Monday's check-in reaches Alex...
        await alex.press("Some")  # ... and she is answering it
        db = services(first).db.db
        # The bot was killed after the question went out but before it wrote that down.
        await db.execute("UPDATE sends SET status = 'sending' WHERE kind = 'checkin'")
        await db.execute("UPDATE checkins SET message_id = NULL")
        (checkin_id,) = [r["id"] for r in await db.fetchall("SELECT id FROM checkins")]

    async with _bot(settings, catalog, clock, api) as (second, alex):
        await tick(second)
        rows = await services(second).db.db.fetchall("SELECT id, status FROM checkins")
        assert [(r["id"], r["status"]) for r in rows] == [(checkin_id, "open")]
        # Her answers go on where she was, in the same check-in.
        step = [label for label, _ in api.messages(101)[-2].buttons()]
        assert step, "the question she was answering still has its buttons"
        await alex.press(step[0])
        (record,) = await services(second).db.recent_checkins(101, 1)
        assert record.id == checkin_id and len(record.answers) >= 1


async def test_a_note_handled_twice_is_kept_once(app: App, api: FakeBotAPI) -> None:
    alex = Person(app, api, 101, "Alex")
    await alex.send("/start")
    update = api.text(101, "Slept badly")
    await alex.feed(update)
    await alex.feed(update)  # handled again after a hard stop
    assert [n.text for n in await services(app).db.notes(101)] == ["Slept badly"]


async def test_a_press_handled_again_after_a_hard_stop_asks_the_open_question_again(
    app: App, api: FakeBotAPI
) -> None:
    alex = Person(app, api, 101, "Alex")
    await alex.send("/start")
    await alex.press("That's fine")
    await alex.send("/checkin")
    press = api.click(101, "Some")
    first = await alex.feed(press)
    question = "1 of 4\nHow are things for you right now?"
    assert any(question in m.body for m in first), "the first question came"
    # The bot was killed before it learned the question went out; the press comes again.
    services(app).replayed.add(press["update_id"])  # type: ignore[arg-type]
    again = await alex.feed(press)
    assert [m.body for m in again if question in m.body], "the open question is asked again"
    assert not any("Sorry, something went wrong" in m.body for m in again)


async def _killed_after_answering(
    app: App, api: FakeBotAPI, update: dict[str, object], chat_id: int, count: int
) -> None:
    """Handle ``update`` through the queue until ``count`` messages are in the chat, as if the
    bot were then killed: its handling is never written down as over."""
    assert isinstance(app.update_processor, PerPersonUpdateProcessor)
    app.update_processor.on_done = None  # killed before the inbox heard it was handled
    await app.update_queue.put(Update.de_json(update, app.bot))
    await _until_answered(api, chat_id, count)

    async def written() -> bool:  # what it sent is written beside it
        db = services(app).db.db
        return await db.fetchone("SELECT 1 FROM inbox WHERE sent IS NOT NULL") is not None

    await _until(written, "what the update sent was never written down")


async def test_a_reply_sent_before_a_hard_stop_is_not_sent_again(
    settings: Settings, catalog: Catalog, clock: ManualClock, api: FakeBotAPI
) -> None:
    async with _bot(settings, catalog, clock, api) as (first, alex):
        await alex.send("/start")
        before = len(api.messages(101))
        await _killed_after_answering(first, api, api.text(101, "Slept badly"), 101, before + 1)
    assert api.messages(101)[-1].body == "Saved. Only you can see this."

    async with _bot(settings, catalog, clock, api) as (second, alex):
        await _until_handled(second)
        assert len(api.messages(101)) == before + 1, "Saved came once"
        assert [n.text for n in await services(second).db.notes(101)] == ["Slept badly"]
        rows = await services(second).db.db.fetchall("SELECT body, sent FROM inbox")
        assert [(r["body"], r["sent"]) for r in rows] == [(None, None)], "nothing kept after"


async def test_a_press_answered_before_a_hard_stop_is_not_answered_again(
    settings: Settings, catalog: Catalog, clock: ManualClock, api: FakeBotAPI
) -> None:
    async with _bot(settings, catalog, clock, api) as (first, alex):
        await alex.send("/start")
        await alex.press("That's fine")
        await alex.send("/checkin")
        before = len(api.messages(101))
        await _killed_after_answering(first, api, api.click(101, "Some"), 101, before + 1)
    question = "1 of 4\nHow are things for you right now?"
    assert [question in m.body for m in api.messages(101)[before:]] == [True]

    async with _bot(settings, catalog, clock, api) as (second, alex):
        await _until_handled(second)
        asked = [question in m.body for m in api.messages(101)[before:]]
        assert asked == [True], "asked once"
        step = [label for label, _ in api.messages(101)[-1].buttons()]
        answered = await alex.press(step[0])  # and she goes on from it
        assert any(m.body.startswith("2 of 4") for m in answered)


async def test_words_handled_again_answer_the_question_they_answered_not_the_next(
    settings: Settings, catalog: Catalog, clock: ManualClock, api: FakeBotAPI
) -> None:
    async with _bot(settings, catalog, clock, api) as (first, alex):
        await alex.send("/start")
        await alex.send("/helpnow")
        await alex.press("Write my plan")
        before = len(api.messages(101))
        typed = api.text(101, "My sister Jo, 0612 345 678")
        await _killed_after_answering(first, api, typed, 101, before + 1)
    assert api.messages(101)[-1].body.startswith("Part 2 of 3")

    async with _bot(settings, catalog, clock, api) as (second, alex):
        await _until_handled(second)
        plan = await services(second).db.crisis_plan(101)
        assert plan is not None
        assert (plan.contacts, plan.helps) == ("My sister Jo, 0612 345 678", None)
        assert len(api.messages(101)) == before + 1, "part 2 was asked once"
        assert await services(second).db.notes(101) == []
        answered = await alex.send("A walk, music")  # and part 2 takes her next words
        assert answered[-1].body.startswith("Part 3 of 3")
        plan = await services(second).db.crisis_plan(101)
        assert plan is not None and plan.helps == "A walk, music"

"""A client who chose "Only when I ask" and a nudge: it waits for the client's next message to
the bot (any message, command or button), comes before the answer to it, once; the peer is told
exactly that, and until when it waits. Through the real PTB stack and the Bot API stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from telegram import Update

from bot.app import App, build_application, running
from bot.config import Settings
from bot.core.actions.messages import ThankMember
from bot.core.clock import ManualClock
from bot.core.i18n import Catalog
from bot.standin import ChatMessage, FakeBotAPI
from bot.storage.db import Database
from bot.storage.migrations import MIGRATIONS
from bot.storage.safekeeping import open_store
from bot.tg.codec import encode
from bot.tg.processor import PerPersonUpdateProcessor
from tests.conftest import Person, by_hand, join, keys_for, make_staff, services, with_sam
from tests.test_delivery import tick
from tests.test_inbox import _until, _until_answered, _until_handled

NUDGE = "Sam (peer supporter) wanted to check in:\n\nThinking of you"
SAVED = "Saved. Only you can see this."
UNTIL = "Monday, 9 March 2026, 09:00"  # a week after Sam's Now (Monday 09:00)


async def _only_when_asked(app: App, api: FakeBotAPI, alex: Person) -> Person:
    """Alex joins Sam's team and answers the schedule question "Only when I ask"."""
    sam = await with_sam(app, api, alex)
    await alex.press("Only when I ask")
    return sam


async def _nudge(sam: Person, words: str = "Thinking of you", when: str = "Now") -> str:
    """Sam's whole /nudge to Alex; what Sam read, one message after another."""
    await sam.send("/nudge")
    (asked,) = await sam.press("Alex")
    await sam.press(when)
    (preview,) = await sam.send(words)
    done = await sam.press("Send")
    return "\n---\n".join([asked.body, preview.body, done[-1].body])


async def _days_pass(app: App, clock: ManualClock, days: int) -> None:
    for _ in range(days * 3):
        clock.advance(timedelta(hours=8))
        await tick(app)


def _bodies(messages: list[ChatMessage]) -> list[str]:
    return [m.body for m in messages]


async def test_sam_nudges_alex_who_asked_only_when_they_write_and_reads_the_truth(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    sam = await _only_when_asked(app, api, alex)
    read = await _nudge(sam)
    assert read == (
        "When should Alex get it? Alex asked me to write only when they write first. Alex "
        "will see it when they next write to me after that time, if that is within 7 days."
        "\n---\n"
        "Alex asked me to write only when they write first, so Alex will see this the next "
        f"time they write to me. If they don't write by {UNTIL}, it is not shown:\n\n{NUDGE}"
        "\n---\n"
        "Done. Alex asked me to write only when they write first, so Alex will see it the next "
        f"time they write to me. If they don't write by {UNTIL}, it is not shown. "
        "/nudge shows it."
    )
    (upcoming, _who) = await sam.send("/nudge")
    assert "• To Alex, the next time they write to me: Thinking of you" in upcoming.body
    # Nothing reaches Alex unasked, for days.
    before = len(api.messages(alex.id))
    await _days_pass(app, clock, 3)
    assert api.messages(alex.id)[before:] == []


async def test_alex_writes_hi_and_sees_sams_nudge_once_before_the_answer(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    sam = await _only_when_asked(app, api, alex)
    await _nudge(sam)
    await _days_pass(app, clock, 2)
    nudge, saved = await alex.send("hi")
    assert (nudge.body, saved.body) == (NUDGE, SAVED)
    assert [label for label, _ in nudge.buttons()] == [
        "Reply to Sam",
        "Thanks",
        "Not now",
        "No more nudges from Sam",
    ]
    assert _bodies(await alex.send("hi again")) == [SAVED], "shown once"
    facts, menu = await sam.send("/nudge")
    assert "still to arrive" not in facts.body + menu.body
    assert facts.body.endswith(": it arrived.")  # a fact, not a rate
    # Its buttons work as under any nudge.
    sam_before = len(api.messages(sam.id))
    await alex.press_data(nudge.message_id, nudge.buttons()[1][1])  # Thanks
    (thanked,) = api.messages(sam.id)[sam_before:]
    assert thanked.body == "Alex says thank you for your message."
    before = len(api.messages(alex.id))
    await _days_pass(app, clock, 8)
    assert api.messages(alex.id)[before:] == [], "and never again later"


async def test_alex_gives_a_command_and_sees_the_nudge_before_its_answer(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    sam = await _only_when_asked(app, api, alex)
    await _nudge(sam)
    nudge, *team = await alex.send("/team")
    assert nudge.body == NUDGE
    assert team and "Sam" in team[0].body and "Nudges waiting for you" not in team[0].body
    assert NUDGE not in _bodies(await alex.send("/help"))


async def test_alex_presses_a_button_and_sees_the_nudge_before_its_answer(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    sam = await _only_when_asked(app, api, alex)
    await alex.send("/menu")
    await _nudge(sam)
    update = api.click(alex.id, "Write a note")
    nudge, *answer = await alex.feed(update)
    assert nudge.body == NUDGE and answer, "the nudge, then the answer to the press"
    # The press is answered by its own handler, once.
    query_id = update["callback_query"]["id"]
    assert query_id in api.callback_answers


async def test_alex_presses_an_old_button_and_its_toast_still_says_so(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    sam = await _only_when_asked(app, api, alex)
    await _nudge(sam)
    update = api.press(alex.id, alex.last().message_id, encode(ThankMember(999_999)))
    assert _bodies(await alex.feed(update)) == [NUDGE]
    query_id = update["callback_query"]["id"]
    assert api.callback_answers[query_id]["text"] == (
        "This button is no longer active. Nothing has changed."
    )


async def test_alex_in_crisis_gets_the_card_and_the_nudge_only_next_time(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    sam = await _only_when_asked(app, api, alex)
    await _nudge(sam)
    for sent in (await alex.send("I want to die"), await alex.send("/helpnow")):
        assert NUDGE not in _bodies(sent)
    assert _bodies(await alex.send("hi"))[0] == NUDGE


async def test_a_nudge_sam_took_back_or_that_waited_too_long_is_not_shown(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    sam = await _only_when_asked(app, api, alex)
    await _nudge(sam, "Taken back")
    await sam.send("/nudge")
    await sam.press("Cancel the nudge to Alex (waiting)")
    assert "Cancelled. Alex won't get it." in _bodies(api.messages(sam.id))
    assert _bodies(await alex.send("hi")) == [SAVED]
    await _nudge(sam, "Too late")
    await _days_pass(app, clock, 7)
    facts, menu = await sam.send("/nudge")
    assert "Too late" not in facts.body + menu.body, "no longer said to be on its way"
    assert facts.body.endswith(": not sent, its time ran out before Alex could get it.")
    assert _bodies(await alex.send("hi")) == [SAVED]


async def test_a_nudge_for_later_waits_for_its_time_then_for_alex(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    sam = await _only_when_asked(app, api, alex)
    read = await _nudge(sam, when="In 3 days")
    assert (
        "Alex will see this the first time they write to me after Thursday, 5 March 2026, "
        "09:00. If they don't write by Thursday, 12 March 2026, 09:00, it is not shown:"
    ) in read
    assert _bodies(await alex.send("hi")) == [SAVED], "not before its time"
    await _days_pass(app, clock, 3)
    assert _bodies(await alex.send("hi")) == [NUDGE, SAVED]


async def test_a_client_who_never_said_keeps_waiting_when_they_write(
    app: App, api: FakeBotAPI, blair: Person
) -> None:
    sam = await make_staff(app, api, 301, "Sam", "peer")
    await blair.send("/start")
    await join(sam, blair)
    await sam.send("/nudge")
    await sam.press("Blair")
    await sam.press("Now")
    await sam.send("Thinking of you")
    await sam.press("Send")
    assert _bodies(await blair.send("hi")) == [SAVED]
    # Agreeing after all brings it, inside Blair's hours, as before.
    await blair.press("That's fine")
    for _ in range(10):
        await tick(app)
    assert any(m.body == NUDGE for m in api.messages(blair.id))


async def test_alex_hi_handled_again_shows_the_nudge_once(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    sam = await _only_when_asked(app, api, alex)
    await _nudge(sam)
    update = api.text(alex.id, "hi")
    assert _bodies(await alex.feed(update)) == [NUDGE, SAVED]
    services(app).replayed.add(update["update_id"])
    assert NUDGE not in _bodies(await alex.feed(update)), "not shown twice"


@asynccontextmanager
async def _bot(
    settings: Settings, catalog: Catalog, clock: ManualClock, api: FakeBotAPI
) -> AsyncIterator[App]:
    """The bot on the test's database; started again, it first handles what its inbox kept."""
    app: App = build_application(settings, catalog, clock=clock, request=api, polling=False)
    async with running(app):
        by_hand(app)
        yield app


async def _killed_after(app: App, api: FakeBotAPI, update: dict[str, object], count: int) -> None:
    """Handle ``update`` until Alex has ``count`` messages, as if the bot were then killed:
    its handling is never written down as over."""
    assert isinstance(app.update_processor, PerPersonUpdateProcessor)
    app.update_processor.on_done = None
    await app.update_queue.put(Update.de_json(update, app.bot))
    await _until_answered(api, 101, count)
    db = services(app).db.db

    async def written() -> bool:
        return await db.fetchone("SELECT 1 FROM inbox WHERE sent IS NOT NULL") is not None

    await _until(written, "what the update sent was never written down")


async def test_alex_hi_handled_again_after_a_crash_shows_the_nudge_once(
    settings: Settings, catalog: Catalog, clock: ManualClock, api: FakeBotAPI
) -> None:
    async with _bot(settings, catalog, clock, api) as first:
        alex = Person(first, api, 101, "Alex")
        sam = await _only_when_asked(first, api, alex)
        await _nudge(sam)
        before = len(api.messages(alex.id))
        await _killed_after(first, api, api.text(alex.id, "hi"), before + 2)
    assert _bodies(api.messages(alex.id)[before:]) == [NUDGE, SAVED]

    async with _bot(settings, catalog, clock, api) as second:
        await _until_handled(second)
        assert _bodies(api.messages(alex.id)[before:]) == [NUDGE, SAVED], "each once"
        alex = Person(second, api, 101, "Alex")
        assert _bodies(await alex.send("hi again")) == [SAVED]


async def test_a_nudge_out_before_a_crash_it_was_not_marked_for_is_not_sent_again(
    settings: Settings, catalog: Catalog, clock: ManualClock, api: FakeBotAPI
) -> None:
    """Killed after Telegram took the nudge but before the bot wrote down that it arrived: at
    the restart the nudge is still waiting, and the same update does not send it twice."""
    async with _bot(settings, catalog, clock, api) as first:
        alex = Person(first, api, 101, "Alex")
        sam = await _only_when_asked(first, api, alex)
        await _nudge(sam)
        before = len(api.messages(alex.id))
        await _killed_after(first, api, api.text(alex.id, "hi"), before + 2)
        db = services(first).db.db
        await db.execute("UPDATE relays SET status = 'planned' WHERE kind = 'nudge'")
        await db.execute(
            "UPDATE sends SET status = 'planned', sent_at = NULL WHERE kind = 'relay'"
        )

    async with _bot(settings, catalog, clock, api) as second:
        await _until_handled(second)
        assert _bodies(api.messages(alex.id)[before:]) == [NUDGE, SAVED], "each once"
        (nudge,) = await services(second).db.relays(101)
        assert nudge.status == "sent", "now written down"
        alex = Person(second, api, 101, "Alex")
        assert _bodies(await alex.send("hi again")) == [SAVED]


async def test_a_client_who_chose_only_when_i_ask_before_this_release_is_known(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    keys_for(tmp_path).create()
    mine = [name for name, _ in MIGRATIONS].index("020_only_when_asked")
    old = await Database.open(path, MIGRATIONS[:mine])  # as the release before left it
    for user_id, agreed in ((101, None), (102, "2026-03-02"), (103, None)):
        await old.execute(
            "INSERT INTO users (id, chat_id, role, name, language, created_at, schedule_from) "
            "VALUES (?, ?, 'client', 'x', 'en', '2026-03-01T09:00:00+00:00', ?)",
            (user_id, user_id, agreed),
        )
    # 101 and 102 answered the schedule question (the second asking was called off); 103 never.
    asks = ((101, "cancelled", "answered"), (102, "cancelled", "answered"), (103, "planned", None))
    for user_id, status, reason in asks:
        await old.execute(
            "INSERT INTO sends (user_id, kind, slot, local_date, due_at, closes_at, status, "
            "reason) VALUES (?, 'ask', 'again', '2026-03-01', '2026-03-03T09:00:00+00:00', "
            "'2026-03-10T09:00:00+00:00', ?, ?)",
            (user_id, status, reason),
        )
    await old.close()
    store = await open_store(path, keys_for(tmp_path))
    try:
        assert [await store.only_when_asked(i) for i in (101, 102, 103)] == [True, False, False]
    finally:
        await store.close()

"""The bot never stops hearing people: PTB's real Updater long-polls the stand-in over HTTP while
the database cannot be written (another program's lock, a full disk, a read-only file) or an
update cannot be kept as it came. Nothing is lost, ``/helpnow`` is answered throughout, and
polling goes on by itself once the cause is gone."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import timedelta

import pytest

from bot.app import App, build_application, running
from bot.config import Settings
from bot.core.clock import ManualClock
from bot.core.i18n import Catalog
from bot.doctor import Finding, doctor
from bot.standin import FakeBotAPI
from bot.standin.http import HTTPFront
from bot.storage.safekeeping import lock_file
from bot.tg.inbox import DurableQueue
from tests.conftest import by_hand, services

ALEX, BLAIR = 101, 102
CARD = "I'm not watched in real time, so please reach out to a person:"  # the card, not /start
SAVED = "Saved. Only you can see this."
LATER = (
    "I can't save this just now. I'll answer as soon as I can. You don't need to send it again."
)


async def _until(done: Callable[[], bool | Awaitable[bool]], never: str) -> None:
    """Wait (bounded, about 20 s) until ``done()`` holds; else fail saying what never happened."""
    for _ in range(2000):
        result = done()
        if result if isinstance(result, bool) else await result:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(never)


def _texts(api: FakeBotAPI, chat: int) -> list[str]:
    return [m.body for m in api.messages(chat)]


def _has_card(api: FakeBotAPI, chat: int) -> bool:
    return any(CARD in text for text in _texts(api, chat))


async def _answered(api: FakeBotAPI, chat: int, words: str) -> None:
    """Wait until the bot has answered with ``words`` in the chat."""
    await _until(
        lambda: any(words in text for text in _texts(api, chat)),
        f"chat {chat} never got {words!r}; it has {_texts(api, chat)[-3:]}",
    )


@pytest.fixture
async def polled(
    settings: Settings, catalog: Catalog, clock: ManualClock
) -> AsyncIterator[tuple[App, FakeBotAPI]]:
    """The bot polling the stand-in over HTTP as ``between run`` polls Telegram; Alex and Blair
    have started, with SQLite waiting only a moment for a lock (as it waits 5 s in production)."""
    api = FakeBotAPI(now=clock.now)
    api.queue_updates = True
    front = HTTPFront(api)
    url = await front.start()
    app = build_application(dataclasses.replace(settings, api_url=url), catalog, clock=clock)
    # As under between run, which holds it: the watchdog writes how intake stands into it.
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    lock_file(settings.database_path).touch(mode=0o600)
    try:
        async with running(app, poll=True):
            by_hand(app)
            await services(app).db.db.conn.execute("PRAGMA busy_timeout=50")
            for user, name in ((ALEX, "Alex"), (BLAIR, "Blair")):
                api.add_user(user, first_name=name, language_code="en")
                api.text(user, "/start")
                await _answered(api, user, "I'm Between")
            await _settled(app, api)
            yield app, api
    finally:
        await front.close()


async def _settled(app: App, api: FakeBotAPI) -> None:
    """Wait until every update sent so far is confirmed and handled."""
    db = services(app).db.db

    async def settled() -> bool:
        open_ = await db.fetchone("SELECT 1 FROM inbox WHERE done_at IS NULL")
        return api.pending_updates == 0 and open_ is None

    await _until(settled, "the updates sent at the start were never handled")


@contextlib.contextmanager
def _locked(settings: Settings) -> Iterator[None]:
    """Another program holds the database's write lock (an administrator's sqlite3 shell,
    mid-transaction) while the block runs."""
    other = sqlite3.connect(settings.database_path, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def _queue(app: App) -> DurableQueue:
    assert isinstance(app.update_queue, DurableQueue)
    return app.update_queue


def _held(app: App, api: FakeBotAPI) -> bool:
    """Whether an update of Alex's waits for the database: not kept yet, or kept and told so."""
    return _queue(app).stuck_since is not None or LATER in _texts(api, ALEX)


async def _notes(app: App, user: int) -> list[str]:
    return [note.text for note in await services(app).db.notes(user)]


async def _stuck(app: App) -> None:
    await _until(lambda: _queue(app).stuck_since is not None, "the inbox never failed to keep")


async def _helpnow_answered_while_stuck(app: App, api: FakeBotAPI) -> None:
    """Blair asks for help while Alex's update cannot be kept: the card comes at once, and
    Alex's update is neither answered nor confirmed to Telegram."""
    assert not _has_card(api, BLAIR)
    api.text(BLAIR, "/helpnow")
    await _until(lambda: _has_card(api, BLAIR), "/helpnow was not answered while stuck")
    assert _queue(app).stuck_since is not None
    assert api.pending_updates >= 2  # Alex's and Blair's: kept at Telegram, not confirmed


async def test_a_lock_held_by_another_program_loses_nothing_and_helpnow_is_answered(
    polled: tuple[App, FakeBotAPI], settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    app, api = polled
    before = len(api.messages(ALEX))
    with _locked(settings), caplog.at_level(logging.WARNING, logger="bot.tg.inbox"):
        api.text(ALEX, "Written while the file is locked")
        await _stuck(app)
        await _helpnow_answered_while_stuck(app, api)
        assert len(api.messages(ALEX)) == before  # not answered before it is kept
        assert "cannot keep incoming updates" in caplog.text
        assert "SQLITE_BUSY" in caplog.text
    await _answered(api, ALEX, SAVED)
    api.text(ALEX, "And one after")  # polling goes on by itself
    await _until(lambda: len(api.messages(ALEX)) >= before + 2, "polling did not go on")
    assert await _notes(app, ALEX) == ["Written while the file is locked", "And one after"]
    assert _queue(app).stuck_since is None


async def test_a_full_disk_loses_nothing_and_the_bot_answers_again_once_space_is_freed(
    polled: tuple[App, FakeBotAPI],
) -> None:
    app, api = polled
    conn = services(app).db.db.conn
    # SQLite's answer to a full disk, exactly: the file may not grow by another page.
    await conn.execute("CREATE TABLE filler (x BLOB)")
    (pages,) = await (await conn.execute("PRAGMA page_count")).fetchone()  # type: ignore[misc]
    await conn.execute(f"PRAGMA max_page_count = {pages + 2}")
    for size in (4000, 1000, 100, 10):  # every free page and corner taken
        while True:
            try:
                await conn.execute("INSERT INTO filler VALUES (randomblob(?))", (size,))
            except sqlite3.OperationalError:
                break
    sent = []
    for i in range(50):  # until one is held: not kept (intake) or kept but not yet handled
        sent.append(f"Note {i} on a full disk")
        api.text(ALEX, sent[-1])
        await _until(
            lambda: _held(app, api) or _texts(api, ALEX).count(SAVED) == len(sent),
            "a note was neither answered nor held",
        )
        if _held(app, api):
            break
    assert not _has_card(api, BLAIR)
    api.text(BLAIR, "/helpnow")
    await _until(lambda: _has_card(api, BLAIR), "/helpnow was not answered on a full disk")
    assert _texts(api, ALEX).count(SAVED) == len(sent) - 1
    await conn.execute("DROP TABLE filler")  # space freed
    await conn.execute("PRAGMA max_page_count = 1073741823")
    await _until(
        lambda: _texts(api, ALEX).count(SAVED) == len(sent),
        "the note written on the full disk was not answered once space was freed",
    )
    assert await _notes(app, ALEX) == sent
    api.text(ALEX, "And one after")
    await _until(lambda: _texts(api, ALEX).count(SAVED) == len(sent) + 1, "polling stopped")


async def test_a_read_only_database_loses_nothing_and_the_bot_answers_once_writable(
    polled: tuple[App, FakeBotAPI],
) -> None:
    app, api = polled
    conn = services(app).db.db.conn
    await conn.execute("PRAGMA query_only = ON")  # every write refused: SQLITE_READONLY
    try:
        api.text(ALEX, "Written while read-only")
        await _stuck(app)
        await _helpnow_answered_while_stuck(app, api)
        assert SAVED not in _texts(api, ALEX)
    finally:
        await conn.execute("PRAGMA query_only = OFF")
    await _answered(api, ALEX, SAVED)
    assert await _notes(app, ALEX) == ["Written while read-only"]


async def test_text_no_file_can_hold_is_kept_with_the_broken_character_replaced(
    polled: tuple[App, FakeBotAPI],
) -> None:
    app, api = polled
    # Telegram's JSON may carry a lone surrogate ("\ud800"); no UTF-8 file can hold it.
    api.text(ALEX, "broken \ud800 here")
    api.text(ALEX, "The note behind it")
    await _until(
        lambda: _texts(api, ALEX).count(SAVED) >= 2, "the update behind the broken one waited"
    )
    assert await _notes(app, ALEX) == ["broken \ufffd here", "The note behind it"]
    api.text(BLAIR, "/helpnow")
    await _until(lambda: _has_card(api, BLAIR), "/helpnow was not answered")


async def _look(app: App) -> None:
    """The watchdog's look, now (its job runs every 15 s)."""
    assert app.job_queue is not None
    (job,) = app.job_queue.get_jobs_by_name("between-watch")
    await job.run(app)


def _env(settings: Settings) -> dict[str, str]:
    return {"BOT_DATA_DIR": str(settings.data_dir), "BOT_KEY_FILE": str(settings.key_file)}


async def _intake_line(settings: Settings, catalog: Catalog, clock: ManualClock) -> Finding:
    (finding,) = [
        f for f in await doctor(_env(settings), catalog, clock.now()) if f.name == "intake"
    ]
    return finding


async def test_doctor_says_when_the_running_bot_cannot_keep_updates(
    polled: tuple[App, FakeBotAPI], settings: Settings, catalog: Catalog, clock: ManualClock
) -> None:
    app, api = polled
    await _look(app)
    assert (await _intake_line(settings, catalog, clock)).ok
    with _locked(settings):
        api.text(ALEX, "Written while the file is locked")
        await _stuck(app)
        clock.advance(timedelta(minutes=3))
        await _look(app)
        finding = await _intake_line(settings, catalog, clock)
        assert not finding.ok
        assert "cannot keep incoming updates since" in finding.detail
        assert "(3 min)" in finding.detail
    await _answered(api, ALEX, SAVED)
    polls = services(app).polls
    assert polls is not None
    await _until(lambda: polls.polled_at == clock.now(), "polling did not come back")
    await _look(app)
    finding = await _intake_line(settings, catalog, clock)
    assert finding.ok, finding.detail
    assert "asked Telegram for updates" in finding.detail


async def test_the_watchdog_says_when_polling_has_stopped(
    polled: tuple[App, FakeBotAPI],
    settings: Settings,
    catalog: Catalog,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app, _api = polled
    assert app.updater is not None
    await app.updater.stop()  # polling gone, whatever the cause: the bot looks alive otherwise
    clock.advance(timedelta(minutes=2))
    with caplog.at_level(logging.WARNING, logger="bot.tg.watch"):
        await _look(app)
    assert "no getUpdates has come back for 120 s" in caplog.text
    finding = await _intake_line(settings, catalog, clock)
    assert not finding.ok
    assert "has not asked Telegram for updates since" in finding.detail


async def test_helpnow_is_answered_while_a_try_to_keep_still_waits_for_the_lock(
    polled: tuple[App, FakeBotAPI], settings: Settings
) -> None:
    app, api = polled
    # SQLite waits for a lock before a try fails (5 s in production): help does not wait too.
    await services(app).db.db.conn.execute("PRAGMA busy_timeout=3000")
    with _locked(settings):
        api.text(ALEX, "Written while the file is locked")
        api.text(BLAIR, "/helpnow")
        await _until(lambda: _has_card(api, BLAIR), "/helpnow waited for the lock")
        assert _queue(app).stuck_since is None  # the first try is still waiting
    await _answered(api, ALEX, SAVED)
    assert await _notes(app, ALEX) == ["Written while the file is locked"]

"""Contracts of the store's ports (issue 23, points 1 and 4), each run against every database:
SQLite, and a real PostgreSQL the tests start themselves (``tests/postgres.py``). The tests
speak to a port, never to its tables; an adapter passes on both or it is not done.

Every adapter runs on both databases unchanged (its statements are written in the SQL both
speak); the core-level tests already run twice through the ``store`` fixture. Here are the
contracts of the ports those tests reach least: the typed answer awaited (``WaitStore``), the
clock's last sane reading (``ClockWatch``) and the updates kept until handled (the inbox), and
the two schemas held to each other.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.waits import Wait, WaitKind
from bot.storage.crypto import Cipher
from bot.storage.db import Database
from bot.storage.migrations import MIGRATIONS
from bot.storage.personal import SCHEMA, Holds
from bot.storage.postgres.db import PgDatabase
from bot.storage.postgres.schema import MIGRATIONS as PG_MIGRATIONS
from bot.storage.queries import Queries
from bot.storage.sqlite.clock import SqliteClockWatch
from bot.storage.sqlite.inbox import HANDLED_KEPT, SqliteInbox
from bot.storage.sqlite.people import SqlitePeople
from bot.storage.sqlite.sends import SqliteSends
from bot.storage.sqlite.waits import SqliteWaits
from tests.conftest import keys_for

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Queries]:
    """An empty database of each kind, at the current schema."""
    db: Queries
    if request.param == "sqlite":
        db = await Database.open(tmp_path / "between.db", MIGRATIONS)
    else:
        url = request.getfixturevalue("postgres_url")
        db = await PgDatabase.open(url, PG_MIGRATIONS)
    try:
        yield db
    finally:
        await db.close()


@pytest.fixture
def cipher(tmp_path: Path) -> Cipher:
    return Cipher(keys_for(tmp_path).create())


async def _person(db: Queries, cipher: Cipher, user_id: int = 101) -> int:
    await SqlitePeople(db, cipher).add_client(user_id, user_id, "Alex", "en", NOW)
    return user_id


def _wait(kind: WaitKind, at: datetime, minutes: int = 30, subject: str | None = None) -> Wait:
    return Wait(kind, subject, at, at + timedelta(minutes=minutes))


# --- WaitStore ----------------------------------------------------------------------------------


async def test_one_wait_per_person_replaced_and_cleared(database: Queries, cipher: Cipher) -> None:
    waits = SqliteWaits(database, cipher)
    alex = await _person(database, cipher)
    assert await waits.wait(alex) is None
    first = _wait(WaitKind.TIME, NOW)
    await waits.set_wait(alex, first)
    assert await waits.wait(alex) == first
    second = _wait(WaitKind.MEETING, NOW + timedelta(minutes=1), subject="42")
    await waits.set_wait(alex, second)
    assert await waits.wait(alex) == second
    # Only the question asked at that moment learns which message asked it.
    await waits.set_wait_message(alex, first.asked_at, 7)
    assert (await waits.wait(alex)) == second
    await waits.set_wait_message(alex, second.asked_at, 8)
    found = await waits.wait(alex)
    assert found is not None and found.message_id == 8
    await waits.set_wait(alex, None)
    assert await waits.wait(alex) is None


async def test_a_taken_wait_is_remembered_with_its_update_until_handled(
    database: Queries, cipher: Cipher
) -> None:
    waits, inbox = SqliteWaits(database, cipher), SqliteInbox(database, cipher)
    alex = await _person(database, cipher)
    asked = _wait(WaitKind.PLAN, NOW, subject="helps")
    await waits.set_wait(alex, asked)
    assert await inbox.inbox_add(5001, alex, json.dumps({"update_id": 5001}), NOW)
    await waits.take_wait(alex, asked, 5001)
    assert await waits.wait(alex) is None
    assert await waits.taken_wait(5001) == asked
    await inbox.inbox_write({}, [5001], NOW)
    assert await waits.taken_wait(5001) is None


async def test_expired_waits_end_oldest_first_and_only_up_to_the_limit(
    database: Queries, cipher: Cipher
) -> None:
    waits = SqliteWaits(database, cipher)
    for user_id, minutes in ((101, 5), (102, 10), (103, 60)):
        await _person(database, cipher, user_id)
        await waits.set_wait(user_id, _wait(WaitKind.ZONE, NOW, minutes=minutes))
    ended = await waits.end_expired_waits(NOW + timedelta(minutes=20), limit=1)
    assert [user_id for user_id, _ in ended] == [101]
    ended = await waits.end_expired_waits(NOW + timedelta(minutes=20), limit=10)
    assert [user_id for user_id, _ in ended] == [102]
    assert await waits.wait(103) is not None


# --- ClockWatch ---------------------------------------------------------------------------------


async def test_the_clock_s_sane_reading_and_a_jump_are_kept(
    database: Queries, cipher: Cipher
) -> None:
    watch = SqliteClockWatch(database, cipher)
    assert await watch.clock_seen() == (None, None)
    await watch.see_clock(NOW)
    assert await watch.clock_seen() == (NOW, None)
    ahead = NOW + timedelta(days=365)
    await watch.see_clock(ahead, jumped_to=ahead)
    assert await watch.clock_seen() == (NOW, ahead)
    later = NOW + timedelta(minutes=5)
    await watch.see_clock(later)
    assert await watch.clock_seen() == (later, None)


async def test_what_a_wrong_clock_planned_is_undone(database: Queries, cipher: Cipher) -> None:
    watch, sends = SqliteClockWatch(database, cipher), SqliteSends(database, cipher)
    alex = await _person(database, cipher)
    far, near = NOW + timedelta(days=400), NOW + timedelta(days=1)
    for when, slot in ((far, "regular"), (near, "snooze:1")):
        await sends.plan_send(alex, "checkin", slot, when.date().isoformat(), when, when, "{}")
    assert await watch.undo_wrong_clock(NOW, NOW + timedelta(days=15)) == 1
    statuses = {send.slot: send.status for send in await sends.sends(alex)}
    assert statuses == {"regular": "cancelled", "snooze:1": "planned"}


# --- the inbox ----------------------------------------------------------------------------------


async def test_an_update_is_kept_once_and_handed_back_in_order_until_handled(
    database: Queries, cipher: Cipher
) -> None:
    inbox = SqliteInbox(database, cipher)
    for update_id in (7002, 7001, 7003):
        assert await inbox.inbox_add(update_id, 101, f"update {update_id}", NOW)
    assert not await inbox.inbox_add(7001, 101, "sent again", NOW)
    await inbox.inbox_write({7002: "Saved."}, [7003], NOW)
    assert await inbox.inbox_pending(NOW) == [("update 7001", None), ("update 7002", "Saved.")]


async def test_handled_ids_are_forgotten_once_telegram_cannot_send_them_again(
    database: Queries, cipher: Cipher
) -> None:
    inbox = SqliteInbox(database, cipher)
    await inbox.inbox_add(8001, 101, "old", NOW)
    await inbox.inbox_write({}, [8001], NOW)
    assert await inbox.inbox_forget(NOW) == 0  # handled just now: kept
    assert await inbox.inbox_forget(NOW + HANDLED_KEPT) == 1
    assert await inbox.inbox_add(8001, 101, "old", NOW + HANDLED_KEPT)  # a new update now


# --- the schema ---------------------------------------------------------------------------------


async def test_postgresql_keeps_the_same_tables_and_columns_as_sqlite(
    tmp_path: Path, postgres_url: str
) -> None:
    """So that ``bot/storage/personal.py`` (what each column holds, how a person's rows are
    erased, exported and kept) rules both stores: a column on one only would escape it."""
    lite = await Database.open(tmp_path / "between.db", MIGRATIONS)
    pg = await PgDatabase.open(postgres_url, PG_MIGRATIONS)
    try:
        tables = await lite.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        on_sqlite = {
            row["name"]: {c["name"] for c in await lite.fetchall(f"PRAGMA table_info({row[0]})")}
            for row in tables
        }
        on_postgres: dict[str, set[str]] = {}
        for row in await pg.fetchall(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public'"
        ):
            if row["column_name"] != "rowid":  # SQLite's is hidden; PostgreSQL's is a column
                on_postgres.setdefault(row["table_name"], set()).add(row["column_name"])
    finally:
        await lite.close()
        await pg.close()
    assert on_postgres == on_sqlite


async def test_every_sealed_column_keeps_bytes_on_postgresql(postgres_url: str) -> None:
    """What ``bot/storage/personal.py`` calls words is sealed; PostgreSQL keeps it as bytes,
    never as text (a text column would turn a sealed value into a string read as plain)."""
    pg = await PgDatabase.open(postgres_url, PG_MIGRATIONS)
    try:
        types = {
            (row["table_name"], row["column_name"]): row["data_type"]
            for row in await pg.fetchall(
                "SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'public'"
            )
        }
    finally:
        await pg.close()
    words = [
        (table, column)
        for table, rule in SCHEMA.items()
        for column, holds in rule.columns.items()
        if holds is Holds.WORDS
    ]
    assert words
    assert {key: types.get(key) for key in words} == dict.fromkeys(words, "bytea")

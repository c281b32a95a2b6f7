"""Storage on real SQLite files: pragmas, migrations, encryption at rest, one-time codes."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite
import pytest

from bot.config import ConfigError
from bot.core import usecases
from bot.core.model import Role, hash_code
from bot.core.ports import Redemption
from bot.storage.crypto import Cipher, KeySource
from bot.storage.db import Database
from bot.storage.migrations import MIGRATIONS
from bot.storage.safekeeping import open_store
from bot.storage.store import SqliteStore
from tests.conftest import keys_for

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> SqliteStore:
    opened = await open_store(tmp_path / "db.sqlite3", keys_for(tmp_path))
    yield opened  # type: ignore[misc]
    await opened.close()


async def test_pragmas_are_set(store: SqliteStore) -> None:
    mode = await store.db.fetchone("PRAGMA journal_mode")
    keys = await store.db.fetchone("PRAGMA foreign_keys")
    busy = await store.db.fetchone("PRAGMA busy_timeout")
    assert mode is not None and mode[0] == "wal"
    assert keys is not None and keys[0] == 1
    assert busy is not None and busy[0] >= 1000


async def test_migrations_are_recorded_once_in_order(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    db = await Database.open(path, MIGRATIONS)
    assert await db.applied_migrations() == [name for name, _ in MIGRATIONS]
    assert await db.migrate(MIGRATIONS) == []
    await db.close()
    again = await Database.open(path, MIGRATIONS)
    assert await again.applied_migrations() == [name for name, _ in MIGRATIONS]
    await again.close()


async def test_a_new_migration_is_applied_on_top(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    await (await Database.open(path, MIGRATIONS)).close()

    async def m999_extra(conn: aiosqlite.Connection) -> None:
        await conn.execute("CREATE TABLE extra (x INTEGER)")

    db = await Database.open(path, [*MIGRATIONS, ("999_extra", m999_extra)])
    assert (await db.applied_migrations())[-1] == "999_extra"
    await db.close()


async def test_a_failing_migration_leaves_nothing_half_done(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"

    async def m999_broken(conn: aiosqlite.Connection) -> None:
        await conn.execute("CREATE TABLE half (x INTEGER)")
        await conn.execute("THIS IS NOT SQL")

    with pytest.raises(sqlite3.OperationalError):
        await Database.open(path, [*MIGRATIONS, ("999_broken", m999_broken)])
    db = await Database.open(path, MIGRATIONS)
    assert await db.fetchone("SELECT name FROM sqlite_master WHERE name = 'half'") is None
    assert "999_broken" not in await db.applied_migrations()
    await db.close()


async def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"

    async def m999_future(conn: aiosqlite.Connection) -> None:
        return None

    await (await Database.open(path, [*MIGRATIONS, ("999_future", m999_future)])).close()
    with pytest.raises(RuntimeError, match="newer Between"):
        await Database.open(path, MIGRATIONS)


async def test_notes_are_encrypted_at_rest(tmp_path: Path, store: SqliteStore) -> None:
    user = await store.add_client(1, 1, "Alex", "en", NOW)
    await store.add_note(user.id, "a very private sentence", NOW)
    await store.db.execute("PRAGMA wal_checkpoint(FULL)")
    raw = (tmp_path / "db.sqlite3").read_bytes()
    assert b"very private" not in raw
    assert [n.text for n in await store.notes(user.id)] == ["a very private sentence"]


def test_generated_key_file_is_private_and_reused(tmp_path: Path) -> None:
    source = KeySource(None, tmp_path / "keys" / "between.key")
    first = Cipher(source.create())
    assert stat.S_IMODE(source.key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(source.key_file.parent.stat().st_mode) == 0o700
    second = Cipher(source.read())
    assert second.decrypt(first.encrypt("same key")) == "same key"


def test_a_bad_encryption_key_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^BOT_ENCRYPTION_KEY: not a valid key"):
        KeySource("not-a-key", tmp_path / "k").read()


async def test_a_given_key_is_used_and_no_file_is_written(tmp_path: Path) -> None:
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    store = await open_store(tmp_path / "db.sqlite3", KeySource(key, tmp_path / "k"))
    await store.add_client(1, 1, "Alex", "en", NOW)
    await store.add_note(1, "mine", NOW)
    await store.close()
    assert not (tmp_path / "k").exists()


async def test_erasing_a_person_erases_their_notes(store: SqliteStore) -> None:
    user = await store.add_client(1, 1, "Alex", "en", NOW)
    await store.add_note(user.id, "one", NOW)
    await store.erase_user(user.id)
    assert await store.get_user(1) is None
    assert await store.notes(1) == []


async def test_retention_removes_only_what_is_older(store: SqliteStore) -> None:
    user = await store.add_client(1, 1, "Alex", "en", NOW)
    await store.add_note(user.id, "old", NOW - timedelta(days=400))
    await store.add_note(user.id, "recent", NOW - timedelta(days=10))
    assert await store.purge_before(NOW - timedelta(days=365)) == 1
    assert [n.text for n in await store.notes(1)] == ["recent"]


async def test_staff_codes_are_stored_hashed(store: SqliteStore) -> None:
    code = await usecases.create_staff_invite(store, Role.PEER, "Sam", NOW, timedelta(hours=24))
    assert len(code) >= 32 and code.startswith("s_")
    rows = await store.db.fetchall("SELECT code_hash FROM staff_invites")
    assert [r["code_hash"] for r in rows] == [hash_code(code)]


async def test_staff_code_is_single_use(store: SqliteStore) -> None:
    code = await usecases.create_staff_invite(store, Role.PEER, "Sam", NOW, timedelta(hours=24))
    first = await usecases.redeem_staff_code(store, code, 301, 301, "en", NOW)
    second = await usecases.redeem_staff_code(store, code, 302, 302, "en", NOW)
    assert first[0] is Redemption.OK and first[1] is not None and first[1].role is Role.PEER
    assert second == (Redemption.INVALID, None)
    assert await store.get_user(302) is None


async def test_staff_code_expires(store: SqliteStore) -> None:
    code = await usecases.create_staff_invite(
        store, Role.CLINICIAN, "Kim", NOW, timedelta(hours=1)
    )
    later = NOW + timedelta(hours=1, seconds=1)
    assert await usecases.redeem_staff_code(store, code, 5, 5, "en", later) == (
        Redemption.INVALID,
        None,
    )


async def test_a_client_account_cannot_become_staff(store: SqliteStore) -> None:
    await store.add_client(7, 7, "Alex", "en", NOW)
    record = await store.start_checkin(7, "checkin", NOW)
    await store.add_answer(record.id, "mood", "okay", None, "least", NOW)
    code = await usecases.create_staff_invite(
        store, Role.CLINICIAN, "Kim", NOW, timedelta(hours=1)
    )
    outcome, _ = await usecases.redeem_staff_code(store, code, 7, 7, "en", NOW)
    assert outcome is Redemption.ALREADY_CLIENT
    user = await store.get_user(7)
    assert user is not None and user.role is Role.CLIENT
    # The code was not spent on the refusal.
    assert (await usecases.redeem_staff_code(store, code, 8, 8, "en", NOW))[0] is Redemption.OK


async def test_someone_who_only_said_hello_becomes_staff_by_a_staff_link(
    store: SqliteStore,
) -> None:
    await store.add_client(7, 7, "Kim", "en", NOW)
    await store.set_schedule(7, agreed_on="2026-03-02")
    code = await usecases.create_staff_invite(
        store, Role.CLINICIAN, "Dr Kim", NOW, timedelta(hours=1)
    )
    outcome, user = await usecases.redeem_staff_code(store, code, 7, 7, "en", NOW)
    assert outcome is Redemption.OK
    assert user is not None and user.role is Role.CLINICIAN
    own = await store.schedule(7)
    assert own is None or own.agreed_on is None


@pytest.mark.parametrize("code", ["", "s_", "c_" + "A" * 32, "s_" + "A" * 100, "s_wrong"])
async def test_malformed_or_unknown_codes_are_refused(store: SqliteStore, code: str) -> None:
    assert await usecases.redeem_staff_code(store, code, 9, 9, "en", NOW) == (
        Redemption.INVALID,
        None,
    )
    assert await store.get_user(9) is None


async def test_fifty_concurrent_redemptions_of_one_code_succeed_once(store: SqliteStore) -> None:
    code = await usecases.create_staff_invite(store, Role.PEER, "Sam", NOW, timedelta(hours=1))
    results = await asyncio.gather(
        *(
            usecases.redeem_staff_code(store, code, 1000 + i, 1000 + i, "en", NOW)
            for i in range(50)
        )
    )
    assert [r[0] for r in results].count(Redemption.OK) == 1
    staff = await store.db.fetchall("SELECT id FROM users WHERE role = 'peer'")
    assert len(staff) == 1


async def test_the_care_team_migration_keeps_everyone_and_their_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    cipher = Cipher(keys_for(tmp_path).create())
    # A database as the previous release left it: migrations 001-004, a client with a note.
    old = await Database.open(path, MIGRATIONS[:4])
    await old.execute(
        "INSERT INTO users (id, chat_id, role, name, language, created_at, timezone) "
        "VALUES (101, 101, 'client', 'Alex', 'en', ?, 'Europe/Berlin')",
        (NOW.isoformat(),),
    )
    await old.execute(
        "INSERT INTO notes (user_id, created_at, body) VALUES (101, ?, ?)",
        (NOW.isoformat(), cipher.encrypt("kept through the upgrade")),
    )
    await old.close()

    store = await open_store(path, keys_for(tmp_path))
    try:
        assert [n.text for n in await store.notes(101)] == ["kept through the upgrade"]
        own = await store.schedule(101)
        assert own is not None and own.timezone == "Europe/Berlin"
        check = await store.db.fetchone("PRAGMA foreign_key_check")
        assert check is None
        keys = await store.db.fetchone("PRAGMA foreign_keys")
        assert keys is not None and keys[0] == 1
        # The new role exists, and erasing a person still erases their notes.
        await store.db.execute(
            "INSERT INTO users (id, chat_id, role, name, language, created_at) "
            "VALUES (401, 401, 'network', 'Jo', 'en', ?)",
            (NOW.isoformat(),),
        )
        await store.erase_user(101)
        assert await store.notes(101) == []
    finally:
        await store.close()


async def test_a_team_code_is_used_once_even_under_concurrent_accepts(store: SqliteStore) -> None:
    from bot.core.ports import TeamJoin

    code = await usecases.create_staff_invite(store, Role.CLINICIAN, "Dr Kim", NOW, timedelta(1))
    _, kim = await usecases.redeem_staff_code(store, code, 201, 201, "en", NOW)
    assert kim is not None
    for client in range(1000, 1050):
        await store.add_client(client, client, f"P{client}", "en", NOW)
    team_code = await usecases.create_team_invite(store, kim, NOW, timedelta(hours=1))
    outcomes = await asyncio.gather(
        *(
            store.join_team(hash_code(team_code), c, c, f"P{c}", "en", NOW)
            for c in range(1000, 1050)
        )
    )
    assert [o for o, _ in outcomes].count(TeamJoin.OK) == 1
    assert [o for o, _ in outcomes].count(TeamJoin.INVALID) == 49
    assert len(await store.clients_of(201)) == 1


async def test_many_people_and_their_open_checkins_are_read_at_once(store: SqliteStore) -> None:
    for user_id in range(1, 1203):  # more than two chunks of 500
        await store.add_client(user_id, user_id, f"P{user_id}", "en", NOW)
    opened = await store.start_checkin(7, "checkin", NOW)
    done = await store.start_checkin(8, "checkin", NOW)
    await store.finish_checkin(done.id, "done", NOW)
    ids = [*range(1, 1203), 99_999]  # one who never started the bot
    users = await store.users(ids)
    assert sorted(users) == list(range(1, 1203))
    assert users[1202].name == "P1202"
    assert {k: v.id for k, v in (await store.open_checkins(ids)).items()} == {7: opened.id}

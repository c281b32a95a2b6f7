"""The key and the data belong together: a wrong or missing key stops everything, by name."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken

from bot.cli import main
from bot.config import load_settings
from bot.core.i18n import Catalog
from bot.storage.crypto import KeyProblem, KeySource
from bot.storage.personal import ENCRYPTED
from bot.storage.safekeeping import (
    DataInUse,
    backup,
    open_store,
    rotate_keys,
    run_lock,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _source(tmp_path: Path) -> KeySource:
    return KeySource(None, tmp_path / "keys" / "between.key")


async def _alex_with_words(path: Path, source: KeySource) -> None:
    """Alex, with a note, a crisis plan and a message for the team while paused."""
    store = await open_store(path, source)
    try:
        await store.add_client(7, 7, "Alex", "en", NOW)
        await store.add_note(7, "a night without sleep", NOW)
        await store.set_plan_part(7, "helps", "walking by the river", NOW)
        await store.set_schedule(7, paused=True, pause_message="away for a week")
    finally:
        await store.close()


async def _words(path: Path, source: KeySource) -> list[str]:
    store = await open_store(path, source)
    try:
        plan = await store.crisis_plan(7)
        assert plan is not None
        notes = [note.text for note in await store.notes(7)]
        return [*notes, plan.helps or ""]
    finally:
        await store.close()


def _raw_tokens(path: Path) -> list[bytes]:
    """Every encrypted value in the file, read without Between."""
    with sqlite3.connect(path) as conn:
        return [
            value
            for table, column in ENCRYPTED
            for (value,) in conn.execute(
                f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL"
            )
        ]


async def test_another_key_is_refused_by_name_and_the_right_key_opens_everything(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data" / "between.sqlite3"
    source = _source(tmp_path)
    await _alex_with_words(path, source)
    key_before = source.key_file.read_bytes()
    other = KeySource(Fernet.generate_key().decode(), source.key_file)

    with pytest.raises(KeyProblem, match=r"^BOT_ENCRYPTION_KEY does not open the database"):
        await open_store(path, other)

    assert source.key_file.read_bytes() == key_before  # never replaced
    assert await _words(path, source) == ["a night without sleep", "walking by the river"]


async def test_a_missing_key_file_stops_and_no_new_key_is_made(tmp_path: Path) -> None:
    path = tmp_path / "data" / "between.sqlite3"
    source = _source(tmp_path)
    await _alex_with_words(path, source)
    kept = source.key_file.read_bytes()
    source.key_file.unlink()

    with pytest.raises(KeyProblem, match=r"^the key file .*between\.key is missing, but"):
        await open_store(path, source)
    assert not source.key_file.exists()

    source.key_file.write_bytes(kept)  # restored from the backup
    assert await _words(path, source) == ["a night without sleep", "walking by the river"]


async def test_a_database_older_than_the_check_value_is_checked_by_its_words(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data" / "between.sqlite3"
    source = _source(tmp_path)
    await _alex_with_words(path, source)
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM key_check")  # as a database from before the check value
    other = KeySource(Fernet.generate_key().decode(), source.key_file)
    with pytest.raises(KeyProblem, match="does not open the database"):
        await open_store(path, other)
    assert await _words(path, source) == ["a night without sleep", "walking by the river"]


async def test_a_new_database_gets_a_new_key_apart_from_it(tmp_path: Path) -> None:
    path = tmp_path / "data" / "between.sqlite3"
    source = _source(tmp_path)
    store = await open_store(path, source)
    await store.close()
    assert source.key_file.exists()
    assert source.key_file.parent != path.parent
    assert stat.S_IMODE(source.key_file.stat().st_mode) == 0o600


async def test_the_database_is_for_its_owner_only_and_deletes_for_real(tmp_path: Path) -> None:
    path = tmp_path / "data" / "between.sqlite3"
    path.parent.mkdir(mode=0o755)
    store = await open_store(path, _source(tmp_path))
    try:
        await store.add_client(7, 7, "Alex", "en", NOW)
        secure = await store.db.fetchone("PRAGMA secure_delete")
        assert secure is not None and secure[0] == 1
        files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
        assert all(f.exists() for f in files)
        assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    finally:
        await store.close()


async def test_a_rotated_key_opens_everything_and_the_old_one_nothing(tmp_path: Path) -> None:
    path = tmp_path / "data" / "between.sqlite3"
    source = _source(tmp_path)
    await _alex_with_words(path, source)
    old = source.key_file.read_text().strip()

    lines = await rotate_keys(path, source)

    # Alex's name, her note, her plan, her message for the team, and the check value.
    assert lines[-1].startswith("Encrypted 5 values again")
    new = source.key_file.read_text().strip()
    assert new != old and "\n" not in new  # the old key is retired from the file
    assert await _words(path, source) == ["a night without sleep", "walking by the river"]
    with pytest.raises(KeyProblem, match="does not open the database"):
        await open_store(path, KeySource(old, source.key_file))
    for token in _raw_tokens(path):
        with pytest.raises(InvalidToken):
            Fernet(old.encode()).decrypt(token)


async def test_an_interrupted_rotation_is_finished_by_running_it_again(tmp_path: Path) -> None:
    path = tmp_path / "data" / "between.sqlite3"
    source = _source(tmp_path)
    await _alex_with_words(path, source)
    old = source.key_file.read_text().strip()
    new = Fernet.generate_key().decode()
    # Stopped just after the new key was put first: the bot still opens everything meanwhile.
    source.key_file.write_text(f"{new}\n{old}\n")
    assert await _words(path, source) == ["a night without sleep", "walking by the river"]

    lines = await rotate_keys(path, source)

    assert lines[0].startswith("Finishing the rotation already begun")
    assert source.key_file.read_text().strip() == new
    for token in _raw_tokens(path):
        Fernet(new.encode()).decrypt(token)  # every value is under the new key


async def test_a_rotation_waits_for_the_bot_to_stop(tmp_path: Path) -> None:
    path = tmp_path / "data" / "between.sqlite3"
    source = _source(tmp_path)
    await _alex_with_words(path, source)
    before = source.key_file.read_bytes()
    with run_lock(path), pytest.raises(DataInUse, match="stop it first"):
        await rotate_keys(path, source)
    assert source.key_file.read_bytes() == before


async def test_rotating_a_key_given_in_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "data" / "between.sqlite3"
    old = Fernet.generate_key().decode()
    await _alex_with_words(path, KeySource(old, tmp_path / "unused"))

    told = await rotate_keys(path, KeySource(old, tmp_path / "unused"))
    assert told[0] == "BOT_ENCRYPTION_KEY holds one key. To rotate, put a new key first, " + (
        "separated by a comma:"
    )
    new = told[1].split("=", 1)[1].split(",")[0]

    done = await rotate_keys(path, KeySource(f"{new},{old}", tmp_path / "unused"))
    assert done[-1].startswith("Encrypted 5 values again. Now set BOT_ENCRYPTION_KEY")
    assert await _words(path, KeySource(new, tmp_path / "unused")) == [
        "a night without sleep",
        "walking by the river",
    ]
    assert not (tmp_path / "unused").exists()


async def test_a_backup_is_a_private_copy_without_the_key(tmp_path: Path) -> None:
    path = tmp_path / "data" / "between.sqlite3"
    source = _source(tmp_path)
    await _alex_with_words(path, source)
    copy = tmp_path / "backups" / "between-2026-03-02.sqlite3"
    copy.parent.mkdir()

    lines = backup(path, copy)

    assert lines[1].startswith("The key is not in the copy")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    key = source.key_file.read_bytes().strip()
    assert key not in copy.read_bytes()
    assert b"a night without sleep" not in copy.read_bytes()
    assert await _words(copy, source) == ["a night without sleep", "walking by the river"]
    with pytest.raises(Exception, match="already exists"):
        backup(path, copy)


def test_an_old_key_file_beside_the_database_is_still_used(
    tmp_path: Path, catalog: Catalog
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "between.key").write_text(Fernet.generate_key().decode())
    env = {"BOT_DATA_DIR": str(data), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    settings = load_settings(env, catalog=catalog)
    assert settings.key_file == data / "between.key"
    assert settings.key_beside_database
    fresh = load_settings({**env, "BOT_DATA_DIR": str(tmp_path / "new")}, catalog=catalog)
    assert fresh.key_file == tmp_path / "config" / "between" / "between.key"
    assert not fresh.key_beside_database


def test_every_command_that_opens_the_data_refuses_another_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    source = _source(tmp_path)
    asyncio.run(_alex_with_words(data / "between.sqlite3", source))
    for name in ("BOT_TOKEN", "BOT_CONFIG", "BOT_API_URL", "BOT_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_DATA_DIR", str(data))
    monkeypatch.setenv("BOT_KEY_FILE", str(source.key_file))
    monkeypatch.setenv("BOT_ENCRYPTION_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("BOT_TOKEN", "123456:" + "A" * 35)
    monkeypatch.setenv("BOT_API_URL", "http://127.0.0.1:9/bot")  # never reached

    for command in (["run"], ["staff", "list"], ["keys", "rotate"]):
        assert main(command) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [
            f"between: BOT_ENCRYPTION_KEY does not open the database {data / 'between.sqlite3'}:"
            " the data was written with another key. Nothing was changed; start again with the"
            " key that belongs to this database."
        ], command

    monkeypatch.delenv("BOT_ENCRYPTION_KEY")
    assert main(["staff", "list"]) == 0  # the right key: everything is back
    assert "No staff accounts yet." in capsys.readouterr().out


def test_rotating_with_another_key_file_writes_nothing_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    asyncio.run(_alex_with_words(data / "between.sqlite3", _source(tmp_path)))
    wrong = tmp_path / "other" / "between.key"
    wrong.parent.mkdir(mode=0o700)
    wrong.write_bytes(Fernet.generate_key() + b"\n")
    wrong.chmod(0o600)
    before = wrong.read_bytes()
    for name in ("BOT_CONFIG", "BOT_API_URL", "BOT_WEBHOOK_SECRET", "BOT_ENCRYPTION_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_DATA_DIR", str(data))
    monkeypatch.setenv("BOT_KEY_FILE", str(wrong))
    monkeypatch.setenv("BOT_TOKEN", "123456:" + "A" * 35)
    monkeypatch.setenv("BOT_API_URL", "http://127.0.0.1:9/bot")  # never reached

    said = []
    for command in (["keys", "rotate"], ["run"]):
        assert main(command) == 2
        said.append(capsys.readouterr().err.splitlines())
    database = data / "between.sqlite3"
    assert said[0] == [
        f"between: the key file {wrong} does not open the database {database}: the data was "
        "written with another key. Nothing was changed; start again with the key that belongs "
        "to this database."
    ]
    assert said[1] == said[0]  # as `between run` says it
    assert wrong.read_bytes() == before
    assert sorted(p.name for p in wrong.parent.iterdir()) == ["between.key"]  # no leftovers
    monkeypatch.setenv("BOT_KEY_FILE", str(_source(tmp_path).key_file))
    assert main(["keys", "rotate"]) == 0  # the right key still rotates
    assert "Encrypted 5 values again" in capsys.readouterr().out


async def test_a_key_others_may_read_is_made_owner_only_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "data" / "between.sqlite3"
    source = _source(tmp_path)
    await _alex_with_words(path, source)
    source.key_file.chmod(0o644)
    source.key_file.parent.chmod(0o755)
    key = source.key_file.read_text().strip()
    caplog.set_level(logging.DEBUG, logger="bot")

    assert await _words(path, source) == ["a night without sleep", "walking by the river"]

    assert stat.S_IMODE(source.key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(source.key_file.parent.stat().st_mode) == 0o700
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warned == [
        f"others had access to the key; made it owner-only: the key file {source.key_file} "
        f"from 644 to 600; the key's folder {source.key_file.parent} from 755 to 700"
    ]
    assert key not in caplog.text
    caplog.clear()
    await _words(path, source)  # owner-only now: nothing more to say
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_a_key_others_may_read_that_cannot_be_changed_stops_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The tests run as root, who may change any file's mode: refusing Between the change
    # (as for a file it does not own) is simulated.
    data = tmp_path / "data"
    source = _source(tmp_path)
    asyncio.run(_alex_with_words(data / "between.sqlite3", source))
    source.key_file.chmod(0o640)
    real_chmod = Path.chmod

    def not_the_owner(self: Path, mode: int, **kwargs: bool) -> None:
        if self == source.key_file:
            raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))
        real_chmod(self, mode, **kwargs)

    monkeypatch.setattr(Path, "chmod", not_the_owner)
    for name in ("BOT_CONFIG", "BOT_API_URL", "BOT_WEBHOOK_SECRET", "BOT_ENCRYPTION_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_DATA_DIR", str(data))
    monkeypatch.setenv("BOT_KEY_FILE", str(source.key_file))
    monkeypatch.setenv("BOT_TOKEN", "123456:" + "A" * 35)
    monkeypatch.setenv("BOT_API_URL", "http://127.0.0.1:9/bot")  # never reached

    assert main(["run"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"between: the key file {source.key_file} is open to others (mode 640) and Between "
        "cannot change that (Operation not permitted): as its owner, run chmod 600 "
        f"{source.key_file}"
    ]
    assert stat.S_IMODE(source.key_file.stat().st_mode) == 0o640


async def test_the_schema_has_no_encrypted_column_the_key_does_not_know(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "db.sqlite3", _source(tmp_path))
    try:
        tables = await store.db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
        blobs = set()
        for table in tables:
            for column in await store.db.fetchall(f"PRAGMA table_info({table['name']})"):
                if column["type"] == "BLOB":
                    blobs.add((table["name"], column["name"]))
    finally:
        await store.close()
    assert blobs <= set(ENCRYPTED)  # and names, answers and capacity, kept in older columns


async def test_names_and_answers_kept_in_the_clear_by_an_older_release_are_sealed(
    tmp_path: Path,
) -> None:
    from bot.storage.db import Database
    from bot.storage.migrations import MIGRATIONS

    path = tmp_path / "data" / "between.sqlite3"
    old = await Database.open(path, MIGRATIONS[:13])  # as the release before sealing left it
    await old.execute(
        "INSERT INTO users (id, chat_id, role, name, language, created_at) "
        "VALUES (7, 7, 'client', 'Alex', 'en', ?)",
        (NOW.isoformat(),),
    )
    await old.execute(
        "INSERT INTO checkins (id, user_id, dialog, started_at, capacity, status) "
        "VALUES (1, 7, 'checkin', ?, 'least', 'done')",
        (NOW.isoformat(),),
    )
    await old.execute(
        "INSERT INTO answers (checkin_id, step_id, value, capacity, answered_at) "
        "VALUES (1, 'mood', 'hard', 'least', ?)",
        (NOW.isoformat(),),
    )
    await old.close()
    source = _source(tmp_path)
    source.create()  # the key it had

    store = await open_store(path, source)
    try:
        user = await store.get_user(7)
        assert user is not None and user.name == "Alex"
        (checkin,) = await store.recent_checkins(7, 1)
        assert checkin.capacity == "least"
        assert [(a.value, a.capacity) for a in checkin.answers] == [("hard", "least")]
    finally:
        await store.close()
    with sqlite3.connect(path) as conn:
        kinds = conn.execute(
            "SELECT typeof(u.name), typeof(c.capacity), typeof(a.value), typeof(a.capacity) "
            "FROM users u, checkins c, answers a"
        ).fetchone()
    assert kinds == ("blob", "blob", "blob", "blob")


async def test_an_old_key_without_its_database_stops_instead_of_starting_afresh(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data" / "between.sqlite3"
    source = _source(tmp_path)
    await _alex_with_words(path, source)
    moved = tmp_path / "elsewhere"
    path.parent.rename(moved)  # the data volume is not mounted
    with pytest.raises(KeyProblem, match=r"exists, but there is no database at .*mounted"):
        await open_store(path, source)
    assert not path.exists()

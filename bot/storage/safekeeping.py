"""Opening the data with its key, rotating the key, and making a backup.

The database holds a value encrypted with its key (``key_check``). A key that cannot read it, or a
missing key where data exists, stops everything that opens the data, naming the key; a new key is
written only for a database that holds nobody yet.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from bot.config import ConfigError, Settings
from bot.storage.crypto import Cipher, InvalidToken, KeyProblem, KeySource, new_key
from bot.storage.db import Database
from bot.storage.migrations import MIGRATIONS
from bot.storage.personal import ENCRYPTED
from bot.storage.store import SqliteStore

CHECK_TEXT = "Between: this database belongs to this key"

log = logging.getLogger(__name__)


class DataInUse(ConfigError):
    """Another Between process is running on the database."""


def key_source(settings: Settings) -> KeySource:
    """Where the service's key comes from: ``BOT_ENCRYPTION_KEY``, else the key file."""
    return KeySource(settings.encryption_key, settings.key_file)


async def open_data(settings: Settings) -> SqliteStore:
    """The service's store, opened with its key (see ``open_store``)."""
    return await open_store(settings.database_path, key_source(settings))


async def _tables(db: Database) -> set[str]:
    rows = await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {row["name"] for row in rows}


async def _columns(db: Database, table: str) -> set[str]:
    rows = await db.fetchall(f"SELECT name FROM pragma_table_info('{table}')")
    return {row["name"] for row in rows}


async def holds_data(db: Database) -> bool:
    """True if the database knows its key or anyone at all: a new key would lose them."""
    tables = await _tables(db)
    for table in ("key_check", "users"):
        if table in tables and await db.fetchone(f"SELECT 1 FROM {table} LIMIT 1"):
            return True
    return False


async def key_matches(db: Database, cipher: Cipher) -> bool:
    """True if the key opens what this database holds: its check value, else a sample of each."""
    tables = await _tables(db)
    if "key_check" in tables:
        row = await db.fetchone("SELECT token FROM key_check WHERE id = 1")
        if row is not None:
            return _opens(cipher, row["token"])
    for table, column in ENCRYPTED:
        if table not in tables or column not in await _columns(db, table):
            continue  # an older release's database: the column comes with a later migration
        row = await db.fetchone(
            f"SELECT {column} AS value FROM {table} WHERE typeof({column}) = 'blob' LIMIT 1"
        )
        if row is not None and not _opens(cipher, row["value"]):
            return False
    return True


def _opens(cipher: Cipher, token: bytes) -> bool:
    try:
        cipher.decrypt(token)
    except InvalidToken:
        return False
    return True


def _has_file(path: Path) -> bool:
    """True if a database file is there (an empty file is a database not yet written)."""
    return path.exists() and path.stat().st_size > 0


def _mismatch(source: KeySource, path: Path) -> KeyProblem:
    return KeyProblem(
        f"{source.name} does not open the database {path}: the data was written with another "
        "key. Nothing was changed; start again with the key that belongs to this database."
    )


def _missing(source: KeySource, path: Path) -> KeyProblem:
    where = "BOT_KEY_FILE" if source.env_key is None else "BOT_ENCRYPTION_KEY"
    return KeyProblem(
        f"{source.name} is missing, but the database {path} holds data written with a key. "
        f"Restore the key from your backup (or set {where} to it); "
        "Between never makes a new key for existing data."
    )


async def _cipher_for(db: Database, source: KeySource) -> Cipher:
    """The source's keys, checked against the database; a first key for a new database."""
    if source.exists():
        cipher = Cipher(source.read())
    elif await holds_data(db):
        raise _missing(source, db.path)
    else:
        cipher = Cipher(source.create())
    if not await key_matches(db, cipher):
        raise _mismatch(source, db.path)
    return cipher


def keep_key_private(key_file: Path) -> None:
    """Take every permission of group and others off the key file and its folder.

    A key others may read is a copy of everything the database holds: it is made owner-only
    (the file 0600, its folder 0700) with one warning saying so, never used as it is.

    Raises:
        KeyProblem: a permission could not be taken off (Between is not the owner, or the file
            system is read-only).
    """
    changed: list[str] = []
    refused: list[str] = []
    wanted = [(key_file, "the key file", 0o600)]
    # The folder only when it is the key's own: never /etc or a home folder the key sits in.
    if all(child.name.startswith(key_file.name) for child in key_file.parent.iterdir()):
        wanted.append((key_file.parent, "the key's folder", 0o700))
    for path, name, private in wanted:
        mode = stat.S_IMODE(path.stat().st_mode)
        if not mode & 0o077:
            continue
        try:
            path.chmod(private)
        except OSError as exc:
            refused.append(
                f"{name} {path} is open to others (mode {mode:o}) and Between cannot change "
                f"that ({exc.strerror}): as its owner, run chmod {private:o} {path}"
            )
            continue
        changed.append(f"{name} {path} from {mode:o} to {private:o}")
    if changed:
        log.warning("others had access to the key; made it owner-only: %s", "; ".join(changed))
    if refused:
        raise KeyProblem("; ".join(refused))


async def _seal(db: Database, cipher: Cipher) -> None:
    """Write the check value if the database has none yet."""
    await db.execute(
        "INSERT INTO key_check (id, token, written_at) VALUES (1, ?, ?) "
        "ON CONFLICT (id) DO NOTHING",
        (cipher.encrypt(CHECK_TEXT), datetime.now(UTC).isoformat(timespec="seconds")),
    )


async def open_store(path: Path, source: KeySource) -> SqliteStore:
    """Open the database with its key, migrating it; the key is checked before anything changes.

    Raises:
        KeyProblem: the key is missing, damaged, or belongs to other data.
    """
    if source.env_key is None and source.key_file.exists() and not _has_file(path):
        # An old key and no data: most likely the data's folder is not where it should be (a
        # volume not mounted). A new, empty database would hide that until people notice.
        raise KeyProblem(
            f"the key file {source.key_file} exists, but there is no database at {path}: "
            "is the data folder mounted? To start afresh, move the old key file away first."
        )
    db = await Database.connect(path)
    try:
        cipher = await _cipher_for(db, source)
        if source.env_key is None:
            keep_key_private(source.key_file)
        await db.migrate(MIGRATIONS)
        await _seal(db, cipher)
        sealed = await seal_plaintext(db, cipher)
        if sealed:
            log.info("sealed %d values kept in the clear by an older Between", sealed)
    except BaseException:
        await db.close()
        raise
    return SqliteStore(db, cipher)


async def reencrypt(db: Database, cipher: Cipher, batch: int = 500) -> int:
    """Encrypt every stored value again with the ring's first key, in committed batches.

    Values already under the first key are left alone, so an interrupted run picks up where it
    stopped. Returns how many values changed.
    """
    changed_total = 0
    tables = await _tables(db)
    for table, column in ENCRYPTED:
        if table not in tables:
            continue
        last = 0
        while True:
            rows = await db.fetchall(
                f"SELECT rowid AS r, {column} AS v FROM {table} "
                f"WHERE rowid > ? AND typeof({column}) = 'blob' ORDER BY rowid LIMIT ?",
                (last, batch),
            )
            if not rows:
                break
            changed = [
                (cipher.rotate(row["v"]), row["r"])
                for row in rows
                if not cipher.is_current(row["v"])
            ]
            if changed:
                async with db.transaction() as conn:
                    await conn.executemany(
                        f"UPDATE {table} SET {column} = ? WHERE rowid = ?", changed
                    )
                changed_total += len(changed)
            last = rows[-1]["r"]
    return changed_total


async def seal_plaintext(db: Database, cipher: Cipher, batch: int = 500) -> int:
    """Encrypt every value of a sealed column still kept as text (written before the column was
    sealed), in committed batches; how many. Run at every open: usually there are none."""
    sealed = 0
    tables = await _tables(db)
    for table, column in ENCRYPTED:
        if table not in tables:
            continue
        while True:
            rows = await db.fetchall(
                f"SELECT rowid AS r, {column} AS v FROM {table} "
                f"WHERE typeof({column}) = 'text' AND {column} != '' LIMIT ?",
                (batch,),
            )
            if not rows:
                break
            async with db.transaction() as conn:
                await conn.executemany(
                    f"UPDATE {table} SET {column} = ? WHERE rowid = ?",
                    [(cipher.encrypt(row["v"]), row["r"]) for row in rows],
                )
            sealed += len(rows)
    return sealed


async def rotate_keys(path: Path, source: KeySource) -> list[str]:
    """``between keys rotate``: re-encrypt everything with a new key, then retire the old one.

    With a key file: a new key is put first in the file, every value is encrypted again, and the
    file is left with the new key alone. Run again after an interruption, it finishes the same
    rotation. With ``BOT_ENCRYPTION_KEY`` the administrator puts the new key first themselves.
    The bot must not be running (a process started with the old key alone would write with it).
    """
    if not path.exists():  # noqa: ASYNC240 (a command run by hand, before anything else)
        raise ConfigError(f"there is no database at {path} yet: nothing to rotate")
    lines: list[str] = []
    with run_lock(path):
        keys = source.read()
        # The key is checked against the data before anything is written: a wrong key file must
        # not come out of a refused rotation with a new key in it.
        store = await open_store(path, source)
        try:
            if source.env_key is not None and len(keys) == 1:
                return [
                    "BOT_ENCRYPTION_KEY holds one key. To rotate, put a new key first, "
                    "separated by a comma:",
                    f"  BOT_ENCRYPTION_KEY={new_key().decode()},<the key you have now>",
                    "then run `between keys rotate` again.",
                ]
            if source.env_key is None and len(keys) == 1:
                keys = [new_key(), keys[0]]
                source.replace(keys)
                lines.append(f"A new key is first in {source.key_file}.")
            elif source.env_key is None:
                lines.append(f"Finishing the rotation already begun in {source.key_file}.")
            count = await reencrypt(store.db, Cipher(keys))
        finally:
            await store.close()
        if source.env_key is None:
            source.replace(keys[:1])
            lines.append(f"Encrypted {count} values again; the old key is no longer in the file.")
        else:
            lines.append(
                f"Encrypted {count} values again. Now set BOT_ENCRYPTION_KEY to its first key "
                "alone: the others are no longer needed."
            )
    return lines


def lock_file(path: Path) -> Path:
    """The lock file of the database at ``path``; the running bot writes its intake status
    into it (``bot.tg.watch``)."""
    return path.with_name(path.name + ".lock")


@contextlib.contextmanager
def run_lock(path: Path) -> Iterator[IO[str]]:
    """Hold the database's lock file for as long as the block runs: one process at a time.

    Raises:
        DataInUse: another Between process holds it.
    """
    lock_path = lock_file(path)
    lock_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    handle = os.fdopen(fd, "r+")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DataInUse(
                f"another Between process is running on {path}; stop it first"
            ) from None
        yield handle
    finally:
        handle.close()


def backup(path: Path, destination: Path) -> list[str]:
    """``between backup``: a consistent copy of the database (SQLite's online backup), no key.

    The bot may keep running. The copy is one file, mode 0600.
    """
    if not path.exists():
        raise ConfigError(f"there is no database at {path} to back up")
    try:
        fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigError(f"{destination} already exists; choose a new name") from None
    except OSError as exc:
        raise ConfigError(f"cannot write {destination}: {exc.strerror}") from None
    os.close(fd)
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(destination)
            try:
                source.backup(target)
                target.execute("PRAGMA journal_mode=DELETE")
                (verdict,) = target.execute("PRAGMA integrity_check").fetchone()
            finally:
                target.close()
        finally:
            source.close()
    except BaseException:
        destination.unlink(missing_ok=True)
        raise
    if verdict != "ok":
        destination.unlink(missing_ok=True)
        raise ConfigError(f"the copy failed its integrity check ({verdict}); nothing was kept")
    size = destination.stat().st_size
    return [
        f"Copied the database to {destination} ({size / 1_000_000:.1f} MB).",
        "The key is not in the copy: keep a copy of the key too, stored apart from this one.",
    ]

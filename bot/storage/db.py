"""The SQLite connection: pragmas, serialised write transactions, and the migration runner."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

Migration = tuple[str, Callable[[aiosqlite.Connection], Awaitable[None]]]

#: A statement's parameters: in order (``?``), or by name (``:id``).
Params = Iterable[Any] | Mapping[str, Any]


def _args(params: Params) -> tuple[Any, ...] | Mapping[str, Any]:
    return params if isinstance(params, Mapping) else tuple(params)


#: SQLite's answers that pass when their cause goes: a lock another program holds, a full disk,
#: a file made read-only, a disk that failed to read or write for a moment.
PASSING = frozenset({"SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL", "SQLITE_READONLY"})


def passes(exc: BaseException) -> bool:
    """Whether a failure of the database is one that passes when its cause goes."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.split("_", 2)[:2] == ["SQLITE", "IOERR"] or name.startswith(tuple(PASSING))


#: The files SQLite keeps beside the database in WAL mode; they hold the same data.
COMPANIONS = ("-wal", "-shm")


def owner_only(path: Path) -> None:
    """Make the database's folder 0700 and the database and its companions 0600.

    A new file is created with those modes; existing ones are tightened where we may.
    SQLite gives the write-ahead log and shared-memory files the database file's mode.
    """
    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):
        folder.chmod(0o700)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for file in (path, *(path.with_name(path.name + end) for end in COMPANIONS)):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            file.chmod(0o600)


class Database:
    """One aiosqlite connection in autocommit mode; multi-statement writes use ``transaction``.

    A single connection is shared by all handlers. Writes that belong together run inside
    ``transaction()``, which holds a lock so that two handlers never interleave statements in one
    SQLite transaction; a single statement outside it is committed when it returns.
    """

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()
        self.closed = False

    @classmethod
    async def open(cls, path: Path, migrations: Sequence[Migration]) -> Database:
        """Open (creating if needed) the database file and bring its schema up to date."""
        db = await cls.connect(path)
        try:
            await db.migrate(migrations)
        except BaseException:
            await db.conn.close()
            raise
        return db

    @classmethod
    async def connect(cls, path: Path) -> Database:
        """Open (creating if needed) the database file, readable by its owner only."""
        owner_only(path)
        conn = await aiosqlite.connect(path, isolation_level=None)
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA busy_timeout=5000")
            await conn.execute("PRAGMA synchronous=NORMAL")
            # Deleted rows are overwritten with zeros, not left in free pages of the file.
            await conn.execute("PRAGMA secure_delete=ON")
        except BaseException:
            await conn.close()
            raise
        return cls(conn, path)

    async def close(self) -> None:
        """Wait for a running write to finish, checkpoint the WAL and close the file."""
        async with self._write_lock:
            if self.closed:
                return
            try:
                await self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.OperationalError as exc:
                # A statement cut off by a cancelled task still holds the file; closing the
                # connection releases it and SQLite replays the log at the next open.
                log.warning("could not fold the write-ahead log back at close: %s", exc)
            await self.conn.close()
            self.closed = True

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run the body as one write transaction, committed on success, rolled back on error."""
        async with self._write_lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write statement, committed before this returns; the number of rows changed."""
        async with self._write_lock:
            cursor = await self.conn.execute(sql, _args(params))
            return cursor.rowcount

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run one INSERT, committed before this returns; the new row's id."""
        async with self._write_lock:
            cursor = await self.conn.execute(sql, _args(params))
            row_id = cursor.lastrowid
        if row_id is None:
            raise RuntimeError("the insert made no row")
        return row_id

    # Every call below is one trip to aiosqlite's worker thread and back (``execute_fetchall``
    # runs, fetches and releases the statement there), not three (execute, fetch, close): a
    # check-in fan-out makes tens of thousands of them, and each trip costs CPU on both threads,
    # far more when they run on different cores.

    async def fetchone_write(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """Run one write statement with ``RETURNING``, committed; its first row."""
        async with self._write_lock:
            rows = await self.conn.execute_fetchall(sql, _args(params))
        return next(iter(rows), None)

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """Run a query that finds at most a few rows (by key, or with ``LIMIT``); its first."""
        rows = await self.conn.execute_fetchall(sql, _args(params))
        return next(iter(rows), None)

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """Run a query and return all rows."""
        return list(await self.conn.execute_fetchall(sql, _args(params)))

    async def applied_migrations(self) -> list[str]:
        """Names of the migrations recorded in this file, in the order they ran."""
        rows = await self.fetchall("SELECT name FROM migrations ORDER BY rowid")
        return [row["name"] for row in rows]

    async def migrate(self, migrations: Sequence[Migration]) -> list[str]:
        """Apply, in order, each migration not yet recorded; each in its own transaction."""
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS migrations "
            "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        done = set(await self.applied_migrations())
        known = [name for name, _ in migrations]
        unknown = done - set(known)
        if unknown:
            raise RuntimeError(
                f"the database was written by a newer Between (migrations {sorted(unknown)}); "
                "upgrade Between before starting it on this file"
            )
        applied: list[str] = []
        # SQLite's own recipe for changing a table: with foreign keys off, a table can be
        # rebuilt without cascading deletes; every step must leave the keys consistent.
        await self.conn.execute("PRAGMA foreign_keys=OFF")
        try:
            for name, step in migrations:
                if name in done:
                    continue
                async with self.transaction() as conn:
                    await step(conn)
                    async with conn.execute("PRAGMA foreign_key_check") as cursor:
                        broken = await cursor.fetchone()
                    if broken is not None:
                        raise RuntimeError(
                            f"migration {name} left a broken reference in {broken[0]}"
                        )
                    await conn.execute(
                        "INSERT INTO migrations (name, applied_at) VALUES (?, ?)",
                        (name, datetime.now(UTC).isoformat()),
                    )
                log.info("applied migration %s", name)
                applied.append(name)
        finally:
            await self.conn.execute("PRAGMA foreign_keys=ON")
        return applied

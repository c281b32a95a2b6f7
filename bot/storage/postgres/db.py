"""A pool of PostgreSQL connections (psycopg 3) that answers the adapters as SQLite's
``Database`` does, and the migration runner (the schema's own migrations, recorded by name).

The adapters' statements are written once, in the SQL both databases speak, with SQLite's
placeholders (``?`` in order, ``:name`` by name); here they become psycopg's (``%s``,
``%(name)s``), outside quoted text only. Rows answer by name and by position, as SQLite's do.
What only one dialect says stays in that dialect's adapter.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Coroutine, Generator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import cache
from typing import Any

from psycopg import AsyncConnection, AsyncCursor
from psycopg.rows import RowMaker
from psycopg_pool import AsyncConnectionPool

log = logging.getLogger(__name__)

#: A statement's parameters: in order (``?``), or by name (``:id``).
Params = Iterable[Any] | Mapping[str, Any]

#: A migration: its name, and the statements that make it (run in one transaction).
PgMigration = tuple[str, str]

_QUOTED = re.compile(r"('(?:[^']|'')*')")
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@cache
def dialect(sql: str) -> bytes:
    """A statement with SQLite's placeholders in psycopg's, quoted text left as it is."""
    parts = _QUOTED.split(sql.replace("%", "%%"))  # every % is psycopg's, quoted or not
    for index in range(0, len(parts), 2):  # the even parts are outside quotes
        parts[index] = _NAMED.sub(r"%(\1)s", parts[index].replace("?", "%s"))
    return "".join(parts).encode()


def _args(params: Params) -> Sequence[Any] | Mapping[str, Any]:
    return params if isinstance(params, Mapping) else tuple(params)


class Row(tuple[Any, ...]):
    """A row that answers by position and by column name, as ``sqlite3.Row`` does."""

    _names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return super().__getitem__(self._names[key])
        return super().__getitem__(key)

    def keys(self) -> list[str]:
        """The column names, in order."""
        return list(self._names)


def row_factory(cursor: AsyncCursor[Any]) -> RowMaker[Row]:
    """Rows of ``cursor`` as :class:`Row`."""
    names = {column.name: index for index, column in enumerate(cursor.description or ())}

    def make(values: Sequence[Any]) -> Row:
        row = Row(values)
        row._names = names
        return row

    return make


Conn = AsyncConnection[Row]


class _Running:
    """A statement on its way: awaited, its cursor; entered, the same."""

    def __init__(self, running: Coroutine[Any, Any, AsyncCursor[Row]]) -> None:
        self._running = running

    def __await__(self) -> Generator[Any, None, AsyncCursor[Row]]:
        return self._running.__await__()

    async def __aenter__(self) -> AsyncCursor[Row]:
        return await self._running

    async def __aexit__(self, *exc: object) -> None:
        return None


class PgConnection:
    """One connection inside a transaction, answering as an aiosqlite connection does."""

    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Params = ()) -> _Running:
        """Run one statement; its cursor (``rowcount``, ``fetchall``), awaited or entered
        (``async with conn.execute(...) as cursor``), as aiosqlite's is."""
        return _Running(self._conn.execute(dialect(sql), _args(params)))

    async def executemany(self, sql: str, rows: Iterable[Params]) -> AsyncCursor[Row]:
        """Run one statement for each of ``rows``; its cursor (``rowcount``: all the rows
        changed, as SQLite counts them)."""
        cursor = self._conn.cursor()
        await cursor.executemany(dialect(sql), [_args(row) for row in rows])
        return cursor


class PgDatabase:
    """A pool of connections; every call is its own transaction, ``transaction()`` a longer
    one."""

    def __init__(self, pool: AsyncConnectionPool[Conn], url: str) -> None:
        self.pool = pool
        self.url = url
        self.closed = False

    @classmethod
    async def open(
        cls, url: str, migrations: Sequence[PgMigration], *, size: int = 4
    ) -> PgDatabase:
        """Connect to ``url`` and bring its schema up to date."""
        pool: AsyncConnectionPool[Conn] = AsyncConnectionPool(
            url,
            min_size=1,
            max_size=size,
            kwargs={"row_factory": row_factory, "autocommit": True},
            open=False,
        )
        await pool.open(wait=True)
        db = cls(pool, url)
        try:
            await db.migrate(migrations)
        except BaseException:
            await pool.close()
            raise
        return db

    async def migrate(self, migrations: Sequence[PgMigration]) -> list[str]:
        """Apply the migrations not yet applied, in order, in one transaction; their names.
        Two processes starting at once wait for each other (an advisory lock)."""
        applied: list[str] = []
        async with self.transaction() as conn:
            await conn.execute("SELECT pg_advisory_xact_lock(2026120801)")
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS migrations "
                "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            cursor = await conn.execute("SELECT name FROM migrations")
            done = {row["name"] for row in await cursor.fetchall()}
            known = {name for name, _ in migrations}
            if done - known:
                raise RuntimeError(
                    f"the database was written by a newer Between (migrations "
                    f"{sorted(done - known)}); upgrade Between before starting it on it"
                )
            for name, statements in migrations:
                if name in done:
                    continue
                await conn.execute(statements)
                await conn.execute(
                    "INSERT INTO migrations (name, applied_at) VALUES (?, ?)",
                    (name, datetime.now(UTC).isoformat()),
                )
                applied.append(name)
                log.info("applied PostgreSQL migration %s", name)
        return applied

    async def applied_migrations(self) -> list[str]:
        """Names of the migrations recorded, in the order they ran."""
        rows = await self.fetchall("SELECT name FROM migrations ORDER BY applied_at, name")
        return [row["name"] for row in rows]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PgConnection]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        async with self.pool.connection() as conn, conn.transaction():
            yield PgConnection(conn)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement, committed before this returns; the number of rows changed."""
        async with self.pool.connection() as conn:
            cursor = await conn.execute(dialect(sql), _args(params))
            return cursor.rowcount

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run one INSERT, committed before this returns; the new row's id."""
        row = await self.fetchone_write(f"{sql} RETURNING id", params)
        if row is None:
            raise RuntimeError("the insert made no row")
        return int(row[0])

    async def fetchone_write(self, sql: str, params: Params = ()) -> Row | None:
        """Run one write statement with ``RETURNING``, committed; its first row."""
        return await self.fetchone(sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of a query, if any."""
        async with self.pool.connection() as conn:
            cursor = await conn.execute(dialect(sql), _args(params))
            return await cursor.fetchone()

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Every row of a query."""
        async with self.pool.connection() as conn:
            cursor = await conn.execute(dialect(sql), _args(params))
            return await cursor.fetchall()

    async def close(self) -> None:
        """Close every connection of the pool."""
        if not self.closed:
            self.closed = True
            await self.pool.close()

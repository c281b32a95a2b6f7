"""What an adapter asks of its database, whichever it is: SQLite's ``Database``
(``bot/storage/db.py``) or PostgreSQL's ``PgDatabase`` (``bot/storage/postgres/db.py``) answer
alike, with statements written once in the SQL both speak and SQLite's placeholders."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

Params = Iterable[Any] | Mapping[str, Any]


class Queries(Protocol):
    """A database as the adapters use it. Rows answer by column name and by position."""

    def transaction(self) -> AbstractAsyncContextManager[Any]:
        """One transaction; its connection runs ``execute`` and ``executemany``."""
        ...

    async def execute(self, sql: str, params: Params = ()) -> int:
        """One statement, committed; how many rows it changed."""
        ...

    async def insert(self, sql: str, params: Params = ()) -> int:
        """One INSERT, committed; the new row's id."""
        ...

    async def fetchone_write(self, sql: str, params: Params = ()) -> Any:
        """One write with ``RETURNING``, committed; its first row."""
        ...

    async def fetchone(self, sql: str, params: Params = ()) -> Any:
        """A query's first row, or None."""
        ...

    async def fetchall(self, sql: str, params: Params = ()) -> Sequence[Any]:
        """A query's rows."""
        ...

    async def close(self) -> None:
        """Close the database."""
        ...

"""Every port of the core on PostgreSQL: the same adapters as on SQLite, on a pool."""

from __future__ import annotations

from bot.storage.crypto import Cipher
from bot.storage.postgres.db import PgDatabase
from bot.storage.postgres.schema import MIGRATIONS
from bot.storage.store import Store


class PostgresStore(Store):
    """Every port of the core on one PostgreSQL database (``postgresql://…``)."""

    db: PgDatabase

    @classmethod
    async def open(cls, url: str, cipher: Cipher) -> PostgresStore:
        """Connect, migrating the database to the current schema."""
        return cls(await PgDatabase.open(url, MIGRATIONS), cipher)

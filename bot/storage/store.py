"""The one narrow interface to stored data: every SQLite adapter (``bot/storage/sqlite/``, one
for each port of the core) on one object, which the rest of the bot opens, passes and closes."""

from __future__ import annotations

from pathlib import Path

from bot.storage.crypto import Cipher
from bot.storage.db import Database
from bot.storage.migrations import MIGRATIONS
from bot.storage.sqlite.checkins import SqliteCheckins
from bot.storage.sqlite.clock import SqliteClockWatch
from bot.storage.sqlite.copies import SqliteCopies
from bot.storage.sqlite.inbox import HANDLED_KEPT, SqliteInbox
from bot.storage.sqlite.messages import SqliteMessages
from bot.storage.sqlite.people import SqlitePeople
from bot.storage.sqlite.rows import iso, parse_time
from bot.storage.sqlite.sends import SqliteSends
from bot.storage.sqlite.shares import SqliteShares
from bot.storage.sqlite.staff import SqliteStaffAccounts
from bot.storage.sqlite.team import SqliteTeam
from bot.storage.sqlite.waits import WAIT_KINDS, SqliteWaits

__all__ = ["HANDLED_KEPT", "WAIT_KINDS", "SqliteStore", "Store", "iso", "parse_time"]


class Store(
    SqlitePeople,
    SqliteStaffAccounts,
    SqliteCopies,
    SqliteClockWatch,
    SqliteInbox,
    SqliteCheckins,
    SqliteWaits,
    SqliteSends,
    SqliteTeam,
    SqliteShares,
    SqliteMessages,
):
    """Every port of the core on one database; free text is encrypted with the service's key.

    Each port's methods are its adapter's, inherited as they are: all of them share this one
    database and cipher (``Adapter.__init__``), and no two define the same name. The adapters'
    statements are written in the SQL SQLite and PostgreSQL both speak.
    """

    def seal(self, text: str) -> bytes:
        """``text`` encrypted as this store keeps a person's words and names (for seeding)."""
        return self._cipher.encrypt(text)


class SqliteStore(Store):
    """Every port of the core on one SQLite file."""

    db: Database  # the SQLite file itself (backups and key rotation read it whole)

    @classmethod
    async def open(cls, path: Path, cipher: Cipher) -> SqliteStore:
        """Open the database file, migrating it to the current schema."""
        return cls(await Database.open(path, MIGRATIONS), cipher)

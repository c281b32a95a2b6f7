"""The one narrow interface to stored data, and its SQLite implementation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from bot.core.model import Note, Role, User
from bot.core.ports import Redemption
from bot.storage.crypto import Cipher
from bot.storage.db import Database
from bot.storage.migrations import MIGRATIONS


def iso(moment: datetime) -> str:
    """Times are stored as UTC ISO strings, which sort like the times they name."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_time(text: str | None) -> datetime | None:
    """The inverse of ``iso``."""
    return datetime.fromisoformat(text) if text else None


def _user(row: aiosqlite.Row) -> User:
    created = parse_time(row["created_at"])
    assert created is not None
    return User(
        id=row["id"],
        chat_id=row["chat_id"],
        role=Role(row["role"]),
        name=row["name"],
        language=row["language"],
        created_at=created,
        unreachable_at=parse_time(row["unreachable_at"]),
    )


class SqliteStore:
    """``Store`` on one SQLite file; free text is encrypted with the service's key."""

    def __init__(self, db: Database, cipher: Cipher) -> None:
        self.db = db
        self._cipher = cipher

    @classmethod
    async def open(cls, path: Path, cipher: Cipher) -> SqliteStore:
        """Open the database file, migrating it to the current schema."""
        return cls(await Database.open(path, MIGRATIONS), cipher)

    async def close(self) -> None:
        """Close the database cleanly."""
        await self.db.close()

    async def get_user(self, user_id: int) -> User | None:
        """The person with this Telegram id, if they have started the bot."""
        row = await self.db.fetchone("SELECT * FROM users WHERE id = ?", (user_id,))
        return _user(row) if row else None

    async def add_client(
        self, user_id: int, chat_id: int, name: str, language: str, now: datetime
    ) -> User:
        """Register a client on first contact; an existing person is returned unchanged."""
        await self.db.execute(
            "INSERT INTO users (id, chat_id, role, name, language, created_at) "
            "VALUES (?, ?, 'client', ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            (user_id, chat_id, name, language, iso(now)),
        )
        user = await self.get_user(user_id)
        assert user is not None
        return user

    async def set_reachable(self, user_id: int, reachable: bool, now: datetime) -> None:
        """Record that the person blocked the bot (or came back)."""
        await self.db.execute(
            "UPDATE users SET unreachable_at = ? WHERE id = ?",
            (None if reachable else iso(now), user_id),
        )

    async def add_note(self, user_id: int, text: str, now: datetime) -> int:
        """Keep a private note, encrypted; committed when this returns."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO notes (user_id, created_at, body) VALUES (?, ?, ?)",
                (user_id, iso(now), self._cipher.encrypt(text)),
            )
            note_id = cursor.lastrowid
        assert note_id is not None
        return note_id

    async def notes(self, user_id: int) -> list[Note]:
        """A client's notes, oldest first."""
        rows = await self.db.fetchall(
            "SELECT id, user_id, created_at, body FROM notes WHERE user_id = ? ORDER BY id",
            (user_id,),
        )
        return [
            Note(
                id=row["id"],
                user_id=row["user_id"],
                created_at=datetime.fromisoformat(row["created_at"]),
                text=self._cipher.decrypt(row["body"]),
            )
            for row in rows
        ]

    async def add_staff_invite(
        self, code_hash: str, role: Role, name: str, now: datetime, expires_at: datetime
    ) -> None:
        """Record a staff invite by the hash of its code."""
        await self.db.execute(
            "INSERT INTO staff_invites (code_hash, role, name, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (code_hash, role.value, name, iso(now), iso(expires_at)),
        )

    async def redeem_staff_invite(
        self, code_hash: str, user_id: int, chat_id: int, language: str, now: datetime
    ) -> tuple[Redemption, User | None]:
        """Use a staff code once: in one transaction, mark it used and create the staff account."""
        async with self.db.transaction() as conn:
            async with conn.execute("SELECT role FROM users WHERE id = ?", (user_id,)) as cur:
                existing = await cur.fetchone()
            if existing is not None and existing["role"] == Role.CLIENT.value:
                return Redemption.ALREADY_CLIENT, None
            async with conn.execute(
                "UPDATE staff_invites SET used_at = ?, used_by = ? "
                "WHERE code_hash = ? AND used_at IS NULL AND expires_at > ? "
                "RETURNING role, name",
                (iso(now), user_id, code_hash, iso(now)),
            ) as cur:
                invite = await cur.fetchone()
            if invite is None:
                return Redemption.INVALID, None
            await conn.execute(
                "INSERT INTO users (id, chat_id, role, name, language, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "role = excluded.role, name = excluded.name, unreachable_at = NULL",
                (user_id, chat_id, invite["role"], invite["name"], language, iso(now)),
            )
        return Redemption.OK, await self.get_user(user_id)

    async def erase_user(self, user_id: int) -> None:
        """Erase a person and, through the foreign keys, everything kept about them."""
        await self.db.execute("DELETE FROM users WHERE id = ?", (user_id,))

    async def purge_before(self, cutoff: datetime) -> int:
        """Delete what is older than the retention period; the number of rows removed."""
        async with self.db.transaction() as conn:
            notes = await conn.execute("DELETE FROM notes WHERE created_at < ?", (iso(cutoff),))
            invites = await conn.execute(
                "DELETE FROM staff_invites WHERE expires_at < ?", (iso(cutoff),)
            )
            return notes.rowcount + invites.rowcount

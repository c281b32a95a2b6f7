"""What the SQLite adapters share: their base, times as stored, sealed values opened, a person
from their row, and the few statements more than one adapter runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import aiosqlite

from bot.core.model import Role, User
from bot.storage.crypto import Cipher
from bot.storage.personal import ERASE
from bot.storage.queries import Queries


class Adapter:
    """One port of the core on the SQLite file; free text is encrypted with the service's key."""

    def __init__(self, db: Queries, cipher: Cipher) -> None:
        self.db = db
        self._cipher = cipher

    async def close(self) -> None:
        """Close the database cleanly."""
        await self.db.close()


def iso(moment: datetime) -> str:
    """Times are stored as UTC ISO strings, which sort like the times they name."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_time(text: str | None) -> datetime | None:
    """The inverse of ``iso``."""
    return datetime.fromisoformat(text) if text else None


def _open(cipher: Cipher, value: bytes | str | None) -> str | None:
    """A sealed value's text; text written before it was sealed (``seal_plaintext``) as is."""
    if isinstance(value, bytes):
        return cipher.decrypt(value)
    return value


def _user(row: aiosqlite.Row, cipher: Cipher) -> User:
    created = parse_time(row["created_at"])
    assert created is not None
    return User(
        id=row["id"],
        chat_id=row["chat_id"],
        role=Role(row["role"]),
        name=_open(cipher, row["name"]) or "",
        language=row["language"],
        created_at=created,
        unreachable_at=parse_time(row["unreachable_at"]),
        last_seen_at=parse_time(row["last_seen_at"]),
        retention_told_at=parse_time(row["retention_told_at"]),
    )


async def _user_by_id(db: Queries, cipher: Cipher, user_id: int) -> User | None:
    """The person with this Telegram id, if they have started the bot."""
    row = await db.fetchone("SELECT * FROM users WHERE id = ?", (user_id,))
    return _user(row, cipher) if row else None


async def _erase(
    conn: aiosqlite.Connection, user_id: int, statements: Sequence[str] = ERASE
) -> None:
    """The erase statements of ``bot/storage/personal.py``, in order, in the caller's
    transaction."""
    for statement in statements:
        await conn.execute(statement, {"id": user_id})


async def _unsettled(conn: aiosqlite.Connection, user_id: int) -> bool:
    """A client only by first contact: no team of their own and no answer given yet.

    Roles come from links: such a person takes the role of the first link they open.
    """
    async with conn.execute(
        "SELECT 1 FROM users u WHERE u.id = ? AND u.role = 'client' "
        "AND NOT EXISTS (SELECT 1 FROM team t WHERE t.client_id = u.id) "
        "AND NOT EXISTS (SELECT 1 FROM checkins c JOIN answers a ON a.checkin_id = c.id "
        "WHERE c.user_id = u.id)",
        (user_id,),
    ) as cur:
        return await cur.fetchone() is not None


async def _take_role(conn: aiosqlite.Connection, user_id: int, role: Role) -> None:
    """Give a person the role of the link they opened; a former client's schedule ends."""
    await conn.execute("UPDATE users SET role = ? WHERE id = ?", (role.value, user_id))
    if role is not Role.CLIENT:
        await conn.execute("UPDATE users SET schedule_from = NULL WHERE id = ?", (user_id,))
        await conn.execute(
            "UPDATE sends SET status = 'cancelled', reason = 'role' "
            "WHERE user_id = ? AND status = 'planned'",
            (user_id,),
        )
        await conn.execute(
            "UPDATE checkins SET status = 'closed' WHERE user_id = ? AND status = 'open'",
            (user_id,),
        )


async def _drop_client_view(db: Queries, chat_id: int, message_id: int) -> None:
    """Forget a /clients message once it was taken back."""
    await db.execute(
        "DELETE FROM client_views WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
    )

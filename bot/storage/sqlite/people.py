"""The ``People`` port on SQLite: who people are, their notes and crisis plan, what is kept
about them, and erasing it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.model import CrisisPlan, Note, User
from bot.storage.personal import EXTRA, RETAIN
from bot.storage.sqlite.rows import Adapter, _erase, _open, _user, _user_by_id, iso, parse_time


class SqlitePeople(Adapter):
    """Who people are, their notes and crisis plan, what is kept about them, and erasing it."""

    async def get_user(self, user_id: int) -> User | None:
        """The person with this Telegram id, if they have started the bot."""
        return await _user_by_id(self.db, self._cipher, user_id)

    async def users(self, user_ids: Sequence[int]) -> dict[int, User]:
        """Many people at once, by id; those who have not started the bot are left out."""
        found: dict[int, User] = {}
        for start in range(0, len(user_ids), 500):
            chunk = user_ids[start : start + 500]
            rows = await self.db.fetchall(
                f"SELECT * FROM users WHERE id IN ({','.join('?' * len(chunk))})", chunk
            )
            found.update((row["id"], _user(row, self._cipher)) for row in rows)
        return found

    async def add_client(
        self, user_id: int, chat_id: int, name: str, language: str, now: datetime
    ) -> User:
        """Register a client on first contact; an existing person is returned unchanged."""
        await self.db.execute(
            "INSERT INTO users (id, chat_id, role, name, language, created_at) "
            "VALUES (?, ?, 'client', ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            (user_id, chat_id, self._cipher.encrypt(name), language, iso(now)),
        )
        user = await self.get_user(user_id)
        assert user is not None
        return user

    async def set_language(self, user_id: int, language: str) -> None:
        """The language the person chose to read the bot in."""
        await self.db.execute("UPDATE users SET language = ? WHERE id = ?", (language, user_id))

    async def set_reachable(self, user_id: int, reachable: bool, now: datetime) -> None:
        """Record that the person blocked the bot (or came back)."""
        await self.db.execute(
            "UPDATE users SET unreachable_at = ? WHERE id = ?",
            (None if reachable else iso(now), user_id),
        )

    async def add_note(
        self, user_id: int, text: str, now: datetime, update_id: int | None = None
    ) -> int:
        """Keep a private note, encrypted; committed when this returns. With the update it came
        in, it is kept once however often that update is handled; 0 if it was kept before."""
        # One statement in autocommit mode: one round trip to the database thread, not three.
        row = await self.db.fetchone_write(
            "INSERT INTO notes (user_id, created_at, body, update_id) "
            "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
            (user_id, iso(now), self._cipher.encrypt(text), update_id),
        )
        return row["id"] if row is not None else 0

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

    async def note_times(self, user_id: int, since: datetime) -> list[datetime]:
        """When the person's notes since ``since`` were written, oldest first. Their words stay
        sealed: nothing is decrypted (a picture of one's weeks counts notes, never reads them)."""
        rows = await self.db.fetchall(
            "SELECT created_at FROM notes WHERE user_id = ? AND created_at >= ? ORDER BY id",
            (user_id, iso(since)),
        )
        return [datetime.fromisoformat(row["created_at"]) for row in rows]

    async def crisis_plan(self, user_id: int) -> CrisisPlan | None:
        """The client's own crisis plan, if they wrote one."""
        row = await self.db.fetchone("SELECT * FROM crisis_plans WHERE user_id = ?", (user_id,))
        if row is None:
            return None

        def part(name: str) -> str | None:
            value = row[name]
            return _open(self._cipher, value)

        return CrisisPlan(contacts=part("contacts"), helps=part("helps"), avoid=part("avoid"))

    async def set_plan_part(
        self, user_id: int, part: str, text: str | None, now: datetime
    ) -> None:
        """Write one part of the crisis plan (``contacts``, ``helps`` or ``avoid``)."""
        if part not in ("contacts", "helps", "avoid"):
            raise ValueError(f"no plan part {part!r}")
        sealed = self._cipher.encrypt(text) if text else None
        await self.db.execute(
            f"INSERT INTO crisis_plans (user_id, {part}, updated_at) VALUES (?, ?, ?) "
            f"ON CONFLICT (user_id) DO UPDATE SET {part} = excluded.{part}, "
            "updated_at = excluded.updated_at",
            (user_id, sealed, iso(now)),
        )

    async def erase_user(self, user_id: int) -> None:
        """Erase a person: every row about them that ``bot/storage/personal.py`` lists."""
        async with self.db.transaction() as conn:
            await _erase(conn, user_id)

    async def kept_about(self, user_id: int) -> dict[str, list[dict[str, object]]]:
        """The export sections that ``bot/storage/personal.py`` reads for a person, by name."""
        kept: dict[str, list[dict[str, object]]] = {}
        for section, query in EXTRA:
            rows = await self.db.fetchall(query, {"id": user_id})
            # Every value kept as bytes is sealed: it is opened for its owner.
            if rows:  # a section with nothing in it is left out (staff's, for a client)
                kept[section] = [
                    {key: _open(self._cipher, row[key]) for key in row.keys()}  # noqa: SIM118
                    for row in rows
                ]
        return kept

    async def purge_before(self, cutoff: datetime) -> int:
        """Delete what is older than the retention period, by the retention statements of
        ``bot/storage/personal.py``; the number of rows removed."""
        async with self.db.transaction() as conn:
            removed = 0
            for sql in RETAIN:
                cursor = await conn.execute(sql, {"cutoff": iso(cutoff)})
                removed += cursor.rowcount
            return removed

    async def seen(self, user_id: int, now: datetime) -> None:
        """The person did something today: their account is not idle (any warning is void)."""
        await self.db.execute(
            "UPDATE users SET last_seen_at = ?, retention_told_at = NULL WHERE id = ?",
            (iso(now), user_id),
        )

    async def idle_since(self, moment: datetime) -> list[User]:
        """Everyone who has done nothing since ``moment``."""
        rows = await self.db.fetchall(
            "SELECT * FROM users WHERE COALESCE(last_seen_at, created_at) < ? ORDER BY id",
            (iso(moment),),
        )
        return [_user(row, self._cipher) for row in rows]

    async def idle_notice_sent(self, user_id: int, since: datetime) -> datetime | None:
        """When the notice that an idle account will go reached the person (since ``since``),
        or None: it is still held (a pause, hours) or could not be delivered."""
        row = await self.db.fetchone(
            "SELECT MAX(sent_at) AS at FROM sends WHERE user_id = ? AND kind = 'notice' "
            "AND slot LIKE 'retention.idle@%' AND status = 'sent' AND sent_at >= ?",
            (user_id, iso(since)),
        )
        return parse_time(row["at"]) if row is not None else None

    async def told_idle(self, user_id: int, now: datetime) -> None:
        """The person was told that their idle account will be erased."""
        await self.db.execute(
            "UPDATE users SET retention_told_at = ? WHERE id = ?", (iso(now), user_id)
        )

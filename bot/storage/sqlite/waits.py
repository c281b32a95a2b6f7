"""The ``WaitStore`` port on SQLite: the typed answer the bot waits for from each person."""

from __future__ import annotations

import json
from datetime import datetime

from bot.core.waits import Wait, WaitKind
from bot.storage.sqlite.rows import Adapter, _open, iso, parse_time

WAIT_KINDS = frozenset(kind.value for kind in WaitKind)


class SqliteWaits(Adapter):
    """The typed answer awaited from each person, and which update's words took it."""

    async def wait(self, user_id: int) -> Wait | None:
        """The typed answer the bot waits for from this person, if any."""
        row = await self.db.fetchone(
            "SELECT purpose, subject, since, expires_at, message_id FROM awaiting_text "
            "WHERE user_id = ?",
            (user_id,),
        )
        if row is None or row["expires_at"] is None or row["purpose"] not in WAIT_KINDS:
            return None
        since, until = parse_time(row["since"]), parse_time(row["expires_at"])
        assert since is not None and until is not None
        return Wait(WaitKind(row["purpose"]), row["subject"], since, until, row["message_id"])

    async def set_wait(self, user_id: int, wait: Wait | None) -> None:
        """Wait for ``wait`` (replacing any other), or with None for nothing."""
        if wait is None:
            await self.db.execute("DELETE FROM awaiting_text WHERE user_id = ?", (user_id,))
            return
        await self.db.execute(
            "INSERT INTO awaiting_text (user_id, purpose, subject, since, expires_at, message_id) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
            "purpose = excluded.purpose, subject = excluded.subject, since = excluded.since, "
            "expires_at = excluded.expires_at, message_id = excluded.message_id",
            (
                user_id,
                wait.kind.value,
                wait.subject,
                iso(wait.asked_at),
                iso(wait.expires_at),
                wait.message_id,
            ),
        )

    async def take_wait(self, user_id: int, wait: Wait, update_id: int | None) -> None:
        """End the wait: ``update_id``'s words answer it. Until that update is handled, the
        inbox remembers which wait it took (sealed)."""
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM awaiting_text WHERE user_id = ?", (user_id,))
            if update_id is not None:
                took = json.dumps(
                    {
                        "kind": wait.kind.value,
                        "subject": wait.subject,
                        "asked_at": iso(wait.asked_at),
                        "expires_at": iso(wait.expires_at),
                        "message_id": wait.message_id,
                    }
                )
                await conn.execute(
                    "UPDATE inbox SET took = ? WHERE update_id = ? AND done_at IS NULL",
                    (self._cipher.encrypt(took), update_id),
                )

    async def taken_wait(self, update_id: int) -> Wait | None:
        """The wait an update's words answered before a hard stop, if it took one."""
        row = await self.db.fetchone("SELECT took FROM inbox WHERE update_id = ?", (update_id,))
        text = _open(self._cipher, row["took"]) if row is not None else None
        if text is None:
            return None
        took = json.loads(text)
        if took.get("kind") not in WAIT_KINDS:
            return None
        since, until = parse_time(took["asked_at"]), parse_time(took["expires_at"])
        assert since is not None and until is not None
        return Wait(WaitKind(took["kind"]), took["subject"], since, until, took["message_id"])

    async def end_expired_waits(self, now: datetime, limit: int) -> list[tuple[int, Wait]]:
        """End (delete) up to ``limit`` waits whose time is over; who, and what ended."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "SELECT user_id, purpose, subject, since, expires_at, message_id "
                "FROM awaiting_text WHERE expires_at <= ? ORDER BY expires_at LIMIT ?",
                (iso(now), limit),
            )
            rows = list(await cursor.fetchall())
            ended: list[tuple[int, Wait]] = []
            for row in rows:
                await conn.execute(
                    "DELETE FROM awaiting_text WHERE user_id = ? AND since = ?",
                    (row[0], row[3]),
                )
                since, until = parse_time(row[3]), parse_time(row[4])
                if row[1] in WAIT_KINDS and since is not None and until is not None:
                    ended.append((row[0], Wait(WaitKind(row[1]), row[2], since, until, row[5])))
        return ended

    async def set_wait_message(self, user_id: int, asked_at: datetime, message_id: int) -> None:
        """Which message asked the wait that began at ``asked_at``."""
        await self.db.execute(
            "UPDATE awaiting_text SET message_id = ? WHERE user_id = ? AND since = ?",
            (message_id, user_id, iso(asked_at)),
        )

"""The inbox's ``InboxStore`` on SQLite: incoming updates, kept until they are handled."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from bot.storage.sqlite.rows import Adapter, _open, iso

#: How long a handled update's id is kept: Telegram keeps an update it has not had confirmed
#: for 24 hours, and sends it again until then; an id kept longer says only when someone wrote.
HANDLED_KEPT = timedelta(hours=26)


class SqliteInbox(Adapter):
    """Incoming updates, sealed, until their handling is over."""

    async def inbox_add(
        self, update_id: int, user_id: int | None, body: str, now: datetime
    ) -> bool:
        """Keep an incoming update, sealed; False if it was kept before (sent again)."""
        added = await self.db.execute(
            "INSERT INTO inbox (update_id, user_id, body, received_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (update_id) DO NOTHING",
            (update_id, user_id, self._cipher.encrypt(body), iso(now)),
        )
        return added == 1

    async def inbox_forget(self, before: datetime) -> int:
        """Forget the ids of updates handled before ``before``; how many went."""
        return await self.db.execute(
            "DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?", (iso(before),)
        )

    async def inbox_write(
        self, sent: Mapping[int, str], done: Iterable[int], now: datetime
    ) -> None:
        """In one commit: what the bot has sent so far while handling some updates (sealed),
        and the updates whose handling is over (their words and what was sent go; their ids
        stay, so none is handled twice)."""
        async with self.db.transaction() as conn:
            if sent:
                await conn.executemany(
                    "UPDATE inbox SET sent = ? WHERE update_id = ? AND done_at IS NULL",
                    [(self._cipher.encrypt(text), update_id) for update_id, text in sent.items()],
                )
            await conn.executemany(
                "UPDATE inbox SET body = NULL, sent = NULL, took = NULL, done_at = ? "
                "WHERE update_id = ?",
                [(iso(now), update_id) for update_id in done],
            )

    async def inbox_pending(self, now: datetime) -> list[tuple[str, str | None]]:
        """Updates kept but never handled, in the order Telegram sent them, each with what was
        sent while handling it before the stop; handled ids too old to come again go."""
        rows = await self.db.fetchall(
            "SELECT body, sent FROM inbox WHERE done_at IS NULL AND body IS NOT NULL "
            "ORDER BY update_id"
        )
        await self.inbox_forget(now - HANDLED_KEPT)
        return [
            (self._cipher.decrypt(row["body"]), _open(self._cipher, row["sent"])) for row in rows
        ]

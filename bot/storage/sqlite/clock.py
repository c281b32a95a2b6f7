"""The ``ClockWatch`` port on SQLite: the clock's last sane reading, kept so that a jump is
noticed."""

from __future__ import annotations

from datetime import datetime

from bot.storage.sqlite.rows import Adapter, iso, parse_time


class SqliteClockWatch(Adapter):
    """The clock's last sane reading, and undoing what a wrong clock planned."""

    async def clock_seen(self) -> tuple[datetime | None, datetime | None]:
        """The clock's last sane reading, and where it jumped to if a jump awaits confirming."""
        row = await self.db.fetchone("SELECT seen_at, jumped_to FROM clock_watch WHERE id = 1")
        if row is None:
            return None, None
        return parse_time(row["seen_at"]), parse_time(row["jumped_to"])

    async def see_clock(self, now: datetime, jumped_to: datetime | None = None) -> None:
        """Record a sane reading (``jumped_to`` None: no jump awaits), or a jump (the reading
        stays)."""
        if jumped_to is not None:
            await self.db.execute(
                "UPDATE clock_watch SET jumped_to = ? WHERE id = 1", (iso(jumped_to),)
            )
            return
        await self.db.execute(
            "INSERT INTO clock_watch (id, seen_at) VALUES (1, ?) "
            "ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at, jumped_to = NULL",
            (iso(now),),
        )

    async def undo_wrong_clock(self, now: datetime, beyond: datetime) -> int:
        """The clock is right again: check-ins it planned after ``beyond`` go, and what it
        dropped as too late though it is still to come is planned again; how many changed."""
        async with self.db.transaction() as conn:
            far = await conn.execute(
                "UPDATE sends SET status = 'cancelled', reason = 'clock' "
                "WHERE status = 'planned' AND kind = 'checkin' AND due_at > ?",
                (iso(beyond),),
            )
            late = await conn.execute(
                "UPDATE sends SET status = 'planned', reason = NULL "
                "WHERE status IN ('expired', 'skipped') AND reason = 'late' AND due_at > ?",
                (iso(now),),
            )
            return far.rowcount + late.rowcount

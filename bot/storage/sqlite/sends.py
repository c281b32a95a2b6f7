"""The ``Sends`` port on SQLite: each client's schedule and every planned send (the scheduler's
truth)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import aiosqlite

from bot.core.model import ClientSchedule, Send
from bot.core.ports import PlannedRow
from bot.storage.crypto import Cipher
from bot.storage.sqlite.rows import Adapter, _open, iso, parse_time

_SCHEDULE_COLUMNS = {
    "timezone": "timezone",
    "days": "checkin_days",
    "time": "checkin_time",
    "contact_hours": "contact_hours",
    "fewer": "checkin_pace",
    "agreed_on": "schedule_from",
    "paused": "paused",
    "paused_until": "paused_until",
    "pause_message": "pause_message",
}


def _send(row: aiosqlite.Row, cipher: Cipher) -> Send:
    return Send(
        id=row["id"],
        user_id=row["user_id"],
        kind=row["kind"],
        slot=row["slot"],
        local_date=row["local_date"],
        due_at=datetime.fromisoformat(row["due_at"]),
        closes_at=datetime.fromisoformat(row["closes_at"]),
        status=row["status"],
        message_id=row["message_id"],
        checkin_id=row["checkin_id"],
        payload=_open(cipher, row["payload"]),
    )


class SqliteSends(Adapter):
    """Schedules and planned sends."""

    async def schedule(self, user_id: int) -> ClientSchedule | None:
        """The client's own schedule settings (None fields: the service's defaults)."""
        row = await self.db.fetchone("SELECT * FROM users WHERE id = ?", (user_id,))
        return self._schedule(row) if row is not None else None

    async def schedules(self, user_ids: Sequence[int]) -> dict[int, ClientSchedule]:
        """Many clients' schedule settings at once (for planning at start)."""
        found: dict[int, ClientSchedule] = {}
        for start in range(0, len(user_ids), 500):
            chunk = user_ids[start : start + 500]
            rows = await self.db.fetchall(
                f"SELECT * FROM users WHERE id IN ({','.join('?' * len(chunk))})", chunk
            )
            found.update((row["id"], self._schedule(row)) for row in rows)
        return found

    def _schedule(self, row: aiosqlite.Row) -> ClientSchedule:
        message = row["pause_message"]
        return ClientSchedule(
            timezone=row["timezone"],
            days=row["checkin_days"],
            time=row["checkin_time"],
            contact_hours=row["contact_hours"],
            fewer=row["checkin_pace"] == "fewer",
            agreed_on=row["schedule_from"],
            paused=bool(row["paused"]),
            paused_until=row["paused_until"],
            pause_message=_open(self._cipher, message),
        )

    async def set_schedule(self, user_id: int, **fields: object) -> None:
        """Change some of a client's schedule settings, committed before this returns."""
        assignments: list[str] = []
        values: list[object] = []
        for name, value in fields.items():
            column = _SCHEDULE_COLUMNS[name]  # KeyError on a field that does not exist
            if name == "fewer":
                value = "fewer" if value else "usual"
            elif name == "paused":
                value = int(bool(value))
            elif name == "pause_message" and value is not None:
                value = self._cipher.encrypt(str(value))
            elif name == "agreed_on":
                # Said either way: check-ins from a day, or none ("Only when I ask").
                assignments.append("only_when_asked = ?")
                values.append(int(value is None))
            assignments.append(f"{column} = ?")
            values.append(value)
        if assignments:
            await self.db.execute(
                f"UPDATE users SET {', '.join(assignments)} WHERE id = ?", (*values, user_id)
            )

    async def only_when_asked(self, user_id: int) -> bool:
        """Whether the client chose "Only when I ask" (rather than never said when the bot may
        write first): the bot then writes only in answer to them."""
        row = await self.db.fetchone("SELECT only_when_asked FROM users WHERE id = ?", (user_id,))
        return row is not None and bool(row["only_when_asked"])

    async def plan_send(
        self,
        user_id: int,
        kind: str,
        slot: str,
        local_date: str,
        due_at: datetime,
        closes_at: datetime,
        payload: str | None = None,
    ) -> bool:
        """Plan one send; a date and slot already sent is never planned again."""
        if payload is None:
            rows = [(user_id, kind, slot, local_date, due_at, closes_at)]
            return await self.plan_sends(rows) == 1
        changed = await self.db.execute(
            "INSERT INTO sends (user_id, kind, slot, local_date, due_at, closes_at, payload) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, kind, local_date, slot) "
            "DO NOTHING",
            (
                user_id,
                kind,
                slot,
                local_date,
                iso(due_at),
                iso(closes_at),
                self._payload(payload),
            ),
        )
        return changed == 1

    async def plan_sends(self, rows: Sequence[PlannedRow]) -> int:
        """Plan many sends in one transaction; how many were planned."""
        async with self.db.transaction() as conn:
            cursor = await conn.executemany(
                "INSERT INTO sends (user_id, kind, slot, local_date, due_at, closes_at) "
                "VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (user_id, kind, local_date, slot) DO UPDATE SET "
                "due_at = excluded.due_at, closes_at = excluded.closes_at, status = 'planned', "
                "reason = NULL WHERE sends.status IN ('planned', 'cancelled')",
                [
                    (user_id, kind, slot, local_date, iso(due), iso(closes))
                    for user_id, kind, slot, local_date, due, closes in rows
                ],
            )
            return int(cursor.rowcount)  # every row planned or planned again, as SQLite counts

    async def cancel_planned(self, user_id: int, kind: str, reason: str) -> int:
        """Cancel what is planned for a person (a changed schedule, a pause, a block)."""
        return await self.db.execute(
            "UPDATE sends SET status = 'cancelled', reason = ? "
            "WHERE user_id = ? AND kind = ? AND status = 'planned'",
            (reason, user_id, kind),
        )

    async def cancel_slot(self, kind: str, slot: str, reason: str) -> int:
        """Cancel what is planned of one kind and slot for everyone (a meeting's reminders)."""
        return await self.db.execute(
            "UPDATE sends SET status = 'cancelled', reason = ? "
            "WHERE kind = ? AND slot = ? AND status = 'planned'",
            (reason, kind, slot),
        )

    async def clients_to_plan(self, limit: int) -> list[int]:
        """Clients who agreed to scheduled check-ins but have none planned."""
        rows = await self.db.fetchall(
            "SELECT u.id FROM users u WHERE u.role = 'client' AND u.unreachable_at IS NULL "
            "AND u.schedule_from IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sends s "
            "WHERE s.user_id = u.id AND s.kind = 'checkin' AND s.slot = 'regular' "
            "AND s.status IN ('planned', 'sending')) LIMIT ?",
            (limit,),
        )
        return [row["id"] for row in rows]

    async def reset_in_flight(self) -> int:
        """After a crash: sends claimed but not finished go out again (at least once)."""
        return await self.db.execute(
            "UPDATE sends SET status = 'planned' WHERE status = 'sending'"
        )

    async def claim_due(self, now: datetime, limit: int) -> list[Send]:
        """Take up to ``limit`` due sends, oldest first, in one statement: nobody else can."""
        async with (
            self.db.transaction() as conn,
            conn.execute(
                "UPDATE sends SET status = 'sending' WHERE id IN (SELECT id FROM sends "
                "WHERE status = 'planned' AND due_at <= ? ORDER BY due_at LIMIT ?) RETURNING *",
                (iso(now), limit),
            ) as cursor,
        ):
            rows = await cursor.fetchall()
        return sorted(
            (_send(row, self._cipher) for row in rows), key=lambda send: (send.due_at, send.id)
        )

    async def finish_send(
        self,
        send_id: int,
        status: str,
        now: datetime,
        *,
        reason: str | None = None,
        message_id: int | None = None,
        checkin_id: int | None = None,
    ) -> None:
        """Record how a send ended: sent, expired, skipped, failed, unknown, closed.

        A notice's words (which may name someone who left) are not kept once it has ended.
        """
        await self.db.execute(
            "UPDATE sends SET status = ?, reason = COALESCE(?, reason), "
            "sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END, "
            "message_id = COALESCE(?, message_id), checkin_id = COALESCE(?, checkin_id), "
            "payload = CASE WHEN kind = 'notice' THEN NULL ELSE payload END "
            "WHERE id = ?",
            (status, reason, status, iso(now), message_id, checkin_id, send_id),
        )

    async def bring_forward(self, user_id: int, now: datetime) -> int:
        """Held messages whose own time has come are due now (the client resumed, or changed
        their hours): notices, and team members' messages not meant for later."""
        return await self.db.execute(
            "UPDATE sends SET due_at = ? WHERE user_id = ? AND status = 'planned' "
            "AND due_at > ? AND (kind = 'notice' OR (kind = 'relay' AND (SELECT r.due_at "
            "FROM relays r WHERE r.id = CASE WHEN sends.kind = 'relay' "
            "THEN CAST(substr(sends.slot, 2) AS INTEGER) END) <= ?))",  # a relay's slot: r<id>
            (iso(now), user_id, iso(now), iso(now)),
        )

    async def postpone(self, send_id: int, due_at: datetime) -> None:
        """Put a claimed send back, due later (held for the client's contact hours)."""
        await self.db.execute(
            "UPDATE sends SET status = 'planned', due_at = ? WHERE id = ?", (iso(due_at), send_id)
        )

    async def due_to_close(self, now: datetime, limit: int) -> list[Send]:
        """Sent check-ins whose window has passed."""
        rows = await self.db.fetchall(
            "SELECT * FROM sends WHERE status = 'sent' AND closes_at <= ? "
            "ORDER BY closes_at LIMIT ?",
            (iso(now), limit),
        )
        return [_send(row, self._cipher) for row in rows]

    async def sends(self, user_id: int) -> list[Send]:
        """Everything planned or sent for a person, in order of due time."""
        rows = await self.db.fetchall(
            "SELECT * FROM sends WHERE user_id = ? ORDER BY due_at, id", (user_id,)
        )
        return [_send(row, self._cipher) for row in rows]

    async def last_sent_at(self, user_id: int) -> datetime | None:
        """When the bot last started a conversation with this person (any kind of send)."""
        row = await self.db.fetchone(
            "SELECT MAX(sent_at) AS last FROM sends WHERE user_id = ? AND sent_at IS NOT NULL",
            (user_id,),
        )
        return parse_time(row["last"]) if row else None

    def _payload(self, payload: str) -> bytes:
        """What a send carries, sealed: a notice's may name someone, and every one is sealed
        alike, so that key rotation reaches them all and both databases keep them as bytes."""
        return self._cipher.encrypt(payload)

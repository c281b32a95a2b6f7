"""The one narrow interface to stored data, and its SQLite implementation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from bot.core.model import (
    Answer,
    CheckinRecord,
    ClientSchedule,
    CrisisPlan,
    Note,
    Role,
    Send,
    User,
)
from bot.core.ports import PlannedRow, Redemption
from bot.storage.crypto import Cipher
from bot.storage.db import Database
from bot.storage.migrations import MIGRATIONS


def iso(moment: datetime) -> str:
    """Times are stored as UTC ISO strings, which sort like the times they name."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_time(text: str | None) -> datetime | None:
    """The inverse of ``iso``."""
    return datetime.fromisoformat(text) if text else None


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


def _send(row: aiosqlite.Row) -> Send:
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
    )


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
        # One statement in autocommit mode: one round trip to the database thread, not three.
        return await self.db.insert(
            "INSERT INTO notes (user_id, created_at, body) VALUES (?, ?, ?)",
            (user_id, iso(now), self._cipher.encrypt(text)),
        )

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

    async def staff_members(self) -> list[User]:
        """Every clinician and peer supporter, by name."""
        rows = await self.db.fetchall(
            "SELECT * FROM users WHERE role IN ('clinician', 'peer') ORDER BY name, id"
        )
        return [_user(row) for row in rows]

    async def pending_staff_invites(self, now: datetime) -> list[tuple[str, str, datetime]]:
        """Unused, unexpired staff invites: (name, role, expires)."""
        rows = await self.db.fetchall(
            "SELECT name, role, expires_at FROM staff_invites "
            "WHERE used_at IS NULL AND expires_at > ? ORDER BY expires_at",
            (iso(now),),
        )
        return [(r["name"], r["role"], datetime.fromisoformat(r["expires_at"])) for r in rows]

    async def remove_staff(self, user_id: int) -> User | None:
        """Remove a staff account (never a client's); the removed account, or None."""
        async with (
            self.db.transaction() as conn,
            conn.execute(
                "DELETE FROM users WHERE id = ? AND role IN ('clinician', 'peer') RETURNING *",
                (user_id,),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return _user(row) if row else None

    async def erase_user(self, user_id: int) -> None:
        """Erase a person and, through the foreign keys, everything kept about them."""
        await self.db.execute("DELETE FROM users WHERE id = ?", (user_id,))

    async def purge_before(self, cutoff: datetime) -> int:
        """Delete what is older than the retention period; the number of rows removed."""
        async with self.db.transaction() as conn:
            removed = 0
            for sql in (
                "DELETE FROM notes WHERE created_at < ?",
                "DELETE FROM checkins WHERE started_at < ? AND status != 'open'",
                "DELETE FROM sends WHERE due_at < ? AND status NOT IN ('planned', 'sending')",
                "DELETE FROM staff_invites WHERE expires_at < ?",
            ):
                cursor = await conn.execute(sql, (iso(cutoff),))
                removed += cursor.rowcount
            return removed

    # --- check-ins ---------------------------------------------------------------------------

    async def start_checkin(self, user_id: int, dialog: str, now: datetime) -> CheckinRecord:
        """Open a new check-in; one still open is closed first (its answers stay)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE checkins SET status = 'closed', finished_at = ? "
                "WHERE user_id = ? AND status = 'open'",
                (iso(now), user_id),
            )
            cursor = await conn.execute(
                "INSERT INTO checkins (user_id, dialog, started_at) VALUES (?, ?, ?)",
                (user_id, dialog, iso(now)),
            )
            checkin_id = cursor.lastrowid
        assert checkin_id is not None
        record = await self.checkin(checkin_id, user_id)
        assert record is not None
        return record

    async def _checkins(self, where: str, params: tuple[object, ...]) -> list[CheckinRecord]:
        rows = await self.db.fetchall(f"SELECT * FROM checkins WHERE {where}", params)
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        marks = ",".join("?" * len(ids))
        answer_rows = await self.db.fetchall(
            f"SELECT * FROM answers WHERE checkin_id IN ({marks}) ORDER BY answered_at, rowid",
            ids,
        )
        answers: dict[int, list[Answer]] = {}
        for a in answer_rows:
            answers.setdefault(a["checkin_id"], []).append(
                Answer(
                    step_id=a["step_id"],
                    value=a["value"],
                    text=self._cipher.decrypt(a["text"]) if a["text"] is not None else None,
                    capacity=a["capacity"],
                    answered_at=datetime.fromisoformat(a["answered_at"]),
                )
            )
        return [
            CheckinRecord(
                id=row["id"],
                user_id=row["user_id"],
                dialog=row["dialog"],
                started_at=datetime.fromisoformat(row["started_at"]),
                capacity=row["capacity"],
                status=row["status"],
                message_id=row["message_id"],
                answers=tuple(answers.get(row["id"], [])),
            )
            for row in rows
        ]

    async def checkin(self, checkin_id: int, user_id: int) -> CheckinRecord | None:
        """A check-in, only if it belongs to ``user_id``."""
        found = await self._checkins("id = ? AND user_id = ?", (checkin_id, user_id))
        return found[0] if found else None

    async def open_checkin(self, user_id: int) -> CheckinRecord | None:
        """The person's open check-in, if any."""
        found = await self._checkins("user_id = ? AND status = 'open'", (user_id,))
        return found[0] if found else None

    async def set_checkin_message(self, checkin_id: int, message_id: int) -> None:
        """Remember which message shows the check-in's current question."""
        await self.db.execute(
            "UPDATE checkins SET message_id = ? WHERE id = ?", (message_id, checkin_id)
        )

    async def set_capacity(self, checkin_id: int, capacity: str, *, first: bool) -> bool:
        """Set the capacity of an open check-in: the first choice once, or a later drop."""
        condition = "capacity IS NULL" if first else "capacity IS NOT NULL"
        changed = await self.db.execute(
            f"UPDATE checkins SET capacity = ? WHERE id = ? AND status = 'open' AND {condition}",
            (capacity, checkin_id),
        )
        return changed == 1

    async def add_answer(
        self,
        checkin_id: int,
        step_id: str,
        value: str,
        text: str | None,
        capacity: str,
        now: datetime,
    ) -> bool:
        """Keep one answer, committed now; False if that step was answered already."""
        sealed = self._cipher.encrypt(text) if text is not None else None
        changed = await self.db.execute(
            "INSERT INTO answers (checkin_id, step_id, value, text, capacity, answered_at) "
            "SELECT id, ?, ?, ?, ?, ? FROM checkins WHERE id = ? AND status = 'open' "
            "ON CONFLICT (checkin_id, step_id) DO NOTHING",
            (step_id, value, sealed, capacity, iso(now), checkin_id),
        )
        return changed == 1

    async def finish_checkin(self, checkin_id: int, status: str, now: datetime) -> bool:
        """Close an open check-in as done, declined or closed; False if it was not open."""
        changed = await self.db.execute(
            "UPDATE checkins SET status = ?, finished_at = ? WHERE id = ? AND status = 'open'",
            (status, iso(now), checkin_id),
        )
        return changed == 1

    async def recent_checkins(self, user_id: int, count: int) -> list[CheckinRecord]:
        """The person's last ``count`` check-ins, newest first."""
        return await self._checkins(
            "id IN (SELECT id FROM checkins WHERE user_id = ? ORDER BY id DESC LIMIT ?) "
            "ORDER BY id DESC",
            (user_id, count),
        )

    async def set_pace(self, user_id: int, pace: str | None, now: datetime) -> None:
        """Record that fewer check-ins were offered, and the client's answer if they gave one."""
        if pace is None:
            await self.db.execute(
                "UPDATE users SET fewer_offered_at = ? WHERE id = ?", (iso(now), user_id)
            )
        else:
            await self.db.execute(
                "UPDATE users SET checkin_pace = ?, "
                "fewer_offered_at = COALESCE(fewer_offered_at, ?) WHERE id = ?",
                (pace, iso(now), user_id),
            )

    async def pace_offered(self, user_id: int) -> bool:
        """Whether fewer check-ins were already offered to this person."""
        row = await self.db.fetchone("SELECT fewer_offered_at FROM users WHERE id = ?", (user_id,))
        return row is not None and row["fewer_offered_at"] is not None

    # --- the crisis plan and awaited text -----------------------------------------------------

    async def crisis_plan(self, user_id: int) -> CrisisPlan | None:
        """The client's own crisis plan, if they wrote one."""
        row = await self.db.fetchone("SELECT * FROM crisis_plans WHERE user_id = ?", (user_id,))
        if row is None:
            return None

        def part(name: str) -> str | None:
            value = row[name]
            return self._cipher.decrypt(value) if value is not None else None

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

    async def awaiting_text(self, user_id: int) -> str | None:
        """What the person's next typed message answers, if the bot asked for one."""
        row = await self.db.fetchone(
            "SELECT purpose FROM awaiting_text WHERE user_id = ?", (user_id,)
        )
        return row["purpose"] if row else None

    async def await_text(self, user_id: int, purpose: str | None, now: datetime) -> None:
        """Remember (or, with None, forget) what the next typed message answers."""
        if purpose is None:
            await self.db.execute("DELETE FROM awaiting_text WHERE user_id = ?", (user_id,))
        else:
            await self.db.execute(
                "INSERT INTO awaiting_text (user_id, purpose, since) VALUES (?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET purpose = excluded.purpose, "
                "since = excluded.since",
                (user_id, purpose, iso(now)),
            )

    # --- schedules and planned sends ----------------------------------------------------------

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
            pause_message=self._cipher.decrypt(message) if message is not None else None,
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
            assignments.append(f"{column} = ?")
            values.append(value)
        if assignments:
            await self.db.execute(
                f"UPDATE users SET {', '.join(assignments)} WHERE id = ?", (*values, user_id)
            )

    async def plan_send(
        self,
        user_id: int,
        kind: str,
        slot: str,
        local_date: str,
        due_at: datetime,
        closes_at: datetime,
    ) -> bool:
        """Plan one send; a date and slot already sent is never planned again."""
        return await self.plan_sends([(user_id, kind, slot, local_date, due_at, closes_at)]) == 1

    async def plan_sends(self, rows: Sequence[PlannedRow]) -> int:
        """Plan many sends in one transaction; how many were planned."""
        async with self.db.transaction() as conn:
            before = conn.total_changes
            await conn.executemany(
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
            return conn.total_changes - before

    async def cancel_planned(self, user_id: int, kind: str, reason: str) -> int:
        """Cancel what is planned for a person (a changed schedule, a pause, a block)."""
        return await self.db.execute(
            "UPDATE sends SET status = 'cancelled', reason = ? "
            "WHERE user_id = ? AND kind = ? AND status = 'planned'",
            (reason, user_id, kind),
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
        return sorted((_send(row) for row in rows), key=lambda send: (send.due_at, send.id))

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
        """Record how a send ended: sent, expired, skipped, failed, unknown, closed."""
        await self.db.execute(
            "UPDATE sends SET status = ?, reason = COALESCE(?, reason), "
            "sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END, "
            "message_id = COALESCE(?, message_id), checkin_id = COALESCE(?, checkin_id) "
            "WHERE id = ?",
            (status, reason, status, iso(now), message_id, checkin_id, send_id),
        )

    async def due_to_close(self, now: datetime, limit: int) -> list[Send]:
        """Sent check-ins whose window has passed."""
        rows = await self.db.fetchall(
            "SELECT * FROM sends WHERE status = 'sent' AND closes_at <= ? "
            "ORDER BY closes_at LIMIT ?",
            (iso(now), limit),
        )
        return [_send(row) for row in rows]

    async def sends(self, user_id: int) -> list[Send]:
        """Everything planned or sent for a person, in order of due time."""
        rows = await self.db.fetchall(
            "SELECT * FROM sends WHERE user_id = ? ORDER BY due_at, id", (user_id,)
        )
        return [_send(row) for row in rows]

"""The ``CheckinStore`` port on SQLite: check-ins and their answers, kept as they are given."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.model import Answer, CheckinRecord
from bot.storage.sqlite.rows import Adapter, _open, iso


class SqliteCheckins(Adapter):
    """Check-ins and their answers."""

    async def start_checkin(self, user_id: int, dialog: str, now: datetime) -> CheckinRecord:
        """Open a new check-in; one still open is closed first (its answers stay)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE checkins SET status = 'closed', finished_at = ? "
                "WHERE user_id = ? AND status = 'open'",
                (iso(now), user_id),
            )
            cursor = await conn.execute(
                "INSERT INTO checkins (user_id, dialog, started_at) VALUES (?, ?, ?) RETURNING id",
                (user_id, dialog, iso(now)),
            )
            made = await cursor.fetchone()
        assert made is not None
        checkin_id = made[0]
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
                    value=_open(self._cipher, a["value"]) or "",
                    text=_open(self._cipher, a["text"]),
                    capacity=_open(self._cipher, a["capacity"]) or "",
                    answered_at=datetime.fromisoformat(a["answered_at"]),
                )
            )
        return [
            CheckinRecord(
                id=row["id"],
                user_id=row["user_id"],
                dialog=row["dialog"],
                started_at=datetime.fromisoformat(row["started_at"]),
                capacity=_open(self._cipher, row["capacity"]),
                status=row["status"],
                message_id=row["message_id"],
                answers=tuple(answers.get(row["id"], [])),
                answered_message_id=row["answered_message_id"],
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

    async def open_checkins(self, user_ids: Sequence[int]) -> dict[int, CheckinRecord]:
        """Many people's open check-ins at once (one each at most), by person."""
        found: dict[int, CheckinRecord] = {}
        for start in range(0, len(user_ids), 500):
            chunk = tuple(user_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for record in await self._checkins(f"user_id IN ({marks}) AND status = 'open'", chunk):
                found.setdefault(record.user_id, record)
        return found

    async def set_checkin_message(self, checkin_id: int, message_id: int) -> None:
        """Remember which message shows the check-in's current question."""
        await self.db.execute(
            "UPDATE checkins SET message_id = ? WHERE id = ?", (message_id, checkin_id)
        )

    async def set_answered_message(self, checkin_id: int, message_id: int | None) -> None:
        """Remember which message shows the last answered question (with its "Change")."""
        await self.db.execute(
            "UPDATE checkins SET answered_message_id = ? WHERE id = ?", (message_id, checkin_id)
        )

    async def set_capacity(self, checkin_id: int, capacity: str, *, first: bool) -> bool:
        """Set the capacity of an open check-in: the first choice once, or a later drop."""
        condition = "capacity IS NULL" if first else "capacity IS NOT NULL"
        changed = await self.db.execute(
            f"UPDATE checkins SET capacity = ? WHERE id = ? AND status = 'open' AND {condition}",
            (self._cipher.encrypt(capacity), checkin_id),
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
            (
                step_id,
                self._cipher.encrypt(value),
                sealed,
                self._cipher.encrypt(capacity),
                iso(now),
                checkin_id,
            ),
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

    async def remove_answers(self, checkin_id: int, step_ids: Sequence[str]) -> int:
        """Remove these answers of an open check-in (to ask again); how many went."""
        if not step_ids:
            return 0
        marks = ",".join("?" * len(step_ids))
        return await self.db.execute(
            f"DELETE FROM answers WHERE checkin_id = ? AND step_id IN ({marks}) "
            "AND EXISTS (SELECT 1 FROM checkins WHERE id = ? AND status = 'open')",
            (checkin_id, *step_ids, checkin_id),
        )

"""The ``MessageStore`` port on SQLite: messages between a client and their team, and whose
nudges a client declined."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.core.model import Relay
from bot.storage.sqlite.rows import Adapter, _open, iso, parse_time


class SqliteMessages(Adapter):
    """Messages between a client and their team."""

    async def add_relay(
        self,
        client_id: int,
        member_id: int,
        member_name: str,
        kind: str,
        body: str | None,
        now: datetime,
        due_at: datetime | None = None,
        audience: str | None = None,
    ) -> int:
        """Keep a message (a draft until sent or planned); its id."""
        return await self.db.insert(
            "INSERT INTO relays (client_id, member_id, member_name, kind, body, created_at, "
            "due_at, audience) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                client_id,
                member_id,
                self._cipher.encrypt(member_name),
                kind,
                self._cipher.encrypt(body) if body is not None else None,
                iso(now),
                iso(due_at) if due_at else None,
                audience,
            ),
        )

    async def add_relay_copy(
        self, relay_id: int, member_id: int, chat_id: int, message_id: int, now: datetime
    ) -> None:
        """Where a copy of a message reached someone other than the client (a reflection
        someone close chose to give the client's staff too), so it can be taken back."""
        await self.db.execute(
            "INSERT INTO relay_copies (relay_id, member_id, chat_id, message_id, sent_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (relay_id, member_id, chat_id, message_id, iso(now)),
        )

    def _relay(self, row: aiosqlite.Row) -> Relay:
        return Relay(
            id=row["id"],
            client_id=row["client_id"],
            member_id=row["member_id"],
            member_name=_open(self._cipher, row["member_name"]) or "",
            kind=row["kind"],
            body=_open(self._cipher, row["body"]),
            created_at=datetime.fromisoformat(row["created_at"]),
            due_at=parse_time(row["due_at"]),
            status=row["status"],
            held_told=bool(row["held_told"]),
            audience=row["audience"],
            agenda_at=parse_time(row["agenda_at"]),
        )

    async def relay(self, relay_id: int) -> Relay | None:
        """One message by id (callers check it belongs to the person asking)."""
        row = await self.db.fetchone("SELECT * FROM relays WHERE id = ?", (relay_id,))
        return self._relay(row) if row else None

    async def update_relay(self, relay_id: int, **fields: object) -> bool:
        """Change a message's ``body``, ``due_at``, ``status``, ``held_told``, or where it
        arrived (``chat_id`` and ``message_id``).

        With ``expect=<status>``, only if it is in that status now (so a double tap or an old
        button never acts twice). True if it changed.
        """
        expect = fields.pop("expect", None)
        assignments: list[str] = []
        values: list[object] = []
        for name, value in fields.items():
            if name not in (
                "body", "due_at", "status", "held_told", "chat_id", "message_id", "agenda_at",
                "audience",
            ):  # fmt: skip
                raise KeyError(name)
            if name == "body" and value is not None:
                value = self._cipher.encrypt(str(value))
            elif name in ("due_at", "agenda_at") and isinstance(value, datetime):
                value = iso(value)
            elif name == "held_told":
                value = int(bool(value))
            assignments.append(f"{name} = ?")
            values.append(value)
        where = "id = ?" + (" AND status = ?" if expect is not None else "")
        params = [*values, relay_id] + ([expect] if expect is not None else [])
        changed = await self.db.execute(
            f"UPDATE relays SET {', '.join(assignments)} WHERE {where}", params
        )
        return changed == 1

    async def relays(self, client_id: int) -> list[Relay]:
        """Every message between the client and their team, oldest first (drafts left out)."""
        rows = await self.db.fetchall(
            "SELECT * FROM relays WHERE client_id = ? AND status != 'draft' ORDER BY id",
            (client_id,),
        )
        return [self._relay(row) for row in rows]

    async def planned_relays(
        self, *, member_id: int | None = None, client_id: int | None = None
    ) -> list[Relay]:
        """Messages waiting to reach a client, soonest first: by one member, or to one client."""
        column, value = (
            ("member_id", member_id) if member_id is not None else ("client_id", client_id)
        )
        rows = await self.db.fetchall(
            f"SELECT * FROM relays WHERE {column} = ? AND status = 'planned' ORDER BY due_at, id",
            (value,),
        )
        return [self._relay(row) for row in rows]

    async def written_by(self, member_id: int, kind: str, since: datetime) -> list[Relay]:
        """A member's messages of ``kind`` written since ``since`` (drafts left out), oldest
        first: what /nudge tells its sender became of them."""
        rows = await self.db.fetchall(
            "SELECT * FROM relays WHERE member_id = ? AND kind = ? AND created_at >= ? "
            "AND status != 'draft' ORDER BY created_at, id",
            (member_id, kind, iso(since)),
        )
        return [self._relay(row) for row in rows]

    async def held_relays(self, client_id: int, now: datetime) -> list[tuple[Relay, int]]:
        """Members' messages to the client due by ``now`` whose send still waits (planned, not
        closed), oldest due first; each with its send's id."""
        rows = await self.db.fetchall(
            "SELECT r.*, s.id AS send_id FROM relays r JOIN sends s ON s.user_id = r.client_id "
            "AND s.kind = 'relay' AND s.slot = 'r' || r.id "
            "WHERE r.client_id = ? AND r.status = 'planned' AND r.due_at <= ? "
            "AND s.status = 'planned' AND s.closes_at > ? ORDER BY r.due_at, r.id",
            (client_id, iso(now), iso(now)),
        )
        return [(self._relay(row), row["send_id"]) for row in rows]

    async def set_no_nudges(
        self, client_id: int, sender_id: int, stop: bool, now: datetime
    ) -> None:
        """The client's "no more nudges from this person", or its undoing."""
        if stop:
            await self.db.execute(
                "INSERT INTO no_nudges (client_id, sender_id, since) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (client_id, sender_id, iso(now)),
            )
        else:
            await self.db.execute(
                "DELETE FROM no_nudges WHERE client_id = ? AND sender_id = ?",
                (client_id, sender_id),
            )

    async def no_nudges(self, client_id: int) -> set[int]:
        """Who the client asked not to nudge them."""
        rows = await self.db.fetchall(
            "SELECT sender_id FROM no_nudges WHERE client_id = ?", (client_id,)
        )
        return {row["sender_id"] for row in rows}

    async def meeting_proposal(self, client_id: int) -> Relay | None:
        """The latest meeting date a clinician proposed to the client, still unanswered."""
        row = await self.db.fetchone(
            "SELECT * FROM relays WHERE client_id = ? AND kind = 'meeting' "
            "AND status IN ('planned', 'sent') ORDER BY id DESC LIMIT 1",
            (client_id,),
        )
        return self._relay(row) if row else None

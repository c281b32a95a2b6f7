"""The ``TeamStore`` port on SQLite: team invites, who is in whose team, and the next meeting."""

from __future__ import annotations

from datetime import date, datetime, time

from bot.core.model import InviteKind, LinkedClient, Meeting, Role, TeamMember, User
from bot.core.ports import TeamJoin
from bot.storage.sqlite.rows import Adapter, _open, _take_role, _unsettled, _user, iso


class SqliteTeam(Adapter):
    """Team invites, members, and the next meeting."""

    async def add_team_invite(
        self, code_hash: str, inviter_id: int, kind: InviteKind, now: datetime, expires: datetime
    ) -> None:
        """Record a team invite by the hash of its code."""
        await self.db.execute(
            "INSERT INTO team_invites (code_hash, inviter_id, kind, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (code_hash, inviter_id, kind.value, iso(now), iso(expires)),
        )

    async def team_invite(self, code_hash: str, now: datetime) -> tuple[User, InviteKind] | None:
        """Who made a still usable invite, and its kind; None if unknown, used or expired."""
        row = await self.db.fetchone(
            "SELECT u.*, i.kind AS invite_kind FROM team_invites i "
            "JOIN users u ON u.id = i.inviter_id "
            "WHERE i.code_hash = ? AND i.used_at IS NULL AND i.expires_at > ?",
            (code_hash, iso(now)),
        )
        return (_user(row, self._cipher), InviteKind(row["invite_kind"])) if row else None

    async def join_team(
        self, code_hash: str, user_id: int, chat_id: int, name: str, language: str, now: datetime
    ) -> tuple[TeamJoin, User | None]:
        """Accept a team invite: in one transaction, use the code once and make the link.

        Returns the outcome and the other person of the link (the staff member who invited a
        client, or the client who invited a network member).
        """
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT u.*, i.kind AS invite_kind FROM team_invites i "
                "JOIN users u ON u.id = i.inviter_id "
                "WHERE i.code_hash = ? AND i.used_at IS NULL AND i.expires_at > ?",
                (code_hash, iso(now)),
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                return TeamJoin.INVALID, None
            inviter = _user(row, self._cipher)
            kind = InviteKind(row["invite_kind"])
            async with conn.execute("SELECT role FROM users WHERE id = ?", (user_id,)) as cur:
                existing = await cur.fetchone()
            role = Role(existing["role"]) if existing else None
            if inviter.id == user_id:
                return TeamJoin.OWN_LINK, inviter
            if role is not None and role.is_staff:
                return TeamJoin.WRONG_KIND, inviter
            if kind is InviteKind.CLIENT:
                # A client link makes a client, someone close to another client included.
                client_id, member_id, member_role = user_id, inviter.id, inviter.role
                becomes = Role.CLIENT
            else:
                client_id, member_id, member_role = inviter.id, user_id, Role.NETWORK
                # Roles come from links: whoever only typed something before opening it (a
                # client with no team and no answers of their own) becomes someone close.
                unsettled = role is Role.CLIENT and await _unsettled(conn, user_id)
                becomes = Role.NETWORK if role is None or unsettled else role
            async with conn.execute(
                "UPDATE team_invites SET used_at = ?, used_by = ?, outcome = 'accepted' "
                "WHERE code_hash = ? AND used_at IS NULL RETURNING code_hash",
                (iso(now), user_id, code_hash),
            ) as cur:
                if await cur.fetchone() is None:
                    return TeamJoin.INVALID, None
            if role is None:
                await conn.execute(
                    "INSERT INTO users (id, chat_id, role, name, language, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        user_id,
                        chat_id,
                        becomes.value,
                        self._cipher.encrypt(name),
                        language,
                        iso(now),
                    ),
                )
            elif becomes is not role:
                await _take_role(conn, user_id, becomes)
            cursor = await conn.execute(
                "INSERT INTO team (client_id, member_id, role, since) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (client_id, member_id) DO NOTHING",
                (client_id, member_id, member_role.value, iso(now)),
            )
            outcome = TeamJoin.OK if cursor.rowcount == 1 else TeamJoin.ALREADY
        return outcome, inviter

    async def decline_team_invite(self, code_hash: str, user_id: int, now: datetime) -> bool:
        """Say no to an invite: the code is used up, nobody is linked."""
        changed = await self.db.execute(
            "UPDATE team_invites SET used_at = ?, used_by = ?, outcome = 'declined' "
            "WHERE code_hash = ? AND used_at IS NULL AND expires_at > ? AND inviter_id != ?",
            (iso(now), user_id, code_hash, iso(now), user_id),
        )
        return changed == 1

    async def team_of(self, client_id: int) -> list[TeamMember]:
        """A client's team, in the order they joined."""
        rows = await self.db.fetchall(
            "SELECT u.*, t.role AS team_role, t.since AS team_since FROM team t "
            "JOIN users u ON u.id = t.member_id WHERE t.client_id = ? ORDER BY t.since, u.id",
            (client_id,),
        )
        return [
            TeamMember(
                person=_user(row, self._cipher),
                role=Role(row["team_role"]),
                since=datetime.fromisoformat(row["team_since"]),
            )
            for row in rows
        ]

    async def clients_of(self, member_id: int) -> list[LinkedClient]:
        """The clients whose team this person is in, by name."""
        rows = await self.db.fetchall(
            "SELECT u.*, t.role AS team_role FROM team t JOIN users u ON u.id = t.client_id "
            "WHERE t.member_id = ?",
            (member_id,),
        )
        linked = [
            LinkedClient(
                person=_user(row, self._cipher),
                role=Role(row["team_role"]),
                next_meeting=row["next_meeting"],
            )
            for row in rows
        ]  # names are sealed: sorted here
        return sorted(linked, key=lambda client: (client.person.name, client.person.id))

    async def team_role(self, client_id: int, member_id: int) -> Role | None:
        """The member's role in the client's team, or None if they are not in it."""
        row = await self.db.fetchone(
            "SELECT role FROM team WHERE client_id = ? AND member_id = ?", (client_id, member_id)
        )
        return Role(row["role"]) if row else None

    async def remove_from_team(self, client_id: int, member_id: int) -> bool:
        """Take someone out of a client's team; False if they were not in it."""
        changed = await self.db.execute(
            "DELETE FROM team WHERE client_id = ? AND member_id = ?", (client_id, member_id)
        )
        return changed == 1

    async def next_meeting(self, client_id: int) -> str | None:
        """The date (ISO, the client's own) of the client's next network meeting, if set."""
        row = await self.db.fetchone("SELECT next_meeting FROM users WHERE id = ?", (client_id,))
        return row["next_meeting"] if row else None

    async def set_next_meeting(self, client_id: int, day: str | None) -> None:
        """Set or clear the date of the client's next network meeting (no time, no place)."""
        meeting = Meeting(date.fromisoformat(day)) if day else None
        await self.set_meeting(client_id, meeting)

    async def meeting(self, client_id: int) -> Meeting | None:
        """The client's next network meeting as set (its day may have passed)."""
        row = await self.db.fetchone(
            "SELECT next_meeting, meeting_time, meeting_place FROM users WHERE id = ?",
            (client_id,),
        )
        if row is None or not row["next_meeting"]:
            return None
        at = row["meeting_time"]
        return Meeting(
            date.fromisoformat(row["next_meeting"]),
            time.fromisoformat(at) if at else None,
            _open(self._cipher, row["meeting_place"]),
        )

    async def set_meeting(self, client_id: int, meeting: Meeting | None) -> None:
        """Set or clear the client's next network meeting: its day, time and place."""
        day = at = place = None
        if meeting is not None:
            day = meeting.day.isoformat()
            at = meeting.at.strftime("%H:%M") if meeting.at is not None else None
            place = self._cipher.encrypt(meeting.place) if meeting.place else None
        await self.db.execute(
            "UPDATE users SET next_meeting = ?, meeting_time = ?, meeting_place = ? "
            "WHERE id = ? AND role = 'client'",
            (day, at, place, client_id),
        )

    async def meeting_draft(self, user_id: int) -> str | None:
        """The meeting this person typed and saw read back, not yet confirmed."""
        row = await self.db.fetchone("SELECT meeting_draft FROM users WHERE id = ?", (user_id,))
        return _open(self._cipher, row["meeting_draft"]) if row is not None else None

    async def set_meeting_draft(self, user_id: int, text: str | None) -> None:
        """Keep (sealed) or forget the meeting this person typed."""
        sealed = self._cipher.encrypt(text) if text else None
        await self.db.execute("UPDATE users SET meeting_draft = ? WHERE id = ?", (sealed, user_id))

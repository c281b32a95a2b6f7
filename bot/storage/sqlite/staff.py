"""The ``StaffAccounts`` port on SQLite: staff accounts, which only the administrator creates."""

from __future__ import annotations

from datetime import datetime

from bot.core.model import Role, User
from bot.core.ports import Redemption
from bot.storage.personal import ERASE_KEEPING_COPIES
from bot.storage.sqlite.rows import (
    Adapter,
    _erase,
    _open,
    _take_role,
    _unsettled,
    _user,
    _user_by_id,
    iso,
)


class SqliteStaffAccounts(Adapter):
    """Staff invites and accounts."""

    async def add_staff_invite(
        self, code_hash: str, role: Role, name: str, now: datetime, expires_at: datetime
    ) -> None:
        """Record a staff invite by the hash of its code."""
        await self.db.execute(
            "INSERT INTO staff_invites (code_hash, role, name, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (code_hash, role.value, self._cipher.encrypt(name), iso(now), iso(expires_at)),
        )

    async def redeem_staff_invite(
        self, code_hash: str, user_id: int, chat_id: int, language: str, now: datetime
    ) -> tuple[Redemption, User | None]:
        """Use a staff code once: in one transaction, mark it used and create the staff account."""
        async with self.db.transaction() as conn:
            async with conn.execute("SELECT role FROM users WHERE id = ?", (user_id,)) as cur:
                existing = await cur.fetchone()
            if (
                existing is not None
                and existing["role"] != Role.CLINICIAN.value
                and existing["role"] != Role.PEER.value
                and not await _unsettled(conn, user_id)
            ):
                async with conn.execute(
                    "SELECT 1 FROM staff_invites WHERE code_hash = ? AND used_at IS NULL "
                    "AND expires_at > ?",
                    (code_hash, iso(now)),
                ) as cur:
                    valid = await cur.fetchone() is not None
                return (Redemption.ALREADY_CLIENT if valid else Redemption.INVALID), None
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
            if existing is not None:
                await _take_role(conn, user_id, Role(invite["role"]))
        return Redemption.OK, await _user_by_id(self.db, self._cipher, user_id)

    async def staff_members(self) -> list[User]:
        """Every clinician and peer supporter, by name."""
        rows = await self.db.fetchall("SELECT * FROM users WHERE role IN ('clinician', 'peer')")
        staff = [_user(row, self._cipher) for row in rows]  # names are sealed: sorted here
        return sorted(staff, key=lambda user: (user.name, user.id))

    async def pending_staff_invites(self, now: datetime) -> list[tuple[str, str, datetime]]:
        """Unused, unexpired staff invites: (name, role, expires)."""
        rows = await self.db.fetchall(
            "SELECT name, role, expires_at FROM staff_invites "
            "WHERE used_at IS NULL AND expires_at > ? ORDER BY expires_at",
            (iso(now),),
        )
        return [
            (
                _open(self._cipher, r["name"]) or "",
                r["role"],
                datetime.fromisoformat(r["expires_at"]),
            )
            for r in rows
        ]

    async def remove_staff(self, user_id: int) -> User | None:
        """Remove a staff account (never a client's), erasing all of it; the account, or None."""
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT * FROM users WHERE id = ? AND role IN ('clinician', 'peer')", (user_id,)
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return None
            # From the command line: no copy in their chat could be taken back, so where they
            # are stays known, and a client can still withdraw a share from that chat.
            await _erase(conn, user_id, ERASE_KEEPING_COPIES)
        return _user(row, self._cipher)

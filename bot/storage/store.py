"""The one narrow interface to stored data, and its SQLite implementation."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import aiosqlite

from bot.core.model import (
    Answer,
    CheckinRecord,
    ClientSchedule,
    Copy,
    CrisisPlan,
    InviteKind,
    LinkedClient,
    Meeting,
    Note,
    Recipient,
    Relay,
    Role,
    Send,
    Share,
    ShareDraft,
    TeamMember,
    User,
)
from bot.core.ports import PlannedRow, Redemption, TeamJoin
from bot.core.waits import Wait, WaitKind
from bot.storage.crypto import Cipher
from bot.storage.db import Database
from bot.storage.migrations import MIGRATIONS
from bot.storage.personal import ERASE, ERASE_KEEPING_COPIES, EXTRA, RETAIN

WAIT_KINDS = frozenset(kind.value for kind in WaitKind)

#: How long a handled update's id is kept: Telegram keeps an update it has not had confirmed
#: for 24 hours, and sends it again until then; an id kept longer says only when someone wrote.
HANDLED_KEPT = timedelta(hours=26)


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


def _open(cipher: Cipher, value: bytes | str | None) -> str | None:
    """A sealed value's text; text written before it was sealed (``seal_plaintext``) as is."""
    if isinstance(value, bytes):
        return cipher.decrypt(value)
    return value


def _user(row: aiosqlite.Row, cipher: Cipher) -> User:
    created = parse_time(row["created_at"])
    assert created is not None
    return User(
        id=row["id"],
        chat_id=row["chat_id"],
        role=Role(row["role"]),
        name=_open(cipher, row["name"]) or "",
        language=row["language"],
        created_at=created,
        unreachable_at=parse_time(row["unreachable_at"]),
        last_seen_at=parse_time(row["last_seen_at"]),
        retention_told_at=parse_time(row["retention_told_at"]),
    )


async def _erase(
    conn: aiosqlite.Connection, user_id: int, statements: Sequence[str] = ERASE
) -> None:
    """The erase statements of ``bot/storage/personal.py``, in order, in the caller's
    transaction."""
    for statement in statements:
        await conn.execute(statement, {"id": user_id})


async def _unsettled(conn: aiosqlite.Connection, user_id: int) -> bool:
    """A client only by first contact: no team of their own and no answer given yet.

    Roles come from links: such a person takes the role of the first link they open.
    """
    async with conn.execute(
        "SELECT 1 FROM users u WHERE u.id = ? AND u.role = 'client' "
        "AND NOT EXISTS (SELECT 1 FROM team t WHERE t.client_id = u.id) "
        "AND NOT EXISTS (SELECT 1 FROM checkins c JOIN answers a ON a.checkin_id = c.id "
        "WHERE c.user_id = u.id)",
        (user_id,),
    ) as cur:
        return await cur.fetchone() is not None


async def _take_role(conn: aiosqlite.Connection, user_id: int, role: Role) -> None:
    """Give a person the role of the link they opened; a former client's schedule ends."""
    await conn.execute("UPDATE users SET role = ? WHERE id = ?", (role.value, user_id))
    if role is not Role.CLIENT:
        await conn.execute("UPDATE users SET schedule_from = NULL WHERE id = ?", (user_id,))
        await conn.execute(
            "UPDATE sends SET status = 'cancelled', reason = 'role' "
            "WHERE user_id = ? AND status = 'planned'",
            (user_id,),
        )
        await conn.execute(
            "UPDATE checkins SET status = 'closed' WHERE user_id = ? AND status = 'open'",
            (user_id,),
        )


class SqliteStore:
    """Every port of the core on one SQLite file; free text is encrypted with the service's key."""

    def __init__(self, db: Database, cipher: Cipher) -> None:
        self.db = db
        self._cipher = cipher

    @classmethod
    async def open(cls, path: Path, cipher: Cipher) -> SqliteStore:
        """Open the database file, migrating it to the current schema."""
        return cls(await Database.open(path, MIGRATIONS), cipher)

    def seal(self, text: str) -> bytes:
        """``text`` encrypted as this store keeps a person's words and names (for seeding)."""
        return self._cipher.encrypt(text)

    async def close(self) -> None:
        """Close the database cleanly."""
        await self.db.close()

    async def get_user(self, user_id: int) -> User | None:
        """The person with this Telegram id, if they have started the bot."""
        row = await self.db.fetchone("SELECT * FROM users WHERE id = ?", (user_id,))
        return _user(row, self._cipher) if row else None

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
            "INSERT OR IGNORE INTO notes (user_id, created_at, body, update_id) "
            "VALUES (?, ?, ?, ?) RETURNING id",
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
        return Redemption.OK, await self.get_user(user_id)

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

    async def copies(self, client_id: int, member_id: int | None = None) -> list[Copy]:
        """The messages in team members' chats that carry the client's words or name: their
        messages to members, the /clients pages about them, and someone close's words that
        reached their staff; with ``member_id``, only in that member's chat (and the client's
        shares there too), and the copies of what that member wrote, wherever they are."""
        one = " AND {} = :member" if member_id is not None else ""
        query = (
            "SELECT 'relay' AS kind, chat_id, message_id, created_at AS sent_at, "
            "member_id AS reader_id, id AS ref FROM relays "
            "WHERE client_id = :client AND message_id IS NOT NULL" + one.format("member_id")
        )
        query += (
            " UNION ALL SELECT 'view', chat_id, message_id, shown_at, member_id, NULL "
            "FROM client_views WHERE client_id = :client" + one.format("member_id")
        )
        # Copies of someone close's words in the client's staff's chats: in one member's
        # chat, and, when that member is the one who wrote them, in every chat.
        mine = ""
        if member_id is not None:
            mine = " AND (c.member_id = :member OR r.member_id = :member)"
        query += (
            " UNION ALL SELECT 'reflection', c.chat_id, c.message_id, c.sent_at, c.member_id, "
            "c.id FROM relay_copies c JOIN relays r ON r.id = c.relay_id "
            "WHERE r.client_id = :client" + mine
        )
        if member_id is not None:
            query += (
                " UNION ALL SELECT 'share', m.chat_id, m.message_id, s.created_at, "
                "r.recipient_id, s.id FROM share_messages m JOIN shares s ON s.id = m.share_id "
                "JOIN share_recipients r ON r.share_id = s.id AND r.chat_id = m.chat_id "
                "WHERE s.client_id = :client AND s.withdrawn_at IS NULL "
                "AND r.recipient_id = :member"
            )
        rows = await self.db.fetchall(query, {"client": client_id, "member": member_id})
        return [
            Copy(
                kind=row["kind"],
                chat_id=row["chat_id"],
                message_id=row["message_id"],
                sent_at=datetime.fromisoformat(row["sent_at"]),
                reader_id=row["reader_id"],
                ref=row["ref"],
            )
            for row in rows
        ]

    async def forget_copy(self, copy: Copy) -> None:
        """A copy was taken back: it is no longer anyone's to take back."""
        if copy.kind == "relay":
            await self.db.execute(
                "UPDATE relays SET chat_id = NULL, message_id = NULL WHERE id = ?", (copy.ref,)
            )
        elif copy.kind == "reflection":
            await self.db.execute("DELETE FROM relay_copies WHERE id = ?", (copy.ref,))
        elif copy.kind == "view":
            await self.drop_client_view(copy.chat_id, copy.message_id)
        else:
            async with self.db.transaction() as conn:
                await conn.execute(
                    "DELETE FROM share_messages WHERE share_id = ? AND chat_id = ? "
                    "AND message_id = ?",
                    (copy.ref, copy.chat_id, copy.message_id),
                )
                await conn.execute(
                    "UPDATE share_recipients SET status = 'deleted', message_id = NULL "
                    "WHERE share_id = ? AND chat_id = ?",
                    (copy.ref, copy.chat_id),
                )

    async def purge_before(self, cutoff: datetime) -> int:
        """Delete what is older than the retention period, by the retention statements of
        ``bot/storage/personal.py``; the number of rows removed."""
        async with self.db.transaction() as conn:
            removed = 0
            for sql in RETAIN:
                cursor = await conn.execute(sql, {"cutoff": iso(cutoff)})
                removed += cursor.rowcount
            return removed

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

    async def shares_before(self, cutoff: datetime) -> list[tuple[int, int]]:
        """(client, share) of every share made before ``cutoff`` and not withdrawn."""
        rows = await self.db.fetchall(
            "SELECT client_id, id FROM shares WHERE created_at < ? AND withdrawn_at IS NULL "
            "ORDER BY id",
            (iso(cutoff),),
        )
        return [(row["client_id"], row["id"]) for row in rows]

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

    # --- the crisis plan and awaited text -----------------------------------------------------

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
                self._payload(kind, payload),
            ),
        )
        return changed == 1

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
            "FROM relays r WHERE r.id = json_extract(sends.payload, '$.relay')) <= ?))",
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

    # --- the team: invites, members, the next meeting -----------------------------------------

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

    # --- shares -------------------------------------------------------------------------------

    async def share_draft(self, client_id: int) -> ShareDraft:
        """The share the client is putting together (empty if none)."""
        row = await self.db.fetchone(
            "SELECT * FROM share_drafts WHERE client_id = ?", (client_id,)
        )
        if row is None:
            return ShareDraft()
        return ShareDraft(
            items=_refs(row["items"]),
            recipients=tuple(int(r) for r in _refs(row["recipients"])),
            body=_open(self._cipher, row["body"]),
            version=row["version"],
        )

    async def save_share_draft(
        self, client_id: int, draft: ShareDraft, now: datetime
    ) -> ShareDraft:
        """Keep the draft; every save gets a new version, so old preview buttons go stale."""
        sealed = self._cipher.encrypt(draft.body) if draft.body is not None else None
        row = await self.db.fetchone_write(
            "INSERT INTO share_drafts (client_id, items, recipients, body, version, updated_at) "
            "VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (client_id) DO UPDATE SET "
            "items = excluded.items, recipients = excluded.recipients, body = excluded.body, "
            "version = share_drafts.version + 1, updated_at = excluded.updated_at "
            "RETURNING version",
            (
                client_id,
                ",".join(draft.items),
                ",".join(str(r) for r in draft.recipients),
                sealed,
                iso(now),
            ),
        )
        assert row is not None
        return ShareDraft(draft.items, draft.recipients, draft.body, row["version"])

    async def drop_share_draft(self, client_id: int) -> None:
        """Forget the draft (sent or cancelled)."""
        await self.db.execute("DELETE FROM share_drafts WHERE client_id = ?", (client_id,))

    async def add_share(
        self,
        client_id: int,
        items: Sequence[str],
        body: str,
        recipients: Sequence[tuple[int, str, int]],
        now: datetime,
        copies: Mapping[int, str] | None = None,
    ) -> int:
        """Record a share before it is sent: its text and each (id, name, chat) it goes to;
        ``copies``: by recipient id, the text one gets when it differs from ``body`` (the lines
        around the client's words in the recipient's language)."""
        own = copies or {}
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO shares (client_id, created_at, items, body) VALUES (?, ?, ?, ?)",
                (client_id, iso(now), ",".join(items), self._cipher.encrypt(body)),
            )
            share_id = cursor.lastrowid
            assert share_id is not None
            await conn.executemany(
                "INSERT INTO share_recipients "
                "(share_id, recipient_id, name, chat_id, status, body) "
                "VALUES (?, ?, ?, ?, 'sending', ?)",
                [
                    (
                        share_id,
                        rid,
                        self._cipher.encrypt(name),
                        chat_id,
                        self._cipher.encrypt(own[rid]) if rid in own else None,
                    )
                    for rid, name, chat_id in recipients
                ],
            )
            await conn.execute("DELETE FROM share_drafts WHERE client_id = ?", (client_id,))
        return share_id

    async def set_delivery(
        self, share_id: int, chat_id: int, status: str, message_id: int | None = None
    ) -> None:
        """Record what happened to a share's message in one chat."""
        await self.db.execute(
            "UPDATE share_recipients SET status = ?, message_id = COALESCE(?, message_id) "
            "WHERE share_id = ? AND chat_id = ?",
            (status, message_id, share_id, chat_id),
        )

    async def shares(self, client_id: int, share_id: int | None = None) -> list[Share]:
        """A client's shares, newest first (or just the one, if it is theirs)."""
        where, params = "client_id = ?", [client_id]
        if share_id is not None:
            where, params = "client_id = ? AND id = ?", [client_id, share_id]
        rows = await self.db.fetchall(
            f"SELECT * FROM shares WHERE {where} ORDER BY id DESC", params
        )
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        found = await self.db.fetchall(
            "SELECT * FROM share_recipients WHERE share_id IN "
            f"({','.join('?' * len(ids))}) ORDER BY rowid",
            ids,
        )
        recipients: dict[int, list[Recipient]] = {}
        for r in found:
            recipients.setdefault(r["share_id"], []).append(
                Recipient(
                    r["recipient_id"],
                    _open(self._cipher, r["name"]) or "",
                    r["chat_id"],
                    r["message_id"],
                    r["status"],
                )
            )
        return [self._share(row, recipients.get(row["id"], [])) for row in rows]

    def _share(self, row: aiosqlite.Row, recipients: Sequence[Recipient]) -> Share:
        return Share(
            id=row["id"],
            client_id=row["client_id"],
            created_at=datetime.fromisoformat(row["created_at"]),
            items=_refs(row["items"]),
            body=_open(self._cipher, row["body"]),
            withdrawn_at=parse_time(row["withdrawn_at"]),
            recipients=tuple(recipients),
        )

    async def withdraw_share(self, share_id: int, client_id: int, now: datetime) -> Share | None:
        """Withdraw a share of this client: its text is erased at once. The share as it was
        (to reach its recipients), or None if it is not theirs or already withdrawn."""
        found = await self.shares(client_id, share_id)
        if not found or found[0].withdrawn_at is not None:
            return None
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE shares SET withdrawn_at = ?, body = NULL "
                "WHERE id = ? AND client_id = ? AND withdrawn_at IS NULL",
                (iso(now), share_id, client_id),
            )
            changed = cursor.rowcount
            await conn.execute(
                "UPDATE share_recipients SET body = NULL WHERE share_id = ?", (share_id,)
            )
        return found[0] if changed == 1 else None

    async def shared_with(self, member_id: int, client_id: int) -> list[Share]:
        """What a client shared with this team member and has not withdrawn, newest first.
        Empty unless the member is in the client's team now."""
        rows = await self.db.fetchall(
            "SELECT s.*, r.body AS copy FROM shares s "
            "JOIN share_recipients r ON r.share_id = s.id "
            "JOIN team t ON t.client_id = s.client_id AND t.member_id = r.recipient_id "
            "WHERE s.client_id = ? AND r.recipient_id = ? AND s.withdrawn_at IS NULL "
            "ORDER BY s.id DESC",
            (client_id, member_id),
        )
        # Each as this member got it: in their language around the client's own words.
        return [
            replace(self._share(row, ()), body=_open(self._cipher, row["copy"]))
            if row["copy"] is not None
            else self._share(row, ())
            for row in rows
        ]

    # --- messages between a client and their team --------------------------------------------

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

    def _payload(self, kind: str, payload: str) -> str | bytes:
        """What a send carries; a notice's (which may name someone) is sealed."""
        return self._cipher.encrypt(payload) if kind == "notice" else payload

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

    async def last_sent_at(self, user_id: int) -> datetime | None:
        """When the bot last started a conversation with this person (any kind of send)."""
        row = await self.db.fetchone(
            "SELECT MAX(sent_at) AS last FROM sends WHERE user_id = ? AND sent_at IS NOT NULL",
            (user_id,),
        )
        return parse_time(row["last"]) if row else None

    async def add_client_view(
        self, member_id: int, client_id: int, chat_id: int, message_id: int, now: datetime
    ) -> None:
        """Remember a /clients message that shows what a client shared with a member."""
        await self.db.execute(
            "INSERT INTO client_views (member_id, client_id, chat_id, message_id, shown_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (member_id, client_id, chat_id, message_id, iso(now)),
        )

    async def client_views(
        self, client_id: int, member_ids: Sequence[int]
    ) -> list[tuple[int, int]]:
        """The (chat, message) of every /clients message showing this client to these members."""
        if not member_ids:
            return []
        rows = await self.db.fetchall(
            "SELECT chat_id, message_id FROM client_views WHERE client_id = ? AND member_id IN "
            f"({','.join('?' * len(member_ids))})",
            (client_id, *member_ids),
        )
        return [(row["chat_id"], row["message_id"]) for row in rows]

    async def drop_client_view(self, chat_id: int, message_id: int) -> None:
        """Forget a /clients message once it was taken back."""
        await self.db.execute(
            "DELETE FROM client_views WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
        )

    async def add_share_message(self, share_id: int, chat_id: int, message_id: int) -> None:
        """Remember one message a share became in one chat (a long share is several)."""
        await self.db.execute(
            "INSERT INTO share_messages (share_id, chat_id, message_id) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (share_id, chat_id, message_id),
        )

    async def share_messages(self, share_id: int) -> list[tuple[int, int]]:
        """Every (chat, message) a share became, in the order they were sent."""
        rows = await self.db.fetchall(
            "SELECT chat_id, message_id FROM share_messages WHERE share_id = ? ORDER BY rowid",
            (share_id,),
        )
        return [(row["chat_id"], row["message_id"]) for row in rows]


def _refs(text: str | None) -> tuple[str, ...]:
    return tuple(part for part in (text or "").split(",") if part)

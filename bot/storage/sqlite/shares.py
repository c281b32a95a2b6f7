"""The ``ShareStore`` port on SQLite: what clients share, with whom, and where it was shown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

import aiosqlite

from bot.core.model import Recipient, Share, ShareDraft
from bot.storage.sqlite.rows import Adapter, _drop_client_view, _open, iso, parse_time


class SqliteShares(Adapter):
    """Shares, their drafts, their recipients and messages, and /clients pages."""

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
                "INSERT INTO shares (client_id, created_at, items, body) VALUES (?, ?, ?, ?) "
                "RETURNING id",
                (client_id, iso(now), ",".join(items), self._cipher.encrypt(body)),
            )
            made = await cursor.fetchone()
            assert made is not None
            share_id = made[0]
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

    async def shares_before(self, cutoff: datetime) -> list[tuple[int, int]]:
        """(client, share) of every share made before ``cutoff`` and not withdrawn."""
        rows = await self.db.fetchall(
            "SELECT client_id, id FROM shares WHERE created_at < ? AND withdrawn_at IS NULL "
            "ORDER BY id",
            (iso(cutoff),),
        )
        return [(row["client_id"], row["id"]) for row in rows]

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
        await _drop_client_view(self.db, chat_id, message_id)

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

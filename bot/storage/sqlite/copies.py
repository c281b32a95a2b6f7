"""The ``CopyStore`` port on SQLite: where a client's words arrived in team members' chats."""

from __future__ import annotations

from datetime import datetime

from bot.core.model import Copy
from bot.storage.sqlite.rows import Adapter, _drop_client_view


class SqliteCopies(Adapter):
    """The copies of a client's words in team members' chats, to take them back."""

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
            await _drop_client_view(self.db, copy.chat_id, copy.message_id)
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

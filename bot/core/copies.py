"""Taking back what a client's words became in other people's chats.

When a client erases their data, and when someone leaves a client's team (removed by the client,
or erasing their own account), the messages that carry the client's words or name in a team
member's chat are taken back: deleted where Telegram still allows it, otherwise replaced by a line
saying they were taken back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta

from bot.core.model import Relay, User
from bot.core.ports import CopyStore, MessageStore, Outbox, People, TeamStore
from bot.core.views import Say, t

DELETE_WINDOW = timedelta(hours=48)  # after this, Telegram lets a bot edit its messages only

#: What a copy that can no longer be deleted says instead, by kind of copy.
REPLACEMENT = {
    "relay": "relay.taken_back",
    "view": "clients.view_changed",
    "share": "share.withdrawn_note",
    "reflection": "reflection.taken_back",
}


async def give_staff(
    teams: TeamStore,
    messages: MessageStore,
    send: Callable[[User, Say], Awaitable[int | None]],
    client: User,
    relay: Relay,
    say: Say,
    now: datetime,
) -> None:
    """``say`` (a copy of someone close's words) to each of the client's staff but the writer,
    by ``send`` (the message's id, or None if it did not go); each copy that went is recorded,
    so it can be taken back."""
    for member in await teams.team_of(client.id):
        if not member.role.is_staff or member.person.id == relay.member_id:
            continue
        sent = await send(member.person, say)
        if sent is not None:
            await messages.add_relay_copy(
                relay.id, member.person.id, member.person.chat_id, sent, now
            )


async def retract(
    outbox: Outbox,
    people: People,
    client: User,
    chat_id: int,
    message_id: int,
    replacement: str,
    reader_id: int | None = None,
    delete: bool = True,
) -> str:
    """Delete a message; where that is not possible, replace its words. The status: deleted,
    edited, or gone (neither was possible: the chat is gone or blocked the bot)."""
    if delete and await outbox.delete(chat_id, message_id):
        return "deleted"
    found = await people.get_user(reader_id if reader_id is not None else chat_id)
    # Someone whose account is gone reads the line in the client's language.
    reader = replace(found or client, chat_id=chat_id)
    if await outbox.edit(reader, message_id, Say.of(t(replacement, name=client.name))):
        return "edited"
    return "gone"


class Copies:
    """Every copy of a client's words in team members' chats, and taking them back."""

    def __init__(self, store: CopyStore, people: People, outbox: Outbox) -> None:
        self._store = store
        self._people = people
        self._outbox = outbox

    async def take_back(self, client: User, now: datetime, member_id: int | None = None) -> int:
        """Take back the client's copies in every member's chat, or in one member's; how many."""
        copies = await self._store.copies(client.id, member_id)
        for copy in copies:
            await retract(
                self._outbox,
                self._people,
                client,
                copy.chat_id,
                copy.message_id,
                REPLACEMENT[copy.kind],
                reader_id=copy.reader_id,
                delete=now - copy.sent_at < DELETE_WINDOW,
            )
            await self._store.forget_copy(copy)
        return len(copies)

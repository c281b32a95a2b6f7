"""The chats' state and the user side: users, messages, updates they cause, and inspection."""

from __future__ import annotations

import asyncio
import copy
import itertools
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from bot.standin.markup import inline
from bot.standin.records import ChatMessage, FakeUser
from bot.standin.text import command_entities
from bot.standin.wire import JSONDict


class Chats:
    """Private chats between the bot and its users, driven from the user's side.

    The base of :class:`~bot.standin.FakeBotAPI`, which adds the Bot API methods and the
    request layer; see there for the arguments.
    """

    def __init__(
        self,
        *,
        bot_id: int,
        bot_username: str,
        bot_name: str,
        now: Callable[[], datetime],
    ) -> None:
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.now: Callable[[], datetime] = now
        self.queue_updates = False

        self.users: dict[int, FakeUser] = {}
        self.calls: list[tuple[str, JSONDict]] = []
        self.sent_count = 0

        self._history: dict[int, list[ChatMessage]] = {}
        self._by_id: dict[tuple[int, int], ChatMessage] = {}
        self._next_message_id: dict[int, int] = {}
        self._update_ids: Iterator[int] = itertools.count(1)
        self._query_ids: Iterator[int] = itertools.count(4_000_000_000_000_000_001)
        self._file_ids: Iterator[int] = itertools.count(1)
        self._open_queries: dict[str, tuple[int, int]] = {}
        self._update_queue: list[JSONDict] = []
        self._update_waiters: list[asyncio.Future[None]] = []
        self._message_waiters: list[tuple[int, int, asyncio.Future[None]]] = []

    # ---- users ----------------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str = "Alex",
        language_code: str | None = "en",
        username: str | None = None,
    ) -> FakeUser:
        """Register a user who has started the bot (so sends to them succeed)."""
        user = self.users.get(user_id)
        if user is None:
            user = FakeUser(user_id, first_name, language_code, username)
            self.users[user_id] = user
        else:
            user.first_name, user.language_code, user.username = (
                first_name,
                language_code,
                username,
            )
        return user

    def block(self, user_id: int, *, notify: bool = True) -> JSONDict | None:
        """The user blocks the bot; with ``notify`` return (and queue) a my_chat_member update."""
        self._ensure_user(user_id)
        if notify:
            return self.member_status(user_id, "kicked")
        self.users[user_id].blocked = True
        return None

    def unblock(self, user_id: int, *, notify: bool = True) -> JSONDict | None:
        """The user unblocks the bot; with ``notify`` return (and queue) my_chat_member."""
        self._ensure_user(user_id)
        if notify:
            return self.member_status(user_id, "member")
        self.users[user_id].blocked = False
        return None

    def deactivate(self, user_id: int) -> None:
        """The user deletes their account: sends get 403 "user is deactivated"."""
        self._ensure_user(user_id).deactivated = True

    def _ensure_user(self, user_id: int) -> FakeUser:
        return self.users.get(user_id) or self.add_user(user_id)

    # ---- the user side: updates -----------------------------------------------------------

    def text(self, user_id: int, text: str) -> JSONDict:
        """The user sends a text message (commands get a ``bot_command`` entity)."""
        self._ensure_user(user_id)
        msg = self._record(user_id, from_bot=False, text=text, entities=command_entities(text))
        return self._emit("message", self._message_json(msg))

    def sticker(self, user_id: int, emoji: str = "👍") -> JSONDict:
        """The user sends a sticker."""
        self._ensure_user(user_id)
        file_id, unique_id = self._new_file_id("CAACAgIAAxkBAAI")
        sticker = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": 20480,
        }
        msg = self._record(user_id, from_bot=False, kind="sticker", extra={"sticker": sticker})
        return self._emit("message", self._message_json(msg))

    def photo(self, user_id: int, caption: str | None = None) -> JSONDict:
        """The user sends a photo (two sizes, like Telegram)."""
        self._ensure_user(user_id)
        sizes = self._photo_sizes(1280, 960, 123456)
        msg = self._record(
            user_id, from_bot=False, kind="photo", caption=caption, extra={"photo": sizes}
        )
        return self._emit("message", self._message_json(msg))

    def voice(self, user_id: int, duration: int = 3) -> JSONDict:
        """The user sends a voice note."""
        self._ensure_user(user_id)
        file_id, unique_id = self._new_file_id("AwACAgIAAxkBAAI")
        voice = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": 4000 * duration,
        }
        msg = self._record(user_id, from_bot=False, kind="voice", extra={"voice": voice})
        return self._emit("message", self._message_json(msg))

    def edit(self, user_id: int, message_id: int, new_text: str) -> JSONDict:
        """The user edits one of their earlier text messages (an ``edited_message`` update)."""
        msg = self._by_id.get((user_id, message_id))
        if msg is None or msg.from_bot or msg.text is None:
            raise ValueError(f"user {user_id} has no text message {message_id} to edit")
        msg.text = new_text
        msg.entities = command_entities(new_text)
        msg.edit_count += 1
        msg.edit_date = self._timestamp()
        return self._emit("edited_message", self._message_json(msg))

    def press(self, user_id: int, message_id: int, data: str) -> JSONDict:
        """The user presses an inline button with ``data`` on message ``message_id``.

        The query carries the message as it is now; a deleted or unknown message arrives as an
        inaccessible message (``date`` 0), as Telegram sends it.
        """
        user = self._ensure_user(user_id)
        msg = self._by_id.get((user_id, message_id))
        if msg is not None and not msg.deleted:
            message = self._message_json(msg)
        else:
            message = {"message_id": message_id, "date": 0, "chat": user.chat_json()}
        query_id = str(next(self._query_ids))
        self._open_queries[query_id] = (user_id, message_id)
        query = {
            "id": query_id,
            "from": user.to_json(),
            "chat_instance": str(user_id * 1_000_003 + self.bot_id),
            "message": message,
            "data": data,
        }
        return self._emit("callback_query", query)

    def click(self, user_id: int, label: str) -> JSONDict:
        """Press the button labelled ``label`` on the newest bot message that shows one."""
        for msg in reversed(self.messages(user_id)):
            for text, data in msg.buttons():
                if text == label:
                    return self.press(user_id, msg.message_id, data)
        shown = [pair[0] for m in self.messages(user_id) for pair in m.buttons()]
        raise AssertionError(f"no button {label!r} in chat {user_id}; buttons shown: {shown}")

    def member_status(self, user_id: int, status: str) -> JSONDict:
        """A ``my_chat_member`` update: the user blocks ("kicked") or restarts ("member")."""
        if status not in ("member", "kicked"):
            raise ValueError("a private chat knows only 'member' and 'kicked'")
        user = self._ensure_user(user_id)
        old = "kicked" if user.blocked else "member"
        user.blocked = status == "kicked"
        new_member: JSONDict = {"user": self._bot_json(), "status": status}
        if status == "kicked":
            new_member["until_date"] = 0
        old_member: JSONDict = {"user": self._bot_json(), "status": old}
        if old == "kicked":
            old_member["until_date"] = 0
        payload = {
            "chat": user.chat_json(),
            "from": user.to_json(),
            "date": self._timestamp(),
            "old_chat_member": old_member,
            "new_chat_member": new_member,
        }
        return self._emit("my_chat_member", payload)

    def _emit(self, kind: str, payload: JSONDict) -> JSONDict:
        update = {"update_id": next(self._update_ids), kind: payload}
        if self.queue_updates:
            self._update_queue.append(copy.deepcopy(update))
            self._wake_pollers()
        return update

    @property
    def pending_updates(self) -> int:
        """How many queued updates getUpdates has not had confirmed yet."""
        return len(self._update_queue)

    @property
    def waiting_polls(self) -> int:
        """How many getUpdates long polls are waiting for an update right now."""
        return sum(1 for waiter in self._update_waiters if not waiter.done())

    # ---- inspection -----------------------------------------------------------------------

    def messages(
        self, chat_id: int, *, include_deleted: bool = False, from_bot: bool | None = True
    ) -> list[ChatMessage]:
        """Messages of a chat in order of sending (``from_bot=None``: both sides)."""
        return [
            msg
            for msg in self._history.get(chat_id, [])
            if (include_deleted or not msg.deleted)
            and (from_bot is None or msg.from_bot == from_bot)
        ]

    def last(self, chat_id: int) -> ChatMessage:
        """The last bot message in the chat that is not deleted."""
        shown = self.messages(chat_id)
        if not shown:
            methods = [method for method, _ in self.calls]
            raise AssertionError(
                f"the bot has no (undeleted) message in chat {chat_id}; requests so far: {methods}"
            )
        return shown[-1]

    @property
    def chat_ids(self) -> list[int]:
        """Chats that have any message, in order of first message."""
        return list(self._history)

    def reset_calls(self) -> None:
        """Forget recorded requests and reset :attr:`sent_count` (messages stay)."""
        self.calls.clear()
        self.sent_count = 0

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - the agreed signature
    ) -> list[ChatMessage]:
        """Wait until the bot has sent at least ``count`` messages to the chat.

        Deleted messages count (they were sent); all of them are returned, in order.

        Raises:
            TimeoutError: if the chat has fewer than ``count`` bot messages after ``timeout``.
        """
        if self._bot_message_count(chat_id) < count:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            entry = (chat_id, count, waiter)
            self._message_waiters.append(entry)
            try:
                await asyncio.wait_for(waiter, timeout)
            except TimeoutError:
                have = self._bot_message_count(chat_id)
                raise TimeoutError(
                    f"chat {chat_id} has {have} bot messages after {timeout}s, wanted {count}"
                ) from None
            finally:
                if entry in self._message_waiters:
                    self._message_waiters.remove(entry)
        return self.messages(chat_id, include_deleted=True)

    async def next_message(
        self,
        chat_id: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - same shape as wait_for_messages
    ) -> ChatMessage:
        """Wait for the next bot message to the chat (sent after this call) and return it."""
        seen = self._bot_message_count(chat_id)
        sent = await self.wait_for_messages(chat_id, seen + 1, timeout)
        return sent[seen]

    def _bot_message_count(self, chat_id: int) -> int:
        return sum(1 for msg in self._history.get(chat_id, []) if msg.from_bot)

    # ---- storage --------------------------------------------------------------------------

    def _timestamp(self) -> int:
        return int(self.now().timestamp())

    def _record(self, chat_id: int, *, from_bot: bool, **fields: Any) -> ChatMessage:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        msg = ChatMessage(message_id, chat_id, from_bot, self._timestamp(), **fields)
        self._history.setdefault(chat_id, []).append(msg)
        self._by_id[(chat_id, message_id)] = msg
        if from_bot:
            self.sent_count += 1
            self._notify_message_waiters(chat_id)
        return msg

    def _notify_message_waiters(self, chat_id: int) -> None:
        have = self._bot_message_count(chat_id)
        for waiter_chat, wanted, waiter in self._message_waiters:
            if waiter_chat == chat_id and have >= wanted and not waiter.done():
                waiter.set_result(None)

    def _wake_pollers(self) -> None:
        waiters, self._update_waiters = self._update_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _new_file_id(self, prefix: str) -> tuple[str, str]:
        number = next(self._file_ids)
        return f"{prefix}{number:010d}", f"AgAD{number:08d}"

    def _photo_sizes(self, width: int, height: int, size: int) -> list[JSONDict]:
        small_id, small_unique = self._new_file_id("AgACAgIAAxkBAAI")
        big_id, big_unique = self._new_file_id("AgACAgIAAxkBAAI")
        scale = 90 / max(width, height, 1)
        return [
            {
                "file_id": small_id,
                "file_unique_id": small_unique,
                "width": max(1, round(width * scale)),
                "height": max(1, round(height * scale)),
                "file_size": max(1, size // 40),
            },
            {
                "file_id": big_id,
                "file_unique_id": big_unique,
                "width": width,
                "height": height,
                "file_size": size,
            },
        ]

    def _bot_json(self) -> JSONDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    def _message_json(self, msg: ChatMessage, *, nested: bool = False) -> JSONDict:
        user = self.users.get(msg.chat_id) or FakeUser(msg.chat_id)
        data: JSONDict = {
            "message_id": msg.message_id,
            "from": self._bot_json() if msg.from_bot else user.to_json(),
            "chat": user.chat_json(),
            "date": msg.date,
        }
        if msg.edit_date is not None:
            data["edit_date"] = msg.edit_date
        if msg.text is not None:
            data["text"] = msg.text
            if msg.entities:
                data["entities"] = copy.deepcopy(msg.entities)
        if msg.caption is not None:
            data["caption"] = msg.caption
            if msg.entities:
                data["caption_entities"] = copy.deepcopy(msg.entities)
        data.update(copy.deepcopy(msg.extra))
        markup = inline(msg.reply_markup)
        if markup is not None:
            data["reply_markup"] = copy.deepcopy(markup)
        if msg.reply_to is not None and not nested:
            target = self._by_id.get((msg.chat_id, msg.reply_to))
            if target is not None and not target.deleted:
                data["reply_to_message"] = self._message_json(target, nested=True)
        return data

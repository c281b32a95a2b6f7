"""The Bot API methods the bot calls, answered from (and changing) the chats' state."""

from __future__ import annotations

import asyncio
import copy
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from bot.standin.chats import Chats
from bot.standin.markup import inline, parse_markup
from bot.standin.records import ChatMessage, FakeUser, StoredFile, document_json, image_size
from bot.standin.text import read_caption, read_text
from bot.standin.wire import APIError, Files, JSONDict, as_int, as_json, bad

MAX_CALLBACK_ANSWER_LENGTH: Final = 200
DELETE_WINDOW: Final = timedelta(hours=48)

CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

_NOT_MODIFIED: Final = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD: Final = "query is too old and response timeout expired or query ID is invalid"
_BOT_COMMAND_NAME_RE: Final = re.compile(r"[a-z0-9_]{1,32}")

#: A synchronous Bot API method: (parameters, multipart files) -> the "result" of the answer.
Handler = Callable[[JSONDict, Files], object]


class BotMethods(Chats):
    """The Bot API side of the chats: one handler per method, raising :class:`APIError`.

    ``getUpdates`` is the one asynchronous method (a long poll); every other method is in
    ``_handlers``. The base of :class:`~bot.standin.FakeBotAPI`.
    """

    def __init__(
        self,
        *,
        bot_id: int,
        bot_username: str,
        bot_name: str,
        now: Callable[[], datetime],
    ) -> None:
        super().__init__(bot_id=bot_id, bot_username=bot_username, bot_name=bot_name, now=now)
        self.callback_answers: dict[str, JSONDict] = {}
        self.commands: dict[tuple[str, int | None, str], list[JSONDict]] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.descriptions: dict[tuple[str, str], str] = {}
        self.menu_buttons: dict[int | None, JSONDict] = {}
        self.files: dict[str, StoredFile] = {}
        self.webhook_url = ""
        # Every screen with buttons a person was shown, as it was shown (text, labels): what
        # the tests hold the limits on choices against, edits included.
        self.screens: list[tuple[str, tuple[str, ...]]] = []

        self._allowed_updates: list[str] | None = None
        self._poll_seq = 0
        self._handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "logOut": lambda p, f: True,
            "close": lambda p, f: True,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": self._setter("description"),
            "getMyDescription": self._getter("description"),
            "setMyShortDescription": self._setter("short_description"),
            "getMyShortDescription": self._getter("short_description"),
            "setMyName": self._setter("name"),
            "getMyName": self._getter("name"),
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageCaption": self._edit_message_caption,
            "editMessageMedia": self._edit_message_media,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "sendChatAction": self._send_chat_action,
            "getChat": self._get_chat,
        }

    # ---- request helpers ------------------------------------------------------------------

    def _recipient(self, params: JSONDict) -> FakeUser:
        """The user behind ``chat_id``, or the error Telegram gives for that chat."""
        if "chat_id" not in params:
            raise bad("chat_id is empty")
        chat_id = as_int(params["chat_id"])
        if chat_id is None:
            raise bad("chat not found")
        user = self.users.get(chat_id)
        if user is None:
            if chat_id > 0:
                raise APIError(403, "Forbidden: bot can't initiate conversation with a user")
            raise bad("chat not found")
        if user.deactivated:
            raise APIError(403, "Forbidden: user is deactivated")
        if user.blocked:
            raise APIError(403, "Forbidden: bot was blocked by the user")
        return user

    def _reply_target(self, chat_id: int, params: JSONDict) -> int | None:
        reply = as_json(params.get("reply_parameters"))
        if not isinstance(reply, dict):
            return None
        message_id = as_int(reply.get("message_id"))
        target = self._by_id.get((chat_id, message_id or 0))
        if target is None or target.deleted:
            if reply.get("allow_sending_without_reply"):
                return None
            raise bad("message to be replied not found")
        return target.message_id

    def _target_message(self, params: JSONDict, missing: str) -> ChatMessage:
        if "inline_message_id" in params:
            raise bad("MESSAGE_ID_INVALID")
        user = self._recipient(params)
        message_id = as_int(params.get("message_id"))
        if message_id is None:
            raise bad("message identifier is not specified")
        msg = self._by_id.get((user.id, message_id))
        if msg is None or msg.deleted:
            raise bad(missing)
        return msg

    def _input_file(self, params: JSONDict, files: Files, name: str) -> StoredFile:
        value = params.get(name)
        part = None
        if isinstance(value, str) and value.startswith("attach://"):
            part = files.get(value[len("attach://") :])
        elif value is None:
            part = files.get(name)
        if part is not None:
            file_name, content, mime_type = part
            if not isinstance(content, bytes):
                content = content.read()
            if not content:
                raise bad("file must be non-empty")
            file_id, unique_id = self._new_file_id(
                "BQACAgIAAxkBAAI" if name == "document" else "AgACAgIAAxkBAAI"
            )
            stored = StoredFile(file_id, unique_id, file_name, mime_type, bytes(content))
            self.files[file_id] = stored
            return stored
        if isinstance(value, str) and value in self.files:
            return self.files[value]
        if isinstance(value, str) and value:
            raise bad("wrong file identifier/HTTP URL specified")
        raise bad(f"there is no {name} in the request")

    # ---- methods: bot and updates ---------------------------------------------------------

    def _get_me(self, params: JSONDict, files: Files) -> JSONDict:
        return {
            **self._bot_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        """``getUpdates``: a long poll that a newer one terminates (409), as Telegram's does."""
        if self.webhook_url:
            raise APIError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = as_int(params.get("offset")) or 0
        limit = min(max(as_int(params.get("limit")) or 100, 1), 100)
        timeout = float(params.get("timeout") or 0)
        allowed = as_json(params.get("allowed_updates"))
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed] or None

        self._poll_seq += 1
        my_poll = self._poll_seq
        self._wake_pollers()  # an older long poll still waiting is terminated (409)
        if offset > 0:
            self._update_queue = [u for u in self._update_queue if u["update_id"] >= offset]
        elif offset < 0:
            self._update_queue = self._update_queue[offset:]

        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(timeout, 0.0)
        while True:
            batch = self._deliverable(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0:
                return batch
            waiter: asyncio.Future[None] = loop.create_future()
            self._update_waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                return self._deliverable(limit)
            finally:
                if waiter in self._update_waiters:
                    self._update_waiters.remove(waiter)
            if self._poll_seq != my_poll:
                raise APIError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )

    def _deliverable(self, limit: int) -> list[JSONDict]:
        if self._allowed_updates is not None:
            allowed = set(self._allowed_updates)
            self._update_queue = [
                u
                for u in self._update_queue
                if any(key in allowed for key in u if key != "update_id")
            ]
        return self._update_queue[:limit]

    def _delete_webhook(self, params: JSONDict, files: Files) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._update_queue.clear()
        return True

    def _set_webhook(self, params: JSONDict, files: Files) -> bool:
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = url
        if params.get("drop_pending_updates"):
            self._update_queue.clear()
        allowed = as_json(params.get("allowed_updates"))
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed] or None
        return True

    def _get_webhook_info(self, params: JSONDict, files: Files) -> JSONDict:
        info: JSONDict = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._update_queue),
        }
        if self._allowed_updates is not None:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    # ---- methods: commands and profile ----------------------------------------------------

    def _scope_key(self, params: JSONDict) -> tuple[str, int | None, str]:
        scope = as_json(params.get("scope")) or {"type": "default"}
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise bad("can't parse BotCommandScope JSON object")
        kind = scope["type"]
        chat_id = as_int(scope.get("chat_id")) if "chat_id" in scope else None
        if kind in ("chat", "chat_administrators", "chat_member"):
            if chat_id is None or chat_id not in self.users:
                raise bad("chat not found")
        elif kind not in (
            "default",
            "all_private_chats",
            "all_group_chats",
            "all_chat_administrators",
        ):
            raise bad("wrong parameter scope in request")
        return kind, chat_id, str(params.get("language_code") or "")

    def _set_my_commands(self, params: JSONDict, files: Files) -> bool:
        commands = as_json(params.get("commands"))
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad("BOT_COMMANDS_TOO_MUCH" if isinstance(commands, list) else "commands empty")
        cleaned: list[JSONDict] = []
        for item in commands:
            if not isinstance(item, dict):
                raise bad("can't parse BotCommand JSON object")
            name = str(item.get("command", ""))
            description = str(item.get("description", ""))
            if not _BOT_COMMAND_NAME_RE.fullmatch(name):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        key = self._scope_key(params)
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        return True

    def _get_my_commands(self, params: JSONDict, files: Files) -> list[JSONDict]:
        return copy.deepcopy(self.commands.get(self._scope_key(params), []))

    def _delete_my_commands(self, params: JSONDict, files: Files) -> bool:
        self.commands.pop(self._scope_key(params), None)
        return True

    def _setter(self, kind: str) -> Handler:
        def handler(params: JSONDict, files: Files) -> bool:
            key = (kind, str(params.get("language_code") or ""))
            value = str(params.get(kind) or "")
            if value:
                self.descriptions[key] = value
            else:
                self.descriptions.pop(key, None)
            return True

        return handler

    def _getter(self, kind: str) -> Handler:
        def handler(params: JSONDict, files: Files) -> JSONDict:
            language = str(params.get("language_code") or "")
            value = self.descriptions.get((kind, language)) or self.descriptions.get((kind, ""))
            if value is None and kind == "name":
                value = self.bot_name
            return {kind: value or ""}

        return handler

    def _set_chat_menu_button(self, params: JSONDict, files: Files) -> bool:
        chat_id = as_int(params.get("chat_id")) if "chat_id" in params else None
        button = as_json(params.get("menu_button")) or {"type": "default"}
        if not isinstance(button, dict):
            raise bad("can't parse MenuButton JSON object")
        self.menu_buttons[chat_id] = dict(button)
        return True

    def _get_chat_menu_button(self, params: JSONDict, files: Files) -> JSONDict:
        chat_id = as_int(params.get("chat_id")) if "chat_id" in params else None
        button = self.menu_buttons.get(chat_id) or self.menu_buttons.get(None)
        return dict(button) if button else {"type": "commands"}

    def _get_chat(self, params: JSONDict, files: Files) -> JSONDict:
        user = self.users.get(as_int(params.get("chat_id")) or 0)
        if user is None:
            raise bad("chat not found")
        return {
            **user.chat_json(),
            "accent_color_id": user.id % 7,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    # ---- methods: messages ----------------------------------------------------------------

    def _send_message(self, params: JSONDict, files: Files) -> JSONDict:
        user = self._recipient(params)
        text, entities = read_text(params)
        markup = parse_markup(params.get("reply_markup"))
        reply_to = self._reply_target(user.id, params)
        msg = self._record(
            user.id,
            from_bot=True,
            text=text,
            entities=entities,
            reply_markup=markup,
            reply_to=reply_to,
        )
        return self._shown(msg)

    def _send_media(self, params: JSONDict, files: Files, kind: str) -> JSONDict:
        """sendDocument and sendPhoto: store the file, record the message with its caption."""
        user = self._recipient(params)
        stored = self._input_file(params, files, kind)
        caption, entities = read_caption(params)
        fields: dict[str, Any]
        extra: object
        if kind == "document":
            fields = {
                "document": {
                    "file_name": stored.file_name,
                    "mime_type": stored.mime_type,
                    "content": stored.content,
                    "file_id": stored.file_id,
                }
            }
            extra = document_json(stored)
        else:
            fields = {"photo": stored.content}
            extra = self._photo_json(stored)
        msg = self._record(
            user.id,
            from_bot=True,
            kind=kind,
            caption=caption,
            entities=entities,
            reply_markup=parse_markup(params.get("reply_markup")),
            reply_to=self._reply_target(user.id, params),
            extra={kind: extra},
            **fields,
        )
        return self._shown(msg)

    def _photo_json(self, stored: StoredFile) -> list[JSONDict]:
        width, height = image_size(stored.content)
        return self._photo_sizes(width, height, len(stored.content))

    def _send_document(self, params: JSONDict, files: Files) -> JSONDict:
        return self._send_media(params, files, "document")

    def _send_photo(self, params: JSONDict, files: Files) -> JSONDict:
        return self._send_media(params, files, "photo")

    def _editable(self, params: JSONDict) -> ChatMessage:
        msg = self._target_message(params, "message to edit not found")
        if not msg.from_bot:
            raise bad("message can't be edited")
        return msg

    def _edit_markup(self, params: JSONDict) -> JSONDict | None:
        """Markup of an edit: only inline keyboards; leaving it out removes the keyboard."""
        markup = parse_markup(params.get("reply_markup"))
        if markup is not None and "inline_keyboard" not in markup:
            raise bad("inline keyboard expected")
        return markup

    def _edit_content(
        self,
        msg: ChatMessage,
        params: JSONDict,
        old: str | None,
        new: str | None,
        entities: list[JSONDict],
    ) -> None:
        """Refuse an edit that changes nothing, as Telegram does; else take entities and markup."""
        markup = self._edit_markup(params)
        if new == old and entities == msg.entities and markup == inline(msg.reply_markup):
            raise bad(_NOT_MODIFIED)
        msg.entities, msg.reply_markup = entities, markup

    def _edit_message_text(self, params: JSONDict, files: Files) -> JSONDict:
        msg = self._editable(params)
        if msg.text is None:
            raise bad("there is no text in the message to edit")
        text, entities = read_text(params)
        self._edit_content(msg, params, msg.text, text, entities)
        msg.text = text
        return self._mark_edited(msg)

    def _edit_message_caption(self, params: JSONDict, files: Files) -> JSONDict:
        msg = self._editable(params)
        if msg.kind not in ("document", "photo"):
            raise bad("there is no caption in the message to edit")
        caption, entities = read_caption(params)
        self._edit_content(msg, params, msg.caption, caption, entities)
        msg.caption = caption
        return self._mark_edited(msg)

    def _edit_message_media(self, params: JSONDict, files: Files) -> JSONDict:
        """editMessageMedia: a photo (or document) message gets another photo and caption."""
        msg = self._editable(params)
        if msg.kind not in ("document", "photo"):
            raise bad("there is no media in the message to edit")
        media = as_json(params.get("media"))
        if not isinstance(media, dict) or media.get("type") != "photo":
            raise bad("can't parse InputMedia: photo expected")
        stored = self._input_file({"photo": media.get("media")}, files, "photo")
        caption, entities = read_caption(media)
        msg.reply_markup = self._edit_markup(params)
        msg.kind, msg.photo, msg.document = "photo", stored.content, None
        msg.caption, msg.entities = caption, entities
        msg.extra = {"photo": self._photo_json(stored)}
        return self._mark_edited(msg)

    def _edit_message_reply_markup(self, params: JSONDict, files: Files) -> JSONDict:
        msg = self._editable(params)
        markup = self._edit_markup(params)
        if markup == inline(msg.reply_markup):
            raise bad(_NOT_MODIFIED)
        msg.reply_markup = markup
        return self._mark_edited(msg)

    def _note_screen(self, msg: ChatMessage) -> None:
        """Note the message as it now stands in the chat, if it has buttons."""
        labels = tuple(label for label, _ in msg.buttons())
        if labels:
            self.screens.append((msg.body, labels))

    def _shown(self, msg: ChatMessage) -> JSONDict:
        """A new message from the bot, as Telegram returns it."""
        self._note_screen(msg)
        return self._message_json(msg)

    def _mark_edited(self, msg: ChatMessage) -> JSONDict:
        self._note_screen(msg)
        msg.edit_count += 1
        msg.edit_date = self._timestamp()
        return self._message_json(msg)

    def _delete_message(self, params: JSONDict, files: Files) -> bool:
        msg = self._target_message(params, "message to delete not found")
        if self.now() - datetime.fromtimestamp(msg.date, UTC) >= DELETE_WINDOW:
            raise bad("message can't be deleted for everyone")
        msg.deleted = True
        return True

    def _answer_callback_query(self, params: JSONDict, files: Files) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._open_queries:
            raise bad(_QUERY_TOO_OLD)
        text = params.get("text")
        if isinstance(text, str) and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad("MESSAGE_TOO_LONG")
        del self._open_queries[query_id]
        self.callback_answers[query_id] = {
            "text": text,
            "show_alert": bool(params.get("show_alert", False)),
            "url": params.get("url"),
            "cache_time": params.get("cache_time"),
        }
        return True

    def _send_chat_action(self, params: JSONDict, files: Files) -> bool:
        user = self._recipient(params)
        action = str(params.get("action", ""))
        if action not in CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        self.chat_actions.append((user.id, action))
        return True

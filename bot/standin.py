"""An in-process stand-in for the Telegram Bot API that the real PTB stack talks to."""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import random
import re
import struct
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = [
    "FAULT_KINDS",
    "MESSAGE_METHODS",
    "ChatMessage",
    "FakeBotAPI",
    "FakeUser",
    "Fault",
    "utf16_len",
]

JSONDict = dict[str, Any]
_Files = Mapping[str, tuple[str, Any, str]]

MAX_TEXT_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024
MAX_CALLBACK_DATA_BYTES: Final = 64
MAX_CALLBACK_ANSWER_LENGTH: Final = 200
DELETE_WINDOW: Final = timedelta(hours=48)

#: Methods that send, edit or delete messages: rate-limited, and matched by ``fail(None, ...)``.
MESSAGE_METHODS: Final = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
        "sendDocument",
        "sendPhoto",
        "deleteMessage",
    }
)

FAULT_KINDS: Final = frozenset(
    {"retry_after", "blocked", "timeout", "timeout_after_send", "network", "server"}
)

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
_COMMAND_RE: Final = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_BOT_COMMAND_NAME_RE: Final = re.compile(r"[a-z0-9_]{1,32}")


def utf16_len(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units, the unit Telegram counts in."""
    return len(text.encode("utf-16-le")) // 2


class _APIError(Exception):
    """An error answer of the Bot API (raised inside handlers, turned into JSON)."""

    def __init__(self, code: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def _bad(description: str) -> _APIError:
    return _APIError(400, f"Bad Request: {description}")


# --------------------------------------------------------------------------------------------
# HTML parse mode


_HTML_ENTITY_TYPES: Final = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_CHAR_REF_RE: Final = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);")
_ATTR_RE: Final = re.compile(r"""([a-zA-Z_-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def _unescape(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        ref = match.group(1)
        if ref.startswith(("#x", "#X")):
            return chr(min(int(ref[2:], 16), 0x10FFFF))
        if ref.startswith("#"):
            return chr(min(int(ref[1:]), 0x10FFFF))
        return _NAMED_ENTITIES.get(ref, match.group(0))

    return _CHAR_REF_RE.sub(repl, text)


@dataclass
class _OpenTag:
    name: str
    offset: int
    entity: JSONDict | None


def _parse_html(text: str) -> tuple[str, list[JSONDict]]:
    """Parse Telegram's HTML subset into plain text and entities, failing like Telegram does."""

    def fail(reason: str) -> _APIError:
        return _bad(f"can't parse entities: {reason}")

    def byte_offset(index: int) -> int:
        return len(text[:index].encode("utf-8"))

    out: list[str] = []
    pos16 = 0
    stack: list[_OpenTag] = []
    entities: list[JSONDict] = []
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char == "<" and text.startswith("</", i):
            end = text.find(">", i)
            if end < 0:
                raise fail(f"Unclosed end tag at byte offset {byte_offset(i)}")
            name = text[i + 2 : end].strip().lower()
            if not stack:
                raise fail(f"Unexpected end tag at byte offset {byte_offset(i)}")
            top = stack.pop()
            if name != top.name:
                raise fail(
                    f"Unmatched end tag at byte offset {byte_offset(i)}, expected "
                    f'"</{top.name}>", found "</{name}>"'
                )
            if top.entity is not None and pos16 > top.offset:
                top.entity["length"] = pos16 - top.offset
                entities.append(top.entity)
            i = end + 1
            continue
        if char == "<":
            name_end = i + 1
            while name_end < n and not text[name_end].isspace() and text[name_end] not in "/>":
                name_end += 1
            name = text[i + 1 : name_end].lower()
            if name not in _HTML_ENTITY_TYPES:
                raise fail(f'Unsupported start tag "{name}" at byte offset {byte_offset(i)}')
            end = text.find(">", name_end)
            if end < 0:
                raise fail(f"Unclosed start tag at byte offset {byte_offset(i)}")
            attrs: dict[str, str] = {}
            for attr in _ATTR_RE.finditer(text, name_end, end):
                value = attr.group(2) or attr.group(3) or attr.group(4) or ""
                attrs[attr.group(1).lower()] = _unescape(value)
            entity = _entity_for_tag(name, attrs, pos16, stack)
            if entity is None and name == "span":
                raise fail(f'Unsupported start tag "span" at byte offset {byte_offset(i)}')
            stack.append(_OpenTag(name, pos16, entity))
            i = end + 1
            continue
        if char == "&":
            ref = _CHAR_REF_RE.match(text, i)
            if ref is not None:
                piece = _unescape(ref.group(0))
                out.append(piece)
                pos16 += utf16_len(piece)
                i = ref.end()
                continue
        out.append(char)
        pos16 += utf16_len(char)
        i += 1
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _entity_for_tag(
    name: str, attrs: dict[str, str], offset: int, stack: list[_OpenTag]
) -> JSONDict | None:
    kind = _HTML_ENTITY_TYPES[name]
    entity: JSONDict = {"type": kind, "offset": offset, "length": 0}
    if name == "span":
        return entity if attrs.get("class") == "tg-spoiler" else None
    if name == "a":
        href = attrs.get("href")
        if not href:
            return None
        entity["url"] = href
    elif name == "tg-emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    elif name == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif name == "code" and stack and stack[-1].name == "pre" and stack[-1].offset == offset:
        language = attrs.get("class", "")
        if language.startswith("language-"):
            if stack[-1].entity is not None:
                stack[-1].entity["language"] = language[len("language-") :]
            return None
    return entity


def _format(
    text: str, parse_mode: object, explicit_entities: object
) -> tuple[str, list[JSONDict]]:
    """Return (what the user sees, entities) for a text or caption, as Telegram would."""
    if explicit_entities:
        if isinstance(explicit_entities, str):
            explicit_entities = json.loads(explicit_entities)
        if isinstance(explicit_entities, list):
            return text, [dict(e) for e in explicit_entities if isinstance(e, dict)]
    if parse_mode is None or parse_mode == "":
        return text, []
    mode = str(parse_mode).lower()
    if mode == "html":
        return _parse_html(text)
    if mode in ("markdown", "markdownv2"):
        return text, []
    raise _bad("unsupported parse_mode")


def _command_entities(text: str) -> list[JSONDict]:
    match = _COMMAND_RE.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]


# --------------------------------------------------------------------------------------------
# Keyboards


def _parse_markup(raw: object) -> JSONDict | None:
    """Validate a ``reply_markup`` parameter (dict or JSON string) like Telegram does."""
    if raw is None:
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise _bad("can't parse reply keyboard markup JSON object") from None
    if not isinstance(raw, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    markup: JSONDict = copy.deepcopy(raw)
    if "inline_keyboard" in markup:
        grid = markup["inline_keyboard"]
        if not isinstance(grid, list) or not all(isinstance(row, list) for row in grid):
            raise _bad(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        for row in grid:
            for button in row:
                _check_inline_button(button)
        if not any(grid):
            return None
        return markup
    if "keyboard" in markup:
        grid = markup["keyboard"]
        if not isinstance(grid, list) or not all(isinstance(row, list) for row in grid):
            raise _bad('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
        for row in grid:
            for button in row:
                if not isinstance(button, str | dict) or (
                    isinstance(button, dict) and not isinstance(button.get("text"), str)
                ):
                    raise _bad("can't parse keyboard button: KeyboardButton must be a String")
        return markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    raise _bad("can't parse reply keyboard markup JSON object")


_INLINE_ACTIONS: Final = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "web_app",
    "copy_text",
)


def _check_inline_button(button: object) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    if not any(key in button for key in _INLINE_ACTIONS):
        raise _bad(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise _bad("BUTTON_DATA_INVALID")


def _inline(markup: JSONDict | None) -> JSONDict | None:
    """The inline keyboard part of a stored markup (the only kind attached to a message)."""
    if markup is not None and "inline_keyboard" in markup:
        return markup
    return None


def _button_pair(button: object) -> tuple[str, str]:
    if isinstance(button, str):
        return button, button
    if not isinstance(button, dict):
        return str(button), ""
    label = str(button.get("text", ""))
    if "callback_data" in button:
        return label, str(button["callback_data"])
    if "url" in button:
        return label, str(button["url"])
    if len(button) == 1:
        return label, label  # a plain reply-keyboard button sends its label
    return label, ""


# --------------------------------------------------------------------------------------------
# Public records


@dataclass
class ChatMessage:
    """One message in a private chat as the stand-in remembers it.

    ``text`` and ``caption`` are exactly what the bot sent (markup included); ``plain`` is what
    the user sees after Telegram parsed ``parse_mode``. ``extra`` holds the Telegram JSON of media
    (``document``, ``photo``, ``sticker``, ``voice``).
    """

    message_id: int
    chat_id: int
    from_bot: bool
    date: int
    text: str | None = None
    caption: str | None = None
    reply_markup: JSONDict | None = None
    parse_mode: str | None = None
    document: JSONDict | None = None
    photo: bytes | None = None
    deleted: bool = False
    edit_count: int = 0
    kind: str = "text"
    plain: str | None = None
    entities: list[JSONDict] = field(default_factory=list)
    edit_date: int | None = None
    reply_to: int | None = None
    extra: JSONDict = field(default_factory=dict)

    def rows(self) -> list[list[tuple[str, str]]]:
        """Return the keyboard as rows of (label, callback_data).

        For URL buttons the second item is the URL; for reply-keyboard buttons it is the label
        (what pressing it sends); otherwise "".
        """
        markup = self.reply_markup or {}
        grid = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [[_button_pair(button) for button in row] for row in grid]

    def buttons(self) -> list[tuple[str, str]]:
        """Return the keyboard's (label, callback_data) pairs flat, in keyboard order."""
        return [pair for row in self.rows() for pair in row]

    @property
    def body(self) -> str:
        """The text, or else the caption, or else ""."""
        return self.text or self.caption or ""


@dataclass
class FakeUser:
    """A Telegram user who talks to the bot in a private chat (chat id == user id)."""

    id: int
    first_name: str = "Alex"
    language_code: str | None = "en"
    username: str | None = None
    last_name: str | None = None
    blocked: bool = False
    deactivated: bool = False

    def to_json(self) -> JSONDict:
        """The ``User`` object of the Bot API."""
        data: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def chat_json(self) -> JSONDict:
        """The private ``Chat`` object of the Bot API."""
        data: JSONDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data


@dataclass
class Fault:
    """A failure injected with :meth:`FakeBotAPI.fail`, consumed in order."""

    method: str | None
    chat_id: int | None
    kind: str
    remaining: int
    retry_after: int = 1


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_name: str | None
    mime_type: str | None
    content: bytes


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def _as_json(value: object) -> object:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _document_json(stored: _StoredFile) -> JSONDict:
    """The ``Document`` object of the Bot API for a stored file."""
    document: JSONDict = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.content),
    }
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    return document


def _image_size(content: bytes) -> tuple[int, int]:
    if content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    return 800, 600


# --------------------------------------------------------------------------------------------
# The stand-in


class FakeBotAPI(BaseRequest):
    """A Telegram Bot API living in the test's event loop.

    Pass it as both ``request`` and ``get_updates_request`` of a :class:`telegram.Bot` (or an
    ``ApplicationBuilder``). The bot side behaves like Telegram (errors included); the user side
    is driven with :meth:`text`, :meth:`press` and friends, and what the bot did is inspected with
    :meth:`messages`, :meth:`last` and :attr:`calls`.

    Args:
        bot_id: The bot's user id.
        bot_username: The bot's username (without "@").
        bot_name: The bot's first name.
        latency: Seconds each request takes before it reaches "Telegram" (0: no sleep at all).
        rate_limit: Messages per second across all chats for :data:`MESSAGE_METHODS`; beyond it
            the request gets 429 ``retry after 1``.
        now: The clock for ``date`` fields (default: real UTC now).
        random_429: Probability of an extra 429 on any request of :data:`MESSAGE_METHODS`.
        seed: Seed of :attr:`rng`, which draws the random 429s.
    """

    def __init__(
        self,
        *,
        bot_id: int = 1000,
        bot_username: str = "between_bot",
        bot_name: str = "Between",
        latency: float = 0.0,
        rate_limit: float | None = None,
        now: Callable[[], datetime] | None = None,
        random_429: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.latency = latency
        self.rate_limit = rate_limit
        self.random_429 = random_429
        self.rng = random.Random(seed)
        self.now: Callable[[], datetime] = now or (lambda: datetime.now(UTC))
        self.queue_updates = False

        self.users: dict[int, FakeUser] = {}
        self.calls: list[tuple[str, JSONDict]] = []
        self.sent_count = 0
        self.faults: list[Fault] = []
        self.callback_answers: dict[str, JSONDict] = {}
        self.commands: dict[tuple[str, int | None, str], list[JSONDict]] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.descriptions: dict[tuple[str, str], str] = {}
        self.menu_buttons: dict[int | None, JSONDict] = {}
        self.files: dict[str, _StoredFile] = {}
        self.webhook_url = ""
        self.initialized = False

        self._history: dict[int, list[ChatMessage]] = {}
        self._by_id: dict[tuple[int, int], ChatMessage] = {}
        self._next_message_id: dict[int, int] = {}
        self._update_ids: Iterator[int] = itertools.count(1)
        self._query_ids: Iterator[int] = itertools.count(4_000_000_000_000_000_001)
        self._file_ids: Iterator[int] = itertools.count(1)
        self._open_queries: dict[str, tuple[int, int]] = {}
        self._update_queue: list[JSONDict] = []
        self._allowed_updates: list[str] | None = None
        self._poll_seq = 0
        self._update_waiters: list[asyncio.Future[None]] = []
        self._message_waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._send_times: deque[float] = deque()
        self._handlers: dict[str, Callable[[JSONDict, _Files], object]] = {
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
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "sendChatAction": self._send_chat_action,
            "getChat": self._get_chat,
        }

    # ---- BaseRequest ----------------------------------------------------------------------

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout PTB adds to the long-poll timeout of ``getUpdates``."""
        return 5.0

    async def initialize(self) -> None:
        """Nothing to open: the API lives in memory."""
        self.initialized = True

    async def shutdown(self) -> None:
        """Nothing to close; state survives so tests can inspect it afterwards."""
        self.initialized = False

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Answer one Bot API request the way Telegram would.

        Raises:
            telegram.error.TimedOut: for injected "timeout" / "timeout_after_send" faults.
            telegram.error.NetworkError: for injected "network" faults.
        """
        api_method = url.rsplit("/", 1)[-1]
        params: JSONDict = dict(request_data.parameters) if request_data is not None else {}
        files: _Files = request_data.multipart_data if request_data is not None else {}
        answer = await self._answer(api_method, params, files)
        self.answered(api_method, params, answer[0])
        return answer

    def answered(self, method: str, params: JSONDict, status: int) -> None:
        """Called once a request has its answer (not for raised timeouts or network faults).

        Does nothing here; a benchmark overrides it to timestamp what the bot sent.
        """

    async def _answer(self, api_method: str, params: JSONDict, files: _Files) -> tuple[int, bytes]:
        self.calls.append((api_method, params))
        if self.latency > 0:
            await asyncio.sleep(self.latency)

        timeout_after = False
        fault = self._take_fault(api_method, _as_int(params.get("chat_id")))
        if fault is not None:
            if fault.kind == "timeout":
                raise TimedOut(f"Timed out (injected fault on {api_method})")
            if fault.kind == "network":
                raise NetworkError(f"Injected network failure on {api_method}")
            if fault.kind == "server":
                return self._answer_error(_APIError(500, "Internal Server Error"))
            if fault.kind == "retry_after":
                return self._answer_error(self._too_many(fault.retry_after))
            if fault.kind == "blocked":
                return self._answer_error(_APIError(403, "Forbidden: bot was blocked by the user"))
            timeout_after = True
        if api_method in MESSAGE_METHODS:
            if self.random_429 > 0 and self.rng.random() < self.random_429:
                return self._answer_error(self._too_many(1))
            if self.rate_limit is not None and not self._admit():
                return self._answer_error(self._too_many(1))

        try:
            if api_method == "getUpdates":
                result: object = await self._get_updates(params)
            else:
                handler = self._handlers.get(api_method)
                if handler is None:
                    raise _APIError(404, "Not Found")
                result = handler(params, files)
        except _APIError as err:
            answer = self._answer_error(err)
        else:
            answer = 200, json.dumps({"ok": True, "result": result}).encode()
        if timeout_after:
            raise TimedOut(f"Timed out after {api_method} reached the server (injected fault)")
        return answer

    # ---- faults and limits ----------------------------------------------------------------

    def fail(
        self,
        method: str | None = None,
        *,
        chat_id: int | None = None,
        kind: str,
        times: int = 1,
        retry_after: int = 1,
    ) -> Fault:
        """Make the next ``times`` matching requests fail.

        Args:
            method: A Bot API method name; ``None`` matches any of :data:`MESSAGE_METHODS`.
            chat_id: Only requests to this chat; ``None`` matches any (and chat-less requests).
            kind: One of :data:`FAULT_KINDS`.
            times: How many requests fail.
            retry_after: Seconds in the 429 answer of the "retry_after" kind.
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(FAULT_KINDS)}")
        if times < 1:
            raise ValueError("times must be at least 1")
        fault = Fault(method, chat_id, kind, times, retry_after)
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        """Forget all faults not yet consumed."""
        self.faults.clear()

    def _take_fault(self, method: str, chat_id: int | None) -> Fault | None:
        for fault in self.faults:
            if fault.method is None:
                if method not in MESSAGE_METHODS:
                    continue
            elif fault.method != method:
                continue
            if fault.chat_id is not None and fault.chat_id != chat_id:
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self.faults.remove(fault)
            return fault
        return None

    def _admit(self) -> bool:
        """Sliding one-second window over accepted message requests."""
        assert self.rate_limit is not None
        now = time.monotonic()
        while self._send_times and now - self._send_times[0] >= 1.0:
            self._send_times.popleft()
        if len(self._send_times) >= self.rate_limit:
            return False
        self._send_times.append(now)
        return True

    @staticmethod
    def _too_many(retry_after: int) -> _APIError:
        return _APIError(
            429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
        )

    @staticmethod
    def _answer_error(err: _APIError) -> tuple[int, bytes]:
        payload: JSONDict = {"ok": False, "error_code": err.code, "description": err.description}
        if err.parameters:
            payload["parameters"] = err.parameters
        return err.code, json.dumps(payload).encode()

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
        msg = self._record(
            user_id, from_bot=False, text=text, plain=text, entities=_command_entities(text)
        )
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
            user_id,
            from_bot=False,
            kind="photo",
            caption=caption,
            plain=caption,
            extra={"photo": sizes},
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
        msg.text = msg.plain = new_text
        msg.entities = _command_entities(new_text)
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
            data["text"] = msg.plain if msg.plain is not None else msg.text
            if msg.entities:
                data["entities"] = copy.deepcopy(msg.entities)
        if msg.caption is not None:
            data["caption"] = msg.plain if msg.plain is not None else msg.caption
            if msg.entities:
                data["caption_entities"] = copy.deepcopy(msg.entities)
        data.update(copy.deepcopy(msg.extra))
        inline = _inline(msg.reply_markup)
        if inline is not None:
            data["reply_markup"] = copy.deepcopy(inline)
        if msg.reply_to is not None and not nested:
            target = self._by_id.get((msg.chat_id, msg.reply_to))
            if target is not None and not target.deleted:
                data["reply_to_message"] = self._message_json(target, nested=True)
        return data

    # ---- request helpers ------------------------------------------------------------------

    def _recipient(self, params: JSONDict) -> FakeUser:
        """The user behind ``chat_id``, or the error Telegram gives for that chat."""
        if "chat_id" not in params:
            raise _bad("chat_id is empty")
        chat_id = _as_int(params["chat_id"])
        if chat_id is None:
            raise _bad("chat not found")
        user = self.users.get(chat_id)
        if user is None:
            if chat_id > 0:
                raise _APIError(403, "Forbidden: bot can't initiate conversation with a user")
            raise _bad("chat not found")
        if user.deactivated:
            raise _APIError(403, "Forbidden: user is deactivated")
        if user.blocked:
            raise _APIError(403, "Forbidden: bot was blocked by the user")
        return user

    def _reply_target(self, chat_id: int, params: JSONDict) -> int | None:
        reply = _as_json(params.get("reply_parameters"))
        if not isinstance(reply, dict):
            return None
        message_id = _as_int(reply.get("message_id"))
        target = self._by_id.get((chat_id, message_id or 0))
        if target is None or target.deleted:
            if reply.get("allow_sending_without_reply"):
                return None
            raise _bad("message to be replied not found")
        return target.message_id

    def _target_message(self, params: JSONDict, missing: str) -> ChatMessage:
        if "inline_message_id" in params:
            raise _bad("MESSAGE_ID_INVALID")
        user = self._recipient(params)
        message_id = _as_int(params.get("message_id"))
        if message_id is None:
            raise _bad("message identifier is not specified")
        msg = self._by_id.get((user.id, message_id))
        if msg is None or msg.deleted:
            raise _bad(missing)
        return msg

    def _message_text(self, params: JSONDict, key: str) -> tuple[str, str, list[JSONDict]]:
        raw = params.get(key)
        text = "" if raw is None else str(raw)
        plain, entities = _format(text, params.get("parse_mode"), params.get("entities"))
        if not plain.strip():
            raise _bad("message text is empty")
        if utf16_len(plain) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        return text, plain, entities

    def _caption(self, params: JSONDict) -> tuple[str | None, str | None, list[JSONDict]]:
        raw = params.get("caption")
        if raw is None:
            return None, None, []
        caption = str(raw)
        plain, entities = _format(
            caption, params.get("parse_mode"), params.get("caption_entities")
        )
        if utf16_len(plain) > MAX_CAPTION_LENGTH:
            raise _bad("message caption is too long")
        return caption, plain, entities

    def _input_file(self, params: JSONDict, files: _Files, name: str) -> _StoredFile:
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
                raise _bad("file must be non-empty")
            file_id, unique_id = self._new_file_id(
                "BQACAgIAAxkBAAI" if name == "document" else "AgACAgIAAxkBAAI"
            )
            stored = _StoredFile(file_id, unique_id, file_name, mime_type, bytes(content))
            self.files[file_id] = stored
            return stored
        if isinstance(value, str) and value in self.files:
            return self.files[value]
        if isinstance(value, str) and value:
            raise _bad("wrong file identifier/HTTP URL specified")
        raise _bad(f"there is no {name} in the request")

    # ---- methods: bot and updates ---------------------------------------------------------

    def _get_me(self, params: JSONDict, files: _Files) -> JSONDict:
        return {
            **self._bot_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        if self.webhook_url:
            raise _APIError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _as_int(params.get("offset")) or 0
        limit = min(max(_as_int(params.get("limit")) or 100, 1), 100)
        timeout = float(params.get("timeout") or 0)
        allowed = _as_json(params.get("allowed_updates"))
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
                raise _APIError(
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

    def _delete_webhook(self, params: JSONDict, files: _Files) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._update_queue.clear()
        return True

    def _set_webhook(self, params: JSONDict, files: _Files) -> bool:
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = url
        if params.get("drop_pending_updates"):
            self._update_queue.clear()
        allowed = _as_json(params.get("allowed_updates"))
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed] or None
        return True

    def _get_webhook_info(self, params: JSONDict, files: _Files) -> JSONDict:
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
        scope = _as_json(params.get("scope")) or {"type": "default"}
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise _bad("can't parse BotCommandScope JSON object")
        kind = scope["type"]
        chat_id = _as_int(scope.get("chat_id")) if "chat_id" in scope else None
        if kind in ("chat", "chat_administrators", "chat_member"):
            if chat_id is None or chat_id not in self.users:
                raise _bad("chat not found")
        elif kind not in (
            "default",
            "all_private_chats",
            "all_group_chats",
            "all_chat_administrators",
        ):
            raise _bad("wrong parameter scope in request")
        return kind, chat_id, str(params.get("language_code") or "")

    def _set_my_commands(self, params: JSONDict, files: _Files) -> bool:
        commands = _as_json(params.get("commands"))
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH" if isinstance(commands, list) else "commands empty")
        cleaned: list[JSONDict] = []
        for item in commands:
            if not isinstance(item, dict):
                raise _bad("can't parse BotCommand JSON object")
            name = str(item.get("command", ""))
            description = str(item.get("description", ""))
            if not _BOT_COMMAND_NAME_RE.fullmatch(name):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        key = self._scope_key(params)
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        return True

    def _get_my_commands(self, params: JSONDict, files: _Files) -> list[JSONDict]:
        return copy.deepcopy(self.commands.get(self._scope_key(params), []))

    def _delete_my_commands(self, params: JSONDict, files: _Files) -> bool:
        self.commands.pop(self._scope_key(params), None)
        return True

    def _setter(self, kind: str) -> Callable[[JSONDict, _Files], object]:
        def handler(params: JSONDict, files: _Files) -> bool:
            key = (kind, str(params.get("language_code") or ""))
            value = str(params.get(kind) or "")
            if value:
                self.descriptions[key] = value
            else:
                self.descriptions.pop(key, None)
            return True

        return handler

    def _getter(self, kind: str) -> Callable[[JSONDict, _Files], object]:
        def handler(params: JSONDict, files: _Files) -> JSONDict:
            language = str(params.get("language_code") or "")
            value = self.descriptions.get((kind, language)) or self.descriptions.get((kind, ""))
            if value is None and kind == "name":
                value = self.bot_name
            return {kind: value or ""}

        return handler

    def _set_chat_menu_button(self, params: JSONDict, files: _Files) -> bool:
        chat_id = _as_int(params.get("chat_id")) if "chat_id" in params else None
        button = _as_json(params.get("menu_button")) or {"type": "default"}
        if not isinstance(button, dict):
            raise _bad("can't parse MenuButton JSON object")
        self.menu_buttons[chat_id] = dict(button)
        return True

    def _get_chat_menu_button(self, params: JSONDict, files: _Files) -> JSONDict:
        chat_id = _as_int(params.get("chat_id")) if "chat_id" in params else None
        button = self.menu_buttons.get(chat_id) or self.menu_buttons.get(None)
        return dict(button) if button else {"type": "commands"}

    def _get_chat(self, params: JSONDict, files: _Files) -> JSONDict:
        user = self.users.get(_as_int(params.get("chat_id")) or 0)
        if user is None:
            raise _bad("chat not found")
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

    def _send_message(self, params: JSONDict, files: _Files) -> JSONDict:
        user = self._recipient(params)
        text, plain, entities = self._message_text(params, "text")
        markup = _parse_markup(params.get("reply_markup"))
        reply_to = self._reply_target(user.id, params)
        msg = self._record(
            user.id,
            from_bot=True,
            text=text,
            plain=plain,
            entities=entities,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
            reply_to=reply_to,
        )
        return self._message_json(msg)

    def _send_media(self, params: JSONDict, files: _Files, kind: str) -> JSONDict:
        """sendDocument and sendPhoto: store the file, record the message with its caption."""
        user = self._recipient(params)
        stored = self._input_file(params, files, kind)
        caption, plain, entities = self._caption(params)
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
            extra = _document_json(stored)
        else:
            fields = {"photo": stored.content}
            extra = self._photo_json(stored)
        msg = self._record(
            user.id,
            from_bot=True,
            kind=kind,
            caption=caption,
            plain=plain,
            entities=entities,
            parse_mode=params.get("parse_mode"),
            reply_markup=_parse_markup(params.get("reply_markup")),
            reply_to=self._reply_target(user.id, params),
            extra={kind: extra},
            **fields,
        )
        return self._message_json(msg)

    def _photo_json(self, stored: _StoredFile) -> list[JSONDict]:
        width, height = _image_size(stored.content)
        return self._photo_sizes(width, height, len(stored.content))

    def _send_document(self, params: JSONDict, files: _Files) -> JSONDict:
        return self._send_media(params, files, "document")

    def _send_photo(self, params: JSONDict, files: _Files) -> JSONDict:
        return self._send_media(params, files, "photo")

    def _editable(self, params: JSONDict) -> ChatMessage:
        msg = self._target_message(params, "message to edit not found")
        if not msg.from_bot:
            raise _bad("message can't be edited")
        return msg

    def _apply_edit(
        self, msg: ChatMessage, params: JSONDict, plain: str | None, entities: list[JSONDict]
    ) -> JSONDict | None:
        """Refuse an edit that changes nothing, as Telegram does; return the new markup."""
        markup = self._edit_markup(params)
        if plain == msg.plain and entities == msg.entities and markup == _inline(msg.reply_markup):
            raise _bad(_NOT_MODIFIED)
        msg.plain, msg.entities = plain, entities
        msg.parse_mode = params.get("parse_mode")
        msg.reply_markup = markup
        return markup

    def _edit_message_text(self, params: JSONDict, files: _Files) -> JSONDict:
        msg = self._editable(params)
        if msg.text is None:
            raise _bad("there is no text in the message to edit")
        text, plain, entities = self._message_text(params, "text")
        self._apply_edit(msg, params, plain, entities)
        msg.text = text
        return self._mark_edited(msg)

    def _edit_message_caption(self, params: JSONDict, files: _Files) -> JSONDict:
        msg = self._editable(params)
        if msg.kind not in ("document", "photo"):
            raise _bad("there is no caption in the message to edit")
        caption, plain, entities = self._caption(params)
        self._apply_edit(msg, params, plain, entities)
        msg.caption = caption
        return self._mark_edited(msg)

    def _edit_message_reply_markup(self, params: JSONDict, files: _Files) -> JSONDict:
        msg = self._editable(params)
        markup = self._edit_markup(params)
        if markup == _inline(msg.reply_markup):
            raise _bad(_NOT_MODIFIED)
        msg.reply_markup = markup
        return self._mark_edited(msg)

    def _edit_markup(self, params: JSONDict) -> JSONDict | None:
        """Markup of an edit: only inline keyboards; leaving it out removes the keyboard."""
        markup = _parse_markup(params.get("reply_markup"))
        if markup is not None and "inline_keyboard" not in markup:
            raise _bad("inline keyboard expected")
        return markup

    def _mark_edited(self, msg: ChatMessage) -> JSONDict:
        msg.edit_count += 1
        msg.edit_date = self._timestamp()
        return self._message_json(msg)

    def _delete_message(self, params: JSONDict, files: _Files) -> bool:
        msg = self._target_message(params, "message to delete not found")
        if self.now() - datetime.fromtimestamp(msg.date, UTC) >= DELETE_WINDOW:
            raise _bad("message can't be deleted for everyone")
        msg.deleted = True
        return True

    def _answer_callback_query(self, params: JSONDict, files: _Files) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._open_queries:
            raise _bad(_QUERY_TOO_OLD)
        text = params.get("text")
        if isinstance(text, str) and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad("MESSAGE_TOO_LONG")
        del self._open_queries[query_id]
        self.callback_answers[query_id] = {
            "text": text,
            "show_alert": bool(params.get("show_alert", False)),
            "url": params.get("url"),
            "cache_time": params.get("cache_time"),
        }
        return True

    def _send_chat_action(self, params: JSONDict, files: _Files) -> bool:
        user = self._recipient(params)
        action = str(params.get("action", ""))
        if action not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self.chat_actions.append((user.id, action))
        return True

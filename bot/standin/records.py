"""The records the stand-in keeps: chat messages, users and stored files."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from bot.standin.markup import button_pair
from bot.standin.wire import JSONDict


@dataclass
class ChatMessage:
    """One message in a private chat as the stand-in remembers it.

    ``text`` and ``caption`` are exactly what was sent (markup included), which is what the user
    sees: the stand-in parses no ``parse_mode``. ``extra`` holds the Telegram JSON of media
    (``document``, ``photo``, ``sticker``, ``voice``).
    """

    message_id: int
    chat_id: int
    from_bot: bool
    date: int
    text: str | None = None
    caption: str | None = None
    reply_markup: JSONDict | None = None
    document: JSONDict | None = None
    photo: bytes | None = None
    deleted: bool = False
    edit_count: int = 0
    kind: str = "text"
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
        return [[button_pair(button) for button in row] for row in grid]

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
class StoredFile:
    """A file the bot uploaded, kept under the file id the stand-in gave it."""

    file_id: str
    file_unique_id: str
    file_name: str | None
    mime_type: str | None
    content: bytes


def document_json(stored: StoredFile) -> JSONDict:
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


def image_size(content: bytes) -> tuple[int, int]:
    """Width and height of a PNG (read from its header); 800x600 for anything else."""
    if content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    return 800, 600

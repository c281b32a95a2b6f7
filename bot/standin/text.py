"""Message text as Telegram measures and annotates it: UTF-16 length, limits, entities."""

from __future__ import annotations

import json
import re
from typing import Final

from bot.standin.wire import JSONDict, bad

MAX_TEXT_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024

_COMMAND_RE: Final = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")


def utf16_len(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units, the unit Telegram counts in."""
    return len(text.encode("utf-16-le")) // 2


def _entities(params: JSONDict, key: str) -> list[JSONDict]:
    """The entities passed with a text or caption under ``key``.

    The bot sends plain text, so the stand-in parses no ``parse_mode``: it refuses one (unless
    explicit entities make Telegram ignore it) instead of showing markup it never parsed.
    """
    explicit = params.get(key)
    if explicit:
        if isinstance(explicit, str):
            explicit = json.loads(explicit)
        if isinstance(explicit, list):
            return [dict(e) for e in explicit if isinstance(e, dict)]
    if params.get("parse_mode"):
        raise bad("unsupported parse_mode: the stand-in takes plain text and entities only")
    return []


def read_text(params: JSONDict) -> tuple[str, list[JSONDict]]:
    """The text and entities of sendMessage / editMessageText, validated like Telegram does."""
    raw = params.get("text")
    text = "" if raw is None else str(raw)
    entities = _entities(params, "entities")
    if not text.strip():
        raise bad("message text is empty")
    if utf16_len(text) > MAX_TEXT_LENGTH:
        raise bad("message is too long")
    return text, entities


def read_caption(params: JSONDict) -> tuple[str | None, list[JSONDict]]:
    """The caption (None if absent) and its entities, validated like Telegram does."""
    raw = params.get("caption")
    if raw is None:
        return None, []
    text = str(raw)
    entities = _entities(params, "caption_entities")
    if utf16_len(text) > MAX_CAPTION_LENGTH:
        raise bad("message caption is too long")
    return text, entities


def command_entities(text: str) -> list[JSONDict]:
    """The ``bot_command`` entity Telegram adds to a user's text that starts with a command."""
    match = _COMMAND_RE.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]

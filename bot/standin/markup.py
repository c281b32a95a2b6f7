"""Keyboards: ``reply_markup`` validated like Telegram does, and buttons read back."""

from __future__ import annotations

import copy
import json
from typing import Final

from bot.standin.wire import JSONDict, bad

MAX_CALLBACK_DATA_BYTES: Final = 64

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


def parse_markup(raw: object) -> JSONDict | None:
    """Validate a ``reply_markup`` parameter (dict or JSON string) like Telegram does."""
    if raw is None:
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise bad("can't parse reply keyboard markup JSON object") from None
    if not isinstance(raw, dict):
        raise bad("can't parse reply keyboard markup JSON object")
    markup: JSONDict = copy.deepcopy(raw)
    if "inline_keyboard" in markup:
        grid = markup["inline_keyboard"]
        if not isinstance(grid, list) or not all(isinstance(row, list) for row in grid):
            raise bad(
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
            raise bad('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
        for row in grid:
            for button in row:
                if not isinstance(button, str | dict) or (
                    isinstance(button, dict) and not isinstance(button.get("text"), str)
                ):
                    raise bad("can't parse keyboard button: KeyboardButton must be a String")
        return markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    raise bad("can't parse reply keyboard markup JSON object")


def _check_inline_button(button: object) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    if not any(key in button for key in _INLINE_ACTIONS):
        raise bad(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if (
            not isinstance(data, str)
            or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
        ):
            raise bad("BUTTON_DATA_INVALID")


def inline(markup: JSONDict | None) -> JSONDict | None:
    """The inline keyboard part of a stored markup (the only kind attached to a message)."""
    if markup is not None and "inline_keyboard" in markup:
        return markup
    return None


def button_pair(button: object) -> tuple[str, str]:
    """A button as (label, what pressing it sends: callback data, URL or label, else "")."""
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

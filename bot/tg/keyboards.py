"""Keyboards more than one part of the adapter shows."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.i18n import Catalog


def main_menu(catalog: Catalog, language: str) -> InlineKeyboardMarkup:
    """The client's main menu; the path to help is always in it."""
    entries = (
        ("menu.checkin", "m:ci"),
        ("menu.note", "m:note"),
        ("menu.team", "m:team"),
        ("menu.helpnow", "m:help"),
    )
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(catalog.get(language, key), callback_data=data)]
            for key, data in entries
        ]
    )

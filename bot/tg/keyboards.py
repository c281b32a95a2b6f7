"""Keyboards, and the small ways of answering, that more than one part of the adapter uses."""

from __future__ import annotations

import contextlib

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.core.actions.myweeks import ShowWeeks
from bot.core.i18n import Catalog
from bot.core.my_weeks import SPANS
from bot.tg.codec import encode

HELP = "m:help"
"""The data of the "I need help now" button, wherever it is shown."""


def main_menu(catalog: Catalog, language: str) -> InlineKeyboardMarkup:
    """The client's main menu (5 buttons, never more than 6); the path to help is always in
    it, last."""
    entries = (
        ("menu.checkin", "m:ci"),
        ("menu.note", "m:note"),
        ("menu.team", "m:team"),
        ("menu.myweeks", encode(ShowWeeks(SPANS[0]))),
        ("menu.helpnow", HELP),
    )
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(catalog.get(language, key), callback_data=data)]
            for key, data in entries
        ]
    )


def button(label: str, data: str) -> list[InlineKeyboardButton]:
    """One button on a row of its own."""
    return [InlineKeyboardButton(label, callback_data=data)]


async def answer_press(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a button press (a toast, or nothing); a query too old to answer (a press handled
    again after a restart, or late) is let go: the reply in the chat is what matters."""
    with contextlib.suppress(BadRequest):
        await query.answer(text)


async def reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """A new message in the chat the update came from."""
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(text, reply_markup=markup)


async def settle(update: Update, text: str) -> None:
    """Replace a pressed question (and its buttons) with its outcome; if the message is gone
    or too old to edit, say it anew."""
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(text)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            await reply(update, text)

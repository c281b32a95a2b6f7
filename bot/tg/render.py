"""Views become Telegram messages: catalog texts in the reader's language, choices as buttons."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
    Update,
)
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ExtBot

from bot.core.model import User
from bot.core.views import Choice, Say, View
from bot.core.wording import Wording
from bot.draw.blank import blank_png
from bot.logs import who
from bot.tg.codec import encode
from bot.tg.keyboards import answer_press

log = logging.getLogger(__name__)


class Renderer(Wording):
    """Turns core texts and choices into strings and keyboards for one catalog."""

    def markup(self, language: str, say: Say) -> InlineKeyboardMarkup | None:
        """A message's buttons, or None."""
        return self.keyboard(language, say.rows)

    def keyboard(
        self, language: str, rows: tuple[tuple[Choice, ...], ...]
    ) -> InlineKeyboardMarkup | None:
        """Rows of choices as buttons, or None."""
        if not rows:
            return None
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        self.text(language, choice.label), callback_data=encode(choice.action)
                    )
                    for choice in row
                ]
                for row in rows
            ]
        )


async def _send(bot: Bot, chat_id: int, text: str, say: Say, markup: Any) -> Message:
    attachment = say.attachment
    if attachment is None:
        return await bot.send_message(chat_id, text, reply_markup=markup)
    if attachment.filename is None:
        return await bot.send_photo(chat_id, attachment.data, caption=text, reply_markup=markup)
    return await bot.send_document(
        chat_id, attachment.data, filename=attachment.filename, caption=text, reply_markup=markup
    )


async def change_earlier(
    bot: Bot, chat_id: int, renderer: Renderer, language: str, view: View
) -> None:
    """Earlier messages of a chat as ``view`` says: buttons taken off or changed, words
    replaced. A message that can no longer be changed is left as it is."""
    for old in view.unbutton:
        with contextlib.suppress(BadRequest):
            await bot.edit_message_reply_markup(chat_id, old, reply_markup=None)
    for old, choices in view.rebutton:
        with contextlib.suppress(BadRequest):
            markup = renderer.keyboard(language, tuple((choice,) for choice in choices))
            await bot.edit_message_reply_markup(chat_id, old, reply_markup=markup)
    for old, say in view.replace:
        with contextlib.suppress(BadRequest):
            text = renderer.body(language, say)
            markup = renderer.markup(language, say)
            await bot.edit_message_text(text, chat_id=chat_id, message_id=old, reply_markup=markup)


async def show(update: Update, renderer: Renderer, language: str, view: View) -> None:
    """Render ``view`` in the chat ``update`` came from.

    A button press is always answered (with the toast, if any), exactly once. A ``Say`` marked
    ``edit`` replaces the pressed message; if that is impossible it is sent anew.
    """
    query = update.callback_query
    chat = update.effective_chat
    if query is not None:
        toast = renderer.text(language, view.toast) if view.toast else None
        await answer_press(query, toast)
    if chat is None:
        return
    bot = update.get_bot()
    await change_earlier(bot, chat.id, renderer, language, view)
    for say in view.says:
        text = renderer.body(language, say)
        markup = renderer.markup(language, say)
        pressed = query.message if query is not None else None
        message_id: int | None = None
        if say.edit and isinstance(pressed, Message) and say.attachment is None:
            if say.below and pressed.text:
                text = f"{pressed.text}\n\n{text}"
            try:
                await pressed.edit_text(text, reply_markup=markup)
                message_id = pressed.message_id
            except BadRequest as exc:
                if "not modified" in exc.message.lower():
                    message_id = pressed.message_id
        if message_id is None:
            message_id = (await _send(bot, chat.id, text, say, markup)).message_id
        if say.on_sent is not None:
            await say.on_sent(message_id)


class TelegramOutbox:
    """The core's ``Outbox`` through the bot: messages to other people, in their language."""

    def __init__(self, bot: ExtBot[Any], renderer: Renderer) -> None:
        self._bot = bot
        self._renderer = renderer

    async def send(self, to: User, say: Say) -> int | None:
        """Send; None if it could not be delivered."""
        text = self._renderer.body(to.language, say)
        try:
            sent = await _send(
                self._bot, to.chat_id, text, say, self._renderer.markup(to.language, say)
            )
        except (Forbidden, BadRequest) as exc:
            log.info("a message to %s could not be delivered: %s", who(to.id), type(exc).__name__)
            return None
        if say.on_sent is not None:
            await say.on_sent(sent.message_id)
        return sent.message_id

    async def edit(self, to: User, message_id: int, say: Say) -> bool:
        """Replace an earlier message's text and buttons. A picture (a shared picture of
        someone's weeks) has no text: it is replaced by a plain one, with the words under it,
        so that nothing of the picture stays."""
        text = self._renderer.body(to.language, say)
        markup = self._renderer.markup(to.language, say)
        try:
            await self._bot.edit_message_text(
                text, chat_id=to.chat_id, message_id=message_id, reply_markup=markup
            )
        except BadRequest as exc:
            if "no text" in exc.message.lower():
                return await self._replace_picture(to, message_id, text, markup)
            return "not modified" in exc.message.lower()
        except TelegramError:
            return False
        return True

    async def _replace_picture(
        self, to: User, message_id: int, text: str, markup: InlineKeyboardMarkup | None
    ) -> bool:
        try:
            await self._bot.edit_message_media(
                InputMediaPhoto(blank_png(), caption=text),
                chat_id=to.chat_id,
                message_id=message_id,
                reply_markup=markup,
            )
        except TelegramError:
            return False
        return True

    async def delete(self, chat_id: int, message_id: int) -> bool:
        """Take an earlier message back."""
        try:
            return await self._bot.delete_message(chat_id, message_id)
        except TelegramError:
            return False

"""The crisis card without the database: for someone asking for help when nothing can be kept.

Used where the store failed (a handler's error) and where an update cannot be kept at all yet
(the inbox cannot write: a lock, a full disk). It reads only the service's configuration.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.core import usecases
from bot.logs import who
from bot.tg import keyboards
from bot.tg.context import Services
from bot.tg.ratelimit import URGENT

log = logging.getLogger(__name__)


def asks_for_help(update: object, services: Services) -> bool:
    """Whether the update asks for help: ``/helpnow``, the help button, or words of crisis
    (in any offered language) in a private chat."""
    if not isinstance(update, Update):
        return False
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return False
    query = update.callback_query
    if query is not None:
        return query.data == keyboards.HELP
    message = update.message
    words = message.text if message is not None else None
    if not words:
        return False
    command = words.split(maxsplit=1)[0].split("@", 1)[0]
    if command == "/helpnow":
        return True
    return usecases.needs_crisis_offer(services.risk, "", words)


def language_of(update: Update, services: Services) -> str:
    """The language the update's sender uses, as far as Telegram says (no database)."""
    user = update.effective_user
    return services.catalog.language_for(user.language_code if user else None)


async def send_card(update: Update, services: Services) -> bool:
    """Send the crisis card (the service's contacts, no plan) to the update's chat, first of
    all sends; whether it went."""
    chat = update.effective_chat
    if chat is None:
        return False
    texts = usecases.crisis_texts(
        services.settings.policy,
        services.catalog,
        language_of(update, services),
        None,
        with_plan=False,
    )
    token = URGENT.set(True)
    try:
        for text in texts:
            await chat.send_message(text)
    except TelegramError:
        user = update.effective_user
        log.warning("could not send the crisis card to %s", who(user.id if user else None))
        return False
    finally:
        URGENT.reset(token)
    return True


async def apologise(update: Update, services: Services, *, later: bool = False) -> None:
    """The calm apology, in the sender's language, to the update's chat; ``later``: what they
    sent is kept and will be handled once the database writes again."""
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return
    key = "fallback.later" if later else "fallback.error"
    try:
        await chat.send_message(services.catalog.get(language_of(update, services), key))
    except TelegramError:
        user = update.effective_user
        log.warning("could not send the apology to %s", who(user.id if user else None))


class Aid:
    """First aid for the inbox (``bot.tg.inbox.FirstAid``) when it cannot keep an update."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def asks_for_help(self, update: Update) -> bool:
        """Whether the update asks for help."""
        return asks_for_help(update, self._services)

    async def send_card(self, update: Update) -> bool:
        """The crisis card, without the database; whether it went."""
        return await send_card(update, self._services)

    async def apologise(self, update: Update) -> None:
        """The calm apology."""
        await apologise(update, self._services)

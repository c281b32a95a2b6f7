"""The core's ``Courier``: messages the bot starts itself, sent behind replies to what people
just did (the rate limiter's bulk priority), with Telegram's failures told apart."""

from __future__ import annotations

import logging
from typing import Any

from telegram.error import BadRequest, Forbidden, TelegramError, TimedOut
from telegram.ext import ExtBot

from bot.core.delivery import Post, Posted
from bot.core.model import User
from bot.core.views import Say
from bot.logs import who
from bot.tg.ratelimit import BULK
from bot.tg.render import Renderer

log = logging.getLogger(__name__)


class TelegramCourier:
    """Sends and edits through the bot, at bulk priority."""

    def __init__(self, bot: ExtBot[Any], renderer: Renderer) -> None:
        self._bot = bot
        self._renderer = renderer

    async def post(self, to: User, say: Say) -> Post:
        """Send a new message; the outcome says whether it went, and if not, why."""
        renderer = self._renderer
        try:
            sent = await self._bot.send_message(
                to.chat_id,
                renderer.body(to.language, say),
                reply_markup=renderer.markup(to.language, say),
                rate_limit_args=BULK,
            )
        except Forbidden:
            return Post(Posted.BLOCKED)
        except TimedOut:
            return Post(Posted.UNKNOWN)
        except TelegramError as exc:
            return Post(Posted.FAILED, reason=type(exc).__name__)
        return Post(Posted.SENT, sent.message_id)

    async def edit(self, to: User, message_id: int, say: Say) -> bool:
        """Replace an earlier message's text; its buttons go."""
        try:
            await self._bot.edit_message_text(
                self._renderer.body(to.language, say),
                chat_id=to.chat_id,
                message_id=message_id,
                reply_markup=self._renderer.markup(to.language, say),
                rate_limit_args=BULK,
            )
        except (BadRequest, Forbidden) as exc:
            log.info("could not edit a message for %s: %s", who(to.id), type(exc).__name__)
            return False
        return True

"""The record for a meeting in Telegram: the buttons under /mydata's list call ``Persons``,
then show. The words and what goes in are ``bot.core.record``'s; the pages are drawn by
``bot.draw.record_pdf``, handed in here and run in a worker thread by the core; the buttons
are the typed actions of ``bot.core.actions.record``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.core.actions import Action
from bot.core.actions.record import AskRecord, MakeRecord, Period, RecordBack, RecordForMeeting
from bot.core.model import User
from bot.core.views import View
from bot.draw.record_pdf import draw
from bot.tg.context import BotContext, Who, reply_view


async def _ask(update: Update, context: BotContext, user: User, action: AskRecord) -> None:
    """ "A record for a meeting (PDF)": which time, in the place of the list."""
    await reply_view(update, context, user.language, context.services.persons.record_asked())


async def _back(update: Update, context: BotContext, user: User, action: RecordBack) -> None:
    """ "Back": the list of what is kept, with its button, again."""
    listing = await context.services.persons.my_data_list(user)
    await reply_view(update, context, user.language, View.of(listing))


async def _make(update: Update, context: BotContext, user: User, action: MakeRecord) -> None:
    """A time chosen: the record as a PDF, and the list back in the question's place."""
    services = context.services
    view = await services.persons.make_record(user, action.period, services.clock.now(), draw)
    await reply_view(update, context, user.language, view)


async def _for_meeting(
    update: Update, context: BotContext, user: User, action: RecordForMeeting
) -> None:
    """Under a meeting's reminder: the last four weeks as a PDF; the reminder stays."""
    services = context.services
    now = services.clock.now()
    view = await services.persons.make_record(user, Period.WEEKS_4, now, draw, relist=False)
    await reply_view(update, context, user.language, view)


BUTTONS: dict[type[Action], tuple[Who, Callable[..., Awaitable[None]]]] = {
    RecordForMeeting: (Who.CLIENT, _for_meeting),
    AskRecord: (Who.CLIENT, _ask),
    MakeRecord: (Who.CLIENT, _make),
    RecordBack: (Who.CLIENT, _back),
}

"""/myweeks in Telegram: the picture of the client's own weeks, sent as a photo with its caption.

The command and each button ("My weeks" in the main menu, "8 weeks" under a picture) call one
use case, ``MyWeeks.show`` (``bot/core/my_weeks.py``), and show its view. The picture is drawn
here, in a worker thread (``asyncio.to_thread``): while it is drawn, other people's updates are
handled as usual, and matplotlib is loaded only the first time someone asks for a picture.

"Share this picture" and the buttons after it call ``WeeksSharing`` (``bot/core/weeks_share.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from telegram import Message, Update

from bot.core.actions import Action
from bot.core.actions.myweeks import (
    SendWeeks,
    ShareWeeks,
    ShowWeeks,
    WeeksPeople,
    WeeksPeoplePage,
    WeeksPerson,
    WeeksPreview,
)
from bot.core.model import User
from bot.core.my_weeks import SPANS, MyWeeks, Picture
from bot.core.weeks_share import WeeksSharing
from bot.draw.weeks import draw_weeks
from bot.tg.context import BotContext, Who, reply_view
from bot.tg.render import Renderer, TelegramOutbox


async def paint(picture: Picture) -> bytes:
    """The picture as PNG bytes, drawn off the event loop."""
    return await asyncio.to_thread(
        draw_weeks,
        picture.weeks,
        picture.labels,
        weekdays=picture.weekdays,
        rows=picture.rows,
    )


def _use(context: BotContext) -> MyWeeks:
    services = context.services
    store = services.db
    return MyWeeks(
        store,
        store,
        store,
        store,
        services.planner,
        services.catalog,
        paint,
        locale=services.settings.policy.locale,
    )


def _weeks(args: list[str] | None) -> int:
    """``/myweeks 12``: that many weeks, if it is one of the lengths offered; else the first."""
    if args and args[0].isdigit() and int(args[0]) in SPANS:
        return int(args[0])
    return SPANS[0]


async def myweeks_command(update: Update, context: BotContext, user: User) -> None:
    """/myweeks: the client's last 4 weeks (or ``/myweeks 8``, ``/myweeks 12``)."""
    now = context.services.clock.now()
    view = await _use(context).show(user, _weeks(context.args), now)
    await reply_view(update, context, user.language, view)


async def weeks_pressed(
    update: Update, context: BotContext, user: User, action: ShowWeeks
) -> None:
    """ "My weeks" in the main menu, or another length under a picture: a new picture. A
    picture whose button was pressed stays, without its buttons (the newest one has them); the
    main menu keeps its own."""
    query = update.callback_query
    message = query.message if query is not None else None
    picture = isinstance(message, Message) and bool(message.photo)
    pressed = message.message_id if picture and message is not None else None
    now = context.services.clock.now()
    view = await _use(context).show(user, action.weeks, now, pressed=pressed)
    await reply_view(update, context, user.language, view)


def _sharing(context: BotContext) -> WeeksSharing:
    services = context.services
    store = services.db
    if services.renderer is None:
        services.renderer = Renderer(services.catalog)
    outbox = TelegramOutbox(context.bot, services.renderer)
    return WeeksSharing(_use(context), store, store, services.planner, services.catalog, outbox)


def _pressed(update: Update) -> int | None:
    """The message whose button was pressed, if it can still be changed."""
    query = update.callback_query
    message = query.message if query is not None else None
    return message.message_id if isinstance(message, Message) else None


async def share_pressed(
    update: Update,
    context: BotContext,
    user: User,
    action: ShareWeeks | WeeksPerson | WeeksPeoplePage | WeeksPreview | SendWeeks | WeeksPeople,
) -> None:
    """ "Share this picture", and each step after it: who gets it, the exact picture, Share."""
    sharing = _sharing(context)
    now = context.services.clock.now()
    match action:
        case ShareWeeks(weeks=weeks):
            view = await sharing.start(user, weeks, now)
        case WeeksPerson(member_id=member_id, version=version):
            view = await sharing.toggle(user, member_id, version, now)
        case WeeksPeoplePage(version=version, page=page):
            view = await sharing.people_page(user, version, page)
        case WeeksPreview(version=version):
            view = await sharing.preview(user, version, now)
        case SendWeeks(version=version):
            view = await sharing.send(user, version, now, _pressed(update))
        case WeeksPeople(version=version):
            view = await sharing.back(user, version, now, _pressed(update))
    await reply_view(update, context, user.language, view)


BUTTONS: dict[type[Action], tuple[Who, Callable[..., Awaitable[None]]]] = {
    ShowWeeks: (Who.CLIENT, weeks_pressed),
    ShareWeeks: (Who.CLIENT, share_pressed),
    WeeksPerson: (Who.CLIENT, share_pressed),
    WeeksPeoplePage: (Who.CLIENT, share_pressed),
    WeeksPreview: (Who.CLIENT, share_pressed),
    SendWeeks: (Who.CLIENT, share_pressed),
    WeeksPeople: (Who.CLIENT, share_pressed),
}

"""Check-ins and the crisis plan in Telegram: decode the press, call one use case, render."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.core.actions.checkin import PlanSkip, PlanStop, PlanWrite
from bot.core.checkin_views import ACTIONS, CheckinViews
from bot.core.model import User
from bot.tg.context import BotContext, Who, reply_view


def _views(context: BotContext) -> CheckinViews:
    return CheckinViews(context.services.checkins)


async def start_checkin(update: Update, context: BotContext, user: User, dialog_id: str) -> None:
    """Open a check-in of ``dialog_id`` and ask how much energy there is."""
    view = await _views(context).start(user, dialog_id, context.services.clock.now())
    await reply_view(update, context, user.language, view)


async def pressed(update: Update, context: BotContext, user: User, action: Any) -> None:
    """Any button of a check-in, or of the crisis card inside one."""
    services = context.services
    query = update.callback_query
    message = query.message if query is not None else None
    view = await _views(context).pressed(
        user,
        action,
        services.clock.now(),
        pressed=message.message_id if message is not None else None,
        replayed=update.update_id in services.replayed,
    )
    await reply_view(update, context, user.language, view)


async def after_contact_request(
    update: Update, context: BotContext, user: User, *, sent: bool
) -> bool:
    """After the client sent (or cancelled) a request to get in touch that their check-in
    offered: the check-in goes on. False (and nothing said) if none was waiting on one."""
    now = context.services.clock.now()
    view = await _views(context).contact_requested(user, sent=sent, now=now)
    if view is None:
        return False
    await reply_view(update, context, user.language, view)
    return True


# --- the client's crisis plan -----------------------------------------------------------------


async def plan_write_pressed(
    update: Update, context: BotContext, user: User, action: PlanWrite
) -> None:
    """ "Write my plan" / "Change my plan"."""
    services = context.services
    view = await services.plans.write(user, services.clock.now())
    await reply_view(update, context, user.language, view)


async def plan_skip_pressed(
    update: Update, context: BotContext, user: User, action: PlanSkip
) -> None:
    """ "Skip this part"."""
    services = context.services
    view = await services.plans.skip(user, action.part, services.clock.now())
    await reply_view(update, context, user.language, view)


async def plan_stop_pressed(
    update: Update, context: BotContext, user: User, action: PlanStop
) -> None:
    """ "Stop here"."""
    await reply_view(update, context, user.language, await context.services.plans.stop(user))


BUTTONS: dict[Any, Any] = {
    **{kind: (Who.CLIENT, pressed) for kind in ACTIONS},
    PlanWrite: (Who.CLIENT, plan_write_pressed),
    PlanSkip: (Who.CLIENT, plan_skip_pressed),
    PlanStop: (Who.CLIENT, plan_stop_pressed),
}

"""/share in Telegram: each command or press calls one ``Sharing`` use case and shows its view.

The rules (what can be chosen, who may receive it, what a withdrawal takes back) are in
``bot.core.sharing``; the buttons are the typed actions of ``bot.core.actions.share``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Message, Update

from bot.core.actions import Action
from bot.core.actions.share import (
    AskWithdraw,
    CancelShare,
    ChangeItems,
    HistoryPage,
    KeepShare,
    Preview,
    RecipientPage,
    SendShare,
    ShareCheckin,
    SharedHistory,
    ToggleItem,
    ToggleRecipient,
    TurnPage,
    Withdraw,
)
from bot.core.model import User
from bot.core.sharing import Sharing
from bot.core.views import View
from bot.tg.context import BotContext, Who, reply_view


def _sharing(context: BotContext) -> Sharing:
    return context.services.sharing


def _pressed(update: Update) -> int | None:
    """The message whose button was pressed, if it can still be changed."""
    query = update.callback_query
    message = query.message if query is not None else None
    return message.message_id if isinstance(message, Message) else None


async def _show(update: Update, context: BotContext, user: User, view: View) -> None:
    await reply_view(update, context, user.language, view)


async def share_command(update: Update, context: BotContext, user: User) -> None:
    """/share: start a fresh draft."""
    view = await _sharing(context).start(user, context.services.clock.now())
    await _show(update, context, user, view)


async def _toggle_item(
    update: Update, context: BotContext, user: User, action: ToggleItem
) -> None:
    """Tick or untick an item."""
    view = await _sharing(context).toggle_item(
        user, action.ref, action.page, context.services.clock.now()
    )
    await _show(update, context, user, view)


async def _turn_page(update: Update, context: BotContext, user: User, action: TurnPage) -> None:
    """Older or newer items."""
    view = await _sharing(context).turn_page(user, action.page, action.older)
    await _show(update, context, user, view)


async def _preview(update: Update, context: BotContext, user: User, action: Preview) -> None:
    """Show the exact text."""
    now = context.services.clock.now()
    await _show(update, context, user, await _sharing(context).preview(user, now))


async def _toggle_recipient(
    update: Update, context: BotContext, user: User, action: ToggleRecipient
) -> None:
    """Pick or unpick a person of the team."""
    view = await _sharing(context).toggle_recipient(
        user, action.member_id, action.version, context.services.clock.now()
    )
    await _show(update, context, user, view)


async def _recipient_page(
    update: Update, context: BotContext, user: User, action: RecipientPage
) -> None:
    """More people of a big team, under the same preview."""
    view = await _sharing(context).recipient_page(user, action.version, action.page)
    await _show(update, context, user, view)


async def _send(update: Update, context: BotContext, user: User, action: SendShare) -> None:
    """Share the previewed text."""
    view = await _sharing(context).send(
        user, action.version, context.services.clock.now(), _pressed(update)
    )
    await _show(update, context, user, view)


async def _back(update: Update, context: BotContext, user: User, action: ChangeItems) -> None:
    """Back to the items."""
    view = await _sharing(context).back(user, context.services.clock.now(), _pressed(update))
    await _show(update, context, user, view)


async def _cancel(update: Update, context: BotContext, user: User, action: CancelShare) -> None:
    """Nothing is shared."""
    await _show(update, context, user, await _sharing(context).cancel(user, _pressed(update)))


async def _from_checkin(
    update: Update, context: BotContext, user: User, action: ShareCheckin
) -> None:
    """ "Share this" under a finished check-in."""
    view = await _sharing(context).from_checkin(
        user, action.checkin_id, context.services.clock.now(), _pressed(update)
    )
    await _show(update, context, user, view)


async def _history(update: Update, context: BotContext, user: User, action: SharedHistory) -> None:
    """What the client shared."""
    await _show(update, context, user, await _sharing(context).history(user))


async def _history_page(
    update: Update, context: BotContext, user: User, action: HistoryPage
) -> None:
    """Another page of what the client shared, in the same message."""
    view = await _sharing(context).history(user, action.page, edit=True)
    await _show(update, context, user, view)


async def _ask_withdraw(
    update: Update, context: BotContext, user: User, action: AskWithdraw
) -> None:
    """Ask before withdrawing."""
    await _show(update, context, user, await _sharing(context).ask_withdraw(user, action.share_id))


async def _withdraw(update: Update, context: BotContext, user: User, action: Withdraw) -> None:
    """Withdraw a share."""
    view = await _sharing(context).withdraw(user, action.share_id, context.services.clock.now())
    await _show(update, context, user, view)


async def _keep(update: Update, context: BotContext, user: User, action: KeepShare) -> None:
    """Keep it shared."""
    await _show(update, context, user, _sharing(context).keep())


BUTTONS: dict[type[Action], tuple[Who, Callable[..., Awaitable[None]]]] = {
    ToggleItem: (Who.CLIENT, _toggle_item),
    TurnPage: (Who.CLIENT, _turn_page),
    Preview: (Who.CLIENT, _preview),
    ToggleRecipient: (Who.CLIENT, _toggle_recipient),
    RecipientPage: (Who.CLIENT, _recipient_page),
    SendShare: (Who.CLIENT, _send),
    ChangeItems: (Who.CLIENT, _back),
    CancelShare: (Who.CLIENT, _cancel),
    ShareCheckin: (Who.CLIENT, _from_checkin),
    SharedHistory: (Who.CLIENT, _history),
    HistoryPage: (Who.CLIENT, _history_page),
    AskWithdraw: (Who.CLIENT, _ask_withdraw),
    Withdraw: (Who.CLIENT, _withdraw),
    KeepShare: (Who.CLIENT, _keep),
}

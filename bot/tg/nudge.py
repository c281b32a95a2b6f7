"""Nudges and the channel back in Telegram: /nudge and the buttons call the core, then show.

The rules (who may nudge whom, when it arrives, what each person sees) live in
``bot.core.nudges``; the buttons are the typed actions of ``bot.core.actions.messages``; typed
words reach ``Nudges.typed`` through the text handler.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.error import TelegramError

from bot.core.actions import Action
from bot.core.actions.messages import (
    AnswerClient,
    AnswerShare,
    AskContact,
    AskContactMenu,
    AskStopNudges,
    CancelNudge,
    ConfirmToClient,
    NudgeTemplate,
    NudgeWhen,
    NudgeWho,
    PromiseCall,
    ReflectDraft,
    ReflectFor,
    ReplyToMember,
    SendToMember,
    SetAside,
    SetNudges,
    SkipReflectionStep,
    StartReflection,
    StopNudges,
    TalkAtMeeting,
    ThankMember,
    WriteToMember,
)
from bot.core.model import User
from bot.core.nudges import Nudges
from bot.logs import who
from bot.tg import checkin, firstaid
from bot.tg.context import BotContext, Who, reply_view
from bot.tg.render import Renderer

log = logging.getLogger(__name__)


def _nudges(context: BotContext) -> Nudges:
    return context.services.nudges


async def nudge_command(update: Update, context: BotContext, user: User) -> None:
    """/nudge: what is still to arrive (each can be cancelled), then whom to nudge."""
    view = await _nudges(context).nudge_menu(user, context.services.clock.now())
    await reply_view(update, context, user.language, view)


async def show_held(update: Update, context: BotContext, user: User) -> None:
    """A client who chose "Only when I ask" wrote, pressed or gave a command: first the nudges
    that waited for that (``Nudges.held_for``), then, by the handler, the answer to it. Not
    before the crisis card: they wait for the next time. A press is answered by its own handler
    (its toast may say something), so here they only go as new messages. A nudge that cannot
    be sent stays waiting, and what the client did is answered all the same."""
    services = context.services
    if not user.role.is_client or firstaid.asks_for_help(update, services):
        return
    view = await _nudges(context).held_for(user, services.clock.now())
    if not view.says:
        return
    try:
        if update.callback_query is None:
            await reply_view(update, context, user.language, view)
            return
        renderer = services.renderer or Renderer(services.catalog)
        for say in view.says:
            sent = await context.bot.send_message(
                user.chat_id,
                renderer.body(user.language, say),
                reply_markup=renderer.markup(user.language, say),
            )
            if say.on_sent is not None:
                await say.on_sent(sent.message_id)
    except TelegramError as exc:
        log.warning("a waiting nudge did not reach %s: %s", who(user.id), type(exc).__name__)


async def pressed(update: Update, context: BotContext, user: User, action: Action) -> None:
    """Any button about nudges and messages between a client and their team."""
    query = update.callback_query
    message = query.message if query is not None else None
    view = await _nudges(context).pressed(
        user,
        action,
        context.services.clock.now(),
        message.message_id if message is not None else None,
    )
    await reply_view(update, context, user.language, view)


async def send_pressed(
    update: Update, context: BotContext, user: User, action: SendToMember
) -> None:
    """ "Send to …" (or "Cancel") under the client's own draft; a check-in that offered this
    request then goes on (or offers it again), so its question is the newest message."""
    await pressed(update, context, user, action)
    await checkin.after_contact_request(update, context, user, sent=action.send)


BUTTONS: dict[type[Action], tuple[Who, Callable[..., Awaitable[None]]]] = {
    # The sender's /nudge, and a member's answer to what a client wrote.
    NudgeWho: (Who.MEMBER, pressed),
    NudgeWhen: (Who.MEMBER, pressed),
    NudgeTemplate: (Who.MEMBER, pressed),
    ConfirmToClient: (Who.MEMBER, pressed),
    CancelNudge: (Who.MEMBER, pressed),
    AnswerClient: (Who.MEMBER, pressed),
    AnswerShare: (Who.MEMBER, pressed),
    PromiseCall: (Who.MEMBER, pressed),
    ReflectFor: (Who.MEMBER, pressed),
    StartReflection: (Who.MEMBER, pressed),
    SkipReflectionStep: (Who.MEMBER, pressed),
    ReflectDraft: (Who.MEMBER, pressed),
    # The client's buttons under a message from their team, and under their own draft.
    ReplyToMember: (Who.CLIENT, pressed),
    ThankMember: (Who.CLIENT, pressed),
    SetAside: (Who.CLIENT, pressed),
    TalkAtMeeting: (Who.CLIENT, pressed),
    AskStopNudges: (Who.CLIENT, pressed),
    StopNudges: (Who.CLIENT, pressed),
    SendToMember: (Who.CLIENT, send_pressed),
    # Shown by /team, one person of the client's team.
    WriteToMember: (Who.CLIENT, pressed),
    AskContactMenu: (Who.CLIENT, pressed),
    AskContact: (Who.CLIENT, pressed),
    SetNudges: (Who.CLIENT, pressed),
}

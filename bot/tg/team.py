"""The care team in Telegram: parse the command or press, call the ``Team`` use case, show it.

The rules (who may act on whom, what is sent, what a client is told) live in ``bot.core.team``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from telegram import Message, Update

from bot.core.actions import Action
from bot.core.actions.team import (
    AcceptInvite,
    AnswerProposal,
    AskMeeting,
    AskRemove,
    ClientList,
    ClientPage,
    ConfirmMeeting,
    DeclineInvite,
    DeclineWaiting,
    InviteClose,
    KeepMember,
    MeetingLater,
    MeetingStart,
    NoMeeting,
    RemoveMember,
    ShowClient,
    ShowMember,
    TeamPage,
)
from bot.core.model import User
from bot.core.team import MEETING_DIALOGS, Caller, Team
from bot.core.views import View
from bot.tg import menus
from bot.tg.checkin import start_checkin
from bot.tg.codec import decode
from bot.tg.context import BotContext, Who, reply_view


def _team(context: BotContext) -> Team:
    return context.services.team


def _caller(update: Update) -> Caller:
    tg_user = update.effective_user
    chat = update.effective_chat
    assert tg_user is not None
    return Caller(
        tg_user.id, chat.id if chat else tg_user.id, tg_user.first_name, tg_user.language_code
    )


def _now(context: BotContext) -> datetime:
    return context.services.clock.now()


# --- invites -----------------------------------------------------------------------------------


async def invite_command(update: Update, context: BotContext, user: User) -> None:
    """/invite: staff make a link (and a QR code) for a client."""
    view = await _team(context).invite_client(user, _now(context))
    await reply_view(update, context, user.language, view)


async def open_invite(update: Update, context: BotContext, code: str, language: str) -> bool:
    """/start with a team code: who asks, what they will see; Accept or Decline.

    Returns False if the code is not a usable team code (the caller says so in ``language``).
    """
    reply = await _team(context).open_invite(_caller(update), code, _now(context))
    if reply is None:
        return False
    await reply_view(update, context, reply.language, reply.view)
    return True


def invite_data(data: object) -> bool:
    """Whether callback data is an Accept or Decline under an invite.

    These two are pressed before the presser may have an account (someone close to a client
    needs none), so they have their own handler instead of the router, which makes a client of
    whoever it does not know.
    """
    return isinstance(data, str) and isinstance(decode(data), AcceptInvite | DeclineInvite)


async def invite_pressed(update: Update, context: BotContext) -> None:
    """Accept or Decline under an invite: the code is used once, by whoever presses first."""
    query = update.callback_query
    assert query is not None
    action = decode(query.data)
    team, caller, now = _team(context), _caller(update), _now(context)
    if isinstance(action, AcceptInvite):
        reply = await team.accept(caller, action.code, now)
    else:
        assert isinstance(action, DeclineInvite)
        reply = await team.decline(caller, action.code, now)
    await reply_view(update, context, reply.language, reply.view)
    if reply.menu is not None:
        await menus.set_chat_commands(
            context.bot, context.services, caller.id, reply.language, reply.menu
        )


# --- /team ---------------------------------------------------------------------------------------


async def team_command(update: Update, context: BotContext, user: User) -> None:
    """/team: who is in the client's team, what each has, the next meeting; change it."""
    await reply_view(
        update, context, user.language, await _team(context).team(user, _now(context))
    )


async def _team_page(update: Update, context: BotContext, user: User, action: TeamPage) -> None:
    """More people of a big team, in the same message."""
    view = await _team(context).team(user, _now(context), action.page, edit=True)
    await reply_view(update, context, user.language, view)


async def _invite_close(update: Update, context: BotContext, user: User, _: InviteClose) -> None:
    view = await _team(context).invite_close(user, _now(context))
    await reply_view(update, context, user.language, view)


async def _member(update: Update, context: BotContext, user: User, action: ShowMember) -> None:
    view = await _team(context).member(user, action.member_id)
    await reply_view(update, context, user.language, view)


async def _ask_remove(update: Update, context: BotContext, user: User, action: AskRemove) -> None:
    view = await _team(context).ask_remove(user, action.member_id)
    await reply_view(update, context, user.language, view)


async def _remove(update: Update, context: BotContext, user: User, action: RemoveMember) -> None:
    view = await _team(context).remove(user, action.member_id, context.services.clock.now())
    await reply_view(update, context, user.language, view)


async def _keep(update: Update, context: BotContext, user: User, action: KeepMember) -> None:
    view = await _team(context).keep(user, action.member_id)
    await reply_view(update, context, user.language, view)


async def _decline_waiting(
    update: Update, context: BotContext, user: User, action: DeclineWaiting
) -> None:
    view = await _team(context).decline_waiting(user, action.relay_id)
    await reply_view(update, context, user.language, view)


# --- the next network meeting: the client's own date, a clinician's proposal, the answer -----


async def _ask_meeting(
    update: Update, context: BotContext, user: User, action: AskMeeting
) -> None:
    view = await _team(context).ask_meeting(user, action.client_id, _now(context))
    await reply_view(update, context, user.language, view)


async def _no_meeting(update: Update, context: BotContext, user: User, action: NoMeeting) -> None:
    view = await _team(context).no_meeting(user, action.client_id, action.asked, _now(context))
    await reply_view(update, context, user.language, view)


async def _confirm_meeting(
    update: Update, context: BotContext, user: User, action: ConfirmMeeting
) -> None:
    """The typed meeting, read back, is right: saved (the client's own) or proposed."""
    team, now = _team(context), _now(context)
    view = await team.confirm_meeting(user, action.client_id, action.day, now, action.check)
    await reply_view(update, context, user.language, view)


async def _answer_proposal(
    update: Update, context: BotContext, user: User, action: AnswerProposal
) -> None:
    """ "That works" or "Another day" under a clinician's proposed date; after "Another day"
    the words typed next are a draft to the clinician, written as any other (``Nudges``)."""
    write = context.services.nudges.write_to
    view = await _team(context).answer_proposal(
        user, action.relay_id, action.works, _now(context), write
    )
    await reply_view(update, context, user.language, view)


async def _meeting_start(
    update: Update, context: BotContext, user: User, action: MeetingStart
) -> None:
    """ "Get ready now" / "Tell how it went": the invitation's buttons go, the questions start."""
    await reply_view(update, context, user.language, _unbutton(update))
    await start_checkin(update, context, user, MEETING_DIALOGS[action.slot])


async def _meeting_later(
    update: Update, context: BotContext, user: User, action: MeetingLater
) -> None:
    view = _unbutton(update) + Team.meeting_later(action.slot)
    await reply_view(update, context, user.language, view)


def _unbutton(update: Update) -> View:
    """The pressed message loses its buttons (an old message: the choice still counts)."""
    query = update.callback_query
    pressed = query.message if query is not None else None
    return View(unbutton=(pressed.message_id,)) if isinstance(pressed, Message) else View()


# --- /clients --------------------------------------------------------------------------------


async def clients_command(update: Update, context: BotContext, user: User) -> None:
    """/clients: the clients whose team this person is in, with their next meeting."""
    view = await _team(context).clients(user, _now(context))
    await reply_view(update, context, user.language, view)


async def _clients(update: Update, context: BotContext, user: User, _: ClientList) -> None:
    await clients_command(update, context, user)


async def _client_page(
    update: Update, context: BotContext, user: User, action: ClientPage
) -> None:
    """More clients, in the same message."""
    view = await _team(context).clients(user, _now(context), action.page, edit=True)
    await reply_view(update, context, user.language, view)


async def _client(update: Update, context: BotContext, user: User, action: ShowClient) -> None:
    view = await _team(context).client(user, action.client_id, _now(context))
    await reply_view(update, context, user.language, view)


BUTTONS: dict[type[Action], tuple[Who, Callable[..., Awaitable[None]]]] = {
    InviteClose: (Who.CLIENT, _invite_close),
    ShowMember: (Who.CLIENT, _member),
    TeamPage: (Who.CLIENT, _team_page),
    AskRemove: (Who.CLIENT, _ask_remove),
    RemoveMember: (Who.CLIENT, _remove),
    KeepMember: (Who.CLIENT, _keep),
    DeclineWaiting: (Who.CLIENT, _decline_waiting),
    # The client's own date, or a clinician's for a client: the use case checks which.
    AskMeeting: (Who.ANYONE, _ask_meeting),
    NoMeeting: (Who.ANYONE, _no_meeting),
    ConfirmMeeting: (Who.ANYONE, _confirm_meeting),
    AnswerProposal: (Who.CLIENT, _answer_proposal),
    MeetingStart: (Who.CLIENT, _meeting_start),
    MeetingLater: (Who.CLIENT, _meeting_later),
    ClientList: (Who.MEMBER, _clients),
    ClientPage: (Who.MEMBER, _client_page),
    ShowClient: (Who.MEMBER, _client),
}

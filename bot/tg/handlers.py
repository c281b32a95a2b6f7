"""Telegram handlers: parse the update, call one use case, render the result. Nothing more."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from functools import cache
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import Forbidden
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.core import usecases
from bot.core.actions import Action
from bot.core.actions.checkin import EraseAll, KeepAll, Menu, MenuEntry
from bot.core.actions.settings import ChooseLanguage
from bot.core.model import STAFF_CODE_PREFIX, Role, User
from bot.core.retention import erase_account
from bot.core.team import Caller
from bot.core.typed import Typed, TypedAnswer
from bot.core.views import Choice, Say, View, t
from bot.core.waits import WaitKind
from bot.logs import who
from bot.storage.db import passes
from bot.tg import (
    checkin,
    firstaid,
    keyboards,
    menus,
    myweeks,
    nudge,
    record,
    settings,
    share,
    team,
)
from bot.tg.codec import decode
from bot.tg.context import BotContext, Who, reply_view, waits
from bot.tg.context import text as _t
from bot.tg.inbox import reason
from bot.tg.keyboards import answer_press
from bot.tg.keyboards import reply as _reply
from bot.tg.keyboards import settle as _edit_or_send
from bot.tg.once import HANDLING
from bot.tg.render import change_earlier

log = logging.getLogger(__name__)

# Private chats only; an edited message is never taken for a new command.
PRIVATE = filters.ChatType.PRIVATE & ~filters.UpdateType.EDITED


async def set_default_commands(app: Application) -> None:
    """The menu every private chat starts with (clients')."""
    await menus.set_default_commands(app.bot, app.bot_data.services)


def _language(update: Update, context: BotContext, user: User | None = None) -> str:
    if user is not None:
        return user.language
    tg_user = update.effective_user
    return context.services.catalog.language_for(tg_user.language_code if tg_user else None)


async def _person(update: Update, context: BotContext, *, started: bool = False) -> User:
    """The person behind this update. A first contact becomes a client and is welcomed first,
    whatever they sent, so nobody writes to the bot without learning what it is and is not.

    ``started``: the update is /start, after which the schedule question is the one question;
    first words of any other kind get their own answer instead (one decision per message).
    """
    tg_user = update.effective_user
    chat = update.effective_chat
    assert tg_user is not None and chat is not None
    services = context.services
    user, new = await services.persons.arrive(
        tg_user.id,
        chat.id,
        tg_user.first_name,
        services.catalog.language_for(tg_user.language_code),
        services.clock.now(),
    )
    if new:
        # Roles come from links: someone who came without one hears that a link decides.
        hint = _t(context, user.language, "start.link_hint")
        await _reply(update, f"{_welcome_text(context, user.language, user.name)}\n\n{hint}")
        await _reply(update, _t(context, user.language, "start.telegram_privacy"))
        if started:
            await settings.propose(update, context, user)
    else:
        # A client who chose "Only when I ask" now sees what waited for them, first.
        await nudge.show_held(update, context, user)
    return user


def _welcome_text(context: BotContext, language: str, name: str) -> str:
    """What the bot is and is not, to someone new."""
    name_part = f", {name}" if name else ""
    org = context.services.settings.service.organisation.name
    return _t(context, language, "start.welcome", name_part=name_part, org=org)


def main_menu(context: BotContext, language: str) -> InlineKeyboardMarkup:
    """The client's main menu; the path to help is always in it."""
    return keyboards.main_menu(context.services.catalog, language)


# --- commands -------------------------------------------------------------------------------


async def start(update: Update, context: BotContext) -> None:
    """Welcome a person; with a code, a staff invite or an invite to a client's team."""
    tg_user = update.effective_user
    assert tg_user is not None
    code = context.args[0] if context.args else None
    if code is not None and code.startswith(STAFF_CODE_PREFIX):
        await _redeem(update, context, code)
        return
    known = await context.services.persons.find(tg_user.id)
    if code is not None:
        await _open_link(update, context, code, known)
        return
    user = await _person(update, context, started=True)
    language = user.language
    if not user.role.is_client:
        await _reply(update, _member_help(context, user))
    elif known is not None:
        name_part = f", {user.name}" if user.name else ""
        await _reply(
            update,
            _t(context, language, "start.welcome_back", name_part=name_part),
            main_menu(context, language),
        )


async def _open_link(update: Update, context: BotContext, code: str, known: User | None) -> None:
    """A team link: someone new learns what the bot is, then the invite is the one question.

    A link that does not work makes nobody anything; roles come from links that do.
    """
    language = _language(update, context, known)
    services = context.services
    tg_user, chat = update.effective_user, update.effective_chat
    assert tg_user is not None and chat is not None
    caller = Caller(tg_user.id, chat.id, tg_user.first_name, tg_user.language_code)
    reply = await services.team.open_invite(caller, code, services.clock.now())
    if reply is None:
        await _reply(update, _t(context, language, "start.code_invalid"))
        return
    if known is None and code.startswith("c_"):
        # Someone close learns what the bot is from the invite itself; a client from the welcome.
        await _reply(update, _welcome_text(context, reply.language, tg_user.first_name))
        await _reply(update, _t(context, reply.language, "start.telegram_privacy"))
    await reply_view(update, context, reply.language, reply.view)


async def invite_pressed(update: Update, context: BotContext) -> None:
    """Accept or Decline under an invite; a client who just joined a team is then asked,
    as the one new question, when the bot may write to them."""
    await team.invite_pressed(update, context)
    tg_user = update.effective_user
    assert tg_user is not None
    user = await context.services.persons.to_ask_schedule(tg_user.id)
    if user is not None:
        # Someone close who took a client's link is a client now: the client's commands.
        await menus.set_chat_commands(
            context.bot, context.services, tg_user.id, user.language, Role.CLIENT
        )
        await settings.propose(update, context, user)


async def _redeem(update: Update, context: BotContext, code: str) -> None:
    services = context.services
    tg_user = update.effective_user
    chat = update.effective_chat
    assert tg_user is not None and chat is not None
    language = _language(update, context)
    outcome, user = await services.persons.redeem_staff_code(
        code, tg_user.id, chat.id, language, services.clock.now()
    )
    if outcome is usecases.Redemption.ALREADY_CLIENT:
        await _reply(update, _t(context, language, "staff.already_client"))
        return
    if user is None:
        await _reply(update, _t(context, language, "start.code_invalid"))
        return
    org = services.settings.service.organisation.name
    await _reply(update, _t(context, language, "start.staff_welcome", name=user.name, org=org))
    await _reply(update, _member_help(context, user))
    await menus.set_chat_commands(context.bot, services, chat.id, language, user.role)


def _member_help(context: BotContext, user: User) -> str:
    """Help for staff and network members: what they can do, and what they never see."""
    if user.role is Role.NETWORK:
        return _t(context, user.language, "help.network")
    role = _t(context, user.language, f"roles.{user.role.value}")
    key = "help.peer" if user.role is Role.PEER else "help.staff"
    return _t(context, user.language, key, role=role)


async def help_command(update: Update, context: BotContext) -> None:
    """Say what the bot does for this person."""
    user = await _person(update, context)
    if not user.role.is_client:
        await _reply(update, _member_help(context, user))
    else:
        await _reply(
            update, _t(context, user.language, "help.client"), main_menu(context, user.language)
        )


async def menu_command(update: Update, context: BotContext) -> None:
    """/menu: the client's main menu; others hear what they can do."""
    user = await _person(update, context)
    if not user.role.is_client:
        await _reply(update, _member_help(context, user))
        return
    await _reply(
        update, _t(context, user.language, "menu.prompt"), main_menu(context, user.language)
    )


async def helpnow(update: Update, context: BotContext) -> None:
    """Show the crisis card. Must work even when the database does not."""
    services = context.services
    tg_user = update.effective_user
    language = _language(update, context)
    if services.ready is None:  # the store never opened: the card all the same
        for text in usecases.crisis_texts(
            services.settings.policy, services.catalog, language, None
        ):
            await _reply(update, text)
        return
    language, view = await services.persons.crisis_card(tg_user.id if tg_user else None, language)
    await reply_view(update, context, language, view)


def _dialog_command(dialog_id: str) -> Callable[[Update, BotContext], Coroutine[Any, Any, None]]:
    """A command that starts a dialog now; works at any time, onboarding finished or not."""

    async def command(update: Update, context: BotContext) -> None:
        user = await _person(update, context)
        if not user.role.is_client:
            await _reply(update, _t(context, user.language, "fallback.not_for_role"))
            return
        await checkin.start_checkin(update, context, user, dialog_id)

    return command


# The regular check-in, and getting ready for the next network meeting.
checkin_command = _dialog_command("checkin")
agenda_command = _dialog_command("meeting_prep")


def _client_button(
    action: Callable[[Update, BotContext, User], Coroutine[Any, Any, None]],
) -> Callable[[Update, BotContext], Coroutine[Any, Any, None]]:
    """A button handler that acts for the client who pressed it, and for nobody else."""

    async def pressed(update: Update, context: BotContext) -> None:
        query = update.callback_query
        assert query is not None
        user = await _person(update, context)
        if not user.role.is_client:
            stale = _t(context, _language(update, context), "fallback.stale_button")
            await answer_press(query, stale)
            return
        await action(update, context, user)

    return pressed


async def language_command(update: Update, context: BotContext) -> None:
    """/language: which language the bot writes in, each named in itself."""
    user = await _person(update, context)
    await reply_view(update, context, user.language, context.services.persons.languages())


async def language_pressed(
    update: Update, context: BotContext, user: User, action: ChooseLanguage
) -> None:
    """A language chosen: said in it, and the command menu follows."""
    services = context.services
    if action.code is None:  # "Language" in /settings
        choices = services.persons.languages(from_settings=True)
        await reply_view(update, context, user.language, choices)
        return
    chosen = await services.persons.set_language(user, action.code)
    if chosen is None:
        await reply_view(update, context, user.language, View.refuse("fallback.stale_button"))
        return
    settled = View((Say((t("language.saved"),), edit=True),))
    await reply_view(update, context, chosen.language, settled)
    chat = update.effective_chat
    if chat is not None:
        await menus.set_chat_commands(context.bot, services, chat.id, chosen.language, chosen.role)


async def mydata(update: Update, context: BotContext) -> None:
    """Give a person everything kept about them: listed in the chat, complete in two files."""
    user = await _person(update, context)
    await reply_view(update, context, user.language, await context.services.persons.my_data(user))


async def delete(update: Update, context: BotContext) -> None:
    """Ask before erasing everything; the affirmative action comes first."""
    user = await _person(update, context)
    stamp = int(context.services.clock.now().timestamp())
    view = View(
        (
            Say(
                (t("delete.confirm"),),
                ((Choice(t("delete.yes"), EraseAll(stamp)), Choice(t("delete.no"), KeepAll())),),
            ),
        )
    )
    await reply_view(update, context, user.language, view)


def _answer_with(key: str) -> Callable[[Update, BotContext], Coroutine[Any, Any, None]]:
    """A handler that answers with one catalog text and changes nothing."""

    async def answer(update: Update, context: BotContext) -> None:
        await _reply(update, _t(context, _language(update, context), key))

    return answer


def _client_command(
    action: Callable[[Update, BotContext, User], Coroutine[Any, Any, None]],
) -> Callable[[Update, BotContext], Coroutine[Any, Any, None]]:
    """A command only clients have; staff get a calm refusal."""

    async def command(update: Update, context: BotContext) -> None:
        user = await _person(update, context)
        if not user.role.is_client:
            await _reply(update, _t(context, user.language, "fallback.not_for_role"))
            return
        await action(update, context, user)

    return command


def _member_command(
    action: Callable[[Update, BotContext, User], Coroutine[Any, Any, None]],
) -> Callable[[Update, BotContext], Coroutine[Any, Any, None]]:
    """A command for people in clients' teams (staff, network members); clients are told."""

    async def command(update: Update, context: BotContext) -> None:
        user = await _person(update, context)
        if not await context.services.persons.in_a_team(user):
            await _reply(update, _t(context, user.language, "fallback.not_for_role"))
            return
        await action(update, context, user)

    return command


unknown_command = _answer_with("fallback.unknown_command")
# Stickers, photos, voice and the like.
non_text = _answer_with("fallback.non_text")
# An edited message: the first version stays.
edited = _answer_with("fallback.edited")


# --- buttons --------------------------------------------------------------------------------

ButtonHandler = Callable[[Update, BotContext, User, Any], Coroutine[Any, Any, None]]


@cache
def _routes() -> dict[type[Action], tuple[Who, ButtonHandler]]:
    """Every typed action and who handles it, from each capability's ``BUTTONS`` table."""
    routes: dict[type[Action], tuple[Who, ButtonHandler]] = {
        Menu: (Who.ANYONE, menu_pressed),
        EraseAll: (Who.ANYONE, erase_pressed),
        ChooseLanguage: (Who.ANYONE, language_pressed),
        KeepAll: (Who.ANYONE, keep_pressed),
    }
    for module in (checkin, settings, team, share, nudge, myweeks, record):
        for kind, route in getattr(module, "BUTTONS", {}).items():
            if kind in routes:
                raise RuntimeError(f"{kind.__name__} has two handlers")
            routes[kind] = route
    return routes


def _routed(data: object) -> bool:
    """Whether callback data decodes to an action this version handles."""
    action = decode(data) if isinstance(data, str) else None
    return action is not None and type(action) in _routes()


async def button_pressed(update: Update, context: BotContext) -> None:
    """A button whose data decodes to a typed action: the right person, then its handler.

    Any press ends a wait for typed text; the handler may start a new one.
    """
    query = update.callback_query
    assert query is not None
    action = decode(query.data)
    if action is None:
        # PTB hands a press without data to every handler with a pattern, without asking the
        # pattern: such a press is let go where every other unknown press is.
        await stale_button(update, context)
        return
    who, handler = _routes()[type(action)]
    user = await _person(update, context)
    member = await context.services.persons.in_a_team(user)
    if (who is Who.CLIENT and not user.role.is_client) or (who is Who.MEMBER and not member):
        await answer_press(query, _t(context, user.language, "fallback.stale_button"))
        return
    pressed = query.message.message_id if query.message is not None else None
    await _moved_on(update, context, user, await waits(context).move_on(user.id, pressed))
    await handler(update, context, user, action)


async def menu_pressed(update: Update, context: BotContext, user: User, action: Menu) -> None:
    """A main-menu button."""
    query = update.callback_query
    assert query is not None
    await answer_press(query)
    if action.entry is MenuEntry.HELP:
        await helpnow(update, context)
    elif action.entry is MenuEntry.CHECKIN:
        await checkin_command(update, context)
    elif action.entry is MenuEntry.NOTE:
        await _reply(update, _t(context, user.language, "menu.note_hint"))
    else:
        await _client_command(team.team_command)(update, context)


async def erase_pressed(update: Update, context: BotContext, user: User, action: EraseAll) -> None:
    """ "Delete everything", within an hour of asking."""
    services = context.services
    query = update.callback_query
    assert query is not None
    await answer_press(query)
    if not services.persons.erase_confirmed_in_time(action.asked, services.clock.now()):
        await _edit_or_send(update, _t(context, user.language, "delete.expired"))
        return
    await erase_account(services.sharing, services.persons, user, services.clock.now())
    await _edit_or_send(update, _t(context, user.language, "delete.done"))


async def keep_pressed(update: Update, context: BotContext, user: User, action: KeepAll) -> None:
    """ "Keep my data"."""
    query = update.callback_query
    assert query is not None
    await answer_press(query)
    await _edit_or_send(update, _t(context, user.language, "delete.kept"))


async def stale_button(update: Update, context: BotContext) -> None:
    """Any button this version does not know, or an old one: a calm answer, nothing changes.

    A press without data was never made by Between (a client's quirk, or a forged query): it is
    answered without a word, since "no longer active" would not be true of it either.
    """
    query = update.callback_query
    assert query is not None
    if not query.data:
        log.debug("a button press without data, let go")
        await answer_press(query)
        return
    await answer_press(query, _t(context, _language(update, context), "fallback.stale_button"))


# --- messages -------------------------------------------------------------------------------


def _typed(context: BotContext) -> Typed:
    """The use case for typed words, and which use case takes them for each kind of question
    the bot asks."""
    services = context.services
    answers: dict[WaitKind, TypedAnswer] = {WaitKind.PLAN: services.plans.typed}
    for case, kinds in (
        (services.schedule_settings, (WaitKind.TIME, WaitKind.ZONE, WaitKind.HOURS,
                                      WaitKind.PAUSE_MESSAGE, WaitKind.PAUSE_UNTIL)),
        (services.team, (WaitKind.MEETING,)),
        (services.nudges, (WaitKind.NUDGE_WHEN, WaitKind.NUDGE_TEXT, WaitKind.WRITE,
                           WaitKind.ANSWER, WaitKind.REFLECTION)),
    ):  # fmt: skip
        answers.update(dict.fromkeys(kinds, case.typed))
    after_note = services.nudges.offer_reflection
    return Typed(
        waits(context), services.checkins, services.persons, services.risk, answers, after_note
    )


async def command_given(update: Update, context: BotContext) -> None:
    """Any command moves on: a question waiting for typed text no longer captures words, and
    its message says so."""
    tg_user = update.effective_user
    services = context.services
    if tg_user is None or services.ready is None:
        return
    view = await waits(context).move_on(tg_user.id)
    if view.replace:
        user = await services.persons.find(tg_user.id)
        if user is not None:
            await _moved_on(update, context, user, view)


async def _moved_on(update: Update, context: BotContext, user: User, view: View) -> None:
    """The message of a question that closed as the person moved on says so."""
    chat = update.effective_chat
    services = context.services
    if chat is None or not view.replace or services.renderer is None:
        return
    await change_earlier(update.get_bot(), chat.id, services.renderer, user.language, view)


async def text_message(update: Update, context: BotContext) -> None:
    """Typed words: one use case decides what takes them (bot/core/typed.py)."""
    message = update.effective_message
    assert message is not None and message.text is not None
    user = await _person(update, context)
    services = context.services
    replayed = update.update_id in services.replayed
    view = await _typed(context).words(
        user, message.text, services.clock.now(), update.update_id, replayed=replayed
    )
    await reply_view(update, context, user.language, view)


async def member_changed(update: Update, context: BotContext) -> None:
    """The person blocked the bot (kicked) or came back (member)."""
    change = update.my_chat_member
    assert change is not None
    services = context.services
    status = change.new_chat_member.status
    if services.ready is None:
        return
    reachable = status not in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)
    await services.persons.reachable(change.from_user.id, reachable, services.clock.now())


# --- errors ---------------------------------------------------------------------------------


async def on_error(update: object, context: BotContext) -> None:
    """Log first (with context, never a person's words), then answer calmly."""
    kind = "unknown"
    person = None
    if isinstance(update, Update):
        kind = next(
            (name for name in ("message", "edited_message", "callback_query", "my_chat_member")
             if getattr(update, name) is not None),
            "other",
        )  # fmt: skip
        person = update.effective_user.id if update.effective_user else None
    error = context.error
    handling = HANDLING.get()
    if error is not None and passes(error) and handling is not None:
        # A lock, a full disk, a read-only file: the update stays kept and is handled again,
        # in order, once the store writes again (bot/tg/processor.py). Nothing is lost.
        handling.again = True
        if handling.tries % 30 == 0:  # the first time, then about once a minute
            log.warning(
                "the database failed handling a %s update from %s (%s); handling it again shortly",
                kind,
                who(person),
                reason(error),
            )
    elif error is not None and passes(error) and not isinstance(update, Update):
        # Scheduled work (a job's tick): it runs again at the next tick.
        log.warning("the database failed (%s); tried again at the next tick", reason(error))
    else:
        log.error(
            "error handling a %s update from %s: %s",
            kind,
            who(person),
            type(error).__name__,
            exc_info=error,
        )
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if isinstance(error, Forbidden):
        return  # they blocked the bot: nobody to answer
    await firstaid.apologise(
        update, context.services, later=handling is not None and handling.again
    )
    if firstaid.asks_for_help(update, context.services):
        # Never only "Sorry" to someone asking for help: the card needs no database.
        await firstaid.send_card(update, context.services)


async def private_only(update: object, context: BotContext) -> None:
    """Before anything else: the bot acts only in private chats.

    A button pressed in a group is answered without a word there; a message, a member change
    (the bot added to or removed from a group) or anything else from a group changes nothing
    and is answered nowhere.
    """
    if not isinstance(update, Update):
        return
    chat = update.effective_chat
    query = update.callback_query
    if chat is None and query is not None and query.message is None:
        chat_type = None  # pressed under an inline message: not ours
    elif chat is None:
        return
    else:
        chat_type = chat.type
    if chat_type == ChatType.PRIVATE:
        return
    if query is not None:
        await answer_press(query)
    raise ApplicationHandlerStop


# --- the table of contents ------------------------------------------------------------------


def register(app: Application) -> None:
    """Every handler, in one place. Order matters: the first match in group 0 wins."""
    app.add_handlers(
        [
            # Commands for everyone
            CommandHandler("start", start, filters=PRIVATE),
            CommandHandler("help", help_command, filters=PRIVATE),
            CommandHandler("menu", menu_command, filters=PRIVATE),
            CommandHandler("helpnow", helpnow, filters=PRIVATE),
            # Client commands
            CommandHandler("checkin", checkin_command, filters=PRIVATE),
            CommandHandler("agenda", agenda_command, filters=PRIVATE),
            CommandHandler(
                "settings", _client_command(settings.settings_command), filters=PRIVATE
            ),
            CommandHandler("pause", _client_command(settings.pause_command), filters=PRIVATE),
            CommandHandler("resume", _client_command(settings.resume_command), filters=PRIVATE),
            CommandHandler("team", _client_command(team.team_command), filters=PRIVATE),
            CommandHandler("share", _client_command(share.share_command), filters=PRIVATE),
            CommandHandler("mydata", mydata, filters=PRIVATE),
            CommandHandler("myweeks", _client_command(myweeks.myweeks_command), filters=PRIVATE),
            CommandHandler("language", language_command, filters=PRIVATE),
            CommandHandler("delete", delete, filters=PRIVATE),
            # Commands for people in clients' teams
            CommandHandler("clients", _member_command(team.clients_command), filters=PRIVATE),
            CommandHandler("invite", _member_command(team.invite_command), filters=PRIVATE),
            CommandHandler("nudge", _member_command(nudge.nudge_command), filters=PRIVATE),
            # Buttons, routed by id, never by label: typed actions first, then older patterns
            CallbackQueryHandler(button_pressed, pattern=_routed),
            # Accept or Decline under an invite: pressed before an account may exist
            CallbackQueryHandler(invite_pressed, pattern=team.invite_data),
            CallbackQueryHandler(stale_button),
            # Everything else a person sends
            MessageHandler(filters.ChatType.PRIVATE & filters.UpdateType.EDITED, edited),
            MessageHandler(PRIVATE & filters.COMMAND, unknown_command),
            MessageHandler(PRIVATE & filters.TEXT, text_message),
            MessageHandler(PRIVATE & ~filters.StatusUpdate.ALL, non_text),
            # The person blocked the bot or came back
            ChatMemberHandler(member_changed, ChatMemberHandler.MY_CHAT_MEMBER),
        ]
    )
    # Before all: nothing from a group or channel reaches a handler.
    app.add_handler(TypeHandler(Update, private_only), group=-2)
    # Before any of them: a command ends a wait for typed text.
    app.add_handler(MessageHandler(PRIVATE & filters.COMMAND, command_given), group=-1)
    app.add_error_handler(on_error)

"""The client's own schedule in Telegram: onboarding, /settings, /pause, /resume and snooze.

Each handler reads the update, calls one use case of ``ScheduleSettings`` and shows its view.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.core.actions import Action
from bot.core.actions.settings import (
    Agree,
    CloseSettings,
    KeepGoing,
    Pause,
    PauseAsk,
    PauseMessage,
    PauseOn,
    PickDays,
    PickHours,
    PickOften,
    PickTime,
    PickZone,
    ShowSettings,
    TurnOff,
    TypeOther,
)
from bot.core.model import User
from bot.core.schedule_settings import ScheduleSettings
from bot.tg.context import BotContext, Who, reply_view
from bot.tg.context import text as _t
from bot.tg.keyboards import HELP, main_menu
from bot.tg.render import Renderer

SNOOZES = ("hour", "evening", "tomorrow")


def _b(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def _use(context: BotContext) -> ScheduleSettings:
    return context.services.schedule_settings


async def propose(update: Update, context: BotContext, user: User) -> None:
    """After the welcome: say when the bot would write, and let the client decide."""
    services = context.services
    renderer = services.renderer or Renderer(services.catalog)
    (say,) = (await _use(context).proposal(user, services.clock.now())).says
    markup = renderer.markup(user.language, say)
    rows = [*(markup.inline_keyboard if markup else ())]
    # Help is one tap away from the very first message on.
    rows.append((_b(_t(context, user.language, "menu.helpnow"), HELP),))
    assert update.effective_chat is not None
    await update.effective_chat.send_message(
        renderer.body(user.language, say), reply_markup=InlineKeyboardMarkup(rows)
    )


async def settings_command(update: Update, context: BotContext, user: User) -> None:
    """/settings: show the schedule and what can be changed."""
    view = await _use(context).summary(user, context.services.clock.now())
    await reply_view(update, context, user.language, view)


async def pause_command(update: Update, context: BotContext, user: User) -> None:
    """/pause [a day, like 24/12 or next friday]: ask to confirm that day, or ask how long."""
    now = context.services.clock.now()
    until = " ".join(context.args) if context.args else None
    view = await _use(context).pause_command(user, until, now)
    await reply_view(update, context, user.language, view)


async def resume_command(update: Update, context: BotContext, user: User) -> None:
    """/resume: end a pause and plan the next check-in."""
    view = await _use(context).resume(user, context.services.clock.now())
    await reply_view(update, context, user.language, view)


async def settings_pressed(
    update: Update, context: BotContext, user: User, action: Action
) -> None:
    """A button of the proposal, /settings or /pause."""
    view = await _use(context).press(user, action, context.services.clock.now())
    await reply_view(update, context, user.language, view)
    if isinstance(action, (Agree, TurnOff)) and action.first:
        # After the first answer about the schedule, the main menu (where help always is).
        assert update.effective_chat is not None
        await update.effective_chat.send_message(
            _t(context, user.language, "menu.prompt"),
            reply_markup=main_menu(context.services.catalog, user.language),
        )


BUTTONS: dict[type[Action], tuple[Who, Callable[..., Awaitable[None]]]] = {
    kind: (Who.CLIENT, settings_pressed)
    for kind in (
        Agree, TurnOff, ShowSettings, CloseSettings, PickDays, PickTime, PickZone, PickHours,
        PickOften, TypeOther, Pause, PauseOn, PauseAsk, KeepGoing, PauseMessage,
    )
}  # fmt: skip

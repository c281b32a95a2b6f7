"""Check-ins and the crisis plan in Telegram: parse the press, call the use case, render."""

from __future__ import annotations

from telegram import Update

from bot.core.actions.checkin import (
    AnswerOption,
    Back,
    ChangeAnswer,
    ChooseCapacity,
    Fewer,
    Later,
    Less,
    NeedAgenda,
    NeedGoOn,
    NotNow,
    PlanSkip,
    PlanStop,
    PlanWrite,
    Snooze,
    TooMuch,
)
from bot.core.checkin_screens import (
    Shown,
    after_press,
    back_view,
    capacity_screen,
    less_view,
    next_screen,
    snooze_choices,
)
from bot.core.checkin_screens import (
    answered_in_words as words_view,
)
from bot.core.checkins import Kind, Result
from bot.core.dialogs import Need
from bot.core.model import User
from bot.core.views import Text, View, t
from bot.tg.context import BotContext, Who, reply_view
from bot.tg.context import text as _t
from bot.tg.keyboards import answer_press, settle


def _pressed(update: Update) -> int:
    """The id of the message whose button was pressed."""
    query = update.callback_query
    assert query is not None and query.message is not None
    return query.message.message_id


def _shown(context: BotContext, user: User, checkin_id: int) -> Shown:
    """Remembers the message that now asks the check-in's question."""

    async def shown(message_id: int) -> None:
        await context.services.checkins.shown(user, checkin_id, message_id)

    return shown


async def start_checkin(update: Update, context: BotContext, user: User, dialog_id: str) -> None:
    """Open a check-in of ``dialog_id`` and ask how much energy there is."""
    services = context.services
    result = await services.checkins.start(user, dialog_id, services.clock.now())
    assert result.checkin is not None and result.dialog is not None
    shown = _shown(context, user, result.checkin.id)
    say = capacity_screen(result.dialog, result.checkin.id, agenda=result.agenda, shown=shown)
    await reply_view(update, context, user.language, View((say,)))


async def render(update: Update, context: BotContext, user: User, result: Result) -> None:
    """Send what follows an action: the next question, the closing words, the offer of fewer."""
    shown = _shown(context, user, result.checkin.id) if result.checkin is not None else None
    await reply_view(update, context, user.language, next_screen(result, shown))


async def _after_press(
    update: Update, context: BotContext, user: User, result: Result, label: Text | None
) -> None:
    shown = _shown(context, user, result.checkin.id) if result.checkin is not None else None
    view = after_press(result, label, shown, pressed=_pressed(update))
    await reply_view(update, context, user.language, view)


async def less_pressed(update: Update, context: BotContext, user: User, action: Less) -> None:
    """ "Not now" under a question at "Some" or "Plenty": the ways out, in its place."""
    result = await context.services.checkins.asking(user, action.checkin_id)
    await reply_view(update, context, user.language, less_view(result, _pressed(update)))


async def back_pressed(update: Update, context: BotContext, user: User, action: Back) -> None:
    """ "Back to the question"."""
    result = await context.services.checkins.asking(user, action.checkin_id)
    await reply_view(update, context, user.language, back_view(result, _pressed(update)))


async def capacity_pressed(
    update: Update, context: BotContext, user: User, action: ChooseCapacity
) -> None:
    """The capacity question."""
    services = context.services
    result = await services.checkins.choose_capacity(
        user,
        action.checkin_id,
        action.level,
        services.clock.now(),
        replayed=update.update_id in services.replayed,
    )
    await _after_press(update, context, user, result, t(action.level.label_key))


async def option_pressed(
    update: Update, context: BotContext, user: User, action: AnswerOption
) -> None:
    """An answer button."""
    services = context.services
    result = await services.checkins.answer_option(
        user,
        action.checkin_id,
        action.step,
        action.option,
        action.check,
        services.clock.now(),
        replayed=update.update_id in services.replayed,
    )
    label = Text.plain(result.label) if result.label is not None else None
    await _after_press(update, context, user, result, label)


async def not_now_pressed(update: Update, context: BotContext, user: User, action: NotNow) -> None:
    """ "Not now"."""
    services = context.services
    result = await services.checkins.decline(user, action.checkin_id, services.clock.now())
    await _after_press(update, context, user, result, t("checkin.not_now"))


async def too_much_pressed(
    update: Update, context: BotContext, user: User, action: TooMuch
) -> None:
    """ "This is too much"."""
    services = context.services
    result = await services.checkins.drop(user, action.checkin_id, services.clock.now())
    await _after_press(update, context, user, result, t("checkin.too_much"))


async def change_pressed(
    update: Update, context: BotContext, user: User, action: ChangeAnswer
) -> None:
    """ "Change this answer" on the answered question: that question again, anew."""
    services = context.services
    result = await services.checkins.change_last(
        user, action.checkin_id, action.step, services.clock.now()
    )
    pressed = _pressed(update)
    shown = _shown(context, user, action.checkin_id)
    view = after_press(result, None, shown, pressed=pressed)
    if result.kind not in (Kind.STALE, Kind.ALREADY):
        view = View(unbutton=(pressed,)) + view
    await reply_view(update, context, user.language, view)


async def need_go_on_pressed(
    update: Update, context: BotContext, user: User, action: NeedGoOn
) -> None:
    """ "Go on" past the human step."""
    services = context.services
    result = await services.checkins.go_on(
        user, action.checkin_id, action.step, services.clock.now()
    )
    await _after_press(update, context, user, result, t("checkin.need.go_on"))


async def agenda_pressed(
    update: Update, context: BotContext, user: User, action: NeedAgenda
) -> None:
    """ "Put it on the agenda"."""
    services = context.services
    result = await services.checkins.put_on_agenda(
        user, action.checkin_id, action.step, services.clock.now()
    )
    await _after_press(update, context, user, result, t("checkin.need.agenda_button"))


async def show_open_question(update: Update, context: BotContext, user: User) -> bool:
    """Ask the client's open check-in's current question again, as a new message (after the
    crisis card, say); False if no check-in is open."""
    services = context.services
    result = await services.checkins.current(user)
    record = result.checkin
    if result.kind is Kind.STALE or record is None or result.dialog is None:
        return False
    if record.message_id is not None:  # the same question, asked anew: its old buttons go
        await reply_view(update, context, user.language, View(unbutton=(record.message_id,)))
    if result.kind is Kind.ASK_CAPACITY:
        shown = _shown(context, user, record.id)
        say = capacity_screen(result.dialog, record.id, shown=shown)
        await reply_view(update, context, user.language, View((say,)))
        return True
    await render(update, context, user, result)
    return True


async def after_contact_request(
    update: Update, context: BotContext, user: User, *, sent: bool
) -> bool:
    """After the client sent (or cancelled) a request to get in touch that their check-in
    offered: the check-in goes on with its next question, or offers that step again if they
    cancelled. False (and nothing said) if no check-in was waiting on such a step."""
    services = context.services
    if sent:
        result = await services.checkins.contact_requested(user, services.clock.now())
    else:
        result = await services.checkins.current(user)
        if result.need is None or result.need.need is not Need.CONTACT:
            return False
    if result.kind is Kind.STALE:
        return False
    if result.checkin is not None and result.checkin.message_id is not None:
        # The step's own message was the one offering it: its buttons no longer apply.
        unbutton = View(unbutton=(result.checkin.message_id,))
        await reply_view(update, context, user.language, unbutton)
    await render(update, context, user, result)
    return True


async def later_pressed(update: Update, context: BotContext, user: User, action: Later) -> None:
    """ "Later" shows when."""
    query = update.callback_query
    assert query is not None
    if not await context.services.checkins.snoozable(user, action.checkin_id):
        await answer_press(query, _t(context, user.language, "checkin.closed"))
        return
    await reply_view(
        update,
        context,
        user.language,
        View(rebutton=((_pressed(update), snooze_choices(action.checkin_id)),)),
    )


async def snooze_pressed(update: Update, context: BotContext, user: User, action: Snooze) -> None:
    """A choice behind "Later" moves the check-in there."""
    query = update.callback_query
    assert query is not None
    services = context.services
    lang = user.language
    if not await services.checkins.snoozable(user, action.checkin_id):
        await answer_press(query, _t(context, lang, "checkin.closed"))
        return
    due = await services.checkins.snooze(
        user, action.checkin_id, action.when, services.clock.now()
    )
    if due is None:
        await answer_press(query, _t(context, lang, "checkin.closed"))
        return
    await answer_press(query)
    when = _t(context, lang, f"checkin.snoozed_{action.when.value}")
    await settle(update, _t(context, lang, "checkin.snoozed", when=when))


async def answered_in_words(
    update: Update, context: BotContext, user: User, result: Result
) -> None:
    """Typed words answered the open question: its buttons give way, and it goes on."""
    shown = _shown(context, user, result.checkin.id) if result.checkin is not None else None
    await reply_view(update, context, user.language, words_view(result, shown))


async def fewer_pressed(update: Update, context: BotContext, user: User, action: Fewer) -> None:
    """The client's answer to the offer of fewer check-ins."""
    services = context.services
    await services.checkins.set_pace(user, action.fewer, services.clock.now())
    query = update.callback_query
    assert query is not None
    await answer_press(query)
    key = "checkin.fewer_done" if action.fewer else "checkin.fewer_kept"
    await settle(update, _t(context, user.language, key))


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


BUTTONS = {
    ChooseCapacity: (Who.CLIENT, capacity_pressed),
    AnswerOption: (Who.CLIENT, option_pressed),
    NotNow: (Who.CLIENT, not_now_pressed),
    TooMuch: (Who.CLIENT, too_much_pressed),
    Less: (Who.CLIENT, less_pressed),
    Back: (Who.CLIENT, back_pressed),
    ChangeAnswer: (Who.CLIENT, change_pressed),
    NeedGoOn: (Who.CLIENT, need_go_on_pressed),
    NeedAgenda: (Who.CLIENT, agenda_pressed),
    Later: (Who.CLIENT, later_pressed),
    Snooze: (Who.CLIENT, snooze_pressed),
    Fewer: (Who.CLIENT, fewer_pressed),
    PlanWrite: (Who.CLIENT, plan_write_pressed),
    PlanSkip: (Who.CLIENT, plan_skip_pressed),
    PlanStop: (Who.CLIENT, plan_stop_pressed),
}

"""Check-ins and the crisis plan in Telegram: parse the press, call the use case, render."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.core.actions import Action
from bot.core.actions.checkin import (
    AnswerOption,
    ChangeAnswer,
    ChooseCapacity,
    Fewer,
    Later,
    Menu,
    MenuEntry,
    NeedAgenda,
    NeedGoOn,
    NotNow,
    PlanSkip,
    PlanStop,
    PlanWrite,
    Snooze,
    SnoozeChoice,
    TooMuch,
)
from bot.core.actions.messages import AskContact, Request
from bot.core.actions.share import ShareCheckin
from bot.core.checkins import AgendaItem, Kind, Result, option_check
from bot.core.dialogs import Capacity, Dialog, Need, cost_text, need_text, prompt_text
from bot.core.i18n import Catalog
from bot.core.model import User
from bot.core.views import View
from bot.tg.codec import encode
from bot.tg.context import BotContext, Who, reply_view, role_name
from bot.tg.context import text as _t
from bot.tg.keyboards import answer_press, settle
from bot.tg.keyboards import button as _button

SAID_SHOWN = 300
"""The most characters of the client's own words repeated back to confirm them."""


def capacity_message(
    catalog: Catalog,
    language: str,
    dialog: Dialog,
    checkin_id: int,
    *,
    later: bool = False,
    agenda: tuple[AgendaItem, ...] = (),
) -> tuple[str, InlineKeyboardMarkup]:
    """The first message of a check-in: the three levels, least first, then "Not now".

    A check-in the bot sent by itself also offers "Later" (snooze), after "Not now". Getting
    ready for a meeting shows first what the client has put on its agenda so far.
    """
    parts = [dialog.title]
    if agenda:
        lines = [catalog.get(language, "checkin.need.agenda_so_far")]
        lines.extend(
            catalog.get(
                language,
                "checkin.need.agenda_item",
                question=item.question,
                answer=item.answer,
                date=catalog.date(language, item.on),
            )
            for item in agenda
        )
        parts.append("\n".join(lines))
    parts.append(catalog.get(language, "checkin.capacity_question"))
    text = "\n\n".join(parts)
    rows = [
        _button(catalog.get(language, level.label_key), encode(ChooseCapacity(checkin_id, level)))
        for level in Capacity
    ]
    rows.append(_button(catalog.get(language, "checkin.not_now"), encode(NotNow(checkin_id))))
    if later:
        rows.append(_button(catalog.get(language, "checkin.later"), encode(Later(checkin_id))))
    return text, InlineKeyboardMarkup(rows)


def prompt_message(
    context: BotContext, user: User, result: Result
) -> tuple[str, InlineKeyboardMarkup]:
    """A question: its answers first, then "Not now", "This is too much" above least, and
    "Change my last answer" once something is answered."""
    assert result.prompt is not None and result.dialog is not None and result.checkin
    lang = user.language
    prompt, dialog, checkin_id = result.prompt, result.dialog, result.checkin.id
    capacity = result.capacity
    assert capacity is not None
    parts = _before(context, user, result)
    if result.first:
        parts.append(cost_text(dialog, capacity, context.services.catalog, lang))
    parts.append(prompt_text(prompt, context.services.catalog, lang))
    step_index = next(i for i, step in enumerate(dialog.steps) if step.id == prompt.step_id)
    step = dialog.steps[step_index]
    rows = []
    for option in prompt.options:
        option_index = next(i for i, o in enumerate(step.options) if o.id == option.id)
        action = AnswerOption(
            checkin_id, step_index, option_index, option_check(step.id, option.id)
        )
        rows.append(_button(option.label, encode(action)))
    rows.append(_button(_t(context, lang, "checkin.not_now"), encode(NotNow(checkin_id))))
    if capacity.below() is not None:
        rows.append(_button(_t(context, lang, "checkin.too_much"), encode(TooMuch(checkin_id))))
    rows.extend(_change_row(context, user, result))
    return "\n\n".join(parts), InlineKeyboardMarkup(rows)


def need_message(
    context: BotContext, user: User, result: Result
) -> tuple[str, InlineKeyboardMarkup]:
    """The human step after an answer that names a need, in the next question's place: its
    own buttons, then "Go on", then "Change my last answer"."""
    assert result.need is not None and result.dialog is not None and result.checkin
    lang, need, checkin_id = user.language, result.need, result.checkin.id
    step = next(i for i, s in enumerate(result.dialog.steps) if s.id == need.step_id)
    member = result.contact
    person = (
        None if member is None else (member.person.name, role_name(context, lang, member.role))
    )
    words, labels = need_text(need, context.services.catalog, lang, person)
    actions: list[Action] = []
    if need.need is Need.CONTACT:
        help_now = Menu(MenuEntry.HELP)
        actions.append(help_now if member is None else AskContact(member.person.id, Request.CALL))
    elif need.need is Need.AGENDA:
        actions.append(NeedAgenda(checkin_id, step))
    rows = [_button(label, encode(action)) for label, action in zip(labels, actions, strict=True)]
    rows.append(
        _button(_t(context, lang, "checkin.need.go_on"), encode(NeedGoOn(checkin_id, step)))
    )
    rows.extend(_change_row(context, user, result))
    return "\n\n".join([*_before(context, user, result), words]), InlineKeyboardMarkup(rows)


def _before(context: BotContext, user: User, result: Result) -> list[str]:
    """What is said before the next question: what was just done, in words."""
    lang = user.language
    parts = []
    if result.again:
        parts.append(_t(context, lang, "checkin.change.again"))
    if result.dropped:
        if result.left:
            parts.append(_t(context, lang, "checkin.less.left", count=result.left))
        else:
            parts.append(_t(context, lang, "checkin.dropped"))
    if result.on_agenda:
        parts.append(_t(context, lang, "checkin.need.agenda_done"))
    if result.kept_words is not None:
        words = " ".join(result.kept_words.split())
        if len(words) > SAID_SHOWN:
            words = words[: SAID_SHOWN - 1].rstrip() + "…"
        parts.append(_t(context, lang, "checkin.need.said", words=words))
    return parts


def _change_row(
    context: BotContext, user: User, result: Result
) -> list[list[InlineKeyboardButton]]:
    """ "Change my last answer", once something is answered and while it can be asked again."""
    if result.change is None or result.checkin is None:
        return []
    action = ChangeAnswer(result.checkin.id, result.change)
    return [_button(_t(context, user.language, "checkin.change.button"), encode(action))]


def snooze_keyboard(context: BotContext, language: str, checkin_id: int) -> InlineKeyboardMarkup:
    """The choices behind "Later"."""
    rows = [
        _button(_t(context, language, f"checkin.snooze_{c.value}"), encode(Snooze(checkin_id, c)))
        for c in SnoozeChoice
    ]
    rows.append(_button(_t(context, language, "checkin.not_now"), encode(NotNow(checkin_id))))
    return InlineKeyboardMarkup(rows)


async def start_checkin(update: Update, context: BotContext, user: User, dialog_id: str) -> None:
    """Open a check-in of ``dialog_id`` and ask how much energy there is."""
    services = context.services
    result = await services.checkins.start(user, dialog_id, services.clock.now())
    assert result.checkin is not None and result.dialog is not None
    text, markup = capacity_message(
        services.catalog, user.language, result.dialog, result.checkin.id, agenda=result.agenda
    )
    chat = update.effective_chat
    assert chat is not None
    sent = await chat.send_message(text, reply_markup=markup)
    await services.checkins.shown(user, result.checkin.id, sent.message_id)


async def render(update: Update, context: BotContext, user: User, result: Result) -> None:
    """Send what follows an action: the next question, the closing words, the offer of fewer."""
    services = context.services
    chat = update.effective_chat
    assert chat is not None
    lang = user.language
    if result.kind in (Kind.PROMPT, Kind.NEED):
        shows = prompt_message if result.kind is Kind.PROMPT else need_message
        text, markup = shows(context, user, result)
        sent = await chat.send_message(text, reply_markup=markup)
        assert result.checkin is not None
        await services.checkins.shown(user, result.checkin.id, sent.message_id)
    elif result.kind is Kind.FINISHED:
        text = "\n\n".join([*_before(context, user, result), _t(context, lang, "checkin.saved")])
        await chat.send_message(text, reply_markup=_share_offer(context, user, result))
    elif result.kind is Kind.DECLINED:
        answered = result.checkin is not None and result.checkin.answers
        key = "checkin.declined_kept" if answered else "checkin.declined"
        await chat.send_message(
            _t(context, lang, key), reply_markup=_share_offer(context, user, result)
        )
    if result.offer_fewer:
        await chat.send_message(
            _t(context, lang, "checkin.fewer_offer"),
            reply_markup=InlineKeyboardMarkup(
                [
                    _button(_t(context, lang, "checkin.fewer_yes"), encode(Fewer(True))),
                    _button(_t(context, lang, "checkin.fewer_no"), encode(Fewer(False))),
                ]
            ),
        )


def _share_offer(context: BotContext, user: User, result: Result) -> InlineKeyboardMarkup | None:
    """ "Share this" under a check-in that ended with answers, if the client has a team."""
    if result.checkin is None or not result.shareable:
        return None
    label = _t(context, user.language, "share.share_this")
    return InlineKeyboardMarkup([_button(label, encode(ShareCheckin(result.checkin.id)))])


async def _settle_pressed(update: Update, context: BotContext, user: User, label: str) -> None:
    """Show the pressed question as answered: its text plus the choice, without buttons."""
    query = update.callback_query
    assert query is not None
    if isinstance(query.message, Message) and query.message.text:
        chosen = _t(context, user.language, "checkin.chosen", label=label)
        await settle(update, f"{query.message.text}\n\n{chosen}")


async def _after_press(
    update: Update, context: BotContext, user: User, result: Result, label: str | None
) -> None:
    query = update.callback_query
    assert query is not None
    if result.kind is Kind.STALE:
        await answer_press(query, _t(context, user.language, "checkin.closed"))
        return
    if result.kind is Kind.ALREADY:
        await answer_press(query, _t(context, user.language, "checkin.already"))
        return
    await answer_press(query)
    if label is not None:
        await _settle_pressed(update, context, user, label)
    await render(update, context, user, result)


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
    label = _t(context, user.language, action.level.label_key)
    await _after_press(update, context, user, result, label)


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
    await _after_press(update, context, user, result, result.label)


async def not_now_pressed(update: Update, context: BotContext, user: User, action: NotNow) -> None:
    """ "Not now"."""
    services = context.services
    result = await services.checkins.decline(user, action.checkin_id, services.clock.now())
    await _after_press(
        update, context, user, result, _t(context, user.language, "checkin.not_now")
    )


async def too_much_pressed(
    update: Update, context: BotContext, user: User, action: TooMuch
) -> None:
    """ "This is too much"."""
    services = context.services
    result = await services.checkins.drop(user, action.checkin_id, services.clock.now())
    label = _t(context, user.language, "checkin.too_much")
    await _after_press(update, context, user, result, label)


async def change_pressed(
    update: Update, context: BotContext, user: User, action: ChangeAnswer
) -> None:
    """ "Change my last answer": that question again."""
    services = context.services
    result = await services.checkins.change_last(
        user, action.checkin_id, action.step, services.clock.now()
    )
    label = _t(context, user.language, "checkin.change.button")
    await _after_press(update, context, user, result, label)


async def need_go_on_pressed(
    update: Update, context: BotContext, user: User, action: NeedGoOn
) -> None:
    """ "Go on" past the human step."""
    services = context.services
    result = await services.checkins.go_on(
        user, action.checkin_id, action.step, services.clock.now()
    )
    label = _t(context, user.language, "checkin.need.go_on")
    await _after_press(update, context, user, result, label)


async def agenda_pressed(
    update: Update, context: BotContext, user: User, action: NeedAgenda
) -> None:
    """ "Put it on the agenda"."""
    services = context.services
    result = await services.checkins.put_on_agenda(
        user, action.checkin_id, action.step, services.clock.now()
    )
    label = _t(context, user.language, "checkin.need.agenda_button")
    await _after_press(update, context, user, result, label)


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
        text, markup = capacity_message(services.catalog, user.language, result.dialog, record.id)
        chat = update.effective_chat
        assert chat is not None
        sent = await chat.send_message(text, reply_markup=markup)
        await services.checkins.shown(user, record.id, sent.message_id)
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
    await answer_press(query)
    await query.edit_message_reply_markup(
        snooze_keyboard(context, user.language, action.checkin_id)
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
    """Typed words answered the open question: take its buttons off and go on."""
    record = result.checkin
    if record is not None and record.message_id is not None and result.kind is not Kind.ALREADY:
        await reply_view(update, context, user.language, View(unbutton=(record.message_id,)))
    await render(update, context, user, result)


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

"""Check-ins and the crisis plan in Telegram: render results as messages, route button presses."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re

from telegram import (
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
    Update,
)
from telegram.error import BadRequest

from bot.core.checkins import Kind, Result
from bot.core.dialogs import Capacity, Dialog, cost_text, prompt_text
from bot.core.i18n import Catalog
from bot.core.model import User
from bot.tg.context import BotContext
from bot.tg.context import text as _t
from bot.tg.keyboards import button as _button
from bot.tg.settings import snooze, snooze_keyboard

log = logging.getLogger(__name__)

PLAN_PARTS = ("contacts", "helps", "avoid")

# Callback data (always under 64 bytes; always checked against the presser's own check-in):
#   c:<checkin>:cap:<least|middle|most>      the capacity question
#   c:<checkin>:a:<step#>:<option#>:<tag>    an answer; tag = 4 hex of sha1(step id:option id),
#                                            so an edited dialog can never misread an old button
#   c:<checkin>:no                           "Not now"
#   c:<checkin>:less                         "This is too much"
#   c:<checkin>:later, c:<checkin>:sn:<when>  "Later" on a check-in the bot sent, and its choices
CHECKIN_PATTERN = re.compile(
    r"^c:(\d{1,12}):(?:cap:(least|middle|most)|a:(\d{1,3}):(\d{1,3}):([0-9a-f]{4})"
    r"|no|less|later|sn:(hour|evening|tomorrow))$"
)


def _tag(step_id: str, option_id: str) -> str:
    return hashlib.sha1(f"{step_id}:{option_id}".encode()).hexdigest()[:4]


def capacity_message(
    catalog: Catalog, language: str, dialog: Dialog, checkin_id: int, *, later: bool = False
) -> tuple[str, InlineKeyboardMarkup]:
    """The first message of a check-in: the three levels, least first, then "Not now".

    A check-in the bot sent by itself also offers "Later" (snooze), after "Not now".
    """
    text = f"{dialog.title}\n\n{catalog.get(language, 'checkin.capacity_question')}"
    rows = [
        _button(catalog.get(language, level.label_key), f"c:{checkin_id}:cap:{level.value}")
        for level in Capacity
    ]
    rows.append(_button(catalog.get(language, "checkin.not_now"), f"c:{checkin_id}:no"))
    if later:
        rows.append(_button(catalog.get(language, "checkin.later"), f"c:{checkin_id}:later"))
    return text, InlineKeyboardMarkup(rows)


def prompt_message(
    context: BotContext, user: User, result: Result
) -> tuple[str, InlineKeyboardMarkup]:
    """A question: its answers first, then "Not now", then "This is too much" above least."""
    assert result.prompt is not None and result.dialog is not None and result.checkin
    lang = user.language
    prompt, dialog, checkin_id = result.prompt, result.dialog, result.checkin.id
    capacity = result.capacity
    assert capacity is not None
    parts = []
    if result.dropped:
        parts.append(_t(context, lang, "checkin.dropped"))
    if result.first:
        parts.append(cost_text(dialog, capacity, context.services.catalog, lang))
    parts.append(prompt_text(prompt, context.services.catalog, lang))
    step_index = next(i for i, step in enumerate(dialog.steps) if step.id == prompt.step_id)
    step = dialog.steps[step_index]
    rows = []
    for option in prompt.options:
        option_index = next(i for i, o in enumerate(step.options) if o.id == option.id)
        tag = _tag(step.id, option.id)
        rows.append(_button(option.label, f"c:{checkin_id}:a:{step_index}:{option_index}:{tag}"))
    rows.append(_button(_t(context, lang, "checkin.not_now"), f"c:{checkin_id}:no"))
    if capacity.below() is not None:
        rows.append(_button(_t(context, lang, "checkin.too_much"), f"c:{checkin_id}:less"))
    return "\n\n".join(parts), InlineKeyboardMarkup(rows)


async def start_checkin(update: Update, context: BotContext, user: User, dialog_id: str) -> None:
    """Open a check-in of ``dialog_id`` and ask how much energy there is."""
    services = context.services
    await services.db.await_text(user.id, None, services.clock.now())
    result = await services.checkins.start(user, dialog_id, services.clock.now())
    assert result.checkin is not None and result.dialog is not None
    text, markup = capacity_message(
        services.catalog, user.language, result.dialog, result.checkin.id
    )
    chat = update.effective_chat
    assert chat is not None
    sent = await chat.send_message(text, reply_markup=markup)
    await services.db.set_checkin_message(result.checkin.id, sent.message_id)


async def _settle(message: MaybeInaccessibleMessage | None, text: str) -> None:
    """Show a question as answered: its text plus the choice, without buttons."""
    if not isinstance(message, Message) or not message.is_accessible:
        return
    try:
        await message.edit_text(text)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            log.info("could not settle an answered question: %s", exc.message)


async def render(update: Update, context: BotContext, user: User, result: Result) -> None:
    """Send what follows an action: the next question, the closing words, the offer of fewer."""
    services = context.services
    chat = update.effective_chat
    assert chat is not None
    lang = user.language
    if result.kind is Kind.PROMPT:
        text, markup = prompt_message(context, user, result)
        sent = await chat.send_message(text, reply_markup=markup)
        assert result.checkin is not None
        await services.db.set_checkin_message(result.checkin.id, sent.message_id)
    elif result.kind is Kind.FINISHED:
        await chat.send_message(
            _t(context, lang, "checkin.saved"),
            reply_markup=await _share_offer(context, user, result),
        )
    elif result.kind is Kind.DECLINED:
        answered = result.checkin is not None and result.checkin.answers
        key = "checkin.declined_kept" if answered else "checkin.declined"
        offer = await _share_offer(context, user, result) if answered else None
        await chat.send_message(_t(context, lang, key), reply_markup=offer)
    if result.offer_fewer:
        await services.db.set_pace(user.id, None, services.clock.now())
        await chat.send_message(
            _t(context, lang, "checkin.fewer_offer"),
            reply_markup=InlineKeyboardMarkup(
                [
                    _button(_t(context, lang, "checkin.fewer_yes"), "f:fewer"),
                    _button(_t(context, lang, "checkin.fewer_no"), "f:same"),
                ]
            ),
        )


async def _share_offer(
    context: BotContext, user: User, result: Result
) -> InlineKeyboardMarkup | None:
    """ "Share this" under a check-in that ended with answers, if the client has a team."""
    if result.checkin is None or not await context.services.db.team_of(user.id):
        return None
    label = _t(context, user.language, "share.share_this")
    return InlineKeyboardMarkup([_button(label, f"sh:c:{result.checkin.id}")])


async def checkin_pressed(update: Update, context: BotContext, user: User) -> None:
    """A button of a check-in: only ever acts on the presser's own open check-in."""
    query = update.callback_query
    assert query is not None and query.data is not None
    match = CHECKIN_PATTERN.match(query.data)
    services = context.services
    checkins = services.checkins
    now = services.clock.now()
    lang = user.language
    if match is None:
        await query.answer(_t(context, lang, "fallback.stale_button"))
        return
    checkin_id = int(match[1])
    if query.data.endswith(":later") or match[6]:
        await _later(update, context, user, checkin_id, match[6])
        return
    old_text = query.message.text if isinstance(query.message, Message) else None
    chosen_label: str | None = None
    if match[2]:
        capacity = Capacity(match[2])
        result = await checkins.choose_capacity(user, checkin_id, capacity, now)
        chosen_label = _t(context, lang, capacity.label_key)
    elif match[3]:
        result, chosen_label = await _answer_button(
            context, user, checkin_id, int(match[3]), int(match[4]), match[5]
        )
    elif query.data.endswith(":no"):
        result = await checkins.decline(user, checkin_id, now)
        chosen_label = _t(context, lang, "checkin.not_now")
    else:
        result = await checkins.drop(user, checkin_id, now)
        chosen_label = _t(context, lang, "checkin.too_much")

    if result.kind is Kind.STALE:
        await query.answer(_t(context, lang, "checkin.closed"))
        return
    if result.kind is Kind.ALREADY:
        await query.answer(_t(context, lang, "checkin.already"))
        return
    await query.answer()
    if old_text and chosen_label is not None:
        chosen = _t(context, lang, "checkin.chosen", label=chosen_label)
        await _settle(query.message, f"{old_text}\n\n{chosen}")
    await render(update, context, user, result)


async def _later(
    update: Update, context: BotContext, user: User, checkin_id: int, choice: str | None
) -> None:
    """ "Later" shows when; a choice moves the check-in there."""
    query = update.callback_query
    assert query is not None
    services = context.services
    record = await services.db.checkin(checkin_id, user.id)
    if record is None or record.status != "open" or record.capacity is not None:
        await query.answer(_t(context, user.language, "checkin.closed"))
        return
    if choice is None:
        await query.answer()
        await query.edit_message_reply_markup(snooze_keyboard(context, user.language, checkin_id))
        return
    text = await snooze(context, user, checkin_id, choice)
    if text is None:
        await query.answer(_t(context, user.language, "checkin.closed"))
        return
    await query.answer()
    await _settle(query.message, text)


async def _answer_button(
    context: BotContext, user: User, checkin_id: int, step_no: int, option_no: int, tag: str
) -> tuple[Result, str | None]:
    services = context.services
    record = await services.db.checkin(checkin_id, user.id)
    dialog = services.checkins.dialog(record.dialog, user.language) if record else None
    if record is None or dialog is None or step_no >= len(dialog.steps):
        return Result(Kind.STALE), None
    step = dialog.steps[step_no]
    if option_no >= len(step.options) or _tag(step.id, step.options[option_no].id) != tag:
        return Result(Kind.STALE), None
    option = step.options[option_no]
    result = await services.checkins.answer(
        user, checkin_id, step.id, option.id, services.clock.now()
    )
    return result, option.label


async def answered_in_words(
    update: Update, context: BotContext, user: User, result: Result
) -> None:
    """Typed words answered the open question: take its buttons off and go on."""
    record = result.checkin
    if record is not None and record.message_id is not None and result.kind is not Kind.ALREADY:
        with contextlib.suppress(BadRequest):
            await context.bot.edit_message_reply_markup(
                chat_id=user.chat_id, message_id=record.message_id, reply_markup=None
            )
    await render(update, context, user, result)


async def fewer_pressed(update: Update, context: BotContext, user: User) -> None:
    """The client's answer to the offer of fewer check-ins."""
    query = update.callback_query
    assert query is not None
    services = context.services
    fewer = query.data == "f:fewer"
    await services.db.set_pace(user.id, "fewer" if fewer else "usual", services.clock.now())
    await query.answer()
    text = _t(context, user.language, "checkin.fewer_done" if fewer else "checkin.fewer_kept")
    try:
        await query.edit_message_text(text)
    except BadRequest:
        assert update.effective_chat is not None
        await update.effective_chat.send_message(text)


# --- the client's crisis plan -----------------------------------------------------------------


def _plan_keyboard(context: BotContext, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            _button(_t(context, lang, "plan.skip"), "p:skip"),
            _button(_t(context, lang, "plan.stop"), "p:stop"),
        ]
    )


async def _ask_plan_part(update: Update, context: BotContext, user: User, part: str) -> None:
    services = context.services
    await services.db.await_text(user.id, f"plan:{part}", services.clock.now())
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(
        _t(context, user.language, f"plan.ask_{part}"),
        reply_markup=_plan_keyboard(context, user.language),
    )


async def _after_part(update: Update, context: BotContext, user: User, part: str) -> None:
    following = PLAN_PARTS.index(part) + 1
    if following < len(PLAN_PARTS):
        await _ask_plan_part(update, context, user, PLAN_PARTS[following])
        return
    services = context.services
    await services.db.await_text(user.id, None, services.clock.now())
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(_t(context, user.language, "plan.saved"))


async def plan_pressed(update: Update, context: BotContext, user: User) -> None:
    """Write my plan / Skip this part / Stop here."""
    query = update.callback_query
    assert query is not None
    services = context.services
    awaiting = await services.db.awaiting_text(user.id)
    part = awaiting.removeprefix("plan:") if awaiting and awaiting.startswith("plan:") else None
    if query.data == "p:write":
        await query.answer()
        await _ask_plan_part(update, context, user, PLAN_PARTS[0])
    elif part is None:
        await query.answer(_t(context, user.language, "fallback.stale_button"))
    elif query.data == "p:skip":
        await query.answer()
        await _after_part(update, context, user, part)
    else:
        await query.answer()
        await services.db.await_text(user.id, None, services.clock.now())
        assert update.effective_chat is not None
        await update.effective_chat.send_message(_t(context, user.language, "plan.stopped"))


async def plan_typed(
    update: Update, context: BotContext, user: User, text: str, awaiting: str
) -> bool:
    """Typed words for the part of the plan the bot asked for; False if none was asked."""
    services = context.services
    if not awaiting or not awaiting.startswith("plan:"):
        return False
    part = awaiting.removeprefix("plan:")
    if part not in PLAN_PARTS:
        await services.db.await_text(user.id, None, services.clock.now())
        return False
    await services.db.set_plan_part(user.id, part, text, services.clock.now())
    await _after_part(update, context, user, part)
    return True

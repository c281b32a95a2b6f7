"""/share in Telegram: choose items, see the exact text, choose people one by one, send; see
what was shared and withdraw it. Every button acts on the presser's own draft and shares only.

Callback data (``sh:``): ``i:<ref>`` toggles an item, ``new`` takes the suggested draft,
``pv`` previews, ``r:<member id>:<version>`` toggles a person, ``go:<version>`` sends,
``back`` returns to the items, ``x`` cancels, ``c:<check-in id>`` starts from one check-in,
``list`` shows the history, ``w:<share id>`` asks to withdraw, ``wy:<share id>`` withdraws,
``wn`` keeps it. A version ties a button to the preview it was shown under: an old preview's
buttons never send a different text.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from babel.lists import format_list
from telegram import InlineKeyboardMarkup, Update
from telegram.constants import MessageLimit
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.core import sharing
from bot.core.model import Share, ShareDraft, TeamMember, User
from bot.tg.context import BotContext, role_name, row_id
from bot.tg.context import text as _t
from bot.tg.keyboards import button as _button
from bot.tg.keyboards import reply as _reply

log = logging.getLogger(__name__)

HISTORY = 10  # shares listed in the history, newest first


async def _edit(update: Update, text: str | None, markup: InlineKeyboardMarkup | None) -> None:
    """Change the pressed message (its text, or only its buttons); send anew if that fails."""
    query = update.callback_query
    assert query is not None
    try:
        if text is None:
            await query.edit_message_reply_markup(markup)
        else:
            await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return
        if text is not None:
            await _reply(update, text, markup)


async def share_command(update: Update, context: BotContext, user: User) -> None:
    """/share: start a fresh draft."""
    await start(update, context, user, ())


async def start(update: Update, context: BotContext, user: User, chosen: Sequence[str]) -> None:
    """Offer the client's items as buttons, ``chosen`` already ticked."""
    services = context.services
    lang = user.language
    team = await services.db.team_of(user.id)
    history = bool(await services.db.shares(user.id))
    history_row = [_button(_t(context, lang, "team.shared"), "sh:list")] if history else []
    if not team:
        markup = InlineKeyboardMarkup(history_row) if history_row else None
        await _reply(update, _t(context, lang, "share.no_team"), markup)
        return
    items = await sharing.shareable(services.db, services.dialogs, user)
    if not items:
        markup = InlineKeyboardMarkup(history_row) if history_row else None
        await _reply(update, _t(context, lang, "share.nothing"), markup)
        return
    shown = {item.ref for item in items[: sharing.SHOWN_ITEMS]}
    draft = ShareDraft(items=tuple(ref for ref in chosen if ref in shown))
    await services.db.save_share_draft(user.id, draft, services.clock.now())
    text, markup = await _items_view(context, user, draft, items)
    await _reply(update, text, markup)


async def _items_view(
    context: BotContext, user: User, draft: ShareDraft, items: Sequence[sharing.Item]
) -> tuple[str, InlineKeyboardMarkup]:
    services = context.services
    lang = user.language
    zone = await services.planner.zone_of(user.id)
    rows = [
        _button(
            sharing.button_label(services.catalog, lang, item, zone, item.ref in draft.items),
            f"sh:i:{item.ref}",
        )
        for item in items[: sharing.SHOWN_ITEMS]
    ]
    previous = await services.db.shares(user.id)
    suggestion = sharing.suggested(items, previous[0].created_at if previous else None)
    if suggestion and {i.ref for i in suggestion} != set(draft.items):
        label = (
            _t(context, lang, "share.new_since", count=len(suggestion))
            if previous
            else _t(context, lang, "share.all_new")
        )
        rows.append(_button(label, "sh:new"))
    rows.append(_button(_t(context, lang, "share.preview"), "sh:pv"))
    if previous:
        rows.append(_button(_t(context, lang, "team.shared"), "sh:list"))
    rows.append(_button(_t(context, lang, "share.cancel"), "sh:x"))
    return _t(context, lang, "share.choose"), InlineKeyboardMarkup(rows)


def _recipients_markup(
    context: BotContext, user: User, team: Sequence[TeamMember], draft: ShareDraft
) -> InlineKeyboardMarkup:
    lang = user.language
    rows = []
    chosen = [m for m in team if m.person.id in draft.recipients]
    for member in team:
        mark = "✓ " if member.person.id in draft.recipients else ""
        label = f"{mark}{member.person.name} ({role_name(context, lang, member.role)})"
        rows.append(_button(label, f"sh:r:{member.person.id}:{draft.version}"))
    if len(chosen) == 1:
        go = _t(context, lang, "share.go_one", name=chosen[0].person.name)
    elif chosen:
        go = _t(context, lang, "share.go_many", count=len(chosen))
    else:
        go = _t(context, lang, "share.go_none")
    rows.append(_button(go, f"sh:go:{draft.version}"))
    rows.append(_button(_t(context, lang, "share.change"), "sh:back"))
    rows.append(_button(_t(context, lang, "share.cancel"), "sh:x"))
    return InlineKeyboardMarkup(rows)


async def share_pressed(update: Update, context: BotContext, user: User) -> None:
    """Any ``sh:`` button of this client."""
    query = update.callback_query
    assert query is not None and query.data is not None
    parts = query.data.split(":")
    action = parts[1] if len(parts) > 1 else ""
    handler = {
        "i": _toggle_item,
        "new": _take_suggestion,
        "pv": _preview,
        "r": _toggle_recipient,
        "go": _send,
        "back": _back,
        "x": _cancel,
        "c": _from_checkin,
        "list": _history,
        "w": _ask_withdraw,
        "wy": _withdraw,
        "wn": _keep,
    }.get(action)
    if handler is None:
        await query.answer(_t(context, user.language, "fallback.stale_button"))
        return
    await handler(update, context, user, parts[2:])


async def _stale(update: Update, context: BotContext, user: User) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(_t(context, user.language, "fallback.stale_button"))


async def _toggle_item(update: Update, context: BotContext, user: User, args: list[str]) -> None:
    services = context.services
    items = await sharing.shareable(services.db, services.dialogs, user)
    shown = {item.ref for item in items[: sharing.SHOWN_ITEMS]}
    draft = await services.db.share_draft(user.id)
    if not args or args[0] not in shown or draft.version == 0 or draft.body is not None:
        await _stale(update, context, user)
        return
    ref = args[0]
    chosen = (
        tuple(r for r in draft.items if r != ref) if ref in draft.items else (*draft.items, ref)
    )
    await _update_items(update, context, user, chosen, items)


async def _take_suggestion(
    update: Update, context: BotContext, user: User, args: list[str]
) -> None:
    services = context.services
    draft = await services.db.share_draft(user.id)
    if draft.version == 0 or draft.body is not None:
        await _stale(update, context, user)
        return
    items = await sharing.shareable(services.db, services.dialogs, user)
    previous = await services.db.shares(user.id)
    suggestion = sharing.suggested(items, previous[0].created_at if previous else None)
    await _update_items(update, context, user, tuple(item.ref for item in suggestion), items)


async def _update_items(
    update: Update,
    context: BotContext,
    user: User,
    chosen: tuple[str, ...],
    items: Sequence[sharing.Item],
) -> None:
    query = update.callback_query
    assert query is not None
    services = context.services
    draft = await services.db.save_share_draft(
        user.id, ShareDraft(items=chosen), services.clock.now()
    )
    await query.answer()
    _, markup = await _items_view(context, user, draft, items)
    await _edit(update, None, markup)


async def _preview(update: Update, context: BotContext, user: User, args: list[str]) -> None:
    query = update.callback_query
    assert query is not None
    services = context.services
    lang = user.language
    draft = await services.db.share_draft(user.id)
    if draft.version == 0 or draft.body is not None:
        await _stale(update, context, user)
        return
    items = [
        item
        for item in await sharing.shareable(services.db, services.dialogs, user)
        if item.ref in draft.items
    ]
    if not items:
        await query.answer(_t(context, lang, "share.pick_first"), show_alert=True)
        return
    zone = await services.planner.zone_of(user.id)
    today = services.clock.now().astimezone(zone).date()
    body = sharing.render(services.catalog, lang, user, zone, today, items)
    if len(body) > MessageLimit.MAX_TEXT_LENGTH:
        await query.answer(_t(context, lang, "share.too_long"), show_alert=True)
        return
    await query.answer()
    draft = await services.db.save_share_draft(
        user.id,
        ShareDraft(items=tuple(i.ref for i in items), body=body),
        services.clock.now(),
    )
    team = await services.db.team_of(user.id)
    await _edit(update, _t(context, lang, "share.exact"), None)
    await _reply(update, body, _recipients_markup(context, user, team, draft))


async def _current_preview(
    update: Update, context: BotContext, user: User, version: str
) -> ShareDraft | None:
    """The draft a preview button belongs to, if it is still the current one."""
    draft = await context.services.db.share_draft(user.id)
    if draft.body is None or row_id(version) != draft.version:
        await _stale(update, context, user)
        return None
    return draft


async def _toggle_recipient(
    update: Update, context: BotContext, user: User, args: list[str]
) -> None:
    query = update.callback_query
    assert query is not None
    services = context.services
    member_id = row_id(args[0]) if len(args) == 2 else None
    if member_id is None:
        await _stale(update, context, user)
        return
    draft = await _current_preview(update, context, user, args[1])
    if draft is None:
        return
    team = await services.db.team_of(user.id)
    if member_id not in {m.person.id for m in team}:
        await query.answer(_t(context, user.language, "team.not_in_team"), show_alert=True)
        return
    recipients = (
        tuple(r for r in draft.recipients if r != member_id)
        if member_id in draft.recipients
        else (*draft.recipients, member_id)
    )
    draft = await services.db.save_share_draft(
        user.id,
        ShareDraft(items=draft.items, recipients=recipients, body=draft.body),
        services.clock.now(),
    )
    await query.answer()
    await _edit(update, None, _recipients_markup(context, user, team, draft))


async def _send(update: Update, context: BotContext, user: User, args: list[str]) -> None:
    """Share: exactly the previewed text, to exactly the people chosen who are still in the
    team. Recorded before sending, so nothing is sent without a trace."""
    query = update.callback_query
    assert query is not None
    services = context.services
    lang = user.language
    draft = await _current_preview(update, context, user, args[0] if args else "")
    if draft is None or draft.body is None:
        return
    team = {m.person.id: m for m in await services.db.team_of(user.id)}
    chosen = [team[r] for r in draft.recipients if r in team]
    if not chosen:
        await query.answer(_t(context, lang, "share.pick_someone"), show_alert=True)
        return
    await query.answer()
    now = services.clock.now()
    kinds = {i.ref: i.kind for i in await sharing.shareable(services.db, services.dialogs, user)}
    share_id = await services.db.add_share(
        user.id,
        [f"{ref}:{kinds.get(ref, 'note')}" for ref in draft.items],
        draft.body,
        [(m.person.id, m.person.name, m.person.chat_id) for m in chosen],
        now,
    )
    await _edit(update, None, None)  # the preview's buttons are spent
    reached: list[str] = []
    missed: list[str] = []
    for member in chosen:
        try:
            message = await context.bot.send_message(member.person.chat_id, draft.body)
        except TelegramError as exc:
            log.info("share %s did not reach user %s: %s", share_id, member.person.id, exc)
            await services.db.set_delivery(share_id, member.person.chat_id, "failed")
            missed.append(member.person.name)
            continue
        await services.db.set_delivery(share_id, member.person.chat_id, "sent", message.message_id)
        reached.append(member.person.name)
    if reached:
        await _reply(update, _t(context, lang, "share.sent", names=_names(context, lang, reached)))
    if missed:
        await _reply(
            update, _t(context, lang, "share.failed", names=_names(context, lang, missed))
        )


def _names(context: BotContext, language: str, names: Sequence[str]) -> str:
    """ "Dr Kim", "Dr Kim and Sam", "Dr Kim, Sam and Jo"."""
    return format_list(list(names), locale=language)


async def _back(update: Update, context: BotContext, user: User, args: list[str]) -> None:
    query = update.callback_query
    assert query is not None
    services = context.services
    draft = await services.db.share_draft(user.id)
    if draft.version == 0:
        await _stale(update, context, user)
        return
    await query.answer()
    await _edit(update, None, None)
    draft = await services.db.save_share_draft(
        user.id, ShareDraft(items=draft.items), services.clock.now()
    )
    items = await sharing.shareable(services.db, services.dialogs, user)
    text, markup = await _items_view(context, user, draft, items)
    await _reply(update, text, markup)


async def _cancel(update: Update, context: BotContext, user: User, args: list[str]) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await context.services.db.drop_share_draft(user.id)
    await _edit(update, None, None)
    await _reply(update, _t(context, user.language, "share.cancelled"))


async def _from_checkin(update: Update, context: BotContext, user: User, args: list[str]) -> None:
    """ "Share this" under a finished check-in: the draft starts with it."""
    query = update.callback_query
    assert query is not None
    services = context.services
    checkin_id = row_id(args[0]) if args else None
    record = await services.db.checkin(checkin_id, user.id) if checkin_id else None
    if record is None:
        await _stale(update, context, user)
        return
    await query.answer()
    await _edit(update, None, None)
    await start(update, context, user, (f"c{record.id}",))


# --- what was shared, and withdrawing -------------------------------------------------------


async def _history(update: Update, context: BotContext, user: User, args: list[str]) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    text, markup = await history_view(context, user)
    await _reply(update, text, markup)


def _recipient_names(context: BotContext, language: str, share: Share) -> str:
    return _names(context, language, [r.name for r in share.recipients])


async def history_view(context: BotContext, user: User) -> tuple[str, InlineKeyboardMarkup | None]:
    """What the client shared, newest first, each with a Withdraw button while it stands."""
    services = context.services
    lang = user.language
    shares = (await services.db.shares(user.id))[:HISTORY]
    if not shares:
        return _t(context, lang, "share.history_none"), None
    zone = await services.planner.zone_of(user.id)
    lines = [_t(context, lang, "share.history_title")]
    rows = []
    for share in shares:
        day = services.catalog.date(lang, share.created_at.astimezone(zone).date())
        names = _recipient_names(context, lang, share)
        if share.withdrawn_at is not None:
            withdrawn = services.catalog.date(lang, share.withdrawn_at.astimezone(zone).date())
            lines.append(
                _t(
                    context,
                    lang,
                    "share.history_withdrawn",
                    date=day,
                    names=names,
                    withdrawn=withdrawn,
                )
            )
            continue
        what = _names(
            context,
            lang,
            [_t(context, lang, f"share.short_{_kind(item)}") for item in share.items],
        )
        lines.append(_t(context, lang, "share.history_item", date=day, names=names, what=what))
        short = services.catalog.short_date(lang, share.created_at.astimezone(zone).date())
        rows.append(
            _button(
                _t(context, lang, "share.withdraw", date=short, names=names), f"sh:w:{share.id}"
            )
        )
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


def _kind(item: str) -> str:
    """The kind of a shared item, stored with it as ``<ref>:<kind>``."""
    kind = item.partition(":")[2]
    return kind if kind in sharing.KINDS else "note"


async def _own_share(
    update: Update, context: BotContext, user: User, args: list[str]
) -> Share | None:
    share_id = row_id(args[0]) if args else None
    if share_id is None:
        await _stale(update, context, user)
        return None
    found = await context.services.db.shares(user.id, share_id)
    if not found:
        await _stale(update, context, user)
        return None
    return found[0]


async def _ask_withdraw(update: Update, context: BotContext, user: User, args: list[str]) -> None:
    query = update.callback_query
    assert query is not None
    share = await _own_share(update, context, user, args)
    if share is None:
        return
    lang = user.language
    await query.answer()
    if share.withdrawn_at is not None:
        await _reply(update, _t(context, lang, "share.already_withdrawn"))
        return
    services = context.services
    zone = await services.planner.zone_of(user.id)
    day = services.catalog.date(lang, share.created_at.astimezone(zone).date())
    markup = InlineKeyboardMarkup(
        [
            _button(_t(context, lang, "share.withdraw_yes"), f"sh:wy:{share.id}"),
            _button(_t(context, lang, "share.withdraw_no"), "sh:wn"),
        ]
    )
    names = _recipient_names(context, lang, share)
    await _reply(update, _t(context, lang, "share.withdraw_ask", date=day, names=names), markup)


async def _withdraw(update: Update, context: BotContext, user: User, args: list[str]) -> None:
    query = update.callback_query
    assert query is not None
    share = await _own_share(update, context, user, args)
    if share is None:
        return
    await query.answer()
    lang = user.language
    if not await withdraw(context, user, share):
        await _edit(update, _t(context, lang, "share.already_withdrawn"), None)
        return
    names = _recipient_names(context, lang, share)
    await _edit(update, _t(context, lang, "share.withdrawn", names=names), None)


async def _keep(update: Update, context: BotContext, user: User, args: list[str]) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await _edit(update, _t(context, user.language, "share.kept"), None)


async def withdraw(context: BotContext, client: User, share: Share) -> bool:
    """Withdraw a share: its text is erased, and each delivered message is deleted (or, where
    Telegram no longer allows that, replaced by a line saying it was withdrawn)."""
    services = context.services
    taken = await services.db.withdraw_share(share.id, client.id, services.clock.now())
    if taken is None:
        return False
    for recipient in taken.recipients:
        if recipient.message_id is None:
            continue
        status = await _retract(context, client, recipient.chat_id, recipient.message_id)
        await services.db.set_delivery(share.id, recipient.chat_id, status)
    # /clients messages that showed it: gone too (each can be asked for again, without it).
    members = [r.recipient_id for r in taken.recipients if r.recipient_id is not None]
    for chat_id, message_id in await services.db.client_views(client.id, members):
        await _retract(context, client, chat_id, message_id, "clients.view_changed")
        await services.db.drop_client_view(chat_id, message_id)
    return True


async def _retract(
    context: BotContext,
    client: User,
    chat_id: int,
    message_id: int,
    replacement: str = "share.withdrawn_note",
) -> str:
    """Delete a message; where Telegram no longer allows that, replace its words."""
    try:
        await context.bot.delete_message(chat_id, message_id)
        return "deleted"
    except Forbidden:
        return "gone"
    except BadRequest:
        pass
    language = client.language
    recipient = await context.services.db.get_user(chat_id)
    if recipient is not None:
        language = recipient.language
    try:
        await context.bot.edit_message_text(
            _t(context, language, replacement, name=client.name),
            chat_id=chat_id,
            message_id=message_id,
        )
        return "edited"
    except TelegramError as exc:
        log.info("could not retract a shared message in chat %s: %s", chat_id, exc)
        return "gone"


async def withdraw_all(context: BotContext, client: User) -> None:
    """Before a client's data is erased: take back everything they shared."""
    for share in await context.services.db.shares(client.id):
        if share.withdrawn_at is None:
            await withdraw(context, client, share)

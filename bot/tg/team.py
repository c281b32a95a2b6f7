"""The care team in Telegram: invite links, Accept or Decline, /team, /clients, meeting dates.

Every action checks the team table: staff and network members act only on clients whose team
they are in, and a client only ever on their own team.
"""

from __future__ import annotations

import contextlib
import io
import logging
from datetime import date, timedelta

import segno
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import MessageLimit
from telegram.error import TelegramError

from bot.core import usecases
from bot.core.i18n import Catalog
from bot.core.model import InviteKind, Role, TeamMember, User, hash_code
from bot.core.ports import TeamJoin
from bot.core.schedule import parse_date
from bot.tg import menus, nudge
from bot.tg.checkin import start_checkin
from bot.tg.context import BotContext, role_name, row_id
from bot.tg.context import text as _t
from bot.tg.keyboards import button as _button
from bot.tg.keyboards import reply as _reply
from bot.tg.keyboards import settle as _settle

log = logging.getLogger(__name__)

# awaiting_text purposes
MEETING = "meeting"  # the client's own date; "meeting:<client id>" for a clinician's


def _hours(context: BotContext) -> int:
    return context.services.settings.service.defaults.invite_valid_hours


def _link(context: BotContext, code: str) -> str:
    return f"https://t.me/{context.bot.username}?start={code}"


def qr_png(link: str) -> bytes:
    """A QR code of ``link`` as a PNG image, big enough to scan across a table."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()


async def send_invite(update: Update, context: BotContext, inviter: User) -> None:
    """A one-time link, and its QR code, for someone to join a team."""
    services = context.services
    now = services.clock.now()
    code = await usecases.create_team_invite(
        services.db, inviter, now, timedelta(hours=_hours(context))
    )
    link = _link(context, code)
    lang = inviter.language
    if inviter.role.is_staff:
        text = _t(context, lang, "invite.staff_link", hours=_hours(context), link=link)
        caption = _t(
            context,
            lang,
            "invite.qr_caption",
            name=inviter.name,
            role=role_name(context, lang, inviter.role),
        )
    else:
        text = _t(context, lang, "invite.network_link", hours=_hours(context), link=link)
        caption = _t(context, lang, "invite.network_qr_caption", name=inviter.name)
    await _reply(update, text)
    chat = update.effective_chat
    assert chat is not None
    await chat.send_photo(photo=qr_png(link), caption=caption)


async def invite_command(update: Update, context: BotContext, user: User) -> None:
    """/invite: staff make a link for a client."""
    if not user.role.is_staff:
        await _reply(update, _t(context, user.language, "invite.not_for_you"))
        return
    await send_invite(update, context, user)


async def open_invite(update: Update, context: BotContext, code: str, language: str) -> bool:
    """/start with a team code: say who is asking and what they will see; Accept or Decline.

    Returns False if the code is not a usable team code (the caller says so).
    """
    services = context.services
    tg_user = update.effective_user
    assert tg_user is not None
    kind = InviteKind.of_code(code)
    found = await services.db.team_invite(hash_code(code), services.clock.now())
    if kind is None or len(code) > 60 or found is None or found[1] is not kind:
        return False
    inviter, _ = found
    me = await services.db.get_user(tg_user.id)
    lang = me.language if me else language
    if inviter.id == tg_user.id:
        await _reply(update, _t(context, lang, "invite.own_link"))
        return True
    org = services.settings.service.organisation.name
    if kind is InviteKind.CLIENT:
        if me is not None and not me.role.is_client:
            await _reply(update, _t(context, lang, "invite.for_clients"))
            return True
        text = _t(
            context,
            lang,
            "invite.ask_client",
            name=inviter.name,
            role=role_name(context, lang, inviter.role),
            org=org,
        )
        accept = _t(context, lang, "invite.accept", name=inviter.name)
    else:
        if me is not None and me.role.is_staff:
            await _reply(update, _t(context, lang, "invite.for_network"))
            return True
        text = _t(context, lang, "invite.ask_network", name=inviter.name, org=org)
        accept = _t(context, lang, "invite.accept_network")
    markup = InlineKeyboardMarkup(
        [
            _button(accept, f"j:y:{code}"),
            _button(_t(context, lang, "invite.decline"), f"j:n:{code}"),
        ]
    )
    await _reply(update, text, markup)
    return True


async def invite_pressed(update: Update, context: BotContext) -> None:
    """Accept or Decline under an invite: the code is used once, by whoever presses first."""
    query = update.callback_query
    assert query is not None and query.data is not None
    services = context.services
    tg_user = query.from_user
    _, choice, code = query.data.split(":", 2)
    me = await services.db.get_user(tg_user.id)
    lang = me.language if me else services.catalog.language_for(tg_user.language_code)
    now = services.clock.now()
    await query.answer()
    if choice == "n":
        declined = await services.db.decline_team_invite(hash_code(code), tg_user.id, now)
        key = "invite.declined" if code.startswith("c_") else "invite.declined_network"
        await _settle(update, _t(context, lang, key if declined else "start.code_invalid"))
        return
    outcome, other = await services.db.join_team(
        hash_code(code), tg_user.id, tg_user.id, tg_user.first_name, lang, now
    )
    if outcome is TeamJoin.OK and other is not None:
        if InviteKind.of_code(code) is InviteKind.CLIENT:
            await _settle(update, _t(context, lang, "invite.client_joined", name=other.name))
            await _tell_staff(context, other, tg_user.first_name)
        else:
            await _settle(update, _t(context, lang, "invite.network_joined", name=other.name))
            await _joined_network(context, tg_user.id, lang)
            await notify(
                context,
                other,
                "team.notice_joined",
                name=tg_user.first_name,
                role=role_name(context, other.language, Role.NETWORK),
            )
        return
    key = {
        TeamJoin.ALREADY: "invite.already",
        TeamJoin.OWN_LINK: "invite.own_link",
        TeamJoin.WRONG_KIND: "invite.for_clients"
        if InviteKind.of_code(code) is InviteKind.CLIENT
        else "invite.for_network",
    }.get(outcome, "start.code_invalid")
    await _settle(update, _t(context, lang, key))


async def _tell_staff(context: BotContext, staff: User, client_name: str) -> None:
    """Staff hear at once that a client accepted (they asked; no contact hours apply)."""
    try:
        await context.bot.send_message(
            staff.chat_id, _t(context, staff.language, "invite.staff_told", name=client_name)
        )
    except TelegramError as exc:  # their chat may be closed; the link stands all the same
        log.info("could not tell staff %s about a new client: %s", staff.id, exc)


async def _joined_network(context: BotContext, user_id: int, language: str) -> None:
    """A network member's menu: what they can do."""
    await menus.set_chat_commands(context.bot, context.services, user_id, language, Role.NETWORK)


async def notify(context: BotContext, client: User, key: str, **values: object) -> None:
    """Tell a client something about their team, at a time they may be written to."""
    services = context.services
    await services.planner.plan_notice(client.id, key, values, services.clock.now())


# --- /team ------------------------------------------------------------------------------------


async def team_command(update: Update, context: BotContext, user: User) -> None:
    """/team: who is in the client's team, what each has, the next meeting; change it."""
    text, markup = await _team_view(context, user)
    await _reply(update, text, markup)


async def _team_view(context: BotContext, user: User) -> tuple[str, InlineKeyboardMarkup]:
    services = context.services
    lang = user.language
    team = await services.db.team_of(user.id)
    shares = [s for s in await services.db.shares(user.id) if s.withdrawn_at is None]
    lines: list[str] = []
    rows: list[list[InlineKeyboardButton]] = []
    if team:
        lines.append(_t(context, lang, "team.title"))
        for member in team:
            since = services.catalog.date(lang, member.since.date())
            role = role_name(context, lang, member.role)
            dates = sorted(
                {
                    services.catalog.short_date(lang, s.created_at.date())
                    for s in shares
                    if any(r.recipient_id == member.person.id for r in s.recipients)
                }
            )
            if dates:
                lines.append(
                    _t(
                        context,
                        lang,
                        "team.member_received",
                        name=member.person.name,
                        role=role,
                        since=since,
                        dates=", ".join(dates),
                    )
                )
            else:
                lines.append(
                    _t(
                        context,
                        lang,
                        "team.member",
                        name=member.person.name,
                        role=role,
                        since=since,
                    )
                )
            rows.append(_button(member.person.name, f"t:p:{member.person.id}"))
    else:
        lines.append(_t(context, lang, "team.empty"))
    waiting = await services.db.planned_relays(client_id=user.id)
    if waiting:
        lines += ["", _t(context, lang, "team_people.upcoming_title")]
        zone = await services.planner.zone_of(user.id)
        own = await services.db.schedule(user.id)
        now = services.clock.now()
        for relay in waiting:
            due = relay.due_at or now
            written = services.catalog.datetime(lang, relay.created_at.astimezone(zone))
            when = services.catalog.datetime(lang, due.astimezone(zone))
            if own is not None and own.paused:
                key = "team_people.upcoming_paused"
            elif due > now:
                key = "team_people.upcoming_line"
            else:
                key = "team_people.upcoming_soon"
            lines.append(
                _t(context, lang, key, name=relay.member_name, when=when, written=written)
            )
            short = services.catalog.short_date(lang, due.astimezone(zone).date())
            rows.append(
                _button(
                    _t(context, lang, "team_people.decline", name=relay.member_name, when=short),
                    f"t:nd:{relay.id}",
                )
            )
    meeting = await services.db.next_meeting(user.id)
    lines.append("")
    if meeting:
        day = services.catalog.weekday_date(lang, date.fromisoformat(meeting))
        lines.append(_t(context, lang, "team.meeting", date=day))
    else:
        lines.append(_t(context, lang, "team.no_meeting"))
    rows.append(_button(_t(context, lang, "team.invite"), "t:inv"))
    rows.append(_button(_t(context, lang, "team.set_meeting"), "t:mt"))
    if shares or await services.db.shares(user.id):
        rows.append(_button(_t(context, lang, "team.shared"), "sh:list"))
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def team_pressed(update: Update, context: BotContext, user: User) -> None:
    """A /team button; acts only on the presser's own team."""
    query = update.callback_query
    assert query is not None and query.data is not None
    services = context.services
    lang = user.language
    parts = query.data.split(":")
    await query.answer()
    if parts[1] == "inv":
        await send_invite(update, context, user)
        return
    if parts[1] == "mt":
        await ask_meeting_date(update, context, user, None)
        return
    if parts[1] == "nd":
        relay_id = row_id(parts[2])
        relay = await services.db.relay(relay_id) if relay_id else None
        if relay is None or relay.client_id != user.id or not relay.to_client:
            await _settle(update, _t(context, lang, "fallback.stale_button"))
            return
        if await services.db.update_relay(relay.id, status="declined", expect="planned"):
            await _reply(update, _t(context, lang, "team_people.declined"))
        else:
            await _reply(update, _t(context, lang, "nudge.gone"))
        return
    member_id = row_id(parts[2]) if len(parts) > 2 else None
    member = next(
        (m for m in await services.db.team_of(user.id) if m.person.id == member_id), None
    )
    if member is None:
        await _settle(update, _t(context, lang, "team.not_in_team"))
        return
    name = member.person.name
    if parts[1] == "p":
        await _person_view(update, context, user, member)
    elif parts[1] == "w":
        await nudge.start_writing(update, context, user, member.person, "message")
    elif parts[1] == "ask":
        rows = [
            _button(_t(context, lang, f"relay.ask_{choice}"), f"t:q:{member_id}:{choice}")
            for choice in nudge.REQUESTS
        ]
        await _reply(
            update, _t(context, lang, "relay.ask_title", name=name), InlineKeyboardMarkup(rows)
        )
    elif parts[1] == "q" and len(parts) > 3 and parts[3] in nudge.REQUESTS:
        await nudge.ask_for_contact(update, context, user, member.person, parts[3])
    elif parts[1] == "stop":
        await nudge.stop_nudges(context, user, member.person)
        await _reply(update, _t(context, lang, "nudge.stopped", name=name))
    elif parts[1] == "allow":
        await services.db.set_no_nudges(user.id, member.person.id, False, services.clock.now())
        await _reply(update, _t(context, lang, "nudge.allowed", name=name))
    elif parts[1] == "rm":
        markup = InlineKeyboardMarkup(
            [
                _button(_t(context, lang, "team.remove_yes", name=name), f"t:rmy:{member_id}"),
                _button(_t(context, lang, "team.remove_no", name=name), f"t:keep:{member_id}"),
            ]
        )
        await _reply(update, _t(context, lang, "team.remove_ask", name=name), markup)
    elif parts[1] == "rmy":
        await services.db.remove_from_team(user.id, member.person.id)
        await _settle(update, _t(context, lang, "team.removed", name=name))
    elif parts[1] == "keep":
        await _settle(update, _t(context, lang, "team.kept", name=name))
    else:
        await _reply(update, _t(context, lang, "fallback.stale_button"))


async def _person_view(
    update: Update, context: BotContext, user: User, member: TeamMember
) -> None:
    """One person of the client's team: write to them, ask them to get in touch, nudges from
    them, remove them."""
    services = context.services
    lang = user.language
    name = member.person.name
    pid = member.person.id
    rows = [
        _button(_t(context, lang, "team_people.write", name=name), f"t:w:{pid}"),
        _button(_t(context, lang, "team_people.ask", name=name), f"t:ask:{pid}"),
    ]
    if nudge.may_nudge(context, member.role):
        if pid in await services.db.no_nudges(user.id):
            rows.append(_button(_t(context, lang, "nudge.allow", name=name), f"t:allow:{pid}"))
        else:
            rows.append(_button(_t(context, lang, "nudge.stop", name=name), f"t:stop:{pid}"))
    rows.append(_button(_t(context, lang, "team.remove", name=name), f"t:rm:{pid}"))
    text = _t(
        context, lang, "team_people.person", name=name, role=role_name(context, lang, member.role)
    )
    await _reply(update, text, InlineKeyboardMarkup(rows))


# --- the next network meeting -------------------------------------------------------------


def _example(context: BotContext, language: str) -> str:
    today = context.services.clock.now().date()
    return context.services.catalog.date(language, today + timedelta(days=7))


async def ask_meeting_date(
    update: Update, context: BotContext, user: User, client: User | None
) -> None:
    """Ask for a date: the client's own meeting, or (for a clinician) a client's."""
    services = context.services
    lang = user.language
    purpose = MEETING if client is None else f"{MEETING}:{client.id}"
    await services.db.await_text(user.id, purpose, services.clock.now())
    example = _example(context, lang)
    text = (
        _t(context, lang, "meeting.ask", example=example)
        if client is None
        else _t(context, lang, "meeting.ask_for", name=client.name, example=example)
    )
    data = "t:mtx" if client is None else f"cl:mtx:{client.id}"
    await _reply(
        update, text, InlineKeyboardMarkup([_button(_t(context, lang, "meeting.clear"), data)])
    )


async def meeting_typed(
    update: Update, context: BotContext, user: User, text: str, purpose: str
) -> bool:
    """A typed meeting date, if the bot asked for one; False if it did not."""
    services = context.services
    if not (purpose == MEETING or purpose.startswith(f"{MEETING}:")):
        return False
    lang = user.language
    client = user
    if purpose != MEETING:
        client_id = int(purpose.split(":")[1])
        found = await _clinicians_client(context, user, client_id)
        if found is None:
            await services.db.await_text(user.id, None, services.clock.now())
            await _reply(update, _t(context, lang, "clients.not_linked"))
            return True
        client = found
    zone = await services.planner.zone_of(client.id)
    today = services.clock.now().astimezone(zone).date()
    day = parse_date(text, today, lang)
    if day is None:
        await _reply(
            update, _t(context, lang, "meeting.bad_date", example=_example(context, lang))
        )
        return True
    await services.db.await_text(user.id, None, services.clock.now())
    await set_meeting(update, context, user, client, day)
    return True


async def set_meeting(
    update: Update, context: BotContext, by: User, client: User, day: date | None
) -> None:
    """Store the date, plan the invitations around it, and tell whoever needs to know."""
    services = context.services
    lang = by.language
    now = services.clock.now()
    await services.db.set_next_meeting(client.id, day.isoformat() if day else None)
    prep = await services.planner.plan_meeting(client.id, day, now)
    if day is None:
        await _reply(update, _t(context, lang, "meeting.cleared"))
        return
    when = services.catalog.weekday_date(lang, day)
    if by.id != client.id:
        await _reply(update, _t(context, lang, "meeting.saved_for", name=client.name, date=when))
        await notify(
            context,
            client,
            "team.notice_meeting",
            name=by.name,
            date=services.catalog.weekday_date(client.language, day),
        )
    elif prep is not None:
        zone = await services.planner.zone_of(client.id)
        prep_day = services.catalog.weekday_date(lang, prep.astimezone(zone).date())
        await _reply(update, _t(context, lang, "meeting.saved_prep", date=when, prep=prep_day))
    else:
        await _reply(update, _t(context, lang, "meeting.saved", date=when))


async def meeting_cleared(update: Update, context: BotContext, user: User) -> None:
    """ "No date" under the client's own question."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    services = context.services
    if await services.db.awaiting_text(user.id) != MEETING:
        await _settle(update, _t(context, user.language, "fallback.stale_button"))
        return
    await services.db.await_text(user.id, None, services.clock.now())
    await set_meeting(update, context, user, user, None)


# --- /clients -----------------------------------------------------------------------------


async def _clinicians_client(context: BotContext, user: User, client_id: int) -> User | None:
    """The client, if ``user`` is a clinician in their team now."""
    db = context.services.db
    if await db.team_role(client_id, user.id) is not Role.CLINICIAN:
        return None
    return await db.get_user(client_id)


async def clients_command(update: Update, context: BotContext, user: User) -> None:
    """/clients: the clients whose team this person is in, with their next meeting."""
    text, markup = await _clients_view(context, user)
    await _reply(update, text, markup)


async def _clients_view(
    context: BotContext, user: User
) -> tuple[str, InlineKeyboardMarkup | None]:
    services = context.services
    lang = user.language
    clients = await services.db.clients_of(user.id)
    staff = user.role.is_staff
    if not clients:
        return _t(context, lang, "clients.none" if staff else "clients.none_network"), None
    lines = [_t(context, lang, "clients.title" if staff else "clients.title_network")]
    rows: list[list[InlineKeyboardButton]] = []
    for linked in clients:
        name = linked.person.name
        if linked.next_meeting:
            day = services.catalog.weekday_date(lang, date.fromisoformat(linked.next_meeting))
            lines.append(_t(context, lang, "clients.line", name=name, date=day))
        else:
            lines.append(_t(context, lang, "clients.line_no_meeting", name=name))
        rows.append(_button(name, f"cl:v:{linked.person.id}"))
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def clients_pressed(update: Update, context: BotContext) -> None:
    """A /clients button: only for a client whose team the presser is in now."""
    query = update.callback_query
    assert query is not None and query.data is not None
    services = context.services
    user = await services.db.get_user(query.from_user.id)
    parts = query.data.split(":")
    lang = user.language if user else services.catalog.language_for(query.from_user.language_code)
    if user is None or (user.role.is_client and not await services.db.clients_of(user.id)):
        await query.answer(_t(context, lang, "fallback.stale_button"))
        return
    await query.answer()
    if parts[1] == "all":
        text, markup = await _clients_view(context, user)
        await _reply(update, text, markup)
        return
    client_id = (row_id(parts[2]) if len(parts) > 2 else None) or -1
    role = await services.db.team_role(client_id, user.id)
    client = await services.db.get_user(client_id) if role is not None else None
    if client is None or role is None:
        await _reply(update, _t(context, lang, "clients.not_linked"))
        return
    if parts[1] == "v":
        await _client_detail(update, context, user, client, role)
    elif parts[1] == "mt" and role is Role.CLINICIAN:
        await ask_meeting_date(update, context, user, client)
    elif parts[1] == "mtx" and role is Role.CLINICIAN:
        if await services.db.awaiting_text(user.id) != f"{MEETING}:{client.id}":
            await _reply(update, _t(context, lang, "fallback.stale_button"))
            return
        await services.db.await_text(user.id, None, services.clock.now())
        await set_meeting(update, context, user, client, None)
    else:
        await _reply(update, _t(context, lang, "clients.not_linked"))


async def _client_detail(
    update: Update, context: BotContext, user: User, client: User, role: Role
) -> None:
    """One client: the next meeting, and what they shared with this person, newest first."""
    services = context.services
    lang = user.language
    lines = [_t(context, lang, "clients.detail_title", name=client.name)]
    meeting = await services.db.next_meeting(client.id)
    if meeting:
        day = services.catalog.weekday_date(lang, date.fromisoformat(meeting))
        lines.append(_t(context, lang, "clients.detail_meeting", date=day))
    else:
        lines.append(_t(context, lang, "clients.detail_no_meeting"))
    shares = await services.db.shared_with(user.id, client.id)
    lines.append("")
    if not shares:
        lines.append(_t(context, lang, "clients.detail_nothing", name=client.name))
    else:
        lines.append(_t(context, lang, "clients.detail_shared", name=client.name))
    text = "\n".join(lines)
    more = _t(context, lang, "clients.detail_more")
    for share in shares:
        assert share.body is not None
        if len(text) + len(share.body) + len(more) + 4 > MessageLimit.MAX_TEXT_LENGTH:
            text += "\n\n" + more
            break
        text += "\n\n" + share.body
    rows = []
    if role is Role.CLINICIAN:
        rows.append(
            _button(
                _t(context, lang, "clients.set_meeting", name=client.name), f"cl:mt:{client.id}"
            )
        )
    rows.append(_button(_t(context, lang, "clients.back"), "cl:all"))
    chat = update.effective_chat
    assert chat is not None
    shown = await chat.send_message(text, reply_markup=InlineKeyboardMarkup(rows))
    if shares:  # a withdrawal later takes this message back too
        await services.db.add_client_view(
            user.id, client.id, chat.id, shown.message_id, services.clock.now()
        )


# --- invitations around the meeting ---------------------------------------------------------


def meeting_invitation(
    catalog: Catalog, lang: str, slot: str, day: date
) -> tuple[str, InlineKeyboardMarkup]:
    """The message the bot sends before (``prep``) or after (``after``) a network meeting."""
    if slot == "prep":
        text = catalog.get(lang, "meeting.prep_invite", date=catalog.weekday_date(lang, day))
        start, later = catalog.get(lang, "meeting.prep_start"), "mt:no"
    else:
        text = catalog.get(lang, "meeting.after_invite")
        start, later = catalog.get(lang, "meeting.after_start"), "mt:nox"
    markup = InlineKeyboardMarkup(
        [_button(start, f"mt:{slot}"), _button(catalog.get(lang, "common.not_now"), later)]
    )
    return text, markup


async def meeting_pressed(update: Update, context: BotContext, user: User) -> None:
    """Under a meeting invitation: start the dialog, or let it be."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    choice = query.data.split(":")[1]
    lang = user.language
    with contextlib.suppress(TelegramError):  # an old message: the choice still counts
        await query.edit_message_reply_markup(None)
    if choice == "prep":
        await start_checkin(update, context, user, "meeting_prep")
    elif choice == "after":
        await start_checkin(update, context, user, "after_meeting")
    else:
        key = "meeting.later_ok" if choice == "no" else "meeting.after_later_ok"
        await _reply(update, _t(context, lang, key))

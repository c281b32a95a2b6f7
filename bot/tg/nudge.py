"""Nudges and the channel back: a named person writes to a client, the client answers them.

Member to client (a nudge, an answer) always goes through the dispatcher, inside the client's
contact hours and never during a pause. Client to member (a reply, a message, a request) goes at
once, and only after the client pressed Send. Everything is kept for the client's /mydata.

Callback data: ``n:`` the peer's /nudge (``c:<client>`` who, ``w:<client>:<when>`` when,
``t:<relay>:<n>`` a template, ``ok:<relay>`` / ``no:<relay>`` confirm, ``x:<relay>`` cancel a
waiting one); ``r:`` the client's buttons under a message from their team (``re``, ``ty``,
``nn``, ``stop``, ``stopy``, ``stopn`` with the relay id; ``send:<relay>`` / ``drop:<relay>``
confirm what they wrote); ``a:<relay>`` a member answers what a client wrote; ``ay:<relay>`` /
``an:<relay>`` confirm that answer.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from datetime import date, datetime, time, timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.core.i18n import Catalog
from bot.core.model import ClientSchedule, Relay, Role, User
from bot.core.schedule import parse_clock, parse_date
from bot.tg.context import BotContext, row_id
from bot.tg.context import text as _t
from bot.tg.keyboards import button as _button
from bot.tg.keyboards import reply as _reply
from bot.tg.keyboards import settle as _settle

log = logging.getLogger(__name__)

WHEN_CHOICES = ("now", "eve", "tmr", "3d", "other")
REQUESTS = ("call", "earlier", "write")


async def _stale(update: Update, context: BotContext, language: str) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(_t(context, language, "fallback.stale_button"))


def may_nudge(context: BotContext, role: Role) -> bool:
    """Peer supporters nudge; clinicians too if the service allows it."""
    allowed = context.services.settings.service.nudges.clinicians
    return role is Role.PEER or (role is Role.CLINICIAN and allowed)


async def _when_text(context: BotContext, lang: str, client_id: int, due: datetime | None) -> str:
    """ "now", or "on <day and time>" in the client's time zone."""
    services = context.services
    if due is None or due <= services.clock.now() + timedelta(minutes=1):
        return _t(context, lang, "relay.when_now")
    zone = await services.planner.zone_of(client_id)
    return _t(
        context, lang, "relay.when_at", when=services.catalog.datetime(lang, due.astimezone(zone))
    )


# --- /nudge: the peer supporter's side ---------------------------------------------------------


async def nudge_command(update: Update, context: BotContext, user: User) -> None:
    """/nudge: what is still to arrive (each can be cancelled), then whom to nudge."""
    services = context.services
    lang = user.language
    if not user.role.is_staff or not may_nudge(context, user.role):
        await _reply(update, _t(context, lang, "nudge.not_for_you"))
        return
    waiting = [r for r in await services.db.planned_relays(member_id=user.id) if r.kind == "nudge"]
    if waiting:
        lines = [_t(context, lang, "nudge.upcoming_title")]
        rows = []
        for relay in waiting:
            client = await services.db.get_user(relay.client_id)
            name = client.name if client else "?"
            when = await _when_text(context, lang, relay.client_id, relay.due_at)
            lines.append(
                _t(context, lang, "nudge.upcoming_line", name=name, when=when, text=relay.body)
            )
            rows.append(
                _button(_t(context, lang, "nudge.cancel", name=name, when=when), f"n:x:{relay.id}")
            )
        await _reply(update, "\n".join(lines), InlineKeyboardMarkup(rows))
    clients = [c for c in await services.db.clients_of(user.id) if may_nudge(context, c.role)]
    if not clients:
        await _reply(update, _t(context, lang, "nudge.nobody"))
        return
    rows = [_button(c.person.name, f"n:c:{c.person.id}") for c in clients]
    await _reply(update, _t(context, lang, "nudge.who"), InlineKeyboardMarkup(rows))


async def _nudgeable(
    update: Update, context: BotContext, user: User, client_id: int
) -> User | None:
    """The client, if ``user`` may nudge them now; otherwise says why and returns None."""
    services = context.services
    lang = user.language
    role = await services.db.team_role(client_id, user.id)
    client = await services.db.get_user(client_id) if role is not None else None
    if client is None or role is None or not may_nudge(context, role):
        await _reply(update, _t(context, lang, "clients.not_linked"))
        return None
    if user.id in await services.db.no_nudges(client_id):
        await _reply(update, _t(context, lang, "nudge.declined_by_client", name=client.name))
        return None
    return client


def _nominal(choice: str, now: datetime, zone_now: datetime) -> datetime:
    """The moment a quick choice names, before the client's hours are applied."""
    if choice == "eve":
        evening = datetime.combine(zone_now.date(), time(19), zone_now.tzinfo)
        return evening if evening > now else evening + timedelta(days=1)
    if choice == "tmr":
        return datetime.combine(zone_now.date() + timedelta(days=1), time(9), zone_now.tzinfo)
    if choice == "3d":
        return now + timedelta(days=3)
    return now


async def nudge_pressed(update: Update, context: BotContext) -> None:
    """A button of the peer's /nudge; acts only on clients whose team they are in now."""
    query = update.callback_query
    assert query is not None and query.data is not None
    services = context.services
    user = await services.db.get_user(query.from_user.id)
    lang = user.language if user else services.catalog.default
    parts = query.data.split(":")
    if user is None or not user.role.is_staff or not may_nudge(context, user.role):
        await _stale(update, context, lang)
        return
    await query.answer()
    action = parts[1]
    if action == "x":
        relay = await _own_relay(context, user, parts[2], as_member=True)
        if relay is None or not await services.db.update_relay(
            relay.id, status="cancelled", expect="planned"
        ):
            await _settle(update, _t(context, lang, "nudge.gone"))
            return
        client = await services.db.get_user(relay.client_id)
        await _settle(
            update, _t(context, lang, "nudge.cancelled", name=client.name if client else "?")
        )
        return
    if action in ("c", "w"):
        client_id = row_id(parts[2]) or -1
        client = await _nudgeable(update, context, user, client_id)
        if client is None:
            return
        if action == "c":
            rows = [
                _button(_t(context, lang, f"nudge.{key}"), f"n:w:{client.id}:{choice}")
                for key, choice in (
                    ("now", "now"),
                    ("evening", "eve"),
                    ("morning", "tmr"),
                    ("in_days", "3d"),
                    ("other", "other"),
                )
            ]
            await _reply(
                update,
                _t(context, lang, "nudge.when", name=client.name),
                InlineKeyboardMarkup(rows),
            )
            return
        choice = parts[3] if len(parts) > 3 else ""
        if choice not in WHEN_CHOICES:
            await _reply(update, _t(context, lang, "fallback.stale_button"))
            return
        if choice == "other":
            await services.db.await_text(user.id, f"nudge_when:{client.id}", services.clock.now())
            await _reply(
                update, _t(context, lang, "nudge.ask_when", example=_example(context, lang))
            )
            return
        now = services.clock.now()
        zone = await services.planner.zone_of(client.id)
        await _ask_text(update, context, user, client, _nominal(choice, now, now.astimezone(zone)))
        return
    relay = await _own_relay(context, user, parts[2] if len(parts) > 2 else "", as_member=True)
    if relay is None or relay.status != "draft" or relay.kind != "nudge":
        await _reply(update, _t(context, lang, "nudge.gone"))
        return
    if action == "t":
        index = parts[3] if len(parts) > 3 else ""
        if index not in ("1", "2", "3"):
            await _reply(update, _t(context, lang, "fallback.stale_button"))
            return
        await services.db.await_text(user.id, None, services.clock.now())
        await _confirm_nudge(
            update, context, user, relay, _t(context, lang, f"nudge.template_{index}")
        )
    elif action == "ok":
        await _schedule_nudge(update, context, user, relay)
    elif action == "no":
        await services.db.update_relay(relay.id, status="cancelled", expect="draft")
        await _settle(update, _t(context, lang, "relay.cancelled"))


def _example(context: BotContext, lang: str) -> str:
    day = context.services.clock.now().date() + timedelta(days=2)
    return f"{context.services.catalog.date(lang, day)} 10:00"


async def _ask_text(
    update: Update, context: BotContext, user: User, client: User, due: datetime
) -> None:
    """The time is chosen: a draft is kept, and the peer writes or picks the words."""
    services = context.services
    lang = user.language
    relay_id = await services.db.add_relay(
        client.id, user.id, user.name, "nudge", None, services.clock.now(), due
    )
    await services.db.await_text(user.id, f"nudge_text:{relay_id}", services.clock.now())
    rows = [
        _button(_t(context, lang, f"nudge.template_{i}"), f"n:t:{relay_id}:{i}") for i in (1, 2, 3)
    ]
    await _reply(
        update, _t(context, lang, "nudge.write", name=client.name), InlineKeyboardMarkup(rows)
    )


async def _client_preview(
    context: BotContext, member: User, relay: Relay, words: str
) -> tuple[User, str]:
    """Keep the member's words on the draft; the client, and exactly what they will see."""
    services = context.services
    await services.db.update_relay(relay.id, body=words, expect="draft")
    client = await services.db.get_user(relay.client_id)
    assert client is not None
    role = await services.db.team_role(client.id, member.id) or member.role
    drafted = dataclasses.replace(relay, body=words, member_name=member.name)
    shown, _ = client_message(services.catalog, client, drafted, role)
    return client, shown


async def _confirm_nudge(
    update: Update, context: BotContext, user: User, relay: Relay, words: str
) -> None:
    lang = user.language
    client, shown = await _client_preview(context, user, relay, words)
    when = await _when_text(context, lang, client.id, relay.due_at)
    markup = InlineKeyboardMarkup(
        [
            _button(_t(context, lang, "nudge.send"), f"n:ok:{relay.id}"),
            _button(_t(context, lang, "relay.cancel"), f"n:no:{relay.id}"),
        ]
    )
    await _reply(
        update, _t(context, lang, "nudge.preview", name=client.name, when=when, text=shown), markup
    )


async def _plan_for_client(
    context: BotContext, member: User, client: User, relay: Relay, due: datetime, key: str
) -> str | None:
    """Plan a member's draft for the client; what the member is told (when it arrives, or
    that the client is paused). None if the draft was sent or cancelled meanwhile."""
    services = context.services
    lang = member.language
    if not await services.db.update_relay(relay.id, status="planned", due_at=due, expect="draft"):
        return None
    await services.planner.plan_relay(client.id, relay.id, due)
    paused = await tell_if_paused(context, member, client)
    if paused:
        await services.db.update_relay(relay.id, held_told=True)
        return paused
    arrives = await services.planner.deliverable_at(client.id, due)
    when = await _when_text(context, lang, client.id, arrives or due)
    return _t(context, lang, key, name=client.name, when=when)


async def _schedule_nudge(update: Update, context: BotContext, user: User, relay: Relay) -> None:
    """Plan it, and tell the peer honestly when it will arrive."""
    services = context.services
    lang = user.language
    client = await _nudgeable(update, context, user, relay.client_id)
    if client is None or relay.body is None:
        await services.db.update_relay(relay.id, status="cancelled", expect="draft")
        return
    now = services.clock.now()
    told = await _plan_for_client(
        context, user, client, relay, max(relay.due_at or now, now), "nudge.scheduled"
    )
    if told is None:
        await _settle(update, _t(context, lang, "nudge.gone"))
        return
    with contextlib.suppress(TelegramError):
        await update.callback_query.edit_message_reply_markup(None)  # type: ignore[union-attr]
    await _reply(update, told)


async def tell_if_paused(context: BotContext, member: User, client: User) -> str | None:
    """What a member is told when the client has paused; None if the client is not paused."""
    own = await context.services.db.schedule(client.id)
    return pause_note(context.services.catalog, member.language, client.name, own, held=False)


def pause_note(
    catalog: Catalog, lang: str, name: str, own: ClientSchedule | None, *, held: bool
) -> str | None:
    """A paused client, for a member: until when (or, for a message that was already waiting,
    that it is held), and the client's own message for the team if they left one."""
    if own is None or not own.paused:
        return None
    if held:
        text = catalog.get(lang, "nudge.held_paused", name=name)
    elif own.paused_until:
        until = catalog.date(lang, date.fromisoformat(own.paused_until))
        text = catalog.get(lang, "nudge.paused_until", name=name, until=until)
    else:
        text = catalog.get(lang, "nudge.paused", name=name)
    if own.pause_message:
        text += "\n\n" + catalog.get(
            lang, "nudge.pause_message", name=name, text=own.pause_message
        )
    return text


async def _own_relay(
    context: BotContext, user: User, raw: str, *, as_member: bool
) -> Relay | None:
    """A message by id, only if ``user`` is its member (or its client)."""
    number = row_id(raw)
    if number is None:
        return None
    relay = await context.services.db.relay(number)
    if relay is None:
        return None
    owner = relay.member_id if as_member else relay.client_id
    return relay if owner == user.id else None


# --- typed words ----------------------------------------------------------------------------


async def typed(update: Update, context: BotContext, user: User, text: str, purpose: str) -> bool:
    """Words the bot asked for here: a nudge's day and time or words, a client's message to
    someone in their team, a member's answer. False if the bot asked for none of these."""
    services = context.services
    kind, _, arg = purpose.partition(":")
    if kind not in ("nudge_when", "nudge_text", "write", "answer") or row_id(arg) is None:
        return False
    lang = user.language
    now = services.clock.now()
    if kind == "nudge_when":
        client = await _nudgeable(update, context, user, row_id(arg) or -1)
        if client is None:
            await services.db.await_text(user.id, None, now)
            return True
        zone = await services.planner.zone_of(client.id)
        due = _parse_when(text, now.astimezone(zone), lang)
        if due is None or due < now:
            await _reply(
                update, _t(context, lang, "nudge.bad_when", example=_example(context, lang))
            )
            return True
        await services.db.await_text(user.id, None, now)
        await _ask_text(update, context, user, client, due)
        return True
    relay = await _own_relay(context, user, arg, as_member=kind != "write")
    await services.db.await_text(user.id, None, now)
    if relay is None or relay.status != "draft":
        await _reply(update, _t(context, lang, "nudge.gone"))
        return True
    if kind == "nudge_text":
        await _confirm_nudge(update, context, user, relay, text)
    elif kind == "write":
        await _confirm_write(update, context, user, relay, text)
    else:
        await _confirm_answer(update, context, user, relay, text)
    return True


def _parse_when(text: str, local_now: datetime, language: str) -> datetime | None:
    """ "3 December 10:00", "2026-12-03 10:00" or "10:00" (today), in the client's zone."""
    words = text.strip().split()
    if not words:
        return None
    clock = parse_clock(words[-1])
    if clock is None:
        return None
    day = (
        parse_date(" ".join(words[:-1]), local_now.date(), language)
        if len(words) > 1
        else local_now.date()
    )
    if day is None:
        return None
    return datetime.combine(day, clock, local_now.tzinfo)


# --- the client's side: a message from their team -------------------------------------------


def client_message(
    catalog: Catalog, client: User, relay: Relay, role: Role
) -> tuple[str, InlineKeyboardMarkup]:
    """A nudge or an answer as the client sees it: from a named person, with Reply first,
    then Thanks, Not now, and (under a nudge) a way to stop nudges from that person."""
    lang = client.language
    name = relay.member_name
    key = "nudge.to_client" if relay.kind == "nudge" else "nudge.answer_to_client"
    text = catalog.get(
        lang, key, name=name, role=catalog.get(lang, f"roles.{role.value}"), text=relay.body
    )
    rows = [
        _button(catalog.get(lang, "nudge.reply", name=name), f"r:re:{relay.id}"),
        _button(catalog.get(lang, "nudge.thanks"), f"r:ty:{relay.id}"),
        _button(catalog.get(lang, "nudge.not_now"), f"r:nn:{relay.id}"),
    ]
    if relay.kind == "nudge":
        rows.append(_button(catalog.get(lang, "nudge.stop", name=name), f"r:stop:{relay.id}"))
    return text, InlineKeyboardMarkup(rows)


async def relay_pressed(update: Update, context: BotContext, user: User) -> None:
    """A client's button under a message from their team, or confirming their own message."""
    query = update.callback_query
    assert query is not None and query.data is not None
    services = context.services
    lang = user.language
    parts = query.data.split(":")
    relay = await _own_relay(context, user, parts[2] if len(parts) > 2 else "", as_member=False)
    if relay is None or relay.member_id is None:
        await _stale(update, context, lang)
        return
    member = await services.db.get_user(relay.member_id)
    in_team = await services.db.team_role(user.id, relay.member_id)
    if member is None or in_team is None:
        await query.answer(_t(context, lang, "team.not_in_team"), show_alert=True)
        return
    await query.answer()
    action = parts[1]
    name = member.name
    if action == "re":
        await start_writing(update, context, user, member, "reply")
    elif action == "ty":
        if await _deliver_to_member(context, user, member, "reply", "thanks", None):
            await _reply(update, _t(context, lang, "nudge.thanks_sent", name=name))
    elif action == "nn":
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)
        await _reply(update, _t(context, lang, "nudge.not_now_ok"))
    elif action == "stop":
        markup = InlineKeyboardMarkup(
            [
                _button(_t(context, lang, "nudge.stop_yes", name=name), f"r:stopy:{relay.id}"),
                _button(_t(context, lang, "nudge.stop_no"), f"r:stopn:{relay.id}"),
            ]
        )
        await _reply(update, _t(context, lang, "nudge.stop_ask", name=name), markup)
    elif action == "stopy":
        await stop_nudges(context, user, member)
        await _settle(update, _t(context, lang, "nudge.stopped", name=name))
    elif action == "stopn":
        await _settle(update, _t(context, lang, "nudge.kept"))
    elif action in ("send", "drop"):
        if relay.status != "draft" or relay.to_client:
            await _reply(update, _t(context, lang, "fallback.stale_button"))
            return
        if action == "drop":
            await services.db.update_relay(relay.id, status="cancelled", expect="draft")
            await _settle(update, _t(context, lang, "relay.cancelled"))
            return
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)
        if await _deliver_to_member(context, user, member, relay.kind, relay.body or "", relay):
            await _reply(update, _t(context, lang, "relay.sent", name=name))
        else:
            await _reply(update, _t(context, lang, "relay.failed", name=name))


async def stop_nudges(context: BotContext, client: User, member: User) -> None:
    """No more nudges from this person: recorded, waiting ones cancelled, the person told."""
    services = context.services
    now = services.clock.now()
    await services.db.set_no_nudges(client.id, member.id, True, now)
    for waiting in await services.db.planned_relays(client_id=client.id):
        if waiting.member_id == member.id and waiting.kind == "nudge":
            await services.db.update_relay(waiting.id, status="declined", expect="planned")
    try:
        await context.bot.send_message(
            member.chat_id, _t(context, member.language, "nudge.stop_told", name=client.name)
        )
    except TelegramError as exc:
        log.info("could not tell user %s about stopped nudges: %s", member.id, exc)


async def start_writing(
    update: Update, context: BotContext, client: User, member: User, kind: str
) -> None:
    """The client writes to someone in their team: a draft, then their words, then Send."""
    services = context.services
    relay_id = await services.db.add_relay(
        client.id, member.id, member.name, kind, None, services.clock.now()
    )
    await services.db.await_text(client.id, f"write:{relay_id}", services.clock.now())
    await _reply(update, _t(context, client.language, "relay.write_to", name=member.name))


async def ask_for_contact(
    update: Update, context: BotContext, client: User, member: User, choice: str
) -> None:
    """A request ("Please call me") as a draft the client confirms."""
    services = context.services
    text = _t(context, client.language, f"relay.ask_{choice}")
    relay_id = await services.db.add_relay(
        client.id, member.id, member.name, "request", text, services.clock.now()
    )
    relay = await services.db.relay(relay_id)
    assert relay is not None
    await _confirm_write(update, context, client, relay, text, key="relay.ask_preview")


async def _confirm_write(
    update: Update,
    context: BotContext,
    client: User,
    relay: Relay,
    words: str,
    key: str = "relay.preview",
) -> None:
    services = context.services
    lang = client.language
    await services.db.update_relay(relay.id, body=words, expect="draft")
    markup = InlineKeyboardMarkup(
        [
            _button(_t(context, lang, "relay.send", name=relay.member_name), f"r:send:{relay.id}"),
            _button(_t(context, lang, "relay.cancel"), f"r:drop:{relay.id}"),
        ]
    )
    await _reply(update, _t(context, lang, key, name=relay.member_name, text=words), markup)


async def _deliver_to_member(
    context: BotContext,
    client: User,
    member: User,
    kind: str,
    words: str,
    relay: Relay | None,
) -> bool:
    """Send the client's words to the member now, attributed, with a button to answer."""
    services = context.services
    lang = member.language
    now = services.clock.now()
    if relay is None:
        relay_id = await services.db.add_relay(client.id, member.id, member.name, kind, words, now)
    else:
        relay_id = relay.id
    if words == "thanks" and relay is None:
        text = _t(context, lang, "relay.thanks_from_client", name=client.name)
        await services.db.update_relay(relay_id, body=_t(context, client.language, "nudge.thanks"))
    elif kind == "request":
        text = _t(context, lang, "relay.request_from_client", name=client.name, text=words)
    elif kind == "reply":
        text = _t(context, lang, "relay.reply_from_client", name=client.name, text=words)
    else:
        text = _t(context, lang, "relay.from_client", name=client.name, text=words)
    markup = InlineKeyboardMarkup(
        [_button(_t(context, lang, "relay.answer", name=client.name), f"a:{relay_id}")]
    )
    try:
        await context.bot.send_message(member.chat_id, text, reply_markup=markup)
    except TelegramError as exc:
        log.info("relay %s did not reach user %s: %s", relay_id, member.id, exc)
        await services.db.update_relay(relay_id, status="failed")
        return False
    await services.db.update_relay(relay_id, status="sent")
    return True


# --- a member answers ---------------------------------------------------------------------


async def answer_pressed(update: Update, context: BotContext) -> None:
    """ "Answer Alex" under what a client wrote: only the person it was written to."""
    query = update.callback_query
    assert query is not None and query.data is not None
    services = context.services
    user = await services.db.get_user(query.from_user.id)
    lang = user.language if user else services.catalog.default
    action, _, raw = query.data.partition(":")
    relay = await _own_relay(context, user, raw, as_member=True) if user else None
    if user is None or relay is None:
        await _stale(update, context, lang)
        return
    client = await services.db.get_user(relay.client_id)
    if client is None or await services.db.team_role(client.id, user.id) is None:
        await query.answer(
            _t(context, lang, "nudge.not_linked", name=relay.member_name), show_alert=True
        )
        return
    await query.answer()
    if action == "a":
        if relay.to_client:
            await _reply(update, _t(context, lang, "fallback.stale_button"))
            return
        answer_id = await services.db.add_relay(
            client.id, user.id, user.name, "answer", None, services.clock.now()
        )
        await services.db.await_text(user.id, f"answer:{answer_id}", services.clock.now())
        await _reply(update, _t(context, lang, "relay.write_answer", name=client.name))
        return
    if relay.kind != "answer" or relay.status != "draft":
        await _reply(update, _t(context, lang, "nudge.gone"))
        return
    if action == "an":
        await services.db.update_relay(relay.id, status="cancelled", expect="draft")
        await _settle(update, _t(context, lang, "relay.cancelled"))
        return
    told = await _plan_for_client(
        context, user, client, relay, services.clock.now(), "relay.answer_planned"
    )
    await _settle(update, told if told is not None else _t(context, lang, "nudge.gone"))


async def _confirm_answer(
    update: Update, context: BotContext, user: User, relay: Relay, words: str
) -> None:
    lang = user.language
    client, shown = await _client_preview(context, user, relay, words)
    markup = InlineKeyboardMarkup(
        [
            _button(_t(context, lang, "nudge.send"), f"ay:{relay.id}"),
            _button(_t(context, lang, "relay.cancel"), f"an:{relay.id}"),
        ]
    )
    await _reply(
        update, _t(context, lang, "relay.answer_preview", name=client.name, text=shown), markup
    )

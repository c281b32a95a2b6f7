"""The client's own schedule in Telegram: onboarding, /settings, /pause, /resume and snooze."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import get_day_names
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.core.model import ClientSchedule, User
from bot.core.planning import CHECKIN, effective
from bot.core.schedule import (
    WEEKDAYS,
    Schedule,
    next_checkin,
    parse_clock,
    parse_hours,
    parse_timezone,
    snooze_until,
)
from bot.tg.context import BotContext
from bot.tg.context import text as _t
from bot.tg.keyboards import main_menu

TIMES = ("08:00", "10:00", "12:00", "14:00", "16:00", "18:00", "20:00")
HOURS = ("08:00-20:00", "09:00-21:00", "10:00-22:00", "12:00-23:00")
ZONES = (
    "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Berlin", "Europe/Helsinki",
    "America/New_York", "America/Los_Angeles", "Australia/Sydney", "UTC",
)  # fmt: skip
SNOOZES = ("hour", "evening", "tomorrow")


def _b(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def _clock(value: time) -> str:
    return value.strftime("%H:%M")


def _zones(context: BotContext) -> list[str]:
    default = context.services.planner.defaults.timezone
    return [default, *(z for z in ZONES if z != default)]


async def _own(context: BotContext, user: User) -> ClientSchedule:
    own = await context.services.db.schedule(user.id)
    assert own is not None
    return own


def _when(context: BotContext, language: str, moment: datetime, schedule: Schedule) -> str:
    return context.services.catalog.datetime(language, moment.astimezone(schedule.zone))


def _days_text(language: str, days: frozenset[int]) -> str:
    names = get_day_names("wide", locale=language)
    return ", ".join(names[d] for d in sorted(days))


async def _send_or_edit(
    update: Update, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Edit the settings message the button was on; otherwise send a new one."""
    query = update.callback_query
    if query is not None and isinstance(query.message, Message):
        try:
            await query.message.edit_text(text, reply_markup=markup)
            return
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                return
    assert update.effective_chat is not None
    await update.effective_chat.send_message(text, reply_markup=markup)


# --- onboarding -------------------------------------------------------------------------------


async def propose(update: Update, context: BotContext, user: User) -> None:
    """After the welcome: say when the bot would write, and let the client decide."""
    schedule = effective(await _own(context, user), context.services.planner.defaults)
    lang = user.language
    text = _t(
        context,
        lang,
        "schedule.proposal",
        days=_days_text(lang, schedule.days),
        time=_clock(schedule.time),
        zone=schedule.timezone,
        start=_clock(schedule.contact_start),
        end=_clock(schedule.contact_end),
    )
    markup = InlineKeyboardMarkup(
        [
            [_b(_t(context, lang, "schedule.agree"), "s:agree:first")],
            [_b(_t(context, lang, "schedule.change"), "s:main")],
            [_b(_t(context, lang, "schedule.only_when_i_ask"), "s:off:first")],
            # Help is one tap away from the very first message on.
            [_b(_t(context, lang, "menu.helpnow"), "m:help")],
        ]
    )
    assert update.effective_chat is not None
    await update.effective_chat.send_message(text, reply_markup=markup)


# --- /settings ------------------------------------------------------------------------------


async def _replan(context: BotContext, user: User) -> datetime | None:
    """Plan afresh after a change; the next check-in's time, if there is one."""
    services = context.services
    now = services.clock.now()
    await services.planner.replan(user.id, now, "schedule changed")
    schedule = await services.planner.schedule_of(user.id)
    if schedule is None:
        return None
    occurrence = next_checkin(schedule, now, services.planner.defaults.window)
    return occurrence.due_at if occurrence else None


async def summary(context: BotContext, user: User) -> tuple[str, InlineKeyboardMarkup]:
    """The settings message: what applies now, and a button for each thing to change."""
    own = await _own(context, user)
    schedule = effective(own, context.services.planner.defaults)
    lang = user.language
    lines = [_t(context, lang, "schedule.summary_title"), ""]
    if own.agreed_on is None:
        lines.append(_t(context, lang, "schedule.summary_off"))
    else:
        lines.append(
            _t(
                context,
                lang,
                "schedule.summary_on",
                days=_days_text(lang, schedule.days) or "–",
                time=_clock(schedule.time),
                zone=schedule.timezone,
                start=_clock(schedule.contact_start),
                end=_clock(schedule.contact_end),
                often=_t(
                    context, lang, "schedule.often_fewer" if own.fewer else "schedule.often_every"
                ),
            )
        )
        if not schedule.days:
            lines.append(_t(context, lang, "schedule.no_days"))
        if own.paused:
            if own.paused_until:
                until = context.services.catalog.date(lang, date.fromisoformat(own.paused_until))
                lines.append(_t(context, lang, "schedule.summary_paused", until=until))
            else:
                lines.append(_t(context, lang, "schedule.summary_paused_open"))
        occurrence = next_checkin(
            schedule, context.services.clock.now(), context.services.planner.defaults.window
        )
        if occurrence is not None:
            when = _when(context, lang, occurrence.due_at, schedule)
            lines.append(_t(context, lang, "schedule.summary_next", next=when))
    rows = [
        [
            _b(_t(context, lang, "schedule.days"), "s:days"),
            _b(_t(context, lang, "schedule.time"), "s:time"),
        ],
        [
            _b(_t(context, lang, "schedule.zone"), "s:zone"),
            _b(_t(context, lang, "schedule.hours"), "s:hours"),
        ],
        [_b(_t(context, lang, "schedule.often"), "s:often")],
        [
            _b(_t(context, lang, "schedule.turn_off"), "s:off")
            if own.agreed_on
            else _b(_t(context, lang, "schedule.turn_on"), "s:agree")
        ],
        [_b(_t(context, lang, "schedule.done"), "s:done")],
    ]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def settings_command(update: Update, context: BotContext, user: User) -> None:
    """/settings: show the schedule and what can be changed."""
    await context.services.db.await_text(user.id, None, context.services.clock.now())
    text, markup = await summary(context, user)
    assert update.effective_chat is not None
    await update.effective_chat.send_message(text, reply_markup=markup)


async def _show_summary(update: Update, context: BotContext, user: User, note: str = "") -> None:
    text, markup = await summary(context, user)
    await _send_or_edit(update, f"{note}\n\n{text}" if note else text, markup)


async def settings_pressed(update: Update, context: BotContext, user: User) -> None:
    """A button of the settings or onboarding messages (``s:...``)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    services = context.services
    lang = user.language
    own = await _own(context, user)
    schedule = effective(own, services.planner.defaults)
    action, _, value = query.data[2:].partition(":")
    back = [_b(_t(context, lang, "schedule.back"), "s:main")]
    await query.answer()

    if action == "agree":
        local_today = services.clock.now().astimezone(ZoneInfo(schedule.timezone)).date()
        await services.db.set_schedule(user.id, agreed_on=local_today.isoformat())
        upcoming = await _replan(context, user)
        fresh = effective(await _own(context, user), services.planner.defaults)
        text = (
            _t(context, lang, "schedule.agreed", next=_when(context, lang, upcoming, fresh))
            if upcoming
            else _t(context, lang, "schedule.agreed_none")
        )
        await _send_or_edit(update, text)
        if value == "first":
            await _menu(update, context, user)
    elif action == "off":
        await services.db.set_schedule(user.id, agreed_on=None)
        await services.db.cancel_planned(user.id, CHECKIN, "turned off")
        await _send_or_edit(update, _t(context, lang, "schedule.not_scheduled"))
        if value == "first":
            await _menu(update, context, user)
    elif action == "main":
        await services.db.await_text(user.id, None, services.clock.now())
        await _show_summary(update, context, user)
    elif action == "done":
        text, _ = await summary(context, user)
        await _send_or_edit(update, text)
    elif action == "days":
        days = set(schedule.days)
        if value.isdigit() and int(value) < 7:
            days ^= {int(value)}
            await services.db.set_schedule(
                user.id, days=",".join(WEEKDAYS[d] for d in sorted(days))
            )
            await _replan(context, user)
        names = get_day_names("wide", locale=lang)
        rows = [[_b(("✓ " if d in days else "") + names[d], f"s:days:{d}")] for d in range(7)]
        await _send_or_edit(
            update, _t(context, lang, "schedule.pick_days"), InlineKeyboardMarkup([*rows, back])
        )
    elif action == "time":
        if value:
            await _apply_time(update, context, user, parse_clock(value.replace(".", ":")))
            return
        inside = [t for t in TIMES if _inside(schedule, time.fromisoformat(t))]
        rows = [[_b(t, f"s:time:{t.replace(':', '.')}")] for t in inside]
        rows.append([_b(_t(context, lang, "schedule.type_other"), "s:type:time")])
        await _send_or_edit(
            update, _t(context, lang, "schedule.pick_time"), InlineKeyboardMarkup([*rows, back])
        )
    elif action == "zone":
        zones = _zones(context)
        if value.isdigit() and int(value) < len(zones):
            await services.db.set_schedule(user.id, timezone=zones[int(value)])
            await _replan(context, user)
            await _show_summary(update, context, user, _t(context, lang, "schedule.saved"))
            return
        rows = [[_b(zone, f"s:zone:{i}")] for i, zone in enumerate(zones)]
        rows.append([_b(_t(context, lang, "schedule.type_other"), "s:type:zone")])
        await _send_or_edit(
            update, _t(context, lang, "schedule.pick_zone"), InlineKeyboardMarkup([*rows, back])
        )
    elif action == "hours":
        if value.isdigit() and int(value) < len(HOURS):
            await _apply_hours(update, context, user, parse_hours(HOURS[int(value)]))
            return
        rows = [[_b(h.replace("-", "–"), f"s:hours:{i}")] for i, h in enumerate(HOURS)]
        rows.append([_b(_t(context, lang, "schedule.type_other"), "s:type:hours")])
        await _send_or_edit(
            update, _t(context, lang, "schedule.pick_hours"), InlineKeyboardMarkup([*rows, back])
        )
    elif action == "often":
        if value in ("usual", "fewer"):
            await services.db.set_schedule(user.id, fewer=value == "fewer")
            await _replan(context, user)
            await _show_summary(update, context, user, _t(context, lang, "schedule.saved"))
            return
        rows = [
            [_b(_t(context, lang, "schedule.often_every").capitalize(), "s:often:usual")],
            [_b(_t(context, lang, "schedule.often_fewer").capitalize(), "s:often:fewer")],
        ]
        await _send_or_edit(
            update, _t(context, lang, "schedule.pick_often"), InlineKeyboardMarkup([*rows, back])
        )
    elif action == "type" and value in ("time", "zone", "hours"):
        await services.db.await_text(user.id, f"settings:{value}", services.clock.now())
        key = {"time": "pick_time", "zone": "pick_zone", "hours": "pick_hours"}[value]
        await _send_or_edit(
            update, _t(context, lang, f"schedule.{key}"), InlineKeyboardMarkup([back])
        )


async def _menu(update: Update, context: BotContext, user: User) -> None:
    """After the first answer about the schedule, the main menu (where help always is)."""
    assert update.effective_chat is not None
    await update.effective_chat.send_message(
        _t(context, user.language, "menu.prompt"),
        reply_markup=main_menu(context.services.catalog, user.language),
    )


def _inside(schedule: Schedule, value: time) -> bool:
    start, end = schedule.contact_start, schedule.contact_end
    return start <= value < end if start < end else value >= start or value < end


async def _apply_time(update: Update, context: BotContext, user: User, value: time | None) -> None:
    lang = user.language
    if value is None:
        await _send_or_edit(update, _t(context, lang, "schedule.bad_time"))
        return
    schedule = effective(await _own(context, user), context.services.planner.defaults)
    if not _inside(schedule, value):
        await _send_or_edit(
            update,
            _t(
                context,
                lang,
                "schedule.outside_hours",
                time=_clock(value),
                start=_clock(schedule.contact_start),
                end=_clock(schedule.contact_end),
            ),
        )
        return
    await context.services.db.set_schedule(user.id, time=_clock(value))
    await _replan(context, user)
    await _show_summary(update, context, user, _t(context, lang, "schedule.saved"))


async def _apply_hours(
    update: Update, context: BotContext, user: User, value: tuple[time, time] | None
) -> None:
    lang = user.language
    if value is None:
        await _send_or_edit(update, _t(context, lang, "schedule.bad_hours"))
        return
    schedule = effective(await _own(context, user), context.services.planner.defaults)
    start, end = value
    candidate = Schedule(
        timezone=schedule.timezone,
        days=schedule.days,
        time=schedule.time,
        contact_start=start,
        contact_end=end,
    )
    if not _inside(candidate, schedule.time):
        await _send_or_edit(
            update,
            _t(
                context,
                lang,
                "schedule.outside_hours",
                time=_clock(schedule.time),
                start=_clock(start),
                end=_clock(end),
            ),
        )
        return
    await context.services.db.set_schedule(user.id, contact_hours=f"{_clock(start)}-{_clock(end)}")
    await _replan(context, user)
    await _show_summary(update, context, user, _t(context, lang, "schedule.saved"))


async def settings_typed(
    update: Update, context: BotContext, user: User, text: str, awaiting: str
) -> bool:
    """Typed words for a setting the bot asked for; False if none was asked."""
    services = context.services
    if not awaiting.startswith("settings:"):
        return False
    await services.db.await_text(user.id, None, services.clock.now())
    what = awaiting.removeprefix("settings:")
    if what == "time":
        await _apply_time(update, context, user, parse_clock(text))
    elif what == "hours":
        await _apply_hours(update, context, user, parse_hours(text))
    elif what == "zone":
        zone = parse_timezone(text)
        if zone is None:
            await _send_or_edit(update, _t(context, user.language, "schedule.bad_zone"))
        else:
            await services.db.set_schedule(user.id, timezone=zone)
            await _replan(context, user)
            await _show_summary(
                update, context, user, _t(context, user.language, "schedule.saved")
            )
    return True


# --- /pause and /resume -----------------------------------------------------------------------


async def pause_command(update: Update, context: BotContext, user: User) -> None:
    """/pause [YYYY-MM-DD]: pause until a date, or ask for how long."""
    lang = user.language
    assert update.effective_chat is not None
    if context.args:
        try:
            until = date.fromisoformat(context.args[0])
        except ValueError:
            await update.effective_chat.send_message(_t(context, lang, "pause.bad_date"))
            return
        await _pause(update, context, user, until)
        return
    markup = InlineKeyboardMarkup(
        [
            [_b(_t(context, lang, "pause.day"), "z:1")],
            [_b(_t(context, lang, "pause.week"), "z:7")],
            [_b(_t(context, lang, "pause.open"), "z:open")],
            [_b(_t(context, lang, "pause.cancel"), "z:cancel")],
        ]
    )
    await update.effective_chat.send_message(_t(context, lang, "pause.ask"), reply_markup=markup)


async def _pause(update: Update, context: BotContext, user: User, until: date | None) -> None:
    services = context.services
    lang = user.language
    await services.db.set_schedule(
        user.id, paused=True, paused_until=until.isoformat() if until else None
    )
    await services.planner.replan(user.id, services.clock.now(), "paused")
    text = (
        _t(context, lang, "pause.paused_until", until=services.catalog.date(lang, until))
        if until
        else _t(context, lang, "pause.paused_open")
    )
    await _send_or_edit(update, text)
    markup = InlineKeyboardMarkup(
        [
            [_b(_t(context, lang, "pause.message_write"), "z:msg")],
            [_b(_t(context, lang, "pause.message_none"), "z:nomsg")],
        ]
    )
    assert update.effective_chat is not None
    await update.effective_chat.send_message(
        _t(context, lang, "pause.message_ask"), reply_markup=markup
    )


async def pause_pressed(update: Update, context: BotContext, user: User) -> None:
    """A button of /pause (``z:...``)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    services = context.services
    lang = user.language
    choice = query.data[2:]
    await query.answer()
    if choice in ("1", "7"):
        schedule = effective(await _own(context, user), services.planner.defaults)
        today = services.clock.now().astimezone(ZoneInfo(schedule.timezone)).date()
        await _pause(update, context, user, today + timedelta(days=int(choice)))
    elif choice == "open":
        await _pause(update, context, user, None)
    elif choice == "cancel":
        await _send_or_edit(update, _t(context, lang, "pause.kept"))
    elif choice == "msg":
        await services.db.await_text(user.id, "pause:message", services.clock.now())
        await _send_or_edit(update, _t(context, lang, "pause.message_prompt"))
    else:
        await _send_or_edit(update, _t(context, lang, "pause.no_message"))


async def pause_typed(
    update: Update, context: BotContext, user: User, text: str, awaiting: str
) -> bool:
    """The client's message for their team while paused; False if none was asked."""
    services = context.services
    if awaiting != "pause:message":
        return False
    await services.db.await_text(user.id, None, services.clock.now())
    await services.db.set_schedule(user.id, pause_message=text)
    assert update.effective_chat is not None
    await update.effective_chat.send_message(_t(context, user.language, "pause.message_saved"))
    return True


async def resume_command(update: Update, context: BotContext, user: User) -> None:
    """/resume: end a pause and plan the next check-in."""
    services = context.services
    lang = user.language
    own = await _own(context, user)
    assert update.effective_chat is not None
    if not own.paused:
        await update.effective_chat.send_message(_t(context, lang, "pause.not_paused"))
        return
    await services.db.set_schedule(user.id, paused=False, paused_until=None, pause_message=None)
    await _replan(context, user)
    text, markup = await summary(context, user)
    await update.effective_chat.send_message(
        f"{_t(context, lang, 'pause.resumed')}\n\n{text}", reply_markup=markup
    )


# --- snooze -------------------------------------------------------------------------------------


async def snooze(context: BotContext, user: User, checkin_id: int, choice: str) -> str | None:
    """Move a check-in the bot sent to later; the text to show, or None if it cannot be moved."""
    services = context.services
    record = await services.db.checkin(checkin_id, user.id)
    if record is None or record.status != "open" or record.answers or choice not in SNOOZES:
        return None
    schedule = await services.planner.schedule_of(user.id)
    if schedule is None:
        return None
    now = services.clock.now()
    try:
        due = snooze_until(schedule, now, choice)
    except ValueError:  # paused with no end: nothing the bot starts comes back until resumed
        return None
    local_date = due.astimezone(ZoneInfo(schedule.timezone)).date()
    await services.db.finish_checkin(record.id, "closed", now)
    await services.db.plan_send(
        user.id,
        CHECKIN,
        f"snooze:{record.id}",
        local_date.isoformat(),
        due,
        due + services.planner.defaults.window,
    )
    lang = user.language
    return _t(
        context, lang, "checkin.snoozed", when=_t(context, lang, f"checkin.snoozed_{choice}")
    )


def snooze_keyboard(context: BotContext, language: str, checkin_id: int) -> InlineKeyboardMarkup:
    """The choices behind "Later"."""
    rows = [
        [_b(_t(context, language, f"checkin.snooze_{choice}"), f"c:{checkin_id}:sn:{choice}")]
        for choice in SNOOZES
    ]
    rows.append([_b(_t(context, language, "checkin.not_now"), f"c:{checkin_id}:no")])
    return InlineKeyboardMarkup(rows)

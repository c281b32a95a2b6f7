"""The client's own schedule as use cases: the first proposal, /settings, /pause and /resume.

Each use case acts on the person who asked, and only on them; after every change the planner
plans afresh. Screens that invite typing wait for the typed answer (a time, a city, hours, a
message for the team), and ``typed`` applies it and says what was saved.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import reduce

from babel.dates import get_day_names

from bot.core.actions import Action
from bot.core.actions.settings import (
    Agree,
    CloseSettings,
    KeepGoing,
    Pause,
    PauseMessage,
    PickDays,
    PickHours,
    PickOften,
    PickTime,
    PickZone,
    Setting,
    ShowSettings,
    TurnOff,
    TypeOther,
)
from bot.core.model import ClientSchedule, User
from bot.core.planning import CHECKIN, Planner, effective
from bot.core.ports import Sends
from bot.core.schedule import (
    WEEKDAYS,
    Schedule,
    next_checkin,
    parse_clock,
    parse_hours,
    parse_timezone,
)
from bot.core.views import Choice, Say, Text, View, t
from bot.core.waits import Wait, WaitKind, Waits

TIMES = ("08:00", "10:00", "12:00", "14:00", "16:00", "18:00", "20:00")
HOURS = ("08:00-20:00", "09:00-21:00", "10:00-22:00", "12:00-23:00")
ZONES = (
    "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Berlin", "Europe/Helsinki",
    "America/New_York", "America/Los_Angeles", "Australia/Sydney", "UTC",
)  # fmt: skip
PAUSE_DAYS = (1, 7)  # the lengths /pause offers as buttons

_ASK = {
    Setting.TIME: (WaitKind.TIME, "schedule.pick_time"),
    Setting.ZONE: (WaitKind.ZONE, "schedule.pick_zone"),
    Setting.HOURS: (WaitKind.HOURS, "schedule.pick_hours"),
}


def _clock(value: time) -> str:
    return value.strftime("%H:%M")


def _within(value: time, start: time, end: time) -> bool:
    """Whether ``value`` is inside the contact hours ``[start, end)`` (wrapping past midnight)."""
    return start <= value < end if start < end else value >= start or value < end


def _days_text(language: str, days: frozenset[int]) -> str:
    names = get_day_names("wide", locale=language)
    return ", ".join(names[d] for d in sorted(days))


def _lines(texts: list[Text]) -> Text:
    """Texts one under another, in one paragraph."""
    return reduce(lambda above, below: t("schedule.lines", first=above, then=below), texts)


class ScheduleSettings:
    """The client's schedule: what applies, changing it, pausing and resuming."""

    KINDS = frozenset({WaitKind.TIME, WaitKind.ZONE, WaitKind.HOURS, WaitKind.PAUSE_MESSAGE})
    """The typed answers ``typed`` takes."""

    def __init__(self, sends: Sends, planner: Planner, waits: Waits) -> None:
        self._sends = sends
        self._planner = planner
        self._waits = waits

    # --- reading ---------------------------------------------------------------------------

    async def _own(self, user: User) -> ClientSchedule:
        return await self._sends.schedule(user.id) or ClientSchedule()

    def _effective(self, own: ClientSchedule) -> Schedule:
        return effective(own, self._planner.defaults)

    async def _next(self, user: User, now: datetime) -> datetime | None:
        """Plan afresh after a change; when the next check-in comes (local time), if one does."""
        await self._planner.replan(user.id, now, "schedule changed")
        schedule = await self._planner.schedule_of(user.id)
        if schedule is None:
            return None
        occurrence = next_checkin(schedule, now, self._planner.defaults.window)
        return occurrence.due_at.astimezone(schedule.zone) if occurrence else None

    async def proposal(self, user: User) -> View:
        """After the welcome: when the bot would write, and the client decides."""
        schedule = self._effective(await self._own(user))
        text = t(
            "schedule.proposal",
            days=_days_text(user.language, schedule.days),
            time=_clock(schedule.time),
            zone=schedule.timezone,
            start=_clock(schedule.contact_start),
            end=_clock(schedule.contact_end),
        )
        choices = (
            Choice(t("schedule.agree"), Agree(first=True)),
            Choice(t("schedule.change"), ShowSettings()),
            Choice(t("schedule.only_when_i_ask"), TurnOff(first=True)),
        )
        return View.of(Say.of(text, choices=choices))

    async def summary(
        self, user: User, now: datetime, note: Text | None = None, *, buttons: bool = True
    ) -> View:
        """What applies now, and a button for each thing to change (/settings)."""
        own = await self._own(user)
        schedule = self._effective(own)
        parts = [note] if note is not None else []
        parts.append(t("schedule.summary_title"))
        if own.agreed_on is None:
            parts.append(t("schedule.summary_off"))
        else:
            often = "schedule.often_fewer" if own.fewer else "schedule.often_every"
            lines = [
                t(
                    "schedule.summary_on",
                    days=_days_text(user.language, schedule.days) or "–",
                    time=_clock(schedule.time),
                    zone=schedule.timezone,
                    start=_clock(schedule.contact_start),
                    end=_clock(schedule.contact_end),
                    often=t(often),
                )
            ]
            if not schedule.days:
                lines.append(t("schedule.no_days"))
            if own.paused and own.paused_until:
                until = date.fromisoformat(own.paused_until)
                lines.append(t("schedule.summary_paused", until=until))
            elif own.paused:
                lines.append(t("schedule.summary_paused_open"))
            occurrence = next_checkin(schedule, now, self._planner.defaults.window)
            if occurrence is not None:
                when = occurrence.due_at.astimezone(schedule.zone)
                lines.append(t("schedule.summary_next", next=when))
            parts.append(_lines(lines))
        rows: tuple[tuple[Choice, ...], ...] = ()
        if buttons:
            on_off = (
                Choice(t("schedule.turn_off"), TurnOff())
                if own.agreed_on
                else Choice(t("schedule.turn_on"), Agree())
            )
            rows = (
                (
                    Choice(t("schedule.days"), PickDays()),
                    Choice(t("schedule.time"), PickTime()),
                ),
                (
                    Choice(t("schedule.zone"), PickZone()),
                    Choice(t("schedule.hours"), PickHours()),
                ),
                (Choice(t("schedule.often"), PickOften()),),
                (on_off,),
                (Choice(t("schedule.done"), CloseSettings()),),
            )
        return View.of(Say(tuple(parts), rows, edit=True))

    # --- buttons ---------------------------------------------------------------------------

    async def press(self, user: User, action: Action, now: datetime) -> View:
        """A button of the proposal, /settings or /pause, for the presser's own schedule."""
        match action:
            case Agree():
                return await self._agree(user, now)
            case TurnOff():
                await self._sends.set_schedule(user.id, agreed_on=None)
                await self._sends.cancel_planned(user.id, CHECKIN, "turned off")
                return _edit(t("schedule.not_scheduled"))
            case ShowSettings():
                return await self.summary(user, now)
            case CloseSettings():
                return await self.summary(user, now, buttons=False)
            case PickDays(day=day):
                return await self._days(user, day, now)
            case PickTime(at=None):
                return await self._pick_time(user, now)
            case PickTime(at=str(at)):
                return await self._set_time(user, parse_clock(at), now)
            case PickZone(index=int(index)) if index < len(self._zones()):
                return await self._set_zone(user, self._zones()[index], now)
            case PickZone():
                choices = [Choice(Text.plain(z), PickZone(i)) for i, z in enumerate(self._zones())]
                return await self._ask(user, Setting.ZONE, now, choices)
            case PickHours(index=int(index)) if index < len(HOURS):
                return await self._set_hours(user, parse_hours(HOURS[index]), now)
            case PickHours():
                choices = [
                    Choice(Text.plain(h.replace("-", "–")), PickHours(i))
                    for i, h in enumerate(HOURS)
                ]
                return await self._ask(user, Setting.HOURS, now, choices)
            case PickOften(fewer=None):
                often_choices = (
                    Choice(t("schedule.often_every_label"), PickOften(fewer=False)),
                    Choice(t("schedule.often_fewer_label"), PickOften(fewer=True)),
                    _back(),
                )
                return _edit(t("schedule.pick_often"), often_choices)
            case PickOften(fewer=bool(fewer)):
                await self._sends.set_schedule(user.id, fewer=fewer)
                await self._next(user, now)
                often = t("schedule.often_fewer" if fewer else "schedule.often_every")
                return await self.summary(user, now, t("schedule.saved_often", often=often))
            case TypeOther(setting=setting):
                return await self._ask(user, setting, now, [], other=False)
            case Pause(days=None):
                return await self._pause(user, None, now)
            case Pause(days=int(days)) if days in PAUSE_DAYS:
                today = now.astimezone(self._effective(await self._own(user)).zone).date()
                return await self._pause(user, today + timedelta(days=days), now)
            case KeepGoing():
                return _edit(t("pause.kept"))
            case PauseMessage(write=write):
                return await self._pause_message(user, write, now)
        return View.refuse("fallback.stale_button")

    def _zones(self) -> list[str]:
        default = self._planner.defaults.timezone
        return [default, *(z for z in ZONES if z != default)]

    async def _agree(self, user: User, now: datetime) -> View:
        schedule = self._effective(await self._own(user))
        local_today = now.astimezone(schedule.zone).date()
        await self._sends.set_schedule(user.id, agreed_on=local_today.isoformat())
        upcoming = await self._next(user, now)
        if upcoming is None:
            return _edit(t("schedule.agreed_none"))
        return _edit(t("schedule.agreed", next=upcoming))

    async def _days(self, user: User, day: int | None, now: datetime) -> View:
        days = set(self._effective(await self._own(user)).days)
        if day is not None and day < 7:
            days ^= {day}
            await self._sends.set_schedule(
                user.id, days=",".join(WEEKDAYS[d] for d in sorted(days))
            )
            await self._next(user, now)
        names = get_day_names("wide", locale=user.language)
        choices = [
            Choice(Text.plain(("✓ " if d in days else "") + names[d]), PickDays(d))
            for d in range(7)
        ]
        return _edit(t("schedule.pick_days"), [*choices, _back()])

    async def _pick_time(self, user: User, now: datetime) -> View:
        schedule = self._effective(await self._own(user))
        choices = [
            Choice(Text.plain(at), PickTime(at.replace(":", ".")))
            for at in TIMES
            if _within(time.fromisoformat(at), schedule.contact_start, schedule.contact_end)
        ]
        return await self._ask(user, Setting.TIME, now, choices)

    async def _ask(
        self,
        user: User,
        setting: Setting,
        now: datetime,
        choices: list[Choice],
        other: bool = True,
    ) -> View:
        """A screen that invites typing: the next typed text answers it (for a while).
        ``other`` adds "Type another" under the choices."""
        kind, key = _ASK[setting]
        if other:
            choices = [*choices, Choice(t("schedule.type_other"), TypeOther(setting))]
        return await self._waiting(user, kind, now, t(key), [*choices, _back()])

    async def _waiting(
        self, user: User, kind: WaitKind, now: datetime, text: Text, choices: list[Choice]
    ) -> View:
        wait = await self._waits.ask(user.id, kind, now)

        async def asked_in(message_id: int) -> None:
            await self._waits.asked_in(user.id, wait, message_id)

        return View.of(Say.of(text, choices=choices, edit=True, on_sent=asked_in))

    # --- applying a value (pressed or typed) -------------------------------------------------

    async def _set_time(
        self, user: User, value: time | None, now: datetime, wait: Wait | None = None
    ) -> View:
        if value is None:
            return await self._refuse(user, t("schedule.bad_time"), now, wait)
        schedule = self._effective(await self._own(user))
        if not _within(value, schedule.contact_start, schedule.contact_end):
            refusal = t(
                "schedule.outside_hours",
                time=_clock(value),
                start=_clock(schedule.contact_start),
                end=_clock(schedule.contact_end),
            )
            return await self._refuse(user, refusal, now, wait)
        await self._sends.set_schedule(user.id, time=_clock(value))
        return await self._saved(user, now, wait, t("schedule.saved_time", time=_clock(value)))

    async def _set_zone(
        self, user: User, zone: str | None, now: datetime, wait: Wait | None = None
    ) -> View:
        if zone is None:
            return await self._refuse(user, t("schedule.bad_zone"), now, wait)
        await self._sends.set_schedule(user.id, timezone=zone)
        return await self._saved(user, now, wait, t("schedule.saved_zone", zone=zone))

    async def _set_hours(
        self,
        user: User,
        hours: tuple[time, time] | None,
        now: datetime,
        wait: Wait | None = None,
    ) -> View:
        if hours is None:
            return await self._refuse(user, t("schedule.bad_hours"), now, wait)
        start, end = hours
        schedule = self._effective(await self._own(user))
        if not _within(schedule.time, start, end):
            refusal = t(
                "schedule.outside_hours",
                time=_clock(schedule.time),
                start=_clock(start),
                end=_clock(end),
            )
            return await self._refuse(user, refusal, now, wait)
        await self._sends.set_schedule(user.id, contact_hours=f"{_clock(start)}-{_clock(end)}")
        saved = t("schedule.saved_hours", start=_clock(start), end=_clock(end))
        return await self._saved(user, now, wait, saved)

    async def _refuse(self, user: User, text: Text, now: datetime, wait: Wait | None) -> View:
        """Nothing changes; a typed answer that could not be used leaves the question open."""
        if wait is not None:
            await self._waits.again(user.id, wait, now)
        return _edit(text)

    async def _saved(self, user: User, now: datetime, wait: Wait | None, saved: Text) -> View:
        """Plan afresh; say what was saved, with the summary. A question answered by typing
        loses its buttons."""
        await self._next(user, now)
        view = await self.summary(user, now, saved)
        if wait is not None and wait.message_id is not None:
            view += View(unbutton=(wait.message_id,))
        return view

    # --- /pause and /resume ----------------------------------------------------------------

    async def pause_command(self, user: User, until: str | None, now: datetime) -> View:
        """/pause: ask for how long; /pause YYYY-MM-DD: pause until that date."""
        if until is None:
            choices = (
                Choice(t("pause.day"), Pause(1)),
                Choice(t("pause.week"), Pause(7)),
                Choice(t("pause.open"), Pause(None)),
                Choice(t("pause.cancel"), KeepGoing()),
            )
            return View.of(Say.of(t("pause.ask"), choices=choices))
        try:
            day = date.fromisoformat(until)
        except ValueError:
            return View.say("pause.bad_date")
        return await self._pause(user, day, now)

    async def _pause(self, user: User, until: date | None, now: datetime) -> View:
        await self._sends.set_schedule(
            user.id, paused=True, paused_until=until.isoformat() if until else None
        )
        await self._planner.replan(user.id, now, "paused")
        paused = t("pause.paused_until", until=until) if until else t("pause.paused_open")
        choices = (
            Choice(t("pause.message_write"), PauseMessage(write=True)),
            Choice(t("pause.message_none"), PauseMessage(write=False)),
        )
        return View.of(Say.of(paused, edit=True), Say.of(t("pause.message_ask"), choices=choices))

    async def _pause_message(self, user: User, write: bool, now: datetime) -> View:
        if not (await self._own(user)).paused:
            return View.refuse("pause.not_paused")
        if write:
            return await self._waiting(
                user, WaitKind.PAUSE_MESSAGE, now, t("pause.message_prompt"), []
            )
        # "No message" means none: a message left at an earlier pause is not shown either.
        await self._sends.set_schedule(user.id, pause_message=None)
        return _edit(t("pause.no_message"))

    async def resume(self, user: User, now: datetime) -> View:
        """/resume: end a pause (and its message for the team) and plan the next check-in."""
        if not (await self._own(user)).paused:
            return View.say("pause.not_paused")
        await self._sends.set_schedule(
            user.id, paused=False, paused_until=None, pause_message=None
        )
        await self._next(user, now)
        return await self.summary(user, now, t("pause.resumed"))

    # --- typed answers -----------------------------------------------------------------------

    async def typed(self, user: User, wait: Wait, text: str, now: datetime) -> View:
        """Typed words answering what a settings screen asked (one of ``KINDS``); the wait was
        taken. What was saved is said; an answer that can't be used keeps the question open."""
        match wait.kind:
            case WaitKind.TIME:
                return await self._set_time(user, parse_clock(text), now, wait)
            case WaitKind.ZONE:
                return await self._set_zone(user, parse_timezone(text), now, wait)
            case WaitKind.HOURS:
                return await self._set_hours(user, parse_hours(text), now, wait)
            case WaitKind.PAUSE_MESSAGE:
                message = text.strip()
                await self._sends.set_schedule(user.id, pause_message=message)
                return View.say("pause.message_saved", message=message)
        raise ValueError(f"not a settings wait: {wait.kind}")


def _back() -> Choice:
    return Choice(t("schedule.back"), ShowSettings())


def _edit(text: Text, choices: list[Choice] | tuple[Choice, ...] = ()) -> View:
    """One message in place of the pressed one (or a new one, after a command or typing)."""
    return View.of(Say.of(text, choices=choices, edit=True))

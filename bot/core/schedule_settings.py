"""The client's own schedule as use cases: the first proposal, /settings, /pause and /resume.

Each use case acts on the person who asked, and only on them; after every change the planner
plans afresh and the reply says the resulting schedule in words ("Check-ins on Monday and
Thursday at 18:30, London time."). No screen offers more than ``MAX_CHOICES`` buttons. Screens
that invite typing wait for the typed answer (a time, a city, hours, a day, a message for the
team), and ``typed`` applies it and says what was saved.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, reduce
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.core import Locale, get_global
from babel.dates import get_day_names, get_timezone_location
from babel.lists import format_list

from bot.core.actions import Action
from bot.core.actions.settings import (
    Agree,
    ChooseLanguage,
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
    Setting,
    ShowSettings,
    TurnOff,
    TypeOther,
)
from bot.core.dates import (
    WORD_LANGUAGES,
    read_clock,
    read_day,
    say_day,
    service_locale,
    speech_locale,
)
from bot.core.model import ClientSchedule, User
from bot.core.planning import ASK, CHECKIN, Planner, effective
from bot.core.ports import Sends
from bot.core.schedule import (
    WEEKDAYS,
    Schedule,
    format_hours,
    next_checkin,
    parse_hours,
    parse_timezone,
    typed_place,
    within_hours,
)
from bot.core.views import Choice, Say, Text, View, t
from bot.core.waits import Wait, WaitKind, Waits

MAX_CHOICES = 6
"""No screen offers more buttons than this (W3C cognitive accessibility; issue #11)."""


def _hours_line(schedule: Schedule) -> Text:
    """When the bot may write first: between two times, or at any time."""
    if schedule.contact_start == schedule.contact_end:
        return t("settings.hours_always")
    start, end = _clock(schedule.contact_start), _clock(schedule.contact_end)
    return t("settings.hours_line", start=start, end=end)


# The times offered as buttons, most likely first; those inside the contact hours are offered.
TIMES = ("18:00", "10:00", "14:00", "20:00", "12:00", "16:00", "08:00", "22:00")
TIME_CHOICES = 4
HOURS = ("08:00-20:00", "09:00-21:00", "10:00-22:00", "12:00-23:00")
ZONE_CHOICES = 4
PAUSE_DAYS = (1, 7)  # the lengths /pause offers as buttons
EARLY_DAYS = range(0, 4)  # Monday to Thursday: the first page of the days picker
LATE_DAYS = range(4, 7)


_ASK = {
    Setting.TIME: (WaitKind.TIME, "schedule.pick_time"),
    Setting.ZONE: (WaitKind.ZONE, "settings.type_zone"),
    Setting.HOURS: (WaitKind.HOURS, "schedule.pick_hours"),
}


def _clock(value: time) -> str:
    return value.strftime("%H:%M")


def _lines(texts: list[Text]) -> Text:
    """Texts one under another, in one paragraph."""
    return reduce(lambda above, below: t("schedule.lines", first=above, then=below), texts)


def place(zone: str, language: str) -> str | None:
    """The place a time zone is named after, in ``language`` ("London", "Londen"), or None for
    zones that are only a clock (UTC, fixed offsets): those are never shown by name."""
    if "/" not in zone or zone.startswith(("Etc/", "SystemV/")):
        return None
    try:
        city = get_timezone_location(zone, locale=language, return_city=True)
    except (LookupError, ValueError):
        return None
    return city or None


def service_zones(default: str) -> tuple[str, ...]:
    """The time zones the service's clients most likely live in: the default one and, when
    its country has only a few clocks (Spain and the Canary Islands), one place for each."""
    territory = get_global("zone_territories").get(default)
    country = list(get_global("territory_zones").get(territory, ())) if territory else []
    zones: dict[tuple[timedelta | None, ...], str] = {_clock_of(default): default}
    for zone in country:
        zones.setdefault(_clock_of(zone), zone)
    found = [default] if len(zones) > ZONE_CHOICES - 1 else list(zones.values())
    return tuple(zone for zone in found if place(zone, "en"))  # "UTC" is no place to offer


def _clock_of(zone: str) -> tuple[timedelta | None, ...]:
    """What a zone's clocks show in winter and in summer, as offsets (empty if unknown)."""
    try:
        info = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ()
    return tuple(moment.astimezone(info).utcoffset() for moment in _SEASONS)


_SEASONS = (datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 7, 15, tzinfo=UTC))


def find_zone(text: str, language: str | None = None) -> str | None:
    """The time zone of a place someone typed: what :func:`parse_timezone` reads (a city of the
    tz database, "New York"), else a city or a country as named in English, Dutch or German
    ("Londen", "Berlijn", "Nederland", "Deutschland"; a country only where its clocks agree),
    else, given the reader's ``language``, a place of that language's words file ("Den Haag"
    in Dutch, "München" in German: :func:`typed_place`).
    """
    found = parse_timezone(text) or _places().get(_place_key(text))
    if found is None and language is not None:
        found = typed_place(text, language)
    return found


def _place_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


@cache
def _places() -> dict[str, str]:
    places: dict[str, str] = {}
    # The zones Babel names a country for, without aliases ("Europe/Belfast" is London's).
    aliases = get_global("zone_aliases")
    zones = sorted(z for z in get_global("zone_territories") if "/" in z and z not in aliases)
    for language in WORD_LANGUAGES:
        for zone in zones:
            found = place(zone, language)
            if found:
                places.setdefault(_place_key(found), zone)
        names = Locale.parse(language).territories
        for territory, country in get_global("territory_zones").items():
            if territory in names and country and _one_clock(country):
                places.setdefault(_place_key(names[territory]), country[0])
    return places


def _one_clock(zones: list[str]) -> bool:
    """Whether these zones show the same time all year (one country, one clock)."""
    return len({_clock_of(zone) for zone in zones}) == 1 and _clock_of(zones[0]) != ()


class ScheduleSettings:
    """The client's schedule: what applies, changing it, pausing and resuming."""

    KINDS = frozenset(
        {
            WaitKind.TIME,
            WaitKind.ZONE,
            WaitKind.HOURS,
            WaitKind.PAUSE_MESSAGE,
            WaitKind.PAUSE_UNTIL,
        }
    )
    """The typed answers ``typed`` takes."""

    def __init__(
        self, sends: Sends, planner: Planner, waits: Waits, locale: str | None = None
    ) -> None:
        """``locale``: the service's (``Policy.locale``); without it, each reader's language in
        the country of the service's default time zone."""
        self._sends = sends
        self._planner = planner
        self._waits = waits
        self._service_locale = locale
        self.zones = service_zones(planner.defaults.timezone)

    # --- reading ---------------------------------------------------------------------------

    def _locale(self, user: User) -> str:
        return self._service_locale or service_locale(
            user.language, self._planner.defaults.timezone
        )

    async def _own(self, user: User) -> ClientSchedule:
        return await self._sends.schedule(user.id) or ClientSchedule()

    def _effective(self, own: ClientSchedule) -> Schedule:
        return effective(own, self._planner.defaults)

    async def _next(self, user: User, now: datetime) -> None:
        """Plan afresh after a change."""
        await self._planner.replan(user.id, now, "schedule changed")

    def _days_words(self, user: User, days: frozenset[int]) -> Text:
        if days == frozenset(range(7)):
            return t("settings.every_day")
        if days == frozenset(range(5)):
            return t("settings.weekdays")
        speech = speech_locale(user.language, self._locale(user))
        names = get_day_names("wide", locale=speech)
        return t(
            "settings.on_days", days=format_list([names[d] for d in sorted(days)], locale=speech)
        )

    def _zone_words(self, user: User, schedule: Schedule, now: datetime) -> Text:
        found = place(schedule.timezone, speech_locale(user.language, self._locale(user)))
        if found is not None:
            return t("settings.zone_place", place=found)
        return t("settings.zone_clock", time=_clock(now.astimezone(schedule.zone).time()))

    def _day(self, user: User, day: date, today: date) -> str:
        return say_day(day, today, user.language, self._locale(user))

    def _today(self, schedule: Schedule, now: datetime) -> date:
        return now.astimezone(schedule.zone).date()

    async def _proposed(self, user: User, own: ClientSchedule) -> bool:
        """Whether the schedule is still a proposal: never agreed to, and the proposal still
        open (its gentle second ask planned: answering it either way cancels that)."""
        if own.agreed_on is not None:
            return False
        return any(
            s.kind == ASK and s.status == "planned" for s in await self._sends.sends(user.id)
        )

    def _words(
        self, user: User, own: ClientSchedule, now: datetime, proposed: bool = False
    ) -> list[Text]:
        """The schedule in words, one line each: when, the contact hours, a pause, the next.

        ``proposed``: a schedule being looked at before the client decided (after "Change it")
        is said as what it will be, not as check-ins that are off."""
        schedule = self._effective(own)
        values = {
            "days": self._days_words(user, schedule.days),
            "time": _clock(schedule.time),
            "zone": self._zone_words(user, schedule, now),
        }
        if not schedule.days:
            lines = [t("schedule.no_days")]
        elif own.agreed_on is None and proposed:
            lines = [t("settings.proposed_fewer" if own.fewer else "settings.proposed", **values)]
        elif own.agreed_on is None:
            lines = [t("settings.off", **values)]
        else:
            lines = [t("settings.on_fewer" if own.fewer else "settings.on", **values)]
        lines.append(_hours_line(schedule))
        today = self._today(schedule, now)
        if own.paused and own.paused_until:
            until = self._day(user, date.fromisoformat(own.paused_until), today)
            lines.append(t("settings.paused_until", day=until))
        elif own.paused:
            lines.append(t("pause.paused_open"))
        if own.agreed_on is None:
            return lines
        occurrence = next_checkin(schedule, now, self._planner.defaults.window)
        if occurrence is not None:
            due = occurrence.due_at.astimezone(schedule.zone)
            at = _clock(due.time())
            if due.date() == today:
                lines.append(t("settings.next_today", time=at))
            elif due.date() == today + timedelta(days=1):
                lines.append(t("settings.next_tomorrow", time=at))
            else:
                lines.append(t("settings.next", day=self._day(user, due.date(), today), time=at))
        return lines

    async def proposal(self, user: User, now: datetime) -> View:
        """After the welcome: when the bot would write, and the client decides."""
        schedule = self._effective(await self._own(user))
        asked = t(
            "schedule.proposal",
            days=self._days_words(user, schedule.days),
            time=_clock(schedule.time),
            zone=self._zone_words(user, schedule, now),
        )
        hours = _hours_line(schedule)
        choices = (
            Choice(t("schedule.agree"), Agree(first=True)),
            Choice(t("schedule.change"), ShowSettings(everything=True)),
            Choice(t("schedule.only_when_i_ask"), TurnOff(first=True)),
        )
        if (await self._own(user)).agreed_on is None:
            await self._planner.plan_ask_again(user.id, user.created_at.date(), now)
        return View.of(Say.of(_lines([asked, hours]), choices=choices))

    async def summary(
        self,
        user: User,
        now: datetime,
        note: Text | None = None,
        *,
        buttons: bool = True,
        everything: bool = False,
    ) -> View:
        """The schedule in words and what can be changed (/settings).

        Someone whose check-ins are off first sees one button that starts them (and "Change
        something"); ``everything`` shows what can be changed instead.
        """
        own = await self._own(user)
        lines = self._words(user, own, now, await self._proposed(user, own))
        if note is not None:
            lines.insert(0, note)
        rows: tuple[tuple[Choice, ...], ...] = ()
        # "first": the main menu follows, as after the first proposal (which "Change it" left).
        start = Choice(t("settings.start"), Agree(first=True))
        language = Choice(t("settings.language"), ChooseLanguage())
        if not buttons:
            pass
        elif own.agreed_on is None and not everything:
            rows = (
                (start,),
                (Choice(t("settings.change"), ShowSettings(everything=True)),),
                (language,),
            )
        else:
            changes = (
                (Choice(t("schedule.days"), PickDays()), Choice(t("schedule.time"), PickTime())),
                (
                    Choice(t("schedule.zone"), PickZone()),
                    Choice(t("schedule.hours"), PickHours()),
                ),
            )
            often = Choice(t("schedule.often"), PickOften())
            if own.agreed_on is None:
                rows = ((start,), *changes, (often,))
            else:
                # Six buttons at most: stopping is one step down, under "How often".
                rows = (*changes, (often, language))
        return View.of(Say((_lines(lines),), rows, edit=True))

    async def _screen(
        self, user: User, now: datetime, prompt: Text, choices: list[Choice]
    ) -> View:
        """A screen of the settings: the schedule as it is now, a question, its choices."""
        own = await self._own(user)
        lines = self._words(user, own, now, await self._proposed(user, own))
        return _edit(_lines([*lines, prompt]), choices)

    # --- buttons ---------------------------------------------------------------------------

    async def press(self, user: User, action: Action, now: datetime) -> View:
        """A button of the proposal, /settings or /pause, for the presser's own schedule."""
        match action:
            case Agree():
                await self._sends.cancel_planned(user.id, ASK, "answered")
                return await self._agree(user, now)
            case TurnOff():
                await self._sends.cancel_planned(user.id, ASK, "answered")
                await self._sends.set_schedule(user.id, agreed_on=None)
                await self._sends.cancel_planned(user.id, CHECKIN, "turned off")
                return _edit(t("schedule.not_scheduled"))
            case ShowSettings(everything=everything):
                return await self.summary(user, now, everything=everything)
            case CloseSettings():
                return await self.summary(user, now, buttons=False)
            case PickDays(day=day, later=later):
                return await self._days(user, day, later, now)
            case PickTime(at=None):
                return await self._pick_time(user, now)
            case PickTime(at=str(at)):
                return await self._set_time(user, read_clock(at.replace(".", ":")), now)
            case PickZone(index=int(index)) if index < len(self.zones):
                return await self._set_zone(user, self.zones[index], now)
            case PickZone():
                language = speech_locale(user.language, self._locale(user))
                zone_choices = [
                    Choice(Text.plain(place(zone, language) or zone), PickZone(i))
                    for i, zone in enumerate(self.zones)
                ]
                return await self._ask(user, Setting.ZONE, now, zone_choices, prompt=True)
            case PickHours(index=int(index)) if index < len(HOURS):
                return await self._set_hours(user, parse_hours(HOURS[index]), now)
            case PickHours():
                choices = [
                    Choice(Text.plain(h.replace("-", "–")), PickHours(i))
                    for i, h in enumerate(HOURS)
                ]
                return await self._ask(user, Setting.HOURS, now, choices)
            case PickOften(fewer=None):
                often_choices = [
                    Choice(t("schedule.often_every_label"), PickOften(fewer=False)),
                    Choice(t("schedule.often_fewer_label"), PickOften(fewer=True)),
                ]
                prompt = t("schedule.pick_often")
                if (await self._own(user)).agreed_on is not None:
                    often_choices.append(Choice(t("schedule.turn_off"), TurnOff()))
                    prompt = t("schedule.pick_often_or_stop")
                return await self._screen(user, now, prompt, [*often_choices, _back()])
            case PickOften(fewer=bool(fewer)):
                await self._sends.set_schedule(user.id, fewer=fewer)
                return await self._saved(user, now, None, t("settings.saved"))
            case TypeOther(setting=setting):
                return await self._ask(user, setting, now, [], other=False)
            case Pause(days=None):
                return await self._pause(user, None, now)
            case Pause(days=int(days)) if days in PAUSE_DAYS:
                today = self._today(self._effective(await self._own(user)), now)
                return await self._pause(user, today + timedelta(days=days), now)
            case PauseOn(day=day):
                return await self._pause_on(user, day, now)
            case PauseAsk():
                return await self._ask_day(user, t("settings.pause_ask_day"), now)
            case KeepGoing():
                return _edit(t("pause.kept"))
            case PauseMessage(write=write):
                return await self._pause_message(user, write, now)
        return View.refuse("fallback.stale_button")

    async def _agree(self, user: User, now: datetime) -> View:
        schedule = self._effective(await self._own(user))
        local_today = self._today(schedule, now)
        await self._sends.set_schedule(user.id, agreed_on=local_today.isoformat())
        await self._next(user, now)
        lines = self._words(user, await self._own(user), now)
        text = _lines([t("settings.started"), *lines, t("settings.change_hint")])
        return _edit(text)

    async def _days(self, user: User, day: int | None, later: bool, now: datetime) -> View:
        days = set(self._effective(await self._own(user)).days)
        if day is not None and 0 <= day < 7:
            later = day in LATE_DAYS
            days ^= {day}
            await self._sends.set_schedule(
                user.id, days=",".join(WEEKDAYS[d] for d in sorted(days))
            )
            await self._next(user, now)
        names = get_day_names("wide", locale=speech_locale(user.language, self._locale(user)))
        page = LATE_DAYS if later else EARLY_DAYS
        choices = [
            Choice(Text.plain(("✓ " if d in days else "") + names[d]), PickDays(d)) for d in page
        ]
        other = (
            Choice(t("settings.first_days"), PickDays(later=False))
            if later
            else Choice(t("settings.later_days"), PickDays(later=True))
        )
        return await self._screen(user, now, t("settings.pick_days"), [*choices, other, _back()])

    async def _pick_time(self, user: User, now: datetime) -> View:
        schedule = self._effective(await self._own(user))
        inside = [
            at
            for at in TIMES
            if within_hours(time.fromisoformat(at), schedule.contact_start, schedule.contact_end)
        ]
        choices = [
            Choice(Text.plain(at), PickTime(at.replace(":", ".")))
            for at in sorted(inside[:TIME_CHOICES])
        ]
        return await self._ask(user, Setting.TIME, now, choices)

    async def _ask(
        self,
        user: User,
        setting: Setting,
        now: datetime,
        choices: list[Choice],
        other: bool = True,
        prompt: bool = False,
    ) -> View:
        """A screen that invites typing: the next typed text answers it (for a while).
        ``other`` adds "Type another" (or "Type a city") under the choices; ``prompt`` asks
        "Where are you?" instead of only for typing."""
        kind, key = _ASK[setting]
        if prompt:
            key = "schedule.pick_zone"
        if other:
            label = "settings.type_city" if setting is Setting.ZONE else "schedule.type_other"
            choices = [*choices, Choice(t(label), TypeOther(setting))]
        view = await self._screen(user, now, t(key), [*choices, _back()])
        return await self._waiting(user, kind, now, view)

    async def _waiting(
        self, user: User, kind: WaitKind, now: datetime, view: View, subject: str | None = None
    ) -> View:
        """``view`` (one message) asks for typing: wait for the answer, and remember which
        message asked."""
        wait = await self._waits.ask(user.id, kind, now, subject=subject)

        async def asked_in(message_id: int) -> None:
            await self._waits.asked_in(user.id, wait, message_id)

        (say,) = view.says
        return View.of(Say(say.parts, say.rows, say.edit, say.attachment, asked_in))

    # --- applying a value (pressed or typed) -------------------------------------------------

    async def _set_time(
        self, user: User, value: time | None, now: datetime, wait: Wait | None = None
    ) -> View:
        if value is None:
            return await self._refuse(user, t("schedule.bad_time"), now, wait)
        schedule = self._effective(await self._own(user))
        if not within_hours(value, schedule.contact_start, schedule.contact_end):
            refusal = t(
                "schedule.outside_hours",
                time=_clock(value),
                start=_clock(schedule.contact_start),
                end=_clock(schedule.contact_end),
            )
            return await self._refuse(user, refusal, now, wait)
        await self._sends.set_schedule(user.id, time=_clock(value))
        return await self._saved(user, now, wait, t("settings.saved"))

    async def _set_zone(
        self, user: User, zone: str | None, now: datetime, wait: Wait | None = None
    ) -> View:
        if zone is None:
            return await self._refuse(user, t("schedule.bad_zone"), now, wait)
        await self._sends.set_schedule(user.id, timezone=zone)
        local = _clock(now.astimezone(self._effective(await self._own(user)).zone).time())
        return await self._saved(user, now, wait, t("settings.saved_zone", time=local))

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
        if not within_hours(schedule.time, start, end):
            refusal = t(
                "schedule.outside_hours",
                time=_clock(schedule.time),
                start=_clock(start),
                end=_clock(end),
            )
            return await self._refuse(user, refusal, now, wait)
        await self._sends.set_schedule(user.id, contact_hours=format_hours(start, end))
        return await self._saved(user, now, wait, t("settings.saved"))

    async def _refuse(self, user: User, text: Text, now: datetime, wait: Wait | None) -> View:
        """Nothing changes; a typed answer that could not be used leaves the question open."""
        if wait is not None:
            await self._waits.again(user.id, wait, now)
        return _edit(text)

    async def _saved(self, user: User, now: datetime, wait: Wait | None, saved: Text) -> View:
        """Plan afresh; say what was saved and the schedule that results, with what can be
        changed next. A question answered by typing loses its buttons."""
        await self._next(user, now)
        view = await self.summary(user, now, saved, everything=True)
        if wait is not None and wait.message_id is not None:
            view += View(unbutton=(wait.message_id,))
        return view

    # --- /pause and /resume ----------------------------------------------------------------

    async def pause_command(self, user: User, until: str | None, now: datetime) -> View:
        """/pause: ask for how long; /pause and a day ("24/12", "friday"): ask to confirm it."""
        if until is None or not until.strip():
            choices = (
                Choice(t("pause.day"), Pause(1)),
                Choice(t("pause.week"), Pause(7)),
                Choice(t("pause.open"), Pause(None)),
                Choice(t("settings.pause_pick_day"), PauseAsk()),
                Choice(t("pause.cancel"), KeepGoing()),
            )
            return View.of(Say.of(t("pause.ask"), choices=choices))
        return await self._read_pause_day(user, until, now, None)

    async def _read_pause_day(
        self, user: User, text: str, now: datetime, wait: Wait | None
    ) -> View:
        """A typed day for the pause: confirmed in words before it counts; a day that can't be
        used asks again."""
        today = self._today(self._effective(await self._own(user)), now)
        day = read_day(text, today, self._locale(user))
        if day is None or day <= today:
            refusal = t("settings.pause_bad_day" if day is None else "settings.pause_not_today")
            if wait is not None:
                await self._waits.again(user.id, wait, now)
                return _edit(refusal)
            return await self._ask_day(user, refusal, now)
        question = t("settings.pause_confirm", day=self._day(user, day, today))
        choices = (
            Choice(t("common.yes"), PauseOn(day.isoformat())),
            Choice(t("settings.pause_other"), PauseAsk()),
        )
        view = View.of(Say.of(question, choices=choices, edit=True))
        if wait is not None and wait.message_id is not None:
            view += View(unbutton=(wait.message_id,))
        return view

    async def _ask_day(self, user: User, text: Text, now: datetime) -> View:
        return await self._waiting(user, WaitKind.PAUSE_UNTIL, now, _edit(text))

    async def _pause_on(self, user: User, iso: str, now: datetime) -> View:
        try:
            day = date.fromisoformat(iso)
        except ValueError:
            return View.refuse("fallback.stale_button")
        if day <= self._today(self._effective(await self._own(user)), now):
            return View.refuse("fallback.stale_button")  # a confirmation left until that day
        return await self._pause(user, day, now)

    async def _pause(self, user: User, until: date | None, now: datetime) -> View:
        await self._sends.set_schedule(
            user.id, paused=True, paused_until=until.isoformat() if until else None
        )
        await self._planner.replan(user.id, now, "paused")
        if until is None:
            paused = t("pause.paused_open")
        else:
            today = self._today(self._effective(await self._own(user)), now)
            paused = t("settings.paused_until", day=self._day(user, until, today))
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
                user, WaitKind.PAUSE_MESSAGE, now, _edit(t("pause.message_prompt"))
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
                schedule = self._effective(await self._own(user))
                value = _typed_time(text, schedule, user.language)
                return await self._set_time(user, value, now, wait)
            case WaitKind.ZONE:
                return await self._set_zone(user, find_zone(text, user.language), now, wait)
            case WaitKind.HOURS:
                return await self._set_hours(user, parse_hours(text), now, wait)
            case WaitKind.PAUSE_UNTIL:
                return await self._read_pause_day(user, text, now, wait)
            case WaitKind.PAUSE_MESSAGE:
                message = text.strip()
                await self._sends.set_schedule(user.id, pause_message=message)
                return View.say("pause.message_saved", message=message)
        raise ValueError(f"not a settings wait: {wait.kind}")


def _typed_time(text: str, schedule: Schedule, language: str | None = None) -> time | None:
    """A typed check-in time, read as a reader of ``language`` means it. "7" or "half zeven"
    said without am/pm is read as the evening when only the evening is inside the contact hours
    (people say "seven" for 19:00)."""
    value = read_clock(text, language)
    if value is None or within_hours(value, schedule.contact_start, schedule.contact_end):
        return value
    lowered = text.lower()
    said_half = any(mark in lowered for mark in ("am", "pm", "a.m", "p.m"))
    if said_half or re.search(r"(?<!\d)0\d", lowered) or not 1 <= value.hour <= 11:
        return value
    later = value.replace(hour=value.hour + 12)
    return later if within_hours(later, schedule.contact_start, schedule.contact_end) else value


def _back() -> Choice:
    return Choice(t("schedule.back"), ShowSettings(everything=True))


def _edit(text: Text, choices: list[Choice] | tuple[Choice, ...] = ()) -> View:
    """One message in place of the pressed one (or a new one, after a command or typing)."""
    return View.of(Say.of(text, choices=choices, edit=True))

"""Planning sends: a client's stored settings plus the service's defaults become rows to send."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.model import ClientSchedule, Meeting
from bot.core.ports import PlannedRow, Sends
from bot.core.schedule import WEEKDAYS, Schedule, next_checkin, next_contact_time, parse_hours

REGULAR = "regular"
CHECKIN = "checkin"
MEETING = "meeting"  # slots "prep" (a few days before) and "after" (the day after)
NOTICE = "notice"  # something the client should know about their team
RELAY = "relay"  # a nudge or an answer from someone in the client's team
RELAY_LIFETIME = timedelta(days=7)
SPACING = timedelta(minutes=5)  # the least time between two messages the bot starts to one person
PREP_DAYS = 3  # how many days before a network meeting the client is invited to prepare
NOTICE_LIFETIME = timedelta(days=30)
REMIND = "remind"  # a reminder on the day of a network meeting; slot "m<client id>"
REMIND_LEAD = timedelta(minutes=30)  # a reminder comes at least this long before the meeting
ASK = "ask"  # the schedule question, asked once more if it was never answered
ASK_AGAIN_AFTER = timedelta(days=2)
ASK_LIFETIME = timedelta(days=7)


@dataclass(frozen=True)
class ScheduleDefaults:
    """What the service configured for clients who have not chosen otherwise."""

    timezone: str
    days: str  # "mon,thu"
    time: str  # "18:00"
    contact_hours: str  # "09:00-21:00"
    window: timedelta


def effective(own: ClientSchedule, defaults: ScheduleDefaults) -> Schedule:
    """The schedule that applies: the client's own choices, the service's defaults elsewhere."""
    days_text = own.days if own.days is not None else defaults.days
    days = frozenset(WEEKDAYS.index(d) for d in days_text.split(",") if d in WEEKDAYS)
    hours = parse_hours(own.contact_hours or defaults.contact_hours)
    if hours is None:  # stored values are validated on the way in; the default is configured
        hours = parse_hours(defaults.contact_hours)
    assert hours is not None
    anchor = date.fromisoformat(own.agreed_on) if own.agreed_on else None
    return Schedule(
        timezone=own.timezone or defaults.timezone,
        days=days,
        time=time.fromisoformat(own.time or defaults.time),
        contact_start=hours[0],
        contact_end=hours[1],
        every_other_week=own.fewer and anchor is not None,
        anchor=anchor,
        paused=own.paused,
        paused_until=date.fromisoformat(own.paused_until) if own.paused_until else None,
    )


class Planner:
    """Keeps exactly one regular check-in planned for every client who agreed to them."""

    def __init__(self, store: Sends, defaults: ScheduleDefaults) -> None:
        self._store = store
        self.defaults = defaults

    async def schedule_of(self, user_id: int) -> Schedule | None:
        """The client's effective schedule, or None if they have not agreed to check-ins."""
        own = await self._store.schedule(user_id)
        if own is None or own.agreed_on is None:
            return None
        return effective(own, self.defaults)

    async def plan_next(self, user_id: int, after: datetime) -> bool:
        """Plan the client's next regular check-in after ``after``; False if none is due."""
        schedule = await self.schedule_of(user_id)
        if schedule is None:
            return False
        occurrence = next_checkin(schedule, after, self.defaults.window)
        if occurrence is None:
            return False
        return await self._store.plan_send(
            user_id,
            CHECKIN,
            REGULAR,
            occurrence.local_date.isoformat(),
            occurrence.due_at,
            occurrence.closes_at,
        )

    async def replan(self, user_id: int, now: datetime, reason: str) -> bool:
        """The schedule changed (times, days, pause): drop what was planned, plan afresh."""
        await self._store.cancel_planned(user_id, CHECKIN, reason)
        # Messages held for the old hours or a pause are looked at again now.
        await self._store.bring_forward(user_id, now)
        return await self.plan_next(user_id, now)

    async def rebuild(self, now: datetime) -> int:
        """At start: sends caught mid-flight go again; every client gets their next check-in.

        Normally every client still has one planned and this finds nobody; after a lost table
        it plans everyone, a thousand clients per transaction.
        """
        await self._store.reset_in_flight()
        missing = await self._store.clients_to_plan(limit=10_000_000)
        planned = 0
        for start in range(0, len(missing), 1000):
            own = await self._store.schedules(missing[start : start + 1000])
            rows: list[PlannedRow] = []
            for user_id, settings in own.items():
                if settings.agreed_on is None:
                    continue
                occurrence = next_checkin(
                    effective(settings, self.defaults), now, self.defaults.window
                )
                if occurrence is not None:
                    rows.append(
                        (
                            user_id,
                            CHECKIN,
                            REGULAR,
                            occurrence.local_date.isoformat(),
                            occurrence.due_at,
                            occurrence.closes_at,
                        )
                    )
            planned += await self._store.plan_sends(rows)
        return planned

    async def zone_of(self, user_id: int) -> ZoneInfo:
        """The person's time zone (their own choice, or the service's default)."""
        own = await self._store.schedule(user_id)
        return ZoneInfo((own.timezone if own else None) or self.defaults.timezone)

    async def contact_schedule(self, user_id: int) -> Schedule | None:
        """The hours the bot may write first, whether or not check-ins were agreed."""
        own = await self._store.schedule(user_id)
        return effective(own, self.defaults) if own is not None else None

    async def plan_meeting(self, user_id: int, day: date | None, now: datetime) -> datetime | None:
        """Plan the invitations around a network meeting: to prepare, a few days before, and
        to say how it went, the day after; both at the client's check-in time, inside their
        contact hours. Only for clients who agreed that the bot may write first.

        Returns when the preparation invitation is due, if one is planned.
        """
        await self._store.cancel_planned(user_id, MEETING, "meeting changed")
        schedule = await self.schedule_of(user_id)
        if day is None or schedule is None:
            return None
        zone = schedule.zone
        meeting_starts = datetime.combine(day, time(0), zone)
        prep: datetime | None = None
        nominal = datetime.combine(day - timedelta(days=PREP_DAYS), schedule.time, zone)
        due = _contact(schedule, max(nominal, now))
        if due < meeting_starts:
            await self._store.plan_send(
                user_id, MEETING, "prep", day.isoformat(), due, meeting_starts
            )
            prep = due
        after = _contact(
            schedule, max(datetime.combine(day + timedelta(days=1), schedule.time, zone), now)
        )
        await self._store.plan_send(
            user_id, MEETING, "after", day.isoformat(), after, after + timedelta(days=2)
        )
        return prep

    async def reachable(self, user_id: int) -> Schedule:
        """When the bot may write first to someone of a client's team: their own hours if they
        set any, else the service's (team members agree to nothing and pause nothing)."""
        own = await self._store.schedule(user_id)
        return effective(own or ClientSchedule(), self.defaults)

    async def plan_reminders(
        self, client_id: int, meeting: Meeting | None, people: Sequence[int], now: datetime
    ) -> list[int]:
        """One reminder on the meeting's day for each of ``people``, at the start of their own
        hours, never later than ``REMIND_LEAD`` before the meeting begins; the client gets one
        only if they agreed that the bot may write first. Reminders of the meeting as it was
        before are cancelled. Returns who will get one."""
        slot = f"m{client_id}"
        await self._store.cancel_slot(REMIND, slot, "meeting changed")
        if meeting is None:
            return []
        client_zone = await self.zone_of(client_id)
        day_begins = datetime.combine(meeting.day, time(0), client_zone)
        begins = meeting.start(client_zone)
        ends = begins - REMIND_LEAD if begins is not None else day_begins + timedelta(days=1)
        rows: list[PlannedRow] = []
        for person in people:
            if person == client_id:
                schedule = await self.schedule_of(person)
            else:
                schedule = await self.reachable(person)
            if schedule is None:
                continue
            due = _contact(schedule, max(day_begins, now))
            if due < ends and schedule.in_contact_hours(due):
                rows.append((person, REMIND, slot, meeting.day.isoformat(), due, ends))
        await self._store.plan_sends(rows)
        return [row[0] for row in rows]

    async def plan_ask_again(self, user_id: int, first_seen: date, now: datetime) -> bool:
        """Ask the schedule question once more, gently, a while after it was first asked,
        unless it is answered before then (one such row per person, ever)."""
        due = now + ASK_AGAIN_AFTER
        payload = json.dumps({"key": "schedule.ask_again", "values": {}})
        return await self._store.plan_send(
            user_id, ASK, "again", first_seen.isoformat(), due, due + ASK_LIFETIME, payload
        )

    async def plan_notice(
        self, user_id: int, key: str, values: Mapping[str, object], now: datetime
    ) -> bool:
        """Plan a notice (a catalog key and its values) to go out at the next contact time."""
        payload = json.dumps({"key": key, "values": dict(values)}, ensure_ascii=False)
        return await self._store.plan_send(
            user_id,
            NOTICE,
            f"{key}@{now.isoformat()}",
            now.date().isoformat(),
            now,
            now + NOTICE_LIFETIME,
            payload,
        )

    async def plan_relay(self, user_id: int, relay_id: int, due: datetime) -> bool:
        """Plan a team member's message to the client; the dispatcher holds it for the
        client's contact hours and any pause."""
        return await self._store.plan_send(
            user_id,
            RELAY,
            f"r{relay_id}",
            due.date().isoformat(),
            due,
            due + RELAY_LIFETIME,
            json.dumps({"relay": relay_id}),
        )

    async def deliverable_at(self, user_id: int, moment: datetime) -> datetime | None:
        """When something due at ``moment`` would reach the client (inside their hours, a little
        after the last message the bot started); None while they are paused until they resume."""
        last = await self._store.last_sent_at(user_id)
        if last is not None:
            moment = max(moment, last + SPACING)
        schedule = await self.contact_schedule(user_id)
        if schedule is None:
            return moment
        try:
            return next_contact_time(schedule, moment)
        except ValueError:
            return None


def _contact(schedule: Schedule, moment: datetime) -> datetime:
    """``moment`` moved into the contact hours; during an open-ended pause, kept as it is
    (the dispatcher holds it until the client resumes)."""
    try:
        return next_contact_time(schedule, moment)
    except ValueError:
        return moment

"""Delivering what the bot starts itself: due rows are claimed, sent through the courier (the
adapter's rate-limited sender), and their outcome recorded. The database decides what is due;
nothing lives only in memory. Also the tick that drives it, and the retention rule."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.core.checkin_screens import capacity_screen
from bot.core.checkins import Checkins
from bot.core.clock import Clock
from bot.core.copies import give_staff
from bot.core.dialog_model import Dialog
from bot.core.model import CheckinRecord, ClientSchedule, Meeting, Relay, Role, Send, User
from bot.core.planning import ASK, CHECKIN, MEETING, REGULAR, RELAY, REMIND, SPACING, Planner
from bot.core.ports import CheckinStore, ClockWatch, MessageStore, People, Sends, TeamStore
from bot.core.schedule import next_contact_time
from bot.core.views import Say, t
from bot.core.waits import WaitsClosing

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(hours=1)


class Posted(StrEnum):
    """How sending one message the bot started ended."""

    SENT = "sent"
    BLOCKED = "blocked"  # the person blocked the bot, or their account is gone
    UNKNOWN = "unknown"  # timed out: Telegram may or may not have delivered it
    FAILED = "failed"


@dataclass(frozen=True)
class Post:
    """The outcome of one send, with the message's id when it went out."""

    outcome: Posted
    message_id: int | None = None
    reason: str | None = None


class Courier(Protocol):
    """Sends what the bot starts itself, behind replies to what people just did."""

    async def post(self, to: User, say: Say) -> Post:
        """Send a new message."""
        ...

    async def edit(self, to: User, message_id: int, say: Say) -> bool:
        """Replace an earlier message (and take its buttons off)."""
        ...


class Letters(Protocol):
    """The messages of other capabilities that the dispatcher delivers."""

    def reflection_copy(self, client: User, relay: Relay) -> Say:
        """Someone close's words, for the client's staff, as they reached the client."""
        ...

    def relay(self, client: User, relay: Relay, role: Role) -> Say:
        """A team member's nudge or answer, as the client sees it."""
        ...

    def meeting(self, client: User, slot: str, day: date) -> Say:
        """The invitation to prepare for a meeting, or to say how it went."""
        ...

    def held(self, client: User, own: ClientSchedule) -> Say | None:
        """For a member whose message waits: the client is paused (and their message)."""
        ...

    def ask_again(self, client: User) -> Say:
        """The schedule question once more, for a client who never answered it."""
        ...

    def reminder(self, to: User, client: User, meeting: Meeting) -> Say:
        """On the day of a network meeting: a reminder for the client or someone invited."""
        ...


@dataclass(frozen=True)
class DeliveryPorts:
    """What the dispatcher works with."""

    people: People
    checkin_store: CheckinStore
    sends: Sends
    team: TeamStore
    messages: MessageStore
    clock: Clock
    planner: Planner
    checkins: Checkins
    watch: ClockWatch


CLAIM_BATCH = 50
HOLD = timedelta(hours=6)  # how often a message held by an open-ended pause is looked at again


@dataclass(frozen=True)
class Batch:
    """What the sends of one claimed batch need to know, read in a few queries for the whole
    batch rather than one or two for each send: the people, and for check-ins the check-in the
    client is in the middle of, if any."""

    users: Mapping[int, User]
    open_checkins: Mapping[int, CheckinRecord]


class Dispatcher:
    """Sends due check-ins; one call of ``tick`` drains everything due at that moment."""

    def __init__(
        self, deps: DeliveryPorts, courier: Courier, letters: Letters, send_rate: float
    ) -> None:
        self._d = deps
        self._courier = courier
        self._letters = letters
        # About a second's worth of sends in flight keeps the rate limiter busy, no more.
        self._max_in_flight = max(20, int(send_rate))
        # Claimed a tenth of that at a time, not one by one as each send ends: a claim and the
        # reads for its batch cost the same few database calls for one send as for fifty.
        self._claim_from = min(CLAIM_BATCH, self._max_in_flight // 10)
        self._busy: set[int] = set()  # people with a send under way

    async def tick(self) -> Counter[str]:
        """Send what is due now, expire what is too late, close windows that passed.

        Returns how many sends ended in each way ("sent", "expired", "skipped", ...).
        """
        d = self._d
        outcomes: Counter[str] = Counter()
        now = d.clock.now()
        # A steady flow rather than batches: claim more whenever some have finished, so one send
        # waiting out a 429 never holds up the others, and the database work of the next sends
        # overlaps the sending of these. Only what is in flight is ever claimed, so a crash
        # leaves at most that many to send again.
        in_flight: set[asyncio.Task[str]] = set()
        exhausted = False
        try:
            while True:
                room = self._max_in_flight - len(in_flight)
                if not exhausted and room >= self._claim_from:
                    batch = await self._d.sends.claim_due(now, min(room, CLAIM_BATCH))
                    exhausted = not batch
                    if batch:
                        # Read once for the batch; each send waits for it inside its own
                        # error handling, so a failed read ends its rows, never leaves them.
                        known = asyncio.ensure_future(self._look_up(batch))
                        in_flight.update(
                            asyncio.create_task(self._deliver(s, known)) for s in batch
                        )
                if not in_flight:
                    break
                done, in_flight = await asyncio.wait(
                    in_flight, return_when=asyncio.FIRST_COMPLETED
                )
                outcomes.update(task.result() for task in done)
        except asyncio.CancelledError:
            for task in in_flight:
                task.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)
            raise
        outcomes["closed"] += await self._close_windows(now)
        return outcomes

    async def _look_up(self, batch: Sequence[Send]) -> Batch:
        d = self._d
        people = sorted({send.user_id for send in batch})
        clients = sorted({send.user_id for send in batch if send.kind == CHECKIN})
        return Batch(
            users=await d.people.users(people),
            open_checkins=await d.checkin_store.open_checkins(clients) if clients else {},
        )

    async def _deliver(self, send: Send, known: asyncio.Future[Batch]) -> str:
        if send.user_id in self._busy:
            # Another send to this person is under way in this tick: this one follows later.
            now = self._d.clock.now()
            await self._d.sends.postpone(send.id, min(now + SPACING, send.closes_at))
            return "held"
        self._busy.add(send.user_id)
        try:
            # Shielded: this send being cancelled must not cancel the read the others wait for.
            return await self._attempt(send, await asyncio.shield(known))
        except Exception:
            # Never leave a row claimed forever; log without anyone's words.
            log.exception("send %s failed", send.id)
            await self._d.sends.finish_send(send.id, "failed", self._d.clock.now(), reason="error")
            return "failed"
        finally:
            self._busy.discard(send.user_id)

    async def _attempt(self, send: Send, known: Batch) -> str:
        d = self._d
        user = known.users.get(send.user_id)
        if user is None or user.unreachable_at is not None:
            await self._d.sends.finish_send(send.id, "cancelled", d.clock.now(), reason="gone")
            return "cancelled"
        if send.kind != CHECKIN:
            return await self._send_message(send, user)
        outcome = await self._send_checkin(send, user, known)
        if send.slot == REGULAR and outcome != "blocked":
            # After a long outage the next one is planned from now, not one by one through
            # every day that was missed.
            await d.planner.plan_next(user.id, after=max(send.due_at, d.clock.now()))
        return outcome

    async def _post(self, send: Send, user: User, say: Say) -> int | str:
        """Send one message the bot starts; on failure, record it and return the outcome."""
        now = self._d.clock.now()
        post = await self._courier.post(user, say)
        if post.outcome is Posted.SENT:
            assert post.message_id is not None
            return post.message_id
        if post.outcome is Posted.BLOCKED:
            await self._d.people.set_reachable(user.id, False, now)
            await self._d.sends.cancel_planned(user.id, CHECKIN, "blocked")
            await self._d.sends.finish_send(send.id, "failed", now, reason="blocked")
            return "blocked"
        if post.outcome is Posted.UNKNOWN:
            # Telegram may or may not have delivered it: record, never resend blindly.
            await self._d.sends.finish_send(send.id, "unknown", now, reason="timed out")
            return "unknown"
        await self._d.sends.finish_send(send.id, "failed", now, reason=post.reason)
        return "failed"

    async def _send_message(self, send: Send, user: User) -> str:
        """A meeting invitation, a notice about the team, or a team member's nudge or answer:
        held until the client may be written to (contact hours, pause, a moment after another
        message the bot started), dropped once it no longer makes sense."""
        d = self._d
        now = d.clock.now()
        relay: Relay | None = None
        if send.kind == RELAY:
            relay = await self._relay_of(send, user)
            if relay is None:
                await self._d.sends.finish_send(send.id, "cancelled", now, reason="withdrawn")
                return "cancelled"
            # --- a nudge waits for the client's agreement (the team capability's rule) ---
            from bot.core.nudges import needs_agreement

            if (
                needs_agreement(relay.kind)
                and now < send.closes_at
                and await d.planner.schedule_of(user.id) is None
            ):
                # Not yet agreed that the bot may write first: a nudge or a proposed meeting
                # date waits (its sender was told so); agreeing brings it forward. A client who
                # chose "Only when I ask" sees a waiting nudge when they next write to the bot
                # (``Nudges.held_for``), never from here; past ``closes_at`` it is dropped.
                await self._d.sends.postpone(send.id, min(now + HOLD, send.closes_at))
                return "held"
            # --- end of the agreement rule ---
        reminded: tuple[User, Meeting] | None = None
        if send.kind == REMIND:
            reminded = await self._reminder_of(send, user)
            if reminded is None:
                await self._d.sends.finish_send(
                    send.id, "cancelled", now, reason="meeting changed"
                )
                return "cancelled"
        if send.kind == ASK and await d.planner.schedule_of(user.id) is not None:
            # The schedule question was answered (yes) since: no need to ask again.
            await self._d.sends.finish_send(send.id, "cancelled", now, reason="answered")
            return "cancelled"
        last = await self._d.sends.last_sent_at(user.id)
        # (A message "sent" after now was sent by a clock that ran ahead: it holds nothing.)
        if last is not None and timedelta(0) <= now - last < SPACING:
            # Never two messages the bot starts at once: this one follows a little later.
            await self._d.sends.postpone(send.id, min(last + SPACING, send.closes_at))
            return "held"
        if send.kind == MEETING or (reminded is not None and reminded[0].id == user.id):
            schedule = await d.planner.schedule_of(user.id)  # the client agreed to be written to
        elif reminded is not None:
            schedule = await d.planner.reachable(user.id)  # someone invited to their meeting
        else:
            schedule = await d.planner.contact_schedule(user.id)
        if schedule is None or now >= send.closes_at:
            reason = "late" if schedule is not None else "no schedule"
            status = "expired" if schedule is not None else "skipped"
            await self._d.sends.finish_send(send.id, status, now, reason=reason)
            return status
        if schedule.paused_at(now) or not schedule.in_contact_hours(now):
            try:
                due = next_contact_time(schedule, now)
            except ValueError:  # paused until they resume: look again in a while
                due = now + HOLD
            await self._d.sends.postpone(send.id, min(due, send.closes_at))
            if relay is not None and schedule.paused_at(now) and not relay.held_told:
                await self._tell_held(relay, user)
            return "held"
        if reminded is not None:
            say: Say | None = self._letters.reminder(user, *reminded)
        else:
            say = await self._message_for(send, user, relay)
        if say is None:
            await self._d.sends.finish_send(send.id, "failed", now, reason="unreadable")
            return "failed"
        sent = await self._post(send, user, say)
        if isinstance(sent, str):
            if relay is not None:
                await self._d.messages.update_relay(relay.id, status="failed")
            return sent
        await self._d.sends.finish_send(send.id, "sent", now, message_id=sent)
        if relay is not None:
            await self._d.messages.update_relay(relay.id, status="sent")
            if relay.kind == "reflection" and relay.audience == "team":
                await self._reflection_to_staff(relay, user, now)
        return "sent"

    async def _reflection_to_staff(self, relay: Relay, client: User, now: datetime) -> None:
        """Someone close chose that the client's staff read their words too: only now, once
        the client has them, at the same moment, never before; each copy is kept so it can
        be taken back."""

        async def send(to: User, say: Say) -> int | None:
            post = await self._courier.post(to, say)
            return post.message_id if post.outcome is Posted.SENT else None

        say = self._letters.reflection_copy(client, relay)
        await give_staff(self._d.team, self._d.messages, send, client, relay, say, now)

    async def _relay_of(self, send: Send, user: User) -> Relay | None:
        """The member's message behind a send, if it should still go: not cancelled or
        declined, its sender still in the client's team and not asked to stop nudging."""
        try:
            relay_id = int(json.loads(send.payload or "")["relay"])
        except (ValueError, KeyError, TypeError):
            return None
        relay = await self._d.messages.relay(relay_id)
        if relay is None or relay.status != "planned" or relay.client_id != user.id:
            return None
        if (
            relay.member_id is None
            or await self._d.team.team_role(user.id, relay.member_id) is None
        ):
            await self._d.messages.update_relay(relay.id, status="cancelled")
            return None
        if relay.kind == "nudge" and relay.member_id in await self._d.messages.no_nudges(user.id):
            await self._d.messages.update_relay(relay.id, status="declined")
            return None
        return relay

    async def _reminder_of(self, send: Send, user: User) -> tuple[User, Meeting] | None:
        """The client and the meeting a reminder is for, if it still stands as planned: the
        same day, and ``user`` the client or still in their team."""
        slot = send.slot
        client_id = int(slot[1:]) if slot[:1] == "m" and slot[1:].isdigit() else None
        if client_id is None:
            return None
        d = self._d
        client = user if client_id == user.id else await d.people.get_user(client_id)
        meeting = await d.team.meeting(client_id)
        if client is None or meeting is None or meeting.day.isoformat() != send.local_date:
            return None
        if client_id != user.id and await d.team.team_role(client_id, user.id) is None:
            return None
        return client, meeting

    async def _tell_held(self, relay: Relay, client: User) -> None:
        """Once per message: the member hears that the client is paused (and their message)."""
        member = await self._d.people.get_user(relay.member_id) if relay.member_id else None
        own = await self._d.sends.schedule(client.id)
        await self._d.messages.update_relay(relay.id, held_told=True)
        if member is None or own is None:
            return
        say = self._letters.held(client, own)
        if say is not None:
            await self._courier.post(member, say)

    async def _message_for(self, send: Send, user: User, relay: Relay | None) -> Say | None:
        if relay is not None:
            assert relay.member_id is not None
            role = await self._d.team.team_role(user.id, relay.member_id)
            return self._letters.relay(user, relay, role or Role.PEER)
        if send.kind == MEETING:
            return self._letters.meeting(user, send.slot, date.fromisoformat(send.local_date))
        if send.kind == ASK:
            return self._letters.ask_again(user)
        try:
            payload = json.loads(send.payload or "")
            return Say.of(t(payload["key"], **payload["values"]))
        except (ValueError, KeyError, TypeError):
            log.error("send %s has a payload that cannot be read", send.id)
            return None

    async def _send_checkin(self, send: Send, user: User, known: Batch) -> str:
        d = self._d
        now = d.clock.now()
        if send.checkin_id is not None:
            # Claimed again after a crash: if its message had reached the client, it is sent.
            earlier = await self._d.checkin_store.checkin(send.checkin_id, user.id)
            if earlier is not None and earlier.message_id is not None:
                await self._d.sends.finish_send(
                    send.id, "sent", now, message_id=earlier.message_id
                )
                return "sent"
            dialog = d.checkins.dialog(earlier.dialog, user.language) if earlier else None
            if earlier is not None and earlier.status == "open" and dialog is not None:
                # Cut off between starting it and learning its message: the same check-in is
                # asked again (its buttons work on either copy), never a second one, which
                # would close this one under the client.
                return await self._post_checkin(send, user, earlier.id, dialog)
        schedule = await d.planner.schedule_of(user.id)
        reason = None
        if schedule is None:
            reason = "no schedule"
        elif now >= send.closes_at:
            reason = "late"
        elif schedule.paused_at(now):
            reason = "paused"
        elif not schedule.in_contact_hours(now):
            reason = "outside contact hours"
        else:
            # A check-in the client is in the middle of; one never shown (a send cut off by a
            # crash) does not count, and is replaced below.
            busy = known.open_checkins.get(user.id)
            if (
                busy is not None
                and busy.message_id is not None
                and now - busy.started_at < d.planner.defaults.window
            ):
                reason = "in a check-in"
        if reason is not None:
            status = "expired" if reason == "late" else "skipped"
            await self._d.sends.finish_send(send.id, status, now, reason=reason)
            return status

        result = await d.checkins.start(user, "checkin", now)
        assert result.checkin is not None and result.dialog is not None
        # Linked before sending, so a crash after delivery is recognised at the next start.
        await self._d.sends.finish_send(send.id, "sending", now, checkin_id=result.checkin.id)
        return await self._post_checkin(send, user, result.checkin.id, result.dialog)

    async def _post_checkin(self, send: Send, user: User, checkin_id: int, dialog: Dialog) -> str:
        """Ask a check-in's first question; the outcome."""
        now = self._d.clock.now()
        sent = await self._post(send, user, capacity_screen(dialog, checkin_id, later=True))
        if isinstance(sent, str):
            if sent != "unknown":
                await self._d.checkin_store.finish_checkin(checkin_id, "closed", now)
            return sent
        await self._d.checkin_store.set_checkin_message(checkin_id, sent)
        await self._d.sends.finish_send(
            send.id, "sent", now, message_id=sent, checkin_id=checkin_id
        )
        return "sent"

    async def _close_windows(self, now: datetime) -> int:
        """Unanswered check-ins whose window passed: close them and say so kindly."""
        closed = 0
        while due := await self._d.sends.due_to_close(now, CLAIM_BATCH):
            for send in due:
                user = await self._d.people.get_user(send.user_id)
                record = (
                    await self._d.checkin_store.checkin(send.checkin_id, send.user_id)
                    if send.checkin_id is not None
                    else None
                )
                if user is not None and record is not None and record.status == "open":
                    await self._d.checkin_store.finish_checkin(record.id, "closed", now)
                    if record.message_id is not None:
                        await self._courier.edit(
                            user, record.message_id, Say.of(t("checkin.window_closed"))
                        )
                    closed += 1
                await self._d.sends.finish_send(send.id, "closed", now)
        return closed


JUMP = timedelta(days=1)  # a clock that moves this far between two readings has jumped
SEE_EVERY = timedelta(minutes=1)  # how often a sane reading is written down
FAR = timedelta(days=15)  # no check-in is planned further ahead than this (every other week)


class Retains(Protocol):
    """The retention rule (``bot/core/retention.py``), as the scheduler runs it."""

    async def apply(self, now: datetime) -> int: ...


class Scheduler:
    """One tick does all due work. Driven by the adapter's job queue in production and by hand
    when a test or the sandbox moves its clock, so both run exactly the same code."""

    def __init__(
        self,
        deps: DeliveryPorts,
        dispatcher: Dispatcher,
        retention: Retains,
        closing: WaitsClosing | None = None,
    ) -> None:
        self._d = deps
        self._dispatcher = dispatcher
        self._retention = retention
        self._closing = closing
        self._purged_at: datetime | None = None
        self._seen: datetime | None = None  # the clock's last sane reading, as stored
        self._jumped: bool | None = None  # None: not read yet

    async def start(self) -> int:
        """Rebuild the plan from the rows; returns how many clients got a check-in planned."""
        return await self._d.planner.rebuild(self._d.clock.now())

    async def tick(self) -> Counter[str]:
        """Send what is due, close questions whose wait for typing ended, then apply the
        retention rule (at most once an hour)."""
        outcomes = await self._dispatcher.tick()
        now = self._d.clock.now()
        if self._closing is not None:
            outcomes["waits closed"] += await self._closing.close(now)
        if not await self._clock_is_sane(now):
            outcomes["clock"] += 1
            return outcomes
        if self._purged_at is None or now - self._purged_at >= PURGE_EVERY:
            self._purged_at = now
            removed = await self._retention.apply(now)
            if removed:
                log.info("retention: removed %d rows", removed)
            outcomes["purged"] += removed
        return outcomes

    async def _clock_is_sane(self, now: datetime) -> bool:
        """False while the clock has jumped: more than a day away from its last sane reading.

        Nothing is purged then (a clock a year ahead would purge a year too early) until the
        clock comes back near that reading, when plans made meanwhile are made again, or an
        administrator confirms the new time (``between doctor --accept-clock``).
        """
        if self._jumped is None or self._jumped:
            # Read again while a jump waits: the administrator may confirm it from outside.
            self._seen, jumped_to = await self._d.watch.clock_seen()
            was_jumped, self._jumped = self._jumped, jumped_to is not None
            if was_jumped and not self._jumped:
                log.warning("the new time was confirmed: retention goes on")
        seen = self._seen
        if seen is None or (abs(now - seen) <= JUMP and not self._jumped):
            if seen is None or now - seen >= SEE_EVERY:
                await self._d.watch.see_clock(now)
                self._seen = now
            return True
        if abs(now - seen) <= JUMP:  # a jump, and the clock came back
            changed = await self._d.watch.undo_wrong_clock(now, now + FAR)
            await self._d.planner.rebuild(now)
            log.warning(
                "the clock is back near its last sane reading: retention goes on; "
                "%d sends planned or dropped by the wrong time were made again",
                changed,
            )
            await self._d.watch.see_clock(now)
            self._seen, self._jumped = now, False
            return True
        if not self._jumped:
            log.warning(
                "the clock jumped from %s to %s: nothing is purged until it is back, or the "
                "new time is confirmed with: between doctor --accept-clock",
                seen.isoformat(timespec="minutes"),
                now.isoformat(timespec="minutes"),
            )
            await self._d.watch.see_clock(now, jumped_to=now)
            self._jumped = True
        return False

"""Delivering what the bot starts itself: due rows are claimed, sent through the rate limiter,
and their outcome recorded. The database decides what is due; nothing lives only in memory."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from telegram import InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, TelegramError, TimedOut
from telegram.ext import ExtBot

from bot.core.model import Send, User
from bot.core.planning import CHECKIN, MEETING, REGULAR
from bot.core.schedule import next_contact_time
from bot.tg.checkin import capacity_message
from bot.tg.context import Services
from bot.tg.ratelimit import BULK
from bot.tg.team import meeting_invitation

log = logging.getLogger(__name__)

CLAIM_BATCH = 50
HOLD = timedelta(hours=6)  # how often a message held by an open-ended pause is looked at again


class Dispatcher:
    """Sends due check-ins; one call of ``tick`` drains everything due at that moment."""

    def __init__(self, services: Services, bot: ExtBot[Any]) -> None:
        self._services = services
        self._bot = bot
        # About a second's worth of sends in flight keeps the rate limiter busy, no more.
        self._max_in_flight = max(20, int(services.settings.service.telegram.send_rate))

    async def tick(self) -> Counter[str]:
        """Send what is due now, expire what is too late, close windows that passed.

        Returns how many sends ended in each way ("sent", "expired", "skipped", ...).
        """
        services = self._services
        outcomes: Counter[str] = Counter()
        now = services.clock.now()
        # A steady flow rather than batches: claim a few more whenever one finishes, so one send
        # waiting out a 429 never holds up the others, and the database work of the next sends
        # overlaps the sending of these. Only what is in flight is ever claimed, so a crash
        # leaves at most that many to send again.
        in_flight: set[asyncio.Task[str]] = set()
        exhausted = False
        try:
            while True:
                room = self._max_in_flight - len(in_flight)
                if not exhausted and room > 0:
                    batch = await services.db.claim_due(now, min(room, CLAIM_BATCH))
                    exhausted = not batch
                    in_flight.update(asyncio.create_task(self._deliver(s)) for s in batch)
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

    async def _deliver(self, send: Send) -> str:
        try:
            return await self._attempt(send)
        except Exception:
            # Never leave a row claimed forever; log without anyone's words.
            log.exception("send %s for user %s failed", send.id, send.user_id)
            await self._services.db.finish_send(
                send.id, "failed", self._services.clock.now(), reason="error"
            )
            return "failed"

    async def _attempt(self, send: Send) -> str:
        services = self._services
        store = services.db
        user = await store.get_user(send.user_id)
        if user is None or user.unreachable_at is not None:
            await store.finish_send(send.id, "cancelled", services.clock.now(), reason="gone")
            return "cancelled"
        if send.kind != CHECKIN:
            return await self._send_message(send, user)
        outcome = await self._send_checkin(send, user)
        if send.slot == REGULAR and outcome != "blocked":
            # After a long outage the next one is planned from now, not one by one through
            # every day that was missed.
            await services.planner.plan_next(user.id, after=max(send.due_at, services.clock.now()))
        return outcome

    async def _post(
        self, send: Send, user: User, text: str, markup: InlineKeyboardMarkup | None
    ) -> Message | str:
        """Send one message the bot starts; on failure, record it and return the outcome."""
        store = self._services.db
        now = self._services.clock.now()
        try:
            return await self._bot.send_message(
                user.chat_id, text, reply_markup=markup, rate_limit_args=BULK
            )
        except Forbidden:
            await store.set_reachable(user.id, False, now)
            await store.cancel_planned(user.id, CHECKIN, "blocked")
            await store.finish_send(send.id, "failed", now, reason="blocked")
            return "blocked"
        except TimedOut:
            # Telegram may or may not have delivered it: record, never resend blindly.
            await store.finish_send(send.id, "unknown", now, reason="timed out")
            return "unknown"
        except TelegramError as exc:
            await store.finish_send(send.id, "failed", now, reason=type(exc).__name__)
            return "failed"

    async def _send_message(self, send: Send, user: User) -> str:
        """A meeting invitation or a notice about the team: held until the client may be
        written to (contact hours, pause), dropped once it no longer makes sense."""
        services = self._services
        store = services.db
        now = services.clock.now()
        if send.kind == MEETING:
            schedule = await services.planner.schedule_of(user.id)
        else:
            schedule = await services.planner.contact_schedule(user.id)
        if schedule is None or now >= send.closes_at:
            reason = "late" if schedule is not None else "no schedule"
            status = "expired" if schedule is not None else "skipped"
            await store.finish_send(send.id, status, now, reason=reason)
            return status
        if schedule.paused_at(now) or not schedule.in_contact_hours(now):
            try:
                due = next_contact_time(schedule, now)
            except ValueError:  # paused until they resume: look again in a while
                due = now + HOLD
            await store.postpone(send.id, min(due, send.closes_at))
            return "held"
        rendered = self._message_for(send, user)
        if rendered is None:
            await store.finish_send(send.id, "failed", now, reason="unreadable")
            return "failed"
        sent = await self._post(send, user, *rendered)
        if isinstance(sent, str):
            return sent
        await store.finish_send(send.id, "sent", now, message_id=sent.message_id)
        return "sent"

    def _message_for(
        self, send: Send, user: User
    ) -> tuple[str, InlineKeyboardMarkup | None] | None:
        catalog = self._services.catalog
        if send.kind == MEETING:
            return meeting_invitation(
                catalog, user.language, send.slot, date.fromisoformat(send.local_date)
            )
        try:
            payload = json.loads(send.payload or "")
            return catalog.get(user.language, payload["key"], **payload["values"]), None
        except (ValueError, KeyError, TypeError):
            log.error("send %s has a payload that cannot be read", send.id)
            return None

    async def _send_checkin(self, send: Send, user: User) -> str:
        services = self._services
        store = services.db
        now = services.clock.now()
        if send.checkin_id is not None:
            # Claimed again after a crash: if its message had reached the client, it is sent.
            earlier = await store.checkin(send.checkin_id, user.id)
            if earlier is not None and earlier.message_id is not None:
                await store.finish_send(send.id, "sent", now, message_id=earlier.message_id)
                return "sent"
        schedule = await services.planner.schedule_of(user.id)
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
            busy = await store.open_checkin(user.id)
            if (
                busy is not None
                and busy.message_id is not None
                and now - busy.started_at < services.planner.defaults.window
            ):
                reason = "in a check-in"
        if reason is not None:
            status = "expired" if reason == "late" else "skipped"
            await store.finish_send(send.id, status, now, reason=reason)
            return status

        result = await services.checkins.start(user, "checkin", now)
        assert result.checkin is not None and result.dialog is not None
        # Linked before sending, so a crash after delivery is recognised at the next start.
        await store.finish_send(send.id, "sending", now, checkin_id=result.checkin.id)
        text, markup = capacity_message(
            services.catalog, user.language, result.dialog, result.checkin.id, later=True
        )
        sent = await self._post(send, user, text, markup)
        if isinstance(sent, str):
            if sent != "unknown":
                await store.finish_checkin(result.checkin.id, "closed", now)
            return sent
        await store.set_checkin_message(result.checkin.id, sent.message_id)
        await store.finish_send(
            send.id, "sent", now, message_id=sent.message_id, checkin_id=result.checkin.id
        )
        return "sent"

    async def _close_windows(self, now: datetime) -> int:
        """Unanswered check-ins whose window passed: close them and say so kindly."""
        services = self._services
        store = services.db
        closed = 0
        while due := await store.due_to_close(now, CLAIM_BATCH):
            for send in due:
                user = await store.get_user(send.user_id)
                record = (
                    await store.checkin(send.checkin_id, send.user_id)
                    if send.checkin_id is not None
                    else None
                )
                if user is not None and record is not None and record.status == "open":
                    await store.finish_checkin(record.id, "closed", now)
                    if record.message_id is not None:
                        await self._say_closed(user.chat_id, user.language, record.message_id)
                    closed += 1
                await store.finish_send(send.id, "closed", now)
        return closed

    async def _say_closed(self, chat_id: int, language: str, message_id: int) -> None:
        text = self._services.catalog.get(language, "checkin.window_closed")
        try:
            await self._bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, rate_limit_args=BULK
            )
        except (BadRequest, Forbidden) as exc:
            log.info("could not edit a closed check-in for chat %s: %s", chat_id, exc.message)

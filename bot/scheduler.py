"""What the bot does by itself, on a tick: the JobQueue only calls ``tick``; the rows decide."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

from telegram.ext import Application

from bot.dispatch import Dispatcher
from bot.tg.context import Services

log = logging.getLogger(__name__)

TICK_SECONDS = 10
PURGE_EVERY = timedelta(hours=1)


class Scheduler:
    """One tick does all due work. Driven by APScheduler in production and by hand when a test
    or the sandbox moves its clock, so both run exactly the same code."""

    def __init__(self, services: Services, dispatcher: Dispatcher) -> None:
        self._services = services
        self._dispatcher = dispatcher
        self._purged_at: datetime | None = None

    async def start(self) -> int:
        """Rebuild the plan from the rows; returns how many clients got a check-in planned."""
        return await self._services.planner.rebuild(self._services.clock.now())

    async def tick(self) -> Counter[str]:
        """Send what is due, then apply the retention rule (at most once an hour)."""
        services = self._services
        outcomes = await self._dispatcher.tick()
        now = services.clock.now()
        if self._purged_at is None or now - self._purged_at >= PURGE_EVERY:
            self._purged_at = now
            retention = timedelta(days=services.settings.service.defaults.retention_days)
            removed = await services.db.purge_before(now - retention)
            if removed:
                log.info("retention: removed %d rows older than %s", removed, retention)
            outcomes["purged"] += removed
        return outcomes

    def attach(self, app: Application) -> None:
        """Run ``tick`` every TICK_SECONDS through PTB's JobQueue."""
        if app.job_queue is None:
            raise RuntimeError("python-telegram-bot was installed without the job-queue extra")

        async def job(_context: object) -> None:
            await self.tick()

        app.job_queue.run_repeating(
            job,
            interval=TICK_SECONDS,
            first=1,
            name="between-tick",
            # A late tick still runs (it catches up on what is due); ticks never overlap.
            job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )

"""What the bot does by itself, on a tick: the JobQueue only calls ``tick``; the rows decide."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.ext import Application

from bot.tg.context import Services

log = logging.getLogger(__name__)

TICK_SECONDS = 30


class Scheduler:
    """One tick does all due work. Driven by APScheduler in production and by hand when a test
    or the sandbox moves its clock, so both run exactly the same code."""

    def __init__(self, services: Services) -> None:
        self._services = services

    async def tick(self) -> int:
        """Do what is due now; returns the number of rows removed by the retention rule."""
        services = self._services
        retention = timedelta(days=services.settings.service.defaults.retention_days)
        removed = await services.db.purge_before(services.clock.now() - retention)
        if removed:
            log.info("retention: removed %d rows older than %s", removed, retention)
        return removed

    def attach(self, app: Application) -> None:
        """Run ``tick`` every TICK_SECONDS through PTB's JobQueue."""
        if app.job_queue is None:
            raise RuntimeError("python-telegram-bot was installed without the job-queue extra")

        async def job(_context: object) -> None:
            await self.tick()

        app.job_queue.run_repeating(
            job,
            interval=TICK_SECONDS,
            first=TICK_SECONDS,
            name="between-tick",
            # A late tick still runs (it catches up on what is due); ticks never overlap.
            job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )

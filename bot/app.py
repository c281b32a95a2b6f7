"""The one place that wires everything: configuration in, services built, handlers registered."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, Defaults
from telegram.request import BaseRequest, HTTPXRequest

from bot import bootstrap
from bot.bootstrap import Edges
from bot.config import Settings, offered_languages
from bot.core.clock import Clock, SystemClock
from bot.core.delivery import Scheduler
from bot.core.dialog_loader import load_dialogs
from bot.core.i18n import Catalog
from bot.storage.safekeeping import lock_file, open_data
from bot.tg import firstaid, handlers
from bot.tg.context import CONTEXT_TYPES, BotData, Services
from bot.tg.courier import TelegramCourier
from bot.tg.inbox import DurableQueue
from bot.tg.once import SentOnce
from bot.tg.processor import PerPersonUpdateProcessor
from bot.tg.ratelimit import PriorityRateLimiter
from bot.tg.render import Renderer, TelegramOutbox
from bot.tg.watch import LOOK_EVERY, Watchdog, WatchedRequest

log = logging.getLogger(__name__)

SANDBOX_TOKEN = "123456:SANDBOX-not-a-real-token-000000"

App = Application[Any, Any, Any, Any, BotData, Any]


def build_application(
    settings: Settings,
    catalog: Catalog,
    *,
    clock: Clock | None = None,
    request: BaseRequest | None = None,
    polling: bool = True,
) -> App:
    """Build the Application: services reached through the typed context, handlers registered.

    Raises:
        DialogErrors: a dialog file is invalid; the bot does not start on a broken dialog.

    Args:
        settings: validated settings.
        catalog: the text catalog.
        clock: the time source; the system clock unless a test or the sandbox moves its own.
        request: a BaseRequest to talk through instead of HTTP (the in-process stand-in).
        polling: whether the Application gets an Updater (long polling / webhook).
    """
    builder = (
        ApplicationBuilder()
        .token(settings.token or SANDBOX_TOKEN)
        .base_url(settings.api_url)
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(PerPersonUpdateProcessor(128))
        .update_queue(DurableQueue())
        .rate_limiter(SentOnce(PriorityRateLimiter(settings.service.telegram.send_rate)))
        .defaults(Defaults(block=True))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    clock = clock or SystemClock()
    # Every getUpdates that comes back is noted, so that a stop of polling is seen (bot/tg/watch).
    polls = WatchedRequest(request or HTTPXRequest(connection_pool_size=1), clock)
    if request is not None:
        builder = builder.request(request)
    builder = builder.get_updates_request(polls)
    if not polling:
        builder = builder.updater(None)
    app: App = builder.build()
    app.bot_data.services = Services(
        settings=settings,
        catalog=catalog.with_region(settings.policy.locale).offering(
            offered_languages(settings.service, catalog)
        ),
        clock=clock,
        risk=settings.policy.risk(),
        dialogs=load_dialogs(settings.dialogs_dir),
        polls=polls if polling and settings.service.webhook is None else None,
    )
    handlers.register(app)
    return app


TICK_SECONDS = 10

#: Seconds the webhook tries to keep an update before it answers 500 (Telegram sends it again).
WEBHOOK_PATIENCE = 10.0


def _peek(app: App) -> Callable[[int], Awaitable[Sequence[Update]]]:
    """Reads the updates waiting at Telegram from an offset on, confirming none after it."""

    async def peek(offset: int) -> Sequence[Update]:
        return await app.bot.get_updates(
            offset=offset, timeout=0, allowed_updates=Update.ALL_TYPES
        )

    return peek


def attach(app: App, scheduler: Scheduler) -> None:
    """Run the scheduler's tick every TICK_SECONDS through PTB's JobQueue."""
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")

    async def job(_context: object) -> None:
        await scheduler.tick()

    app.job_queue.run_repeating(
        job,
        interval=TICK_SECONDS,
        first=1,
        name="between-tick",
        # A late tick still runs (it catches up on what is due); ticks never overlap.
        job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
    )


def watch(app: App, watchdog: Watchdog) -> None:
    """Let the watchdog look at intake every ``LOOK_EVERY`` seconds."""
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")

    async def job(_context: object) -> None:
        watchdog.look()

    # The first look at once: doctor can tell a bot that just started from none.
    app.job_queue.run_repeating(job, interval=LOOK_EVERY, first=1, name="between-watch")


async def post_init(app: App) -> None:
    """Open the store, build the use cases on it (``bot/bootstrap.py``), set the command
    menu, start the tick."""
    services: Services = app.bot_data.services
    settings = services.settings
    store = await open_data(settings)
    services.renderer = Renderer(services.catalog)
    edges = Edges(
        outbox=TelegramOutbox(app.bot, services.renderer),
        courier=TelegramCourier(app.bot, services.renderer),
        bot_name=app.bot.username,
    )
    services.ready = bootstrap.build(
        settings, services.catalog, services.dialogs, services.clock, store, edges
    )
    # Incoming updates are kept before Telegram hears they arrived; kept ones never handled
    # (the bot was stopped hard) are handled first.
    polling = services.polls is not None
    aid = firstaid.Aid(services)
    if isinstance(app.update_queue, DurableQueue):
        app.update_queue.keep_in(
            store,
            services.clock,
            aid=aid,
            # While an update cannot be kept, those behind it at Telegram asking for help get
            # the card too (long polling only: Telegram refuses getUpdates beside a webhook).
            peek=_peek(app) if polling else None,
            # The webhook answers 500 after a while and Telegram sends the update again.
            patience=None if polling else WEBHOOK_PATIENCE,
        )
        services.replayed = app.update_queue.replayed
        if isinstance(app.update_processor, PerPersonUpdateProcessor):
            app.update_processor.on_done = app.update_queue.done
            app.update_processor.handling = app.update_queue.handling
        await app.update_queue.replay(app.bot)
    if isinstance(app.update_processor, PerPersonUpdateProcessor):
        processor = app.update_processor
        processor.urgent = lambda update: firstaid.asks_for_help(update, services)

        async def first_aid(update: object) -> None:
            if isinstance(update, Update):
                await aid.send_card(update)

        async def again(update: object) -> None:
            if isinstance(update, Update):  # handled again: its effects may be done already
                services.replayed.add(update.update_id)
            await app.process_update(update)

        processor.first_aid, processor.again = first_aid, again
        processor.running = lambda: app.running
    await handlers.set_default_commands(app)
    await services.scheduler.start()
    attach(app, services.scheduler)
    if isinstance(app.update_queue, DurableQueue):
        status = lock_file(settings.database_path)
        watch(app, Watchdog(app.update_queue, services.polls, services.clock,
                            status if status.exists() else None))  # fmt: skip
    log.info("Between is ready (database %s)", settings.database_path)


async def post_shutdown(app: App) -> None:
    """Close the store once in-flight updates are done."""
    services: Services = app.bot_data.services
    if services.ready is not None:
        await services.ready.store.close()
        services.ready = None
        log.info("database closed")


@asynccontextmanager
async def running(app: App, *, poll: bool = False) -> AsyncIterator[App]:
    """Start the application as ``run_polling`` would, without owning the event loop.

    For tests, benchmarks and the sandbox. With ``poll`` the real Updater long-polls getUpdates.
    """
    async with app:
        await post_init(app)
        await app.start()
        if poll:
            assert app.updater is not None
            await app.updater.start_polling(
                poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES
            )
        try:
            yield app
        finally:
            if poll and app.updater is not None and app.updater.running:
                await app.updater.stop()
            await app.stop()
            await post_shutdown(app)

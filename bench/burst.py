"""Burst benchmark: 1,000 people write to the bot at the same moment.

What is measured
    For each of 1,000 clients: the time from putting its update into ``app.update_queue`` until
    the bot's reply reaches the Bot API stand-in. All updates are put at once (as the Updater does
    after one ``getUpdates``); each reply is timestamped with ``time.perf_counter()`` when the
    stand-in has recorded the ``sendMessage`` (``TimedBotAPI`` below). We report p50 and p99
    (nearest rank) in milliseconds.

Between
    The real application (``build_application`` + ``running``) on a temporary SQLite file, talking
    to ``FakeBotAPI(latency=0.05)``: every request takes 50 ms, and the stand-in enforces no rate
    limit. Each update is a text message, which Between stores as an encrypted private note (one
    database write) and answers "Saved. Only you can see this.". The clients are registered with
    /start first and those welcome messages are not measured. Between's own rate limiter is part
    of the bot and stays on; for this benchmark its rate is raised to the highest allowed value by
    a temporary copy of ``bot/service.example.toml`` with ``[telegram] send_rate = 1000``, passed
    as ``BOT_CONFIG`` (at 1,000 sends a second it still spaces 1,000 replies over about 1 s). The
    clock is a ``ManualClock`` on a Monday 09:00 UTC, so no scheduled check-in is due.

Baseline
    A plain python-telegram-bot application with default settings (``concurrent_updates`` 1, no
    rate limiter) on a fresh ``FakeBotAPI(latency=0.05)``; its one ``MessageHandler`` does an
    aiosqlite INSERT and commit into its own temporary SQLite file and answers with
    ``reply_text("Saved.")``. Same 1,000 updates, same measurement.

Order
    After the measured burst, a second burst is sent to Between: every one of the 1,000 clients
    writes a second note, and 20 more (registered) clients write five notes each, "n0" to "n4",
    interleaved at random positions among the others (each client's own notes stay in order).
    ``ordered=yes`` when, for each of the 20, the notes read back from the database are
    n0..n4 and the five replies arrived in that order. Which note a reply answers is known from a
    ``TypeHandler`` in group -1, added by this benchmark, that puts the text into a context
    variable read when the stand-in records the reply. The p50/p99 of the last line come from the
    first burst (exactly 1,000 updates); the second burst's figures are printed as a human line.

Run from the repository root: ``.venv/bin/python bench/burst.py``. The last line is
``p50_ms=<int> p99_ms=<int> baseline_p50_ms=<int> baseline_p99_ms=<int> ordered=yes|no``.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import math
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("PTB_TIMEDELTA", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiosqlite
from benchlib import service_config
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, MessageHandler, TypeHandler, filters

from bot.app import SANDBOX_TOKEN, build_application, running
from bot.config import load_settings
from bot.core.clock import ManualClock
from bot.core.i18n import Catalog
from bot.standin import FakeBotAPI

CLIENTS = 1_000
ORDER_CLIENTS = 20
ORDER_NOTES = 5
LATENCY = 0.05
SEND_RATE = 1000
FIRST_ID = 100_000
ORDER_FIRST_ID = 900_000
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning: no check-in is due
BETWEEN_TIMEOUT = 30.0
BASELINE_TIMEOUT = 90.0

#: The text of the update whose handler is running (set by the benchmark's group -1 handler).
ANSWERING: contextvars.ContextVar[str | None] = contextvars.ContextVar("answering", default=None)


@dataclass(frozen=True)
class Reply:
    """A sendMessage as the stand-in recorded it."""

    at: float
    text: str
    answers: str | None


class TimedBotAPI(FakeBotAPI):
    """FakeBotAPI that timestamps every successful sendMessage per chat."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.replies: dict[int, list[Reply]] = defaultdict(list)
        self._expected = 0
        self._recorded = 0
        self._done = asyncio.Event()

    def expect(self, count: int) -> None:
        """Forget recorded replies and wait for ``count`` new ones."""
        self.replies.clear()
        self._expected = count
        self._recorded = 0
        self._done.clear()

    async def all_replied(self, timeout: float) -> None:  # noqa: ASYNC109 - a plain deadline
        """Wait until the expected number of replies has been recorded."""
        try:
            await asyncio.wait_for(self._done.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(
                f"only {self._recorded} of {self._expected} replies after {timeout:.0f} s"
            ) from None

    def answered(self, method: str, params: dict[str, Any], status: int) -> None:
        """Note when a sendMessage was recorded (the stand-in calls this per answer)."""
        if status != 200 or method != "sendMessage":
            return
        chat_id = int(str(params["chat_id"]))
        reply = Reply(time.perf_counter(), str(params.get("text")), ANSWERING.get())
        self.replies[chat_id].append(reply)
        self._recorded += 1
        if self._recorded >= self._expected:
            self._done.set()


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..1)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def latencies_ms(api: TimedBotAPI, t0: float, chat_ids: list[int]) -> list[float]:
    """Per client: milliseconds from ``t0`` to its first reply."""
    return [(api.replies[chat_id][0].at - t0) * 1000 for chat_id in chat_ids]


async def burst(
    app: Application[Any, Any, Any, Any, Any, Any],
    api: TimedBotAPI,
    updates: list[dict[str, Any]],
    replies: int,
    timeout: float,  # noqa: ASYNC109 - a plain deadline
) -> float:
    """Put all updates on the queue at once; return the start time once all replies arrived."""
    objects = [Update.de_json(data, app.bot) for data in updates]
    api.expect(replies)
    t0 = time.perf_counter()
    for update in objects:
        app.update_queue.put_nowait(update)
    await api.all_replied(timeout)
    return t0


async def idle(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Wait until every update put on the queue has been processed (PTB calls task_done)."""
    await asyncio.wait_for(app.update_queue.join(), 10)


async def _remember_text(update: Update, _context: Any) -> None:
    message = update.effective_message
    if message is not None and message.text is not None:
        ANSWERING.set(message.text)


@dataclass
class BetweenResult:
    """What the Between run measured (latencies in ms, per single-update client)."""

    concurrency: int
    latencies: list[float]
    mixed_latencies: list[float]
    ordered: bool
    problems: list[str]
    seconds: float


async def run_between(tmp: Path) -> BetweenResult:
    """Register everyone, measure the 1,000-client burst, then the burst with ordered clients."""
    catalog = Catalog.load()
    settings = load_settings(
        {
            "BOT_DATA_DIR": str(tmp / "between"),
            "BOT_KEY_FILE": str(tmp / "keys" / "between.key"),
            "BOT_CONFIG": str(service_config(tmp, SEND_RATE)),
        },
        catalog=catalog,
    )
    assert settings.service.telegram.send_rate == SEND_RATE
    saved = catalog.get("en", "note.saved")
    api = TimedBotAPI(latency=LATENCY)
    app = build_application(
        settings, catalog, clock=ManualClock(START), request=api, polling=False
    )
    app.add_handler(TypeHandler(Update, _remember_text), group=-1)
    clients = [FIRST_ID + i for i in range(CLIENTS)]
    ordering = [ORDER_FIRST_ID + i for i in range(ORDER_CLIENTS)]
    problems: list[str] = []
    started = time.perf_counter()
    async with running(app):
        # Registration: /start sends the welcome, the privacy note and the menu (3 messages).
        everyone = clients + ordering
        for user_id in everyone:
            api.add_user(user_id, first_name=f"C{user_id}")
        starts = [api.text(user_id, "/start") for user_id in everyone]
        await burst(app, api, starts, 3 * len(everyone), BETWEEN_TIMEOUT)
        await idle(app)
        api.reset_calls()

        # The measured burst: one note from each of the 1,000 clients.
        texts = [api.text(user_id, f"burst note {user_id}") for user_id in clients]
        t0 = await burst(app, api, texts, CLIENTS, BETWEEN_TIMEOUT)
        latencies = latencies_ms(api, t0, clients)
        wrong = [c for c in clients if [r.text for r in api.replies[c]] != [saved]]
        if wrong:
            problems.append(f"{len(wrong)} clients did not get exactly one {saved!r}")
        await idle(app)

        # Second burst: a second note from each client, five numbered ones from 20 more.
        slots = [*clients, *(u for u in ordering for _ in range(ORDER_NOTES))]
        random.Random(7).shuffle(slots)
        sent: dict[int, int] = defaultdict(int)
        mixed: list[dict[str, Any]] = []
        for user_id in slots:
            if user_id in ordering:
                mixed.append(api.text(user_id, f"n{sent[user_id]}"))
                sent[user_id] += 1
            else:
                mixed.append(api.text(user_id, f"second note {user_id}"))
        t1 = await burst(app, api, mixed, len(mixed), BETWEEN_TIMEOUT)
        mixed_latencies = latencies_ms(api, t1, clients)
        await idle(app)

        numbered = [f"n{i}" for i in range(ORDER_NOTES)]
        ordered = True
        for user_id in ordering:
            notes = [note.text for note in await app.bot_data.services.db.notes(user_id)]
            replies = api.replies[user_id]
            if notes != numbered:
                ordered = False
                problems.append(f"client {user_id}: notes stored as {notes}")
            answered = [r.answers for r in replies]
            if answered != numbered:
                ordered = False
                problems.append(f"client {user_id}: replies answered {answered}")
            if {r.text for r in replies} != {saved}:
                ordered = False
                problems.append(f"client {user_id}: replies {[r.text for r in replies]}")
    return BetweenResult(
        app.update_processor.max_concurrent_updates,
        latencies,
        mixed_latencies,
        ordered,
        problems,
        time.perf_counter() - started,
    )


async def run_baseline(tmp: Path) -> tuple[list[float], float]:
    """A default PTB bot: one update at a time, INSERT + commit, ``reply_text("Saved.")``."""
    api = TimedBotAPI(latency=LATENCY)
    db = await aiosqlite.connect(tmp / "baseline.sqlite3")
    await db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER, body TEXT)")
    await db.commit()

    async def save(update: Update, _context: Any) -> None:
        message = update.effective_message
        assert message is not None and update.effective_user is not None
        await db.execute(
            "INSERT INTO notes (user_id, body) VALUES (?, ?)",
            (update.effective_user.id, message.text),
        )
        await db.commit()
        await message.reply_text("Saved.")

    app = (
        ApplicationBuilder()
        .token(SANDBOX_TOKEN)
        .request(api)
        .get_updates_request(api)
        .updater(None)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, save))
    clients = [FIRST_ID + i for i in range(CLIENTS)]
    started = time.perf_counter()
    try:
        async with app:
            await app.start()
            try:
                texts = [api.text(user_id, f"burst note {user_id}") for user_id in clients]
                t0 = await burst(app, api, texts, CLIENTS, BASELINE_TIMEOUT)
                latencies = latencies_ms(api, t0, clients)
                await idle(app)
            finally:
                await app.stop()
    finally:
        await db.close()
    return latencies, time.perf_counter() - started


def summary(values: list[float]) -> str:
    """One human line of latency figures."""
    return (
        f"p50 {percentile(values, 0.5):.0f} ms, p99 {percentile(values, 0.99):.0f} ms "
        f"(first reply {min(values):.0f} ms, last {max(values):.0f} ms)"
    )


async def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="between-burst-") as name:
        tmp = Path(name)
        between = await run_between(tmp)
        baseline, baseline_seconds = await run_baseline(tmp)

    p50, p99 = percentile(between.latencies, 0.5), percentile(between.latencies, 0.99)
    b50, b99 = percentile(baseline, 0.5), percentile(baseline, 0.99)
    print(
        f"{CLIENTS} clients, one text note each, all put on app.update_queue at once; "
        f"FakeBotAPI latency {LATENCY * 1000:.0f} ms, no rate limit in the stand-in."
    )
    print(
        f"Between's rate limiter stays on at send_rate = {SEND_RATE}/s (temporary BOT_CONFIG "
        "copied from bot/service.example.toml); that alone spreads "
        f"{CLIENTS} replies over ~{CLIENTS / SEND_RATE:.1f} s."
    )
    print(
        f"Between  (per-person processor, up to {between.concurrency} updates at once): "
        f"{summary(between.latencies)}"
    )
    print(
        f"Between, second burst with {ORDER_CLIENTS} clients x {ORDER_NOTES} numbered notes "
        f"mixed in ({CLIENTS + ORDER_CLIENTS * ORDER_NOTES} updates; figures over the "
        f"{CLIENTS}): {summary(between.mixed_latencies)}; "
        f"order kept: {'yes' if between.ordered else 'NO'}"
    )
    for problem in between.problems[:5]:
        print(f"  problem: {problem}")
    if len(between.problems) > 5:
        print(f"  ... and {len(between.problems) - 5} more problems")
    print(f"Baseline (default PTB, one update at a time):  {summary(baseline)}")
    print(
        f"Wall time: Between {between.seconds:.1f} s (registration included), "
        f"baseline {baseline_seconds:.1f} s. Target: Between p99 <= 1500 ms, order kept."
    )
    print(
        f"p50_ms={round(p50)} p99_ms={round(p99)} baseline_p50_ms={round(b50)} "
        f"baseline_p99_ms={round(b99)} ordered={'yes' if between.ordered else 'no'}"
    )


if __name__ == "__main__":
    asyncio.run(main())

"""Fairness benchmark: how long someone's /helpnow waits while another person floods the bot.

What is measured
    One client (Alex) sends 600 text notes at once; 1.0 s later (real time) another client
    (Blair) sends ``/helpnow`` and, at the same moment, a third (Casey) sends an ordinary note
    "hello". From that put, with ``time.perf_counter()``, until the Bot API stand-in recorded the
    first ``sendMessage`` to Blair that is the crisis card (its text contains "If you need help
    now"), and until it recorded the first reply to Casey ("Saved. Only you can see this.").
    Also: how many of Alex's 600 notes had been answered when Blair's card was recorded, and how
    long from the flood's put until all 600 were answered (or, after 120 s, how many were).

Conditions
    The real application (``build_application`` + ``running``) on a temporary SQLite file
    (fresh ``BOT_DATA_DIR`` and ``BOT_KEY_FILE`` per run), talking to
    ``FakeBotAPI(latency=0.05)``: every request takes 50 ms, and the stand-in enforces no rate
    limit, per chat or overall. Between's own rate limiter stays on at the default
    ``send_rate = 30`` (a temporary copy of ``bot/service.example.toml``, passed as
    ``BOT_CONFIG``). The bot paces replies to one chat only after Telegram answered that chat
    with a 429, which the stand-in never does here, so no per-chat pacing slows Alex. Alex's
    notes are still handled one after another (one person's updates in order), each waiting for
    its reply's 50 ms round trip, so the flood takes about 30 s rather than the 20 s that 30 a
    second alone would give. The three clients are registered with /start first and those
    replies are not measured. The clock is a ``ManualClock`` on a Monday 09:00
    UTC, and the JobQueue's tick job is removed, so no scheduled work interferes. Each update is
    put on ``app.update_queue`` as PTB's Updater does.

Run from the repository root: ``.venv/bin/python bench/fairness.py [--runs 3]``. One human line
per run; the last line is
``flood=600 send_rate=30 helpnow_wait_ms=<median int> helpnow_wait_max_ms=<max int>
other_reply_wait_ms=<median int> flood_answered_before_card=<median int>
flood_seconds=<median float .1f>`` (one line). Target (issue): ``helpnow_wait_ms`` at most 2000.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("PTB_TIMEDELTA", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchlib import service_config
from telegram import Update

from bot.app import App, build_application, running
from bot.config import load_settings
from bot.core.clock import ManualClock
from bot.core.i18n import Catalog
from bot.standin import FakeBotAPI

FLOOD = 600
SEND_RATE = 30
LATENCY = 0.05
ALEX, BLAIR, CASEY = 100_001, 100_002, 100_003
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning: no check-in is due
HEAD_START = 1.0  # seconds of flood before /helpnow
CARD = "If you need help now"
SETTLE_TIMEOUT = 30.0
REPLY_TIMEOUT = 60.0
FLOOD_TIMEOUT = 120.0


@dataclass(frozen=True)
class Sent:
    """A sendMessage as the stand-in recorded it."""

    at: float
    text: str


class TimedBotAPI(FakeBotAPI):
    """FakeBotAPI that timestamps every successful sendMessage per chat."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sent: dict[int, list[Sent]] = defaultdict(list)
        self._changed = asyncio.Event()

    def answered(self, method: str, params: dict[str, Any], status: int) -> None:
        """Note when a sendMessage was recorded (the stand-in calls this per answer)."""
        if status != 200 or method != "sendMessage":
            return
        chat_id = int(str(params["chat_id"]))
        self.sent[chat_id].append(Sent(time.perf_counter(), str(params.get("text"))))
        self._changed.set()

    def forget(self) -> None:
        """Forget what was recorded so far."""
        self.sent.clear()

    async def until(self, check: Callable[[], bool], timeout: float) -> bool:  # noqa: ASYNC109
        """Wait until ``check()`` holds after a recorded message; whether it did in time."""
        try:
            async with asyncio.timeout(timeout):
                while not check():
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            return False
        return True

    def first(self, chat_id: int, contains: str) -> Sent | None:
        """The first message recorded to ``chat_id`` whose text contains ``contains``."""
        return next((s for s in self.sent.get(chat_id, []) if contains in s.text), None)


@dataclass
class RunResult:
    """What one run measured."""

    helpnow_ms: float | None
    other_ms: float | None
    answered_before_card: int | None
    flood_seconds: float | None
    flood_answered: int
    problems: list[str]


def put(app: App, updates: list[dict[str, Any]]) -> None:
    """Put updates on the queue as PTB's Updater does after one getUpdates."""
    for data in updates:
        app.update_queue.put_nowait(Update.de_json(data, app.bot))


async def run_once(tmp: Path, catalog: Catalog) -> RunResult:
    """One flood with a /helpnow and an ordinary note behind it, on a fresh application."""
    settings = load_settings(
        {
            "BOT_DATA_DIR": str(tmp / "data"),
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
    problems: list[str] = []
    async with running(app):
        assert app.job_queue is not None
        for job in app.job_queue.get_jobs_by_name("between-tick"):
            job.schedule_removal()

        # Registration (not measured): /start sends the welcome, the privacy note and the menu.
        people = {ALEX: "Alex", BLAIR: "Blair", CASEY: "Casey"}
        for user_id, name in people.items():
            api.add_user(user_id, first_name=name)
        put(app, [api.text(user_id, "/start") for user_id in people])
        if not await api.until(lambda: all(len(api.sent[u]) >= 3 for u in people), SETTLE_TIMEOUT):
            problems.append("registration replies did not all arrive")
        await asyncio.wait_for(app.update_queue.join(), SETTLE_TIMEOUT)
        await asyncio.sleep(0.5)
        api.forget()
        api.reset_calls()

        def alex_answered() -> int:
            return sum(1 for s in api.sent.get(ALEX, []) if s.text == saved)

        # The flood: Alex's 600 notes all at once.
        flood = [api.text(ALEX, f"note {i}") for i in range(FLOOD)]
        flood_start = time.perf_counter()
        put(app, flood)
        await asyncio.sleep(HEAD_START - (time.perf_counter() - flood_start))

        # Blair's /helpnow and Casey's ordinary note, at the same moment.
        behind = [api.text(BLAIR, "/helpnow"), api.text(CASEY, "hello")]
        t0 = time.perf_counter()
        put(app, behind)
        arrived = await api.until(
            lambda: api.first(BLAIR, CARD) is not None and api.first(CASEY, saved) is not None,
            REPLY_TIMEOUT,
        )
        card, other = api.first(BLAIR, CARD), api.first(CASEY, saved)
        if not arrived:
            problems.append(
                f"after {REPLY_TIMEOUT:.0f} s: card {'yes' if card else 'no'}, "
                f"Casey's reply {'yes' if other else 'no'}"
            )
        answered_before = (
            sum(1 for s in api.sent.get(ALEX, []) if s.text == saved and s.at < card.at)
            if card is not None
            else None
        )

        done = await api.until(lambda: alex_answered() >= FLOOD, FLOOD_TIMEOUT)
        flood_answered = alex_answered()
        flood_seconds = None
        if done:
            last = [s for s in api.sent[ALEX] if s.text == saved][FLOOD - 1]
            flood_seconds = last.at - flood_start
        else:
            problems.append(f"only {flood_answered} of {FLOOD} of Alex's notes answered")
        others = [s.text for s in api.sent.get(ALEX, []) if s.text != saved]
        if others:
            problems.append(f"Alex got {len(others)} other messages, first {others[0][:60]!r}")
        await asyncio.wait_for(app.update_queue.join(), SETTLE_TIMEOUT)
    return RunResult(
        helpnow_ms=(card.at - t0) * 1000 if card else None,
        other_ms=(other.at - t0) * 1000 if other else None,
        answered_before_card=answered_before,
        flood_seconds=flood_seconds,
        flood_answered=flood_answered,
        problems=problems,
    )


def describe(index: int, result: RunResult) -> str:
    """One human line for a run."""

    def ms(value: float | None) -> str:
        return "never" if value is None else f"{value:.0f} ms"

    flood = (
        f"all {FLOOD} answered after {result.flood_seconds:.1f} s "
        f"({FLOOD / result.flood_seconds:.1f}/s)"
        if result.flood_seconds is not None
        else f"only {result.flood_answered} of {FLOOD} answered after {FLOOD_TIMEOUT:.0f} s"
    )
    before = "-" if result.answered_before_card is None else str(result.answered_before_card)
    return (
        f"run {index}: Blair's crisis card after {ms(result.helpnow_ms)}, "
        f"Casey's reply after {ms(result.other_ms)}; "
        f"{before} of Alex's {FLOOD} answered before the card; {flood}"
    )


def median_or_none(values: list[float | None]) -> float | None:
    """The median of the values measured, None when a run missed one."""
    if any(v is None for v in values):
        return None
    return statistics.median([v for v in values if v is not None])


def figure(value: float | None, fmt: str = "{:.0f}") -> str:
    """A value for the last line ("none" when not measured in every run)."""
    return "none" if value is None else fmt.format(value)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3, help="how many floods (default 3)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)
    catalog = Catalog.load().with_region("en_GB")

    print(
        f"Alex floods {FLOOD} notes at once; after {HEAD_START:.1f} s Blair sends /helpnow and "
        f"Casey a note. send_rate = {SEND_RATE}/s (temporary BOT_CONFIG), FakeBotAPI latency "
        f"{LATENCY * 1000:.0f} ms, no rate limit in the stand-in."
    )
    results: list[RunResult] = []
    for index in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="between-fairness-") as name:
            result = await run_once(Path(name), catalog)
        results.append(result)
        print(describe(index, result), flush=True)
        for problem in result.problems:
            print(f"  problem: {problem}", flush=True)

    helpnow = [r.helpnow_ms for r in results]
    helpnow_max = (
        None if any(v is None for v in helpnow) else max(v for v in helpnow if v is not None)
    )
    print("Target: Blair's crisis card within 2000 ms while the flood lasts.")
    print(
        f"flood={FLOOD} send_rate={SEND_RATE} "
        f"helpnow_wait_ms={figure(median_or_none(helpnow))} "
        f"helpnow_wait_max_ms={figure(helpnow_max)} "
        f"other_reply_wait_ms={figure(median_or_none([r.other_ms for r in results]))} "
        f"flood_answered_before_card="
        f"{figure(median_or_none([r.answered_before_card for r in results]))} "
        f"flood_seconds={figure(median_or_none([r.flood_seconds for r in results]), '{:.1f}')}"
    )


if __name__ == "__main__":
    asyncio.run(main())

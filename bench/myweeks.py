"""/myweeks benchmark: one client's picture while 1,000 other clients write at the same moment.

What is measured
    Alex, a client with twelve weeks of history (check-ins most days at every energy, some let
    pass, notes, a meeting; written with the store's own methods), asks for a picture; at the
    same moment 1,000 other registered clients each send one text note. Alex's update is put on
    ``app.update_queue`` first, the 1,000 right after it, all at once. We report how long Alex's
    picture took to arrive (from putting the update on the queue until the stand-in recorded the
    ``sendPhoto``) and the others' p50 and p99 (nearest rank) until their "Saved. Only you can
    see this." was recorded, in milliseconds.

    After registration and one burst of notes alone (a warm-up), the first picture this process
    draws (``/myweeks 12``, matplotlib loaded meanwhile: ``picture_first_ms``); then ``--rounds``
    rounds (3) of three bursts each: the notes alone (``alone_p99_ms``), with ``/myweeks`` (4
    weeks: ``picture4_ms``, ``others4_p99_ms``) and with ``/myweeks 12`` (``picture_ms``,
    ``others_p99_ms``); the last line gives the medians over the rounds. The picture is drawn in a
    worker thread (``asyncio.to_thread``); the others' figures show what it still costs them.

Between
    The real application (``build_application`` + ``running``) on a temporary SQLite file,
    talking to ``FakeBotAPI(latency=0.05)``: every request takes 50 ms, and the stand-in enforces
    no rate limit. Between's own rate limiter stays on at ``send_rate = 1000`` through a temporary
    copy of ``bot/service.example.toml`` (``BOT_CONFIG``), as in ``bench/burst.py``. The clients
    are registered with /start first, not measured. The clock is a ``ManualClock`` on Monday
    2 March 2026, 09:00 UTC, and the JobQueue's tick is removed: no scheduled check-in is sent.

Run from the repository root: ``.venv/bin/python bench/myweeks.py [--rounds 3]``. The last line
is ``picture_ms=<int> picture4_ms=<int> picture_first_ms=<int> others_p99_ms=<int>
others4_p99_ms=<int> alone_p99_ms=<int>``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("PTB_TIMEDELTA", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchlib import service_config
from telegram import Update

from bot.app import build_application, running
from bot.config import load_settings
from bot.core.clock import ManualClock
from bot.core.i18n import Catalog
from bot.standin import FakeBotAPI
from bot.storage.store import SqliteStore

CLIENTS = 1_000
LATENCY = 0.05
SEND_RATE = 1000
FIRST_ID = 100_000
ALEX = 42
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning: no check-in is due
TIMEOUT = 60.0


class TimedBotAPI(FakeBotAPI):
    """FakeBotAPI that timestamps every successful sendMessage and sendPhoto per chat."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.replies: dict[int, list[tuple[float, str]]] = defaultdict(list)
        self.photo_bytes = 0
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
        try:
            await asyncio.wait_for(self._done.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(
                f"only {self._recorded} of {self._expected} replies after {timeout:.0f} s"
            ) from None

    def answered(self, method: str, params: dict[str, Any], status: int) -> None:
        if status != 200 or method not in ("sendMessage", "sendPhoto"):
            return
        chat_id = int(str(params["chat_id"]))
        self.replies[chat_id].append((time.perf_counter(), method))
        if method == "sendPhoto":
            self.photo_bytes = len(self.last(chat_id).photo or b"")
        self._recorded += 1
        if self._recorded >= self._expected:
            self._done.set()


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..1)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


async def twelve_weeks(store: SqliteStore, user_id: int) -> None:
    """A made-up twelve weeks: check-ins most days at every energy, some let pass, notes."""
    first = START - timedelta(weeks=11)
    for day in range(7 * 11):
        moment = first + timedelta(days=day, hours=9)
        for index, level in enumerate(("least", "middle", "most")[: 1 + day % 3]):
            record = await store.start_checkin(user_id, "checkin", moment + timedelta(hours=index))
            if (day + index) % 5 == 4:  # let pass: a check-in the bot sent, never answered
                local = (moment + timedelta(hours=index)).date().isoformat()
                due = moment + timedelta(hours=index)
                await store.plan_send(user_id, "checkin", f"b{index}", local, due, due)
                (send,) = [s for s in await store.sends(user_id) if s.slot == f"b{index}"
                           and s.local_date == local]  # fmt: skip
                await store.finish_send(send.id, "closed", due, checkin_id=record.id)
                await store.finish_checkin(record.id, "closed", due)
                continue
            await store.set_capacity(record.id, level, first=True)
            await store.finish_checkin(record.id, "done", moment + timedelta(hours=index))
        for note in range(day % 4):
            await store.add_note(user_id, f"note {note}", moment + timedelta(hours=5))
    await store.set_next_meeting(user_id, "2026-03-05")


async def burst(app: Any, api: TimedBotAPI, updates: list[dict[str, Any]], replies: int) -> float:
    """Put all updates on the queue at once; the start time, once every reply arrived."""
    objects = [Update.de_json(data, app.bot) for data in updates]
    api.expect(replies)
    t0 = time.perf_counter()
    for update in objects:
        app.update_queue.put_nowait(update)
    await api.all_replied(TIMEOUT)
    await asyncio.wait_for(app.update_queue.join(), 10)
    return t0


def others_ms(api: TimedBotAPI, t0: float, clients: list[int]) -> list[float]:
    return [(api.replies[chat_id][0][0] - t0) * 1000 for chat_id in clients]


def picture_ms(api: TimedBotAPI, t0: float) -> float:
    (photo,) = [at for at, method in api.replies[ALEX] if method == "sendPhoto"]
    return (photo - t0) * 1000


async def run(tmp: Path, rounds: int) -> dict[str, list[float]]:
    """Register everyone, then the bursts; every figure of every burst, by name."""
    catalog = Catalog.load()
    settings = load_settings(
        {
            "BOT_DATA_DIR": str(tmp / "between"),
            "BOT_KEY_FILE": str(tmp / "keys" / "between.key"),
            "BOT_CONFIG": str(service_config(tmp, SEND_RATE)),
        },
        catalog=catalog,
    )
    api = TimedBotAPI(latency=LATENCY)
    app = build_application(
        settings, catalog, clock=ManualClock(START), request=api, polling=False
    )
    clients = [FIRST_ID + i for i in range(CLIENTS)]
    figures: dict[str, list[float]] = defaultdict(list)

    async def measure(name: str, command: str | None) -> None:
        notes = [api.text(u, f"a note from {u}") for u in clients]
        updates = [api.text(ALEX, command), *notes] if command else notes
        t0 = await burst(app, api, updates, len(updates))
        others = others_ms(api, t0, clients)
        figures[f"{name}_p50"].append(percentile(others, 0.5))
        figures[f"{name}_p99"].append(percentile(others, 0.99))
        if command:
            figures[f"{name}_picture"].append(picture_ms(api, t0))

    async with running(app):
        assert app.job_queue is not None
        for job in app.job_queue.get_jobs_by_name("between-tick"):
            job.schedule_removal()
        for user_id in [ALEX, *clients]:
            api.add_user(user_id, first_name=f"C{user_id}")
        # Registration: the welcome, the privacy note and the schedule question (3 messages).
        await burst(app, api, [api.text(u, "/start") for u in [ALEX, *clients]], 3 * 1001)
        await twelve_weeks(app.bot_data.services.db, ALEX)
        await measure("warm_up", None)
        assert "matplotlib" not in sys.modules, "matplotlib was loaded before the first picture"
        await measure("first", "/myweeks 12")
        for _ in range(rounds):
            await measure("alone", None)
            await measure("four", "/myweeks")
            await measure("twelve", "/myweeks 12")
        figures["picture_kb"].append(api.photo_bytes / 1024)
    return figures


def median(values: list[float]) -> float:
    return statistics.median(values)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="between-myweeks-") as name:
        f = await run(Path(name), rounds)
    m = {name: median(values) for name, values in f.items()}
    print(
        f"{CLIENTS} clients write one note each, all put on app.update_queue at once, Alex's "
        f"/myweeks first; FakeBotAPI latency {LATENCY * 1000:.0f} ms, no rate limit in the "
        f"stand-in; Between's send_rate = {SEND_RATE}/s. Medians of {rounds} rounds."
    )
    print(
        f"First picture (12 weeks; matplotlib loaded meanwhile): {m['first_picture']:.0f} ms; "
        f"others p50 {m['first_p50']:.0f} ms, p99 {m['first_p99']:.0f} ms."
    )
    for name, what in (("alone", "no picture"), ("four", "/myweeks"), ("twelve", "/myweeks 12")):
        picture = f"picture {m[name + '_picture']:.0f} ms; " if name != "alone" else ""
        rows = ", ".join(f"{v:.0f}" for v in f[f"{name}_p99"])
        print(
            f"{what}: {picture}others p50 {m[name + '_p50']:.0f} ms, "
            f"p99 {m[name + '_p99']:.0f} ms (each round: {rows})"
        )
    print(f"The twelve-week picture is {m['picture_kb']:.0f} KB, 1200 x 1135 pixels.")
    print(
        f"picture_ms={round(m['twelve_picture'])} picture4_ms={round(m['four_picture'])} "
        f"picture_first_ms={round(m['first_picture'])} "
        f"others_p99_ms={round(m['twelve_p99'])} others4_p99_ms={round(m['four_p99'])} "
        f"alone_p99_ms={round(m['alone_p99'])}"
    )


if __name__ == "__main__":
    asyncio.run(main())

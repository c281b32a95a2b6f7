"""Fan-out benchmark: N clients are all due at the same minute, and 100 people press buttons.

What is measured
    ``N`` clients (``--clients``, default 3,000) agreed to a daily check-in at 10:00 UTC. The
    stand-in enforces ``R`` messages a second (``--limit``, default 300), as Telegram does, and
    the bot's own global rate (``[telegram] send_rate``) is set to the same ``R`` by a temporary
    copy of ``bot/service.example.toml`` passed as ``BOT_CONFIG``. One ``Scheduler.tick()`` at
    10:00 claims and sends every due check-in (the dispatcher drains all due rows). We report how
    many clients got their check-in (``sent``), how many got none (``lost``), how many got more
    than one or have more than one row for the day (``duplicated``), the fan-out time
    (``seconds``: from the start of the tick until the stand-in recorded the last check-in), the
    delivery ``rate`` (sent / seconds) and ``efficiency`` (rate / limit, in percent, rounded down).

    While the fan-out runs, 100 other clients, whose check-in arrived in an earlier tick at 09:55,
    press "Some" on it, in four waves of 25 at 10 %, 30 %, 50 % and 70 % of the ideal fan-out time
    ``N / R``. Each press is put on ``app.update_queue`` (the application is running, so updates
    are processed concurrently with the tick, as in production). A press's reply time is from
    putting it on the queue until the stand-in recorded the bot's next question (the
    ``sendMessage`` after the edit that settles the capacity question), timestamped with
    ``time.perf_counter()`` in ``TimedBotAPI.answered`` below (the stand-in's hook, called once
    a request has its answer). ``reply_p99_ms`` is the 99th percentile (nearest rank) over the
    100 presses; the edit's own timing is printed as a human line.

    Those replies go through the same limit, so ``efficiency`` (check-ins only) cannot reach
    100. ``total_efficiency`` counts every message the stand-in accepted over the fan-out: the
    check-ins and the replies (edits and next questions) to the presses, against ``seconds *
    limit``, in percent, rounded down.

Conditions
    The real application (``build_application`` + ``running``) on a temporary SQLite file, talking
    to ``FakeBotAPI(rate_limit=R, random_429=0.002, seed=7, latency=0.02)``: every request takes
    20 ms, more than ``R`` message requests in any sliding second get 429 ``retry after 1``, and
    0.2 % of message requests get an extra 429 at random. The clock is a ``ManualClock`` (Monday
    2 March 2026, 09:50 UTC), moved by hand to 09:55 and then to 10:00. Clients are created
    through the store (``add_client``, ``set_schedule``, ``planner.plan_next``) rather than
    through 3,100 /start conversations; the stand-in learns them with ``add_user``. The JobQueue's
    own periodic tick is disabled for the run so that exactly one tick drains the fan-out, as in
    production, where the tick job never overlaps itself (``max_instances=1``).

The threads are kept on one CPU core, as ``between run`` does by default (``[process] one_core``,
``bot/host.py``); ``--any-core`` lets the system place them, as ``one_core = false`` does.

Run from the repository root:
``.venv/bin/python bench/fanout.py [--clients N] [--limit R] [--runs K] [--any-core]``. The last
line is ``clients=<N> sent=<int> lost=<int> duplicated=<int> seconds=<.1f> rate=<.1f> limit=<R>
efficiency=<int> reply_p99_ms=<int> total_efficiency=<int>``. With ``--runs K`` (K > 1) the
fan-out is measured K times, each in a fresh application and database, one line per run, and the
last line is ``runs=<K> clients=<N> limit=<R> lost=<sum> duplicated=<sum>
efficiency=<min>/<median>/<max> total_efficiency=<min>/<median>/<max>
reply_p99_ms=<min>/<median>/<max> cpu_s=<min>/<median>/<max>
db_calls_per_checkin=<min>/<median>/<max>``: the process's CPU seconds during the fan-out tick
and the database calls (trips to aiosqlite's worker thread) per check-in, which depend much less
on what else the machine is doing than efficiency does (see bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

os.environ.setdefault("PTB_TIMEDELTA", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchlib import service_config
from telegram import Update

from bot.app import App, build_application, running
from bot.config import load_settings
from bot.core.clock import ManualClock
from bot.core.i18n import Catalog
from bot.core.planning import REGULAR
from bot.host import keep_to_one_core
from bot.standin import MESSAGE_METHODS, FakeBotAPI
from bot.tg.context import Services

CLIENTS = 3_000
LIMIT = 300
PRESSERS = 100
WAVES = (0.1, 0.3, 0.5, 0.7)  # press waves, as fractions of the ideal fan-out time N / R
LATENCY = 0.02
RANDOM_429 = 0.002
SEED = 7
FIRST_ID = 100_000
PRESSER_FIRST_ID = 900_000
DAY = date(2026, 3, 2)  # a Monday
START = datetime(2026, 3, 2, 9, 50, tzinfo=UTC)
PRESSERS_AT = "09:55"
CLIENTS_AT = "10:00"
EVERY_DAY = "mon,tue,wed,thu,fri,sat,sun"
CONTACT_HOURS = "09:00-21:00"
REPLY_TIMEOUT = 30.0


@dataclass(frozen=True)
class Event:
    """A message request the stand-in answered with 200."""

    at: float
    method: str
    text: str


@dataclass
class Press:
    """One button press and when its answers arrived (``perf_counter`` seconds)."""

    user_id: int
    wave: int
    at: float
    edited: float | None = None
    replied: float | None = None
    reply_text: str = ""


class CountingRandom(random.Random):
    """The stand-in's random source (it draws only the random 429s), counting the draws below
    ``below``: the random 429s it gave."""

    def __init__(self, seed: int, below: float) -> None:
        super().__init__(seed)
        self.below = below
        self.hits = 0

    def random(self) -> float:
        value = super().random()
        if value < self.below:
            self.hits += 1
        return value


class TimedBotAPI(FakeBotAPI):
    """FakeBotAPI that timestamps every successful message request per chat and counts 429s."""

    def __init__(self, *, seed: int, random_429: float, **kwargs: Any) -> None:
        super().__init__(seed=seed, random_429=random_429, **kwargs)
        self.rng = self.draws = CountingRandom(seed, random_429)
        self.events: dict[int, list[Event]] = defaultdict(list)
        self.too_many = 0
        self.presses: dict[int, Press] = {}
        self._all_replied = asyncio.Event()

    def pressed(self, press: Press) -> None:
        """Watch for the answers to this press."""
        self.presses[press.user_id] = press
        self._all_replied.clear()

    async def all_replied(self, timeout: float) -> bool:  # noqa: ASYNC109 - a plain deadline
        """Wait until every press has its reply; False if some are missing after ``timeout``."""
        if all(p.replied is not None for p in self.presses.values()):
            return True
        try:
            await asyncio.wait_for(self._all_replied.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def answered(self, method: str, params: dict[str, Any], status: int) -> None:
        """Note when a message request was recorded (the stand-in calls this per answer)."""
        if method not in MESSAGE_METHODS:
            return
        if status == 429:
            self.too_many += 1
            return
        if status != 200:
            return
        now = time.perf_counter()
        chat_id = int(str(params["chat_id"]))
        text = str(params.get("text", ""))
        self.events[chat_id].append(Event(now, method, text))
        press = self.presses.get(chat_id)
        if press is not None and now >= press.at:
            if method == "editMessageText" and press.edited is None:
                press.edited = now
            elif method == "sendMessage" and press.replied is None:
                press.replied = now
                press.reply_text = text
                if all(p.replied is not None for p in self.presses.values()):
                    self._all_replied.set()


class DatabaseCalls:
    """Counts the calls handed to aiosqlite's worker thread (one thread hop there and back
    each), by wrapping ``aiosqlite.Connection._execute`` for the whole benchmark process."""

    def __init__(self) -> None:
        self.count = 0
        original = aiosqlite.Connection._execute

        async def counted(conn: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return await original(conn, fn, *args, **kwargs)

        aiosqlite.Connection._execute = counted  # type: ignore[method-assign]


DB_CALLS = DatabaseCalls()


def machine_seconds() -> tuple[float, float]:
    """CPU time used on the machine so far, all cores (from ``/proc/stat``): by all processes,
    and stolen by the hypervisor (a virtual machine's cores serving others); NaN without
    ``/proc/stat``."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            user, nice, system, _idle, _iowait, irq, softirq, steal = (
                int(v) for v in stat.readline().split()[1:9]
            )
    except (OSError, ValueError):
        return math.nan, math.nan
    tick = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq) / tick, steal / tick


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..1)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


async def add_clients(
    services: Services, api: FakeBotAPI, user_ids: list[int], at: str, now: datetime
) -> None:
    """Clients who agreed to a daily check-in at ``at`` UTC, each with one planned send."""
    store = services.db
    for user_id in user_ids:
        api.add_user(user_id, first_name=f"C{user_id}")
        await store.add_client(user_id, user_id, f"C{user_id}", "en", now)
        await store.set_schedule(
            user_id,
            agreed_on=DAY.isoformat(),
            days=EVERY_DAY,
            time=at,
            timezone="UTC",
            contact_hours=CONTACT_HOURS,
        )
        if not await services.planner.plan_next(user_id, now):
            raise RuntimeError(f"no check-in planned for client {user_id}")


def checkins_of(api: TimedBotAPI, chat_id: int, question: str) -> list[Event]:
    """The check-ins (capacity questions) the stand-in recorded for a chat."""
    return [e for e in api.events[chat_id] if e.method == "sendMessage" and question in e.text]


async def press_waves(
    app: App, api: TimedBotAPI, pressers: list[int], label: str, t0: float, ideal: float
) -> None:
    """Press ``label`` on each presser's check-in, in waves spread over the fan-out."""
    size = math.ceil(len(pressers) / len(WAVES))
    for wave, fraction in enumerate(WAVES):
        delay = t0 + fraction * ideal - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        for user_id in pressers[wave * size : (wave + 1) * size]:
            update = Update.de_json(api.click(user_id, label), app.bot)
            api.pressed(Press(user_id, wave, time.perf_counter()))
            app.update_queue.put_nowait(update)


@dataclass
class Outcome:
    """What one run measured."""

    clients: int
    limit: int
    sent: int = 0
    lost: int = 0
    duplicated: int = 0
    seconds: float = 0.0
    replies: list[float] = field(default_factory=list)
    edits: list[float] = field(default_factory=list)
    during: int = 0
    reply_messages: int = 0
    per_second: list[int] = field(default_factory=list)
    too_many: int = 0
    over_limit: int = 0
    tick: Counter[str] = field(default_factory=Counter)
    setup_seconds: float = 0.0
    cpu_seconds: float = 0.0
    others_cpu_seconds: float = 0.0
    steal_seconds: float = 0.0
    db_calls: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Check-ins delivered per second over the fan-out."""
        return self.sent / self.seconds if self.seconds > 0 else 0.0

    @property
    def efficiency(self) -> int:
        """Rate as a percentage of the limit, rounded down."""
        return math.floor(100 * self.rate / self.limit)

    @property
    def total_efficiency(self) -> int:
        """Every message sent over the fan-out (check-ins and the replies to the presses) as a
        percentage of what the limit allows over the same time, rounded down."""
        if self.seconds <= 0:
            return 0
        return math.floor(100 * (self.sent + self.reply_messages) / (self.seconds * self.limit))

    @property
    def db_calls_per_checkin(self) -> float:
        """Database calls (thread hops) during the fan-out per check-in sent."""
        return self.db_calls / self.sent if self.sent else 0.0

    @property
    def reply_p99_ms(self) -> int:
        """99th percentile (nearest rank) of the presses' reply times, in milliseconds."""
        return round(percentile(self.replies, 0.99)) if self.replies else 0

    def last_line(self) -> str:
        """The fixed ``key=value`` summary of one run."""
        return (
            f"clients={self.clients} sent={self.sent} lost={self.lost} "
            f"duplicated={self.duplicated} seconds={self.seconds:.1f} rate={self.rate:.1f} "
            f"limit={self.limit} efficiency={self.efficiency} reply_p99_ms={self.reply_p99_ms} "
            f"total_efficiency={self.total_efficiency}"
        )


async def run(tmp: Path, clients: int, limit: int) -> Outcome:
    """Set everyone up, send the 09:55 check-ins, then measure the 10:00 fan-out."""
    catalog = Catalog.load()
    settings = load_settings(
        {
            "BOT_DATA_DIR": str(tmp / "between"),
            "BOT_KEY_FILE": str(tmp / "keys" / "between.key"),
            "BOT_CONFIG": str(service_config(tmp, limit)),
        },
        catalog=catalog,
    )
    assert settings.service.telegram.send_rate == limit
    question = catalog.get("en", "checkin.capacity_question")
    some = catalog.get("en", "checkin.capacity_middle")
    clock = ManualClock(START)
    api = TimedBotAPI(latency=LATENCY, rate_limit=limit, random_429=RANDOM_429, seed=SEED)
    app = build_application(settings, catalog, clock=clock, request=api, polling=False)
    everyone = [FIRST_ID + i for i in range(clients)]
    pressers = [PRESSER_FIRST_ID + i for i in range(PRESSERS)]
    result = Outcome(clients, limit)
    async with running(app):
        services: Services = app.bot_data.services
        scheduler = services.scheduler
        assert scheduler is not None and app.job_queue is not None
        for job in app.job_queue.get_jobs_by_name("between-tick"):
            job.enabled = False  # exactly one tick drains the fan-out, as in production

        started = time.perf_counter()
        await add_clients(services, api, pressers, PRESSERS_AT, clock.now())
        await add_clients(services, api, everyone, CLIENTS_AT, clock.now())
        result.setup_seconds = time.perf_counter() - started

        # 09:55: the pressers get their check-in first.
        clock.advance(timedelta(minutes=5))
        early = await scheduler.tick()
        missing = [u for u in pressers if len(checkins_of(api, u, question)) != 1]
        if early["sent"] != PRESSERS or missing:
            raise RuntimeError(f"09:55 tick: {dict(early)}; {len(missing)} pressers without one")

        # 10:00: the fan-out, with presses in waves while it runs.
        clock.advance(timedelta(minutes=5))
        api.too_many = api.draws.hits = 0
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        busy0, steal0 = machine_seconds()
        calls0 = DB_CALLS.count
        fanout = asyncio.create_task(scheduler.tick(), name="fan-out")
        await press_waves(app, api, pressers, some, t0, clients / limit)
        result.tick = await fanout
        tick_done = time.perf_counter()
        result.cpu_seconds = time.process_time() - cpu0
        busy1, steal1 = machine_seconds()
        result.others_cpu_seconds = max(0.0, busy1 - busy0 - result.cpu_seconds)
        result.steal_seconds = steal1 - steal0
        result.db_calls = DB_CALLS.count - calls0
        if not await api.all_replied(REPLY_TIMEOUT):
            result.problems.append(f"some presses got no reply within {REPLY_TIMEOUT:.0f} s")
        await asyncio.wait_for(app.update_queue.join(), 10)
        result.too_many = api.too_many
        result.over_limit = api.too_many - api.draws.hits  # the others were random

        # Count, from the rows and from what the stand-in received.
        statuses: dict[int, list[str]] = {}
        for user_id in everyone:
            statuses[user_id] = [
                send.status
                for send in await services.db.sends(user_id)
                if send.local_date == DAY.isoformat() and send.slot == REGULAR
            ]
        delivered: list[float] = []
        for user_id in everyone:
            got = checkins_of(api, user_id, question)
            status = statuses.get(user_id, [])
            delivered.extend(e.at for e in got)
            if len(got) > 1 or len(status) > 1:
                result.duplicated += 1
            if not got:
                result.lost += 1
            elif status == ["sent"] or (len(status) > 1 and "sent" in status):
                result.sent += 1
            else:
                result.problems.append(f"client {user_id}: check-in arrived, rows {status}")
        if delivered:
            last = max(delivered)
            result.seconds = last - t0
            buckets = Counter(int(at - t0) for at in delivered)
            result.per_second = [buckets[s] for s in range(int(last - t0) + 1)]
        late = tick_done - t0 - result.seconds
        if late > 1:
            result.problems.append(f"the tick returned {late:.1f} s after the last check-in")

        # The presses: each settled its question and got the next one.
        for press in api.presses.values():
            if press.at - t0 < result.seconds:
                result.during += 1
            if press.replied is None or question in press.reply_text:
                result.problems.append(f"presser {press.user_id}: no next question")
                result.replies.append(REPLY_TIMEOUT * 1000)
            else:
                result.replies.append((press.replied - press.at) * 1000)
            if press.edited is not None:
                result.edits.append((press.edited - press.at) * 1000)
            result.reply_messages += sum(
                1 for e in api.events[press.user_id] if press.at <= e.at <= t0 + result.seconds
            )
            record = (await services.db.recent_checkins(press.user_id, 1))[0]
            if record.capacity != "middle":
                result.problems.append(f"presser {press.user_id}: capacity {record.capacity}")
    return result


def summary(values: list[float]) -> str:
    """One human line of latency figures."""
    if not values:
        return "none"
    return (
        f"p50 {percentile(values, 0.5):.0f} ms, p99 {percentile(values, 0.99):.0f} ms, "
        f"max {max(values):.0f} ms"
    )


def report(out: Outcome) -> None:
    """The human lines of one run."""
    ideal = out.clients / out.limit
    print(
        f"{out.clients} clients due at 10:00 UTC; stand-in: {out.limit} messages/s (sliding "
        f"1 s), random 429 p={RANDOM_429}, latency {LATENCY * 1000:.0f} ms; bot send_rate = "
        f"{out.limit}/s (temporary BOT_CONFIG). Setup through the store: "
        f"{out.setup_seconds:.1f} s."
    )
    print(
        f"Fan-out: {out.seconds:.1f} s (ideal {ideal:.1f} s), tick outcomes {dict(out.tick)}, "
        f"429 answers during the fan-out: {out.too_many} ({out.over_limit} for going over "
        f"the limit, the others random)."
    )
    print(
        f"Process CPU during the fan-out tick: {out.cpu_seconds:.1f} s (other processes on "
        f"the machine: {out.others_cpu_seconds:.1f} s, stolen by the hypervisor: "
        f"{out.steal_seconds:.1f} s); database calls "
        f"(aiosqlite thread hops): {out.db_calls}, {out.db_calls_per_checkin:.1f} per check-in."
    )
    print(f"Check-ins delivered per second: {' '.join(str(n) for n in out.per_second)}")
    print(
        f"{len(out.replies)} presses of 'Some' in {len(WAVES)} waves "
        f"({out.during} while check-ins were still going out): "
        f"next question {summary(out.replies)}; settling edit {summary(out.edits)}."
    )
    ceiling = 100 * out.clients / (out.clients + out.reply_messages)
    print(
        f"{out.reply_messages} reply messages (edits and next questions) went out during the "
        f"fan-out through the same limit, so efficiency (check-ins only) can reach at most "
        f"{ceiling:.0f}; total_efficiency counts them too."
    )
    for problem in out.problems[:5]:
        print(f"  problem: {problem}")
    if len(out.problems) > 5:
        print(f"  ... and {len(out.problems) - 5} more problems")


def spread(values: list[int]) -> str:
    """``min/median/max``; the median of an even count is the mean of the middle two."""
    median = statistics.median(values)
    return f"{min(values)}/{median:g}/{max(values)}"


def fspread(values: list[float]) -> str:
    """``min/median/max`` of measured seconds or ratios, one decimal."""
    return f"{min(values):.1f}/{statistics.median(values):.1f}/{max(values):.1f}"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=CLIENTS, help="clients due at 10:00")
    parser.add_argument("--limit", type=int, default=LIMIT, help="messages a second")
    parser.add_argument(
        "--runs", type=int, default=1, help="measure the fan-out this many times (default 1)"
    )
    parser.add_argument(
        "--any-core",
        action="store_true",
        help="let the system place the threads ([process] one_core = false)",
    )
    args = parser.parse_args()
    if not args.any_core:  # as between run does by default; before any thread starts
        core = keep_to_one_core()
        print(f"Kept on CPU core {core}, as between run does ([process] one_core = true).")
    if args.clients < 1 or not 1 <= args.limit <= 1000:
        parser.error("--clients must be positive and --limit between 1 and 1000")
    if args.runs < 1:
        parser.error("--runs must be positive")
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)
    target = (
        "Target (issue, 3000/300): lost=0, duplicated=0, efficiency >= 90, reply_p99_ms <= 2000."
    )
    if args.runs == 1:
        with tempfile.TemporaryDirectory(prefix="between-fanout-") as name:
            out = await run(Path(name), args.clients, args.limit)
        report(out)
        print(target)
        print(out.last_line())
        return

    outs: list[Outcome] = []
    for number in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="between-fanout-") as name:
            out = await run(Path(name), args.clients, args.limit)
        outs.append(out)
        print(
            f"run {number}/{args.runs}: {out.last_line()} too_many={out.too_many} "
            f"over_limit={out.over_limit} cpu_s={out.cpu_seconds:.1f} "
            f"others_cpu_s={out.others_cpu_seconds:.1f} steal_s={out.steal_seconds:.1f} "
            f"db_calls_per_checkin={out.db_calls_per_checkin:.1f} "
            f"per_second={','.join(map(str, out.per_second))}"
        )
        for problem in out.problems[:3]:
            print(f"  problem: {problem}")
    print(target)
    print(
        f"runs={args.runs} clients={args.clients} limit={args.limit} "
        f"lost={sum(o.lost for o in outs)} duplicated={sum(o.duplicated for o in outs)} "
        f"efficiency={spread([o.efficiency for o in outs])} "
        f"total_efficiency={spread([o.total_efficiency for o in outs])} "
        f"reply_p99_ms={spread([o.reply_p99_ms for o in outs])} "
        f"cpu_s={fspread([o.cpu_seconds for o in outs])} "
        f"db_calls_per_checkin={fspread([o.db_calls_per_checkin for o in outs])}"
    )


if __name__ == "__main__":
    asyncio.run(main())

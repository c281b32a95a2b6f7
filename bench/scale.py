"""Scale benchmark: start-up, memory and an idle tick with 100,000 clients on file.

What is measured
    ``startup_s``: wall time from ``build_application(...)`` until ``running(app)`` has entered,
    which runs ``post_init``: the SQLite store is opened (migrations checked), the Planner is
    built, the command menu is set and ``Scheduler.start()`` = ``planner.rebuild(now)`` runs
    (``reset_in_flight`` plus ``clients_to_plan`` over every client; none needs planning here).

    ``rss_mb``: the resident memory of the benchmark process right after that start-up (VmRSS
    from ``/proc/self/status``; the peak, VmHWM, is printed as a human line). The database is
    seeded by a child process (``bench/scale.py --seed-only PATH N``), so the process that is
    measured has never held the seeding data.

    ``tick_ms``: the median over 20 calls of ``services.scheduler.tick()`` when nothing is due
    (claim due rows through the ``sends_due`` index, close windows through ``sends_open``). The
    first tick also runs the hourly retention purge; it is done once as a warm-up and not timed.
    The same start-up and tick measurement is repeated on databases with N/100 and N/10 clients
    to show that a tick's cost does not grow with the number of clients that are not due.

Between
    The real application (``build_application`` + ``running``) on a temporary ``BOT_DATA_DIR``,
    talking to ``FakeBotAPI()`` (no latency), with a ``ManualClock`` standing still on Monday
    2026-03-02 09:00 UTC. The benchmark disables the JobQueue's own repeating tick job once the
    application runs, so that only the ticks it times run.

Seeding
    N clients (role ``client``, language ``en``) who all agreed to scheduled check-ins
    (``schedule_from`` set) with a mix of schedules: about a third keep the service defaults
    (NULL time zone, days and time), the others chose their own time zone, one or two weekdays
    and a time between 09:00 and 20:45 local. Each has exactly one ``sends`` row
    (``checkin``/``regular``, status ``planned``) computed with the same ``effective`` +
    ``next_checkin`` as ``Planner.plan_next``, so every check-in is due in the coming week and
    none at the measurement moment. Rows are written with ``executemany`` in large transactions
    through the real store (``SqliteStore.open`` runs the real migrations); then, for one client
    of each distinct schedule, ``Planner.plan_next`` is run to check that it plans the very same
    row (no second row, same due time).

Run from the repository root: ``.venv/bin/python bench/scale.py [--clients 100000]``. The last
line is ``clients=<N> startup_s=<float> rss_mb=<int> tick_ms=<float>``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("PTB_TIMEDELTA", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_application, running
from bot.bootstrap import schedule_defaults
from bot.config import Settings, load_settings
from bot.core.clock import ManualClock
from bot.core.i18n import Catalog
from bot.core.model import ClientSchedule
from bot.core.planning import CHECKIN, REGULAR, Planner, ScheduleDefaults, effective
from bot.core.schedule import WEEKDAYS, Occurrence, next_checkin
from bot.standin import FakeBotAPI
from bot.storage.safekeeping import open_data
from bot.storage.store import SqliteStore, iso

CLIENTS = 100_000
TICKS = 20
FIRST_ID = 100_000
BATCH = 50_000
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning: no check-in is due
ZONES: tuple[str | None, ...] = (
    None,  # the service's default (Europe/London)
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Australia/Sydney",
)
DAY_CHOICES: tuple[str | None, ...] = (
    None,  # the service's default (mon,thu)
    *WEEKDAYS,
    "mon,thu",
    "tue,fri",
    "wed,sat",
    "sun,wed",
)
TIMES: tuple[str, ...] = tuple(f"{h:02d}:{m:02d}" for h in range(9, 21) for m in (0, 15, 30, 45))
SEED_TIMEOUT = 600.0
ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).resolve()

Template = tuple[str | None, str | None, str | None]
"""A schedule as stored: (timezone, checkin_days, checkin_time); None means the default."""


def data_settings(data_dir: Path, catalog: Catalog) -> Settings:
    """Settings for a bot whose data lives in ``data_dir`` (the example service file); each
    database has its own key, apart from it (a key without its database stops Between)."""
    key_file = data_dir.parent / f"keys-{data_dir.name}" / "between.key"
    return load_settings(
        {"BOT_DATA_DIR": str(data_dir), "BOT_KEY_FILE": str(key_file)}, catalog=catalog
    )


def pick_template(rng: random.Random) -> Template:
    """A client's stored schedule: a third keep the defaults, the others chose their own."""
    if rng.random() < 1 / 3:
        return (None, None, None)
    return (rng.choice(ZONES), rng.choice(DAY_CHOICES), rng.choice(TIMES))


def occurrence_of(template: Template, agreed_on: str, defaults: ScheduleDefaults) -> Occurrence:
    """The next regular check-in after START, exactly as ``Planner.plan_next`` computes it."""
    zone, days, at = template
    own = ClientSchedule(timezone=zone, days=days, time=at, agreed_on=agreed_on)
    occurrence = next_checkin(effective(own, defaults), START, defaults.window)
    if occurrence is None or occurrence.due_at <= START:
        raise RuntimeError(f"schedule {template} has no check-in after {START}")
    return occurrence


async def seed(data_dir: Path, clients: int) -> None:
    """Write ``clients`` clients, each with their next regular check-in planned."""
    catalog = Catalog.load()
    settings = data_settings(data_dir, catalog)
    defaults = schedule_defaults(settings)
    store = await open_data(settings)
    try:
        rng = random.Random(clients)
        occurrences: dict[Template, Occurrence] = {}
        first_of: dict[Template, int] = {}
        users: list[tuple[object, ...]] = []
        sends: list[tuple[object, ...]] = []
        agreed_on = (START - timedelta(days=30)).date().isoformat()
        for i in range(clients):
            user_id = FIRST_ID + i
            template = pick_template(rng)
            if template not in occurrences:
                occurrences[template] = occurrence_of(template, agreed_on, defaults)
                first_of[template] = user_id
            occurrence = occurrences[template]
            zone, days, at = template
            created = START - timedelta(days=31 + i % 300, minutes=i % 1440)
            name = store.seal(f"Client {i}")  # names are kept sealed, as the bot writes them
            users.append((user_id, user_id, name, iso(created), zone, days, at, agreed_on))
            sends.append(
                (
                    user_id,
                    CHECKIN,
                    REGULAR,
                    occurrence.local_date.isoformat(),
                    iso(occurrence.due_at),
                    iso(occurrence.closes_at),
                )
            )
        for start in range(0, clients, BATCH):
            async with store.db.transaction() as conn:
                await conn.executemany(
                    "INSERT INTO users (id, chat_id, role, name, language, created_at, timezone, "
                    "checkin_days, checkin_time, schedule_from) "
                    "VALUES (?, ?, 'client', ?, 'en', ?, ?, ?, ?, ?)",
                    users[start : start + BATCH],
                )
        for start in range(0, clients, BATCH):
            async with store.db.transaction() as conn:
                await conn.executemany(
                    "INSERT INTO sends (user_id, kind, slot, local_date, due_at, closes_at, "
                    "status) VALUES (?, ?, ?, ?, ?, ?, 'planned')",
                    sends[start : start + BATCH],
                )
        # The rows must be what the Planner itself would plan: re-planning changes nothing.
        planner = Planner(store, defaults)
        for template, user_id in first_of.items():
            await planner.plan_next(user_id, START)
            rows = await store.sends(user_id)
            expected = occurrences[template]
            if len(rows) != 1 or rows[0].due_at != expected.due_at:
                raise RuntimeError(f"seeded send of {user_id} differs from plan_next: {rows}")
        print(f"seeded {clients} clients with {len(occurrences)} distinct schedules", flush=True)
    finally:
        await store.close()


def seed_in_child(data_dir: Path, clients: int) -> float:
    """Seed in a separate Python process (its memory never touches ours); the seconds taken."""
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--seed-only",
            str(data_dir),
            str(clients),
        ],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        timeout=SEED_TIMEOUT,
    )
    return time.perf_counter() - started


def memory_kb(field: str) -> int:
    """A field of ``/proc/self/status`` in kB (VmRSS, VmHWM); ru_maxrss where there is none."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux


@dataclass
class Measurement:
    """One start-up and its ticks, on a database with ``clients`` clients."""

    clients: int
    seed_s: float
    startup_s: float
    rss_kb: int
    hwm_kb: int
    ticks_ms: list[float]
    warmup_ms: float
    planned: int
    sends: int

    @property
    def tick_ms(self) -> float:
        """The median tick."""
        return statistics.median(self.ticks_ms)


async def measure(data_dir: Path, clients: int, seed_s: float, ticks: int) -> Measurement:
    """Start the bot on a seeded ``data_dir``, then time idle ticks."""
    catalog = Catalog.load()
    settings = data_settings(data_dir, catalog)
    clock = ManualClock(START)
    started = time.perf_counter()
    app = build_application(settings, catalog, clock=clock, request=FakeBotAPI(), polling=False)
    async with running(app):
        startup_s = time.perf_counter() - started
        rss_kb, hwm_kb = memory_kb("VmRSS"), memory_kb("VmHWM")
        assert app.job_queue is not None
        for job in app.job_queue.get_jobs_by_name("between-tick"):
            job.enabled = False  # only the ticks timed below run
        services = app.bot_data.services
        scheduler = services.scheduler
        assert scheduler is not None
        store = services.db
        assert isinstance(store, SqliteStore)
        row = await store.db.fetchone(
            "SELECT COUNT(*) AS n, SUM(status = 'planned') AS planned FROM sends"
        )
        assert row is not None
        t0 = time.perf_counter()
        outcomes = await scheduler.tick()  # runs the retention purge once
        warmup_ms = (time.perf_counter() - t0) * 1000
        timings: list[float] = []
        for _ in range(ticks):
            t0 = time.perf_counter()
            outcomes += await scheduler.tick()
            timings.append((time.perf_counter() - t0) * 1000)
        if +outcomes:
            raise RuntimeError(f"a tick did work although nothing is due: {dict(outcomes)}")
    return Measurement(
        clients=clients,
        seed_s=seed_s,
        startup_s=startup_s,
        rss_kb=rss_kb,
        hwm_kb=hwm_kb,
        ticks_ms=timings,
        warmup_ms=warmup_ms,
        planned=row["planned"] or 0,
        sends=row["n"],
    )


async def run(clients: int, ticks: int) -> list[Measurement]:
    """Measure N first (a process that has started nothing yet), then N/100 and N/10."""
    sizes = [clients, *(size for size in (clients // 100, clients // 10) if size > 0)]
    results: list[Measurement] = []
    with tempfile.TemporaryDirectory(prefix="between-scale-") as name:
        tmp = Path(name)
        seeded = {size: seed_in_child(tmp / f"data-{size}", size) for size in sizes}
        for size in sizes:
            results.append(await measure(tmp / f"data-{size}", size, seeded[size], ticks))
    return results


def report(results: list[Measurement]) -> None:
    """Human lines, then the summary line."""
    main = results[0]
    print(
        f"{main.clients} clients, each agreed to check-ins with one regular check-in planned in "
        f"the coming week; clock at {START:%a %Y-%m-%d %H:%M} UTC, nothing due."
    )
    print(f"Seeding (child processes, not measured): {main.seed_s:.1f} s for {main.clients}.")
    print(
        f"Start-up (build_application .. running entered, rebuild included): "
        f"{main.startup_s:.2f} s; sends rows {main.sends}, planned {main.planned} "
        f"(rebuild planned nothing new: {'yes' if main.sends == main.clients else 'NO'})."
    )
    print(
        f"Memory after start-up: VmRSS {main.rss_kb / 1024:.0f} MB, peak (VmHWM) "
        f"{main.hwm_kb / 1024:.0f} MB."
    )
    print(
        f"Idle tick: median {main.tick_ms:.2f} ms over {len(main.ticks_ms)} "
        f"(min {min(main.ticks_ms):.2f}, max {max(main.ticks_ms):.2f}); first tick with "
        f"retention purge {main.warmup_ms:.2f} ms."
    )
    by_size = sorted(results, key=lambda m: m.clients)
    print("tick_ms " + " ".join(f"at {m.clients}: {m.tick_ms:.2f}" for m in by_size))
    print("startup_s " + " ".join(f"at {m.clients}: {m.startup_s:.2f}" for m in by_size))
    print(
        "Targets (issue, 100,000 clients): start-up under 5 s, memory under 300 MB, "
        "a tick's cost independent of the number of clients not due."
    )
    print(
        f"clients={main.clients} startup_s={main.startup_s:.2f} "
        f"rss_mb={round(main.rss_kb / 1024)} tick_ms={main.tick_ms:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=CLIENTS, help="clients on file (N)")
    parser.add_argument("--ticks", type=int, default=TICKS, help="timed ticks per size")
    parser.add_argument(
        "--seed-only",
        nargs=2,
        metavar=("PATH", "N"),
        help="only write a BOT_DATA_DIR with N clients at PATH (used by the benchmark itself)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)
    if args.seed_only:
        path, count = args.seed_only
        asyncio.run(seed(Path(path), int(count)))
        return
    if args.clients < 1 or args.ticks < 1:
        parser.error("--clients and --ticks must be positive")
    report(asyncio.run(run(args.clients, args.ticks)))


if __name__ == "__main__":
    main()

"""Crash benchmark: the bot is killed (kill -9) while 30 people's updates are in flight, 20 times.

What is measured
    ``between run`` (``python -m bot run``) runs as a real process, long-polling a Bot API served
    over HTTP on 127.0.0.1 by this script: the in-process stand-in (``FakeBotAPI(latency=0.3)``:
    every request takes 0.3 s before it reaches "Telegram") behind a small HTTP/1.1 server. As on
    Telegram, ``getUpdates`` returns the updates from ``offset`` on and confirms every update
    before ``offset``; an update not confirmed is returned again to the next ``getUpdates``, also
    after a restart. A request whose connection closes before it reached the stand-in (the bot was
    killed during those 0.3 s) never reaches it: its effect does not happen.

    30 clients are set up once (``/start``, then "That's fine": clients with check-ins agreed).
    Each round, the 10 press clients (every third) first send ``/checkin`` and get the capacity
    question; then all 30 send one update at the same moment: the 20 others a note
    ``n<round>-<client>``, the press clients a press of one of the capacity answers (chosen at
    random). 0.1 to 0.9 s later (random, seeded) the bot gets SIGKILL; ``PRAGMA
    integrity_check`` runs on its database; it is started again, and we wait until every update of
    the round was answered, or until everything was handled and confirmed and stayed so for a
    second (nothing is left that could still answer), or 20 s.

    ``lost``: updates that never got their answer (a note: "Saved. Only you can see this."; a
    press: the first question, "1 of N"). ``duplicates``: effects that happened twice: a note
    stored twice, an answer sent twice for one update, a check-in opened beyond one per
    ``/checkin``, more than one check-in open at once. Notes and check-ins are read back at the end
    with the key (``open_store``). ``integrity``: ``ok`` if every check after a kill said ``ok``.
    Also counted: updates confirmed to the stand-in (an ``offset`` past them) before they were
    kept in the bot's ``inbox`` table, which would break "kept before Telegram hears they arrived".
    Each lost or duplicated update is sorted by what became of it and how far it had come when the
    bot was killed (delivered, kept, handled, its callback query answered, which of its requests
    the kill cut off), with the bot's error lines and the stand-in's error answers.

Conditions
    A temporary ``BOT_DATA_DIR`` and ``BOT_KEY_FILE``; a temporary ``BOT_CONFIG`` copied from
    ``bot/service.example.toml`` with ``send_rate = 1000`` and the check-in day moved three days
    ahead, so that no scheduled check-in falls inside the run. The bot logs at INFO to a file in
    the temporary directory; its errors are counted.

Run from the repository root: ``.venv/bin/python bench/crash.py [--rounds 20] [--seed 13]
[--logs DIR]`` (``--logs``: keep the bot's logs, one file per start). The last line is
``rounds=<int> updates=<int> lost=<int> duplicates=<int> integrity=ok|failed seconds=<float>``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("PTB_TIMEDELTA", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchlib import service_config

from bot.core.i18n import Catalog
from bot.standin import ChatMessage, FakeBotAPI
from bot.standin.http import Body, HTTPFront, decode_form
from bot.standin.wire import as_int
from bot.storage.crypto import KeySource
from bot.storage.safekeeping import open_store

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:" + "A" * 35
CLIENTS = 30
PRESS_EVERY = 3  # every third client presses a capacity answer; the others write a note
FIRST_ID = 700_001
LATENCY = 0.3
SEND_RATE = 1000
ROUNDS = 20
SEED = 13
KILL_AFTER = (0.1, 0.9)
SETTLE_TIMEOUT = 20.0
QUIET = 1.0  # seconds all must stay handled and confirmed before an unanswered update is lost
START_TIMEOUT = 30.0
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FIRST_QUESTION = re.compile(r"(?m)^1 of \d+$")


@dataclass
class Sent:
    """One update a client sent in a round, and what became of it."""

    round: int
    client: int
    kind: str  # "note" or "press"
    update_id: int
    words: str  # the note, or the label pressed
    mark: int  # bot messages in the chat before it
    query_id: str | None = None
    query_answered: bool = False  # its callback query was answered before the kill
    answers: int = 0
    others: list[str] = field(default_factory=list)
    toast: str | None = None
    delivered: bool = False  # returned by getUpdates to the process that was killed
    kept: bool = False  # in the inbox when the bot was killed
    handled: bool = False  # handled (done) when the bot was killed
    cut_off: list[str] = field(default_factory=list)  # its chat's requests the kill cut off
    stored: int = 0  # notes with its words; for a press, 1 if its check-in has the capacity

    @property
    def who(self) -> str:
        """Which update: round, client, update id."""
        return f"round {self.round} client {self.client} update {self.update_id}"

    def shape(self) -> str:
        """What became of it, and how far it had come when the bot was killed."""
        before = [
            "delivered" if self.delivered else "not yet delivered",
            "kept" if self.kept else "not kept",
            "handled" if self.handled else "not handled",
        ]
        if self.query_answered:
            before.append("its query answered")
        if self.cut_off:
            before.append("cut off: " + ", ".join(self.cut_off))
        toast = f", toast {self.toast!r}" if self.toast else ""
        if self.kind == "press":
            stored = "capacity kept" if self.stored else "capacity not kept"
        else:
            stored = f"stored {self.stored}x"
        return (
            f"{self.kind}: answered {self.answers}x, {stored}{toast}; "
            f"at the kill: {', '.join(before)}"
        )


class CrashBotAPI(FakeBotAPI):
    """The stand-in, watched: what ``getUpdates`` delivered and confirmed, what a kill cut off."""

    def __init__(self, database: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.database = database
        self.polls = 0
        self.delivered: dict[int, float] = {}  # update id -> when first returned by getUpdates
        self.confirmed: set[int] = set()
        self.confirmed_unkept: list[int] = []
        self.cut_offs: list[tuple[float, str, int | None]] = []
        self.errors: Counter[str] = Counter()  # error answers, by method and description

    async def serve(self, path: str, body: bytes, content_type: str) -> tuple[int, bytes]:
        """Answer one HTTP request to ``/bot<token>/<method>``."""
        method = path.split("?", 1)[0].rsplit("/", 1)[-1]
        try:
            params = decode_form(body, content_type)
        except ValueError as exc:
            error = {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
            return 400, json.dumps(error).encode()
        if method == "getUpdates":
            self.polls += 1
            self._confirming(as_int(params.get("offset")) or 0)
        try:
            status, payload = await self.do_request(path, "POST", Body(params))  # type: ignore[arg-type]
        except asyncio.CancelledError:
            self.cut_offs.append((time.monotonic(), method, as_int(params.get("chat_id"))))
            raise
        if status != 200:
            self.errors[f"{method} {status} {json.loads(payload).get('description')}"] += 1
        if method == "getUpdates" and status == 200:
            now = time.monotonic()
            for update in json.loads(payload)["result"]:
                self.delivered.setdefault(update["update_id"], now)
        return status, payload

    def _confirming(self, offset: int) -> None:
        """An offset confirms the updates before it: each must be in the inbox already."""
        newly = [u for u in self.delivered if u < offset and u not in self.confirmed]
        if not newly:
            return
        kept = inbox_ids(self.database, newly)
        self.confirmed_unkept.extend(u for u in newly if u not in kept)
        self.confirmed.update(newly)


def inbox_ids(database: Path, ids: list[int]) -> set[int]:
    """Which of ``ids`` the bot's inbox holds (read while the bot runs: WAL lets us)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as conn:
        marks = ",".join("?" * len(ids))
        rows = conn.execute(f"SELECT update_id FROM inbox WHERE update_id IN ({marks})", ids)
        return {int(row[0]) for row in rows}


def inbox_state(database: Path, ids: list[int]) -> tuple[set[int], set[int], int]:
    """Of ``ids``: kept, handled; and how many updates (any) are kept but not handled."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as conn:
        marks = ",".join("?" * len(ids))
        rows = conn.execute(
            f"SELECT update_id, done_at FROM inbox WHERE update_id IN ({marks})", ids
        ).fetchall()
        pending = conn.execute("SELECT count(*) FROM inbox WHERE done_at IS NULL").fetchone()[0]
    return {int(r[0]) for r in rows}, {int(r[0]) for r in rows if r[1] is not None}, pending


def integrity(database: Path) -> str:
    """``PRAGMA integrity_check`` of the database (the bot is not running)."""
    with sqlite3.connect(database, timeout=5) as conn:
        return ", ".join(str(row[0]) for row in conn.execute("PRAGMA integrity_check"))


class Bot:
    """``between run`` as a child process, started and killed by this script."""

    def __init__(self, env: dict[str, str], logs: Path, api: CrashBotAPI) -> None:
        self.env = env
        self.logs = logs
        self.api = api
        self.runs = 0
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> float:
        """Start it and wait until it polls; the seconds that took."""
        self.runs += 1
        polls, started = self.api.polls, time.monotonic()
        with (self.logs / f"bot-{self.runs:02d}.log").open("wb") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run",
                env=self.env, cwd=ROOT, stdin=asyncio.subprocess.DEVNULL,
                stdout=log, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
        while self.api.polls == polls:
            if self.proc.returncode is not None or time.monotonic() - started > START_TIMEOUT:
                raise RuntimeError(f"the bot did not start polling; see {self.log_text()[-2000:]}")
            await asyncio.sleep(0.02)
        return time.monotonic() - started

    async def kill(self) -> None:
        """kill -9, and wait until it is gone."""
        assert self.proc is not None
        self.proc.kill()
        await self.proc.wait()

    async def stop(self) -> int | None:
        """SIGTERM, as a service manager stops it; its exit status."""
        if self.proc is None or self.proc.returncode is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.terminate()
        try:
            return await asyncio.wait_for(self.proc.wait(), 20)
        except TimeoutError:
            self.proc.kill()
            return await self.proc.wait()

    def log_text(self, run: int | None = None) -> str:
        """What one run (by default the current one) logged."""
        path = self.logs / f"bot-{run or self.runs:02d}.log"
        return path.read_text("utf-8", errors="replace") if path.exists() else ""


def config(tmp: Path) -> Path:
    """The example configuration, ``send_rate`` raised, the check-in day three days ahead."""
    path = service_config(tmp, SEND_RATE)
    far = DAYS[(datetime.now(UTC) + timedelta(days=3)).weekday()]
    text, count = re.subn(r"(?m)^days = .*$", f'days = ["{far}"]', path.read_text("utf-8"))
    if count != 1:
        raise RuntimeError("expected one days line in the example configuration")
    path.write_text(text, encoding="utf-8")
    return path


class Bench:
    """The scenario: setup, then rounds of a burst and a kill."""

    def __init__(self, api: CrashBotAPI, bot: Bot, catalog: Catalog, seed: int) -> None:
        self.api = api
        self.bot = bot
        self.rng = random.Random(seed)
        self.clients = [FIRST_ID + i for i in range(CLIENTS)]
        self.pressers = self.clients[::PRESS_EVERY]
        t = catalog.get
        self.saved = t("en", "note.saved")
        self.agree = t("en", "schedule.agree")
        self.menu = t("en", "menu.prompt")
        self.capacities = {
            t("en", "checkin.capacity_least"): "least",
            t("en", "checkin.capacity_middle"): "middle",
            t("en", "checkin.capacity_most"): "most",
        }
        self.sent: list[Sent] = []
        self.integrity: list[str] = []
        self.extra_checkins = 0  # check-ins opened beyond one per /checkin
        self.open_twice = 0  # check-ins open beside another one

    def bot_messages(self, user_id: int) -> list[ChatMessage]:
        return self.api.messages(user_id, include_deleted=True)

    async def until(self, done: Callable[[], bool], timeout: float) -> bool:  # noqa: ASYNC109 - a plain deadline
        """Wait (polling) until ``done()`` is true; False if ``timeout`` passed first."""
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.05)
        return True

    def quiet(self) -> bool:
        """Every update confirmed and handled."""
        if self.api.pending_updates:
            return False
        return inbox_state(self.api.database, [0])[2] == 0

    async def setup(self) -> None:
        """Every client: /start, then "That's fine"."""
        for user_id in self.clients:
            self.api.add_user(user_id, first_name=f"C{user_id - FIRST_ID}")
            self.api.text(user_id, "/start")

        def asked() -> bool:
            return all(self.button(u, self.agree) for u in self.clients)

        if not await self.until(asked, 60):
            raise RuntimeError("not every client was asked about check-ins")
        for user_id in self.clients:
            self.api.click(user_id, self.agree)

        def agreed() -> bool:
            return all(
                any(m.body == self.menu for m in self.bot_messages(u)) for u in self.clients
            )

        if not await self.until(agreed, 60) or not await self.until(self.quiet, 20):
            raise RuntimeError("not every client agreed to check-ins")

    def button(self, user_id: int, label: str) -> bool:
        return any(label == pair[0] for m in self.api.messages(user_id) for pair in m.buttons())

    def answers(self, sent: Sent) -> list[ChatMessage]:
        return self.bot_messages(sent.client)[sent.mark :]

    def answered(self, sent: Sent) -> bool:
        return any(self.is_answer(sent, m) for m in self.answers(sent))

    def is_answer(self, sent: Sent, msg: ChatMessage) -> bool:
        if sent.kind == "note":
            return msg.body == self.saved
        return FIRST_QUESTION.search(msg.body) is not None

    async def round(self, number: int) -> str:
        """One round; its human line."""
        # The press clients open a check-in and get its capacity question.
        marks = {u: len(self.bot_messages(u)) for u in self.pressers}
        for user_id in self.pressers:
            self.api.text(user_id, "/checkin")
        label = next(iter(self.capacities))

        def asked() -> bool:
            return all(
                any(label in dict(m.buttons()) for m in self.bot_messages(u)[marks[u] :])
                for u in self.pressers
            )

        if not await self.until(asked, SETTLE_TIMEOUT) or not await self.until(self.quiet, 20):
            raise RuntimeError(f"round {number}: the check-ins were not opened")

        # All at once: a note from each of the others, a capacity press from each press client.
        burst: list[Sent] = []
        for user_id in self.clients:
            mark = len(self.bot_messages(user_id))
            if user_id in self.pressers:
                choice = self.rng.choice(list(self.capacities))
                update = self.api.click(user_id, choice)
                sent = Sent(number, user_id, "press", update["update_id"], choice, mark)
                sent.query_id = update["callback_query"]["id"]
            else:
                words = f"n{number}-{user_id - FIRST_ID}"
                update = self.api.text(user_id, words)
                sent = Sent(number, user_id, "note", update["update_id"], words, mark)
            burst.append(sent)
        self.sent.extend(burst)
        start = time.monotonic()
        delay = self.rng.uniform(*KILL_AFTER)
        await asyncio.sleep(delay)

        cut_from = len(self.api.cut_offs)
        await self.bot.kill()
        killed = time.monotonic()
        before = sum(1 for s in burst if self.answered(s))
        self.integrity.append(integrity(self.api.database))  # also folds in what the WAL holds
        kept, handled, _ = inbox_state(self.api.database, [s.update_id for s in burst])
        await asyncio.sleep(0.05)  # let the server see the closed connections
        cut = self.api.cut_offs[cut_from:]
        for s in burst:
            s.delivered = s.update_id in self.api.delivered
            s.kept, s.handled = s.update_id in kept, s.update_id in handled
            s.cut_off = [method for _, method, chat in cut if chat == s.client]
            s.query_answered = s.query_id in self.api.callback_answers

        restarted = time.monotonic()
        await self.bot.start()

        in_time = await self.settle(burst)
        for s in burst:
            found = self.answers(s)
            s.answers = sum(1 for m in found if self.is_answer(s, m))
            s.others = [m.body.split("\n", 1)[0] for m in found if not self.is_answer(s, m)]
            if s.query_id is not None:
                s.toast = (self.api.callback_answers.get(s.query_id) or {}).get("text")
        replayed = _replayed(self.bot.log_text())
        missing = sum(1 for s in burst if s.answers == 0)
        return (
            f"round {number:2d}: kill -9 after {killed - start:.2f} s "
            f"({delay:.2f} s drawn): {before} of {len(burst)} answered, {len(kept)} kept, "
            f"{len(handled)} handled, {len(cut)} requests cut off; integrity "
            f"{self.integrity[-1]}; restarted: {replayed} handled from the inbox, "
            + (
                f"all answered {time.monotonic() - restarted:.1f} s later"
                if missing == 0
                else f"{missing} unanswered once all was handled"
                if in_time
                else f"{missing} unanswered after {SETTLE_TIMEOUT:.0f} s"
            )
        )

    async def settle(self, burst: list[Sent]) -> bool:
        """Wait until every update is answered, or all is handled and confirmed and stays so
        for a second (nothing is left that could answer); False after SETTLE_TIMEOUT."""
        deadline = time.monotonic() + SETTLE_TIMEOUT
        quiet_since: float | None = None
        while time.monotonic() < deadline:
            if self.quiet():
                if all(self.answered(s) for s in burst):
                    return True
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since > QUIET:
                    return True
            else:
                quiet_since = None
            await asyncio.sleep(0.05)
        return False

    async def read_back(self, database: Path, key_file: Path) -> list[str]:
        """Notes and check-ins from the database (the bot stopped); problems found there."""
        problems: list[str] = []
        store = await open_store(database, KeySource(None, key_file))
        try:
            for user_id in self.clients:
                mine = [s for s in self.sent if s.client == user_id]
                if user_id not in self.pressers:
                    words = Counter(note.text for note in await store.notes(user_id))
                    for s in mine:
                        s.stored = words[s.words]
                    continue
                records = list(reversed(await store.recent_checkins(user_id, 10_000)))
                opened = [r for r in records if r.status == "open"]
                if len(opened) > 1:
                    self.open_twice += len(opened) - 1
                    problems.append(f"client {user_id}: {len(opened)} check-ins open at once")
                rounds = len(mine)
                if len(records) != rounds:
                    self.extra_checkins += max(0, len(records) - rounds)
                    problems.append(
                        f"client {user_id}: {len(records)} check-ins for {rounds} /checkin "
                        f"(statuses {[r.status for r in records]})"
                    )
                    continue
                for s, record in zip(mine, records, strict=True):
                    s.stored = int(record.capacity == self.capacities[s.words])
        finally:
            await store.close()
        return problems


def _replayed(log: str) -> int:
    found = re.search(r"(\d+) updates received before a hard stop are handled now", log)
    return int(found.group(1)) if found else 0


def _log_findings(bot: Bot) -> tuple[int, int, Counter[str]]:
    """Over all runs: updates dropped as sent again, error lines, and the errors by message."""
    again = errors = 0
    kinds: Counter[str] = Counter()
    for run in range(1, bot.runs + 1):
        where = ""
        for line in reversed(bot.log_text(run).splitlines()):  # a traceback before its line
            if "came again: handled once already" in line:
                again += 1
            found = re.search(r'File ".*/bot/([^"]+)", line (\d+), in \w+', line)
            if found:
                where = f" > {found[1]}:{found[2]}{where}"
            if " ERROR " in line or " CRITICAL " in line:
                errors += 1
                message = re.sub(r"from p[0-9a-f]+", "from ...", line.split(" ", 3)[-1])
                kinds[message[:100] + (f" (in{where[2:]})" if where else "")] += 1
                where = ""
    return again, errors, kinds


def _keep_logs(tmp: Path, destination: Path) -> None:
    destination.mkdir(parents=True, exist_ok=True)
    for log in tmp.glob("bot-*.log"):
        shutil.copy(log, destination / log.name)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="kills (default 20)")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the random draws")
    parser.add_argument("--logs", type=Path, help="keep the bot's logs in this folder")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be positive")

    began = time.monotonic()
    catalog = Catalog.load()
    with tempfile.TemporaryDirectory(prefix="between-crash-") as name:
        tmp = Path(name)
        data, key_file = tmp / "data", tmp / "keys" / "between.key"
        database = data / "between.sqlite3"
        api = CrashBotAPI(database, latency=LATENCY, seed=args.seed)
        api.queue_updates = True
        front = HTTPFront(api, api.serve)
        url = await front.start()
        env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
        env.update(
            BOT_TOKEN=TOKEN,
            BOT_API_URL=url,
            BOT_DATA_DIR=str(data),
            BOT_KEY_FILE=str(key_file),
            BOT_CONFIG=str(config(tmp)),
            BOT_LOG_LEVEL="INFO",
            PTB_TIMEDELTA="1",
        )
        bot = Bot(env, tmp, api)
        bench = Bench(api, bot, catalog, args.seed)
        try:
            first = await bot.start()
            await bench.setup()
            print(
                f'{CLIENTS} clients set up (/start, "That\'s fine"); the bot started polling '
                f"{first:.1f} s after launch. Every request takes {LATENCY} s."
            )
            for number in range(1, args.rounds + 1):
                print(await bench.round(number), flush=True)
            status = await bot.stop()
            problems = await bench.read_back(database, key_file)
        finally:
            await bot.stop()
            await front.close()
        again, errors, kinds = _log_findings(bot)
        if args.logs is not None:
            _keep_logs(tmp, args.logs)

    sent = bench.sent
    lost = [s for s in sent if s.answers == 0]
    double_answers = [s for s in sent if s.answers > 1]
    double_notes = [s for s in sent if s.kind == "note" and s.stored > 1]
    unstored = [s for s in sent if s.stored == 0]
    duplicates = (
        sum(s.answers - 1 for s in double_answers)
        + sum(s.stored - 1 for s in double_notes)
        + bench.extra_checkins
        + bench.open_twice
    )
    others = [s for s in sent if s.others]
    ok = all(result == "ok" for result in bench.integrity)
    seconds = time.monotonic() - began

    presses = sum(1 for s in sent if s.kind == "press")
    print(
        f"{len(sent)} updates over {args.rounds} kills ({len(sent) - presses} notes, "
        f"{presses} capacity presses); the bot stopped with SIGTERM at the end (exit {status})."
    )
    print(
        f"Lost (never answered): {len(lost)}; not stored: {len(unstored)}; answered more than "
        f"once: {len(double_answers)}; notes stored twice: {len(double_notes)}; check-in "
        f"problems: {len(problems)}."
    )
    shapes: dict[str, list[Sent]] = {}
    for s in lost + double_answers + double_notes + [s for s in unstored if s not in lost]:
        if s not in shapes.get(s.shape(), []):
            shapes.setdefault(s.shape(), []).append(s)
    for shape, examples in shapes.items():
        print(f"  {len(examples)}x {shape} (e.g. {examples[0].who})")
    for problem in problems:
        print(f"  {problem}")
    other = Counter(f"{s.kind}: {text!r}" for s in others for text in s.others)
    print(f"Other messages in reply to the updates: {sum(other.values())}")
    for text, count in other.most_common(5):
        print(f"  {count}x after a {text}")
    print(
        f"Confirmed to the stand-in before they were kept in the inbox: "
        f"{len(api.confirmed_unkept)} {sorted(api.confirmed_unkept)[:20]}"
    )
    print(
        f"Bot logs ({bot.runs} runs): {again} updates sent again and dropped as handled; "
        f"{errors} error lines."
    )
    for text, count in kinds.most_common(5):
        print(f"  {count}x {text}")
    print(f"Error answers of the stand-in: {sum(api.errors.values())}")
    for text, count in api.errors.most_common(5):
        print(f"  {count}x {text}")
    print(f"integrity_check after each kill: {Counter(bench.integrity)}")
    print(
        f"rounds={args.rounds} updates={len(sent)} lost={len(lost)} duplicates={duplicates} "
        f"integrity={'ok' if ok else 'failed'} seconds={seconds:.1f}"
    )


if __name__ == "__main__":
    asyncio.run(main())

"""The real processes: ``between run`` against an HTTP Bot API, and ``between sandbox`` piped."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, ClassVar
from urllib.parse import parse_qs

import pytest

TOKEN = "123456:" + "A" * 35


class _BotAPIHandler(BaseHTTPRequestHandler):
    """Just enough of the Bot API over HTTP for a bot to start, poll and stop."""

    calls: ClassVar[list[str]] = []
    updates: ClassVar[list[dict[str, object]]] = []  # returned by getUpdates until confirmed

    def do_POST(self) -> None:
        method = self.path.rsplit("/", 1)[-1]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.calls.append(method)
        result: object = True
        if method == "getMe":
            result = {
                "id": 1000,
                "is_bot": True,
                "first_name": "Between",
                "username": "between_bot",
            }
        elif method == "getUpdates":
            offset = int(parse_qs(body.decode()).get("offset", ["0"])[0])
            result = [u for u in self.updates if int(str(u["update_id"])) >= offset]
            if not result:
                time.sleep(0.2)
        body = json.dumps({"ok": True, "result": result}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def bot_api() -> Iterator[tuple[str, list[str]]]:
    _BotAPIHandler.calls = []
    _BotAPIHandler.updates = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _BotAPIHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/bot", _BotAPIHandler.calls
    finally:
        server.shutdown()


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    if "BOT_DATA_DIR" in extra:  # the key apart from the data, as in production
        env["BOT_KEY_FILE"] = str(Path(extra["BOT_DATA_DIR"]).parent / "keys" / "between.key")
    env.update(extra)
    return env


def _run(url: str, data: Path, log: IO[str] | None = None) -> subprocess.Popen[str]:
    """``between run`` polling the Bot API at ``url`` on the database in ``data``; its log to
    ``log`` if given, else to a pipe."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env=_env(BOT_TOKEN=TOKEN, BOT_API_URL=url, BOT_DATA_DIR=str(data)),
        stdout=subprocess.PIPE,
        stderr=log or subprocess.PIPE,
        text=True,
    )


def _until_polling(proc: subprocess.Popen[str], calls: list[str]) -> float:
    """Wait (30 s at most) until the bot polls, i.e. is fully up; the deadline it had."""
    deadline = time.monotonic() + 30
    while "getUpdates" not in calls:
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "the bot did not start polling"
        time.sleep(0.05)
    return deadline


def test_sigterm_finishes_closes_the_database_and_exits_0(
    tmp_path: Path, bot_api: tuple[str, list[str]]
) -> None:
    url, calls = bot_api
    data = tmp_path / "data"
    proc = _run(url, data)
    try:
        _until_polling(proc, calls)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "database closed" in err
    assert TOKEN not in err  # the token never reaches the log
    assert "setMyCommands" in calls
    # Closed cleanly: the write-ahead log was folded back into the file.
    wal = data / "between.sqlite3-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    with sqlite3.connect(data / "between.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_sigterm_exits_cleanly_while_updates_cannot_be_kept(
    tmp_path: Path, bot_api: tuple[str, list[str]]
) -> None:
    url, calls = bot_api
    data = tmp_path / "data"
    log_path = tmp_path / "bot.log"
    log = log_path.open("w")
    proc = _run(url, data, log)
    other = None
    try:
        deadline = _until_polling(proc, calls)
        # Another program holds the write lock; then someone writes to the bot.
        other = sqlite3.connect(data / "between.sqlite3", timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        polls = calls.count("getUpdates")
        _BotAPIHandler.updates.append(
            {
                "update_id": 5,
                "message": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": {"id": 101, "type": "private", "first_name": "Alex"},
                    "from": {"id": 101, "is_bot": False, "first_name": "Alex"},
                    "text": "hello",
                },
            }
        )
        # It is fetched, cannot be kept (the log says so), and the bot looks at Telegram again
        # while it waits.
        while "cannot keep incoming updates" not in log_path.read_text():
            assert time.monotonic() < deadline + 30, "the bot never said it cannot keep updates"
            time.sleep(0.05)
        assert calls.count("getUpdates") >= polls + 2
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    finally:
        if other is not None:
            other.close()
        if proc.poll() is None:
            proc.kill()
        log.close()
    err = log_path.read_text()
    assert proc.returncode == 0, err
    assert "cannot keep incoming updates" in err
    assert "Traceback" not in err
    assert "database closed" in err
    # Not lost: it was never confirmed to Telegram, so the next start gets it again.
    assert all(u["update_id"] == 5 for u in _BotAPIHandler.updates)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_webhook_mode_registers_the_hook_and_refuses_updates_without_the_secret(
    tmp_path: Path, bot_api: tuple[str, list[str]]
) -> None:
    import urllib.error
    import urllib.request

    from bot.config import EXAMPLE_CONFIG

    url, calls = bot_api
    port = _free_port()
    config = tmp_path / "service.toml"
    config.write_text(
        EXAMPLE_CONFIG.read_text()
        + '\n[webhook]\nurl = "https://bot.example.org/hook"\n'
        + f'listen = "127.0.0.1"\nport = {port}\n'
    )
    secret = "s3cret-" + "x" * 25  # 32 characters, the least allowed
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env=_env(
            BOT_TOKEN=TOKEN,
            BOT_API_URL=url,
            BOT_DATA_DIR=str(tmp_path / "data"),
            BOT_CONFIG=str(config),
            BOT_WEBHOOK_SECRET=secret,
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        status = None
        while status is None:
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline, "the webhook server did not come up"
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/hook", data=b"{}", method="POST",
                headers={"Content-Type": "application/json"},
            )  # fmt: skip
            try:
                urllib.request.urlopen(request, timeout=2)
                status = 200
            except urllib.error.HTTPError as exc:
                status = exc.code
            except OSError:
                time.sleep(0.1)
        assert status == 403  # on the URL's path, without the secret token header: refused
        while "setWebhook" not in calls:  # registered once it listens
            assert time.monotonic() < deadline, "the webhook was not registered"
            time.sleep(0.05)
        assert "getUpdates" not in calls
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "database closed" in err
    assert secret not in err


def _sandbox(script: str, tmp_path: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "sandbox"],
        input=script,
        # The files the sandbox saves go under this test's own temporary folder.
        env=_env(BOT_DATA_DIR=str(tmp_path / "not-used"), TMPDIR=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def test_sandbox_works_piped(tmp_path: Path) -> None:
    out = _sandbox("/start\nToday was long\n4\n/help\n:sticker\n", tmp_path)
    assert "Alex › /start" in out
    assert "Nobody sees what you write here until you choose to share it" in out
    assert "Between › Saved. Only you can see this." in out
    assert "(You press “I need help now”.)" in out
    assert "116 123" in out
    assert "I can only read text" in out
    assert not (tmp_path / "not-used").exists()  # its database is temporary


def test_sandbox_switches_to_staff_and_moves_the_clock(tmp_path: Path) -> None:
    out = _sandbox(
        ":as peer\n/help\n:wait 1d2h\n:as client\n/start\n:quit\nnever read\n", tmp_path
    )
    assert "(You are now Sam, peer supporter.)" in out
    assert "Welcome, Sam. Your staff account" in out
    assert "(Time passes. It is now" in out
    assert "Welcome back" not in out  # Alex had not started before
    assert "never read" not in out


@pytest.mark.parametrize(
    ("level", "label", "planned"), [(1, "Very little", 2), (2, "Some", 4), (3, "Plenty", 4)]
)
def test_sandbox_walks_through_a_checkin_at_each_capacity(
    tmp_path: Path, level: int, label: str, planned: int
) -> None:
    # "Okay", so the follow-up for a hard day is not asked, and "Family or friends", a
    # contact that needs no human step; then the first answer.
    out = _sandbox(f"/checkin\n{level}\n1\n2\n" + "1\n" * (planned - 2), tmp_path)
    assert f"(You press “{label}”.)" in out
    assert f"1 of {planned}\n" in out
    # The total said at the start never changes, even when a question is skipped.
    totals = {int(total) for total in re.findall(r"\d+ of (\d+)\n", out)}
    assert totals == {planned}
    assert "Between › Saved. Only you can see this until you choose to share it." in out
    assert "[1] Change this answer" in out  # on the answered question, not the next one
    assert "This is too much" not in out  # behind "Not now", above the least capacity


def test_sandbox_explains_its_own_commands(tmp_path: Path) -> None:
    out = _sandbox(":help\n:wait soon\n:as admin\n7\n", tmp_path)
    assert ":wait 30m|2h|1d|1d6h" in out
    assert "(Say how long, for example :wait 30m" in out
    assert "(Choose one of: client, clinician, peer, friend.)" in out


def test_sandbox_shows_a_full_round_of_sharing(tmp_path: Path) -> None:
    script = (
        ":as clinician\n/invite\n"  # Dr Kim makes a link
        ":as client\n:open\n1\n"  # Alex opens it and accepts
        "/checkin\n1\n1\n1\n2\n"  # very little energy; "Nobody", then "Go on"
        "1\n2\n1\n2\n"  # Share this, see it, pick Dr Kim, share
        ":as clinician\n/clients\n1\n"  # Dr Kim reads it
        ":as client\n/share\n3\n1\n1\n"  # Alex withdraws it
        ":as clinician\n/clients\n1\n"
    )
    out = _sandbox(script, tmp_path)
    assert "[picture, 450×450, saved as " in out  # the QR code, where it can be opened
    assert "[1] Accept Dr Kim" in out
    assert "Shared with Dr Kim." in out
    kim_reads = out.split("Dr Kim › /clients")[1]
    assert "What Alex shared with you, newest first:" in kim_reads
    assert "Who have you felt most in touch with lately?\n          Nobody" in kim_reads
    assert "Withdrawn. It's gone from the chats and lists of Dr Kim." in out
    after = out.split("Dr Kim › /clients")[2]
    assert "(deleted a message)" in out.split(":as clinician")[-1]
    assert "Alex hasn't shared anything with you." in after


def test_sandbox_shows_a_nudge_a_reply_and_the_peer_reading_it(tmp_path: Path) -> None:
    script = (
        ":as peer\n/invite\n:as client\n:open\n1\n"  # Alex adds Sam to the team
        "1\n"  # and says the bot may write to them ("That's fine")
        ":as peer\n/nudge\n1\n1\nHow are you doing after yesterday?\n1\n"  # Sam nudges, now
        ":as client\n1\nBetter today, thank you\n1\n"  # Alex replies
        ":as peer\n"  # Sam reads it
    )
    out = _sandbox(script, tmp_path)
    assert "Sam (peer supporter) wanted to check in:" in out
    assert "[1] Reply to Sam" in out
    assert "Sent to Sam. Only Sam can see it." in out
    sam_reads = out.split("  (You are now Sam, peer supporter.)")[-1]
    assert (
        "Alex replied to your nudge:\n          \n          Better today, thank you\n"
        "          [1] Answer Alex"
    ) in sam_reads


def test_sandbox_plays_a_dutch_client(tmp_path: Path) -> None:
    out = _sandbox(":lang nl\n/start\n1\n/checkin\n1\nik wil dood\n", tmp_path)
    assert "(De Telegram van Alex staat nu op 'nl'." in out  # the sandbox speaks Dutch too
    after = out.split("Alex › /start", 1)[1]
    assert "Ik ben Between" in after  # the welcome, in Dutch
    assert "113 Zelfmoordpreventie" in after and "Samaritans" not in after
    assert "How much energy" not in after  # the check-in asks in Dutch

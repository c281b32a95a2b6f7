"""What a person wrote, chose or is called never lies in the clear: not in the database, its
write-ahead log or shared memory, nor in a backup (the logs: tests/test_logs.py)."""

from __future__ import annotations

from pathlib import Path

from bot.app import App
from bot.core.clock import ManualClock
from bot.standin import FakeBotAPI
from bot.storage.safekeeping import backup
from tests.conftest import Person, join, make_staff, services

ALEX, SAM = "Canaryalex Zqx", "Canarysam Vwk"
NOTE = "canary words plumtree"
WRITTEN = "canary message cornflower"
ANSWERS = ("Up and down", "Someone else")
CANARIES = (b"Canaryalex", b"Canarysam", b"plumtree", b"cornflower")
CHOSEN = (b"up_and_down", b"someone_else")  # the answers' ids, as kept


def _labels(person: Person) -> list[str]:
    return [label for label, _ in person.last().buttons()]


async def test_no_name_word_or_answer_is_in_the_files_or_a_backup(
    app: App, api: FakeBotAPI, clock: ManualClock, tmp_path: Path
) -> None:
    sam = await make_staff(app, api, 301, SAM, "peer")
    alex = Person(app, api, 101, ALEX)
    await alex.send("/start")
    await join(sam, alex)
    await alex.press("That's fine")
    await alex.send(NOTE)
    await alex.send("/checkin")
    await alex.press("Plenty")
    for _ in range(8):
        labels = _labels(alex)
        wanted = [label for label in labels if label in ANSWERS]
        if not wanted:
            break
        await alex.press(wanted[0])
    answered = {
        a.value for c in await services(app).db.recent_checkins(alex.id, 1) for a in c.answers
    }
    assert {"up_and_down", "someone_else"} <= answered  # the round chose them
    await alex.send("/team")
    await alex.press(SAM)
    await alex.press(f"Write to {SAM}")
    await alex.send(WRITTEN)
    await alex.press(f"Send to {SAM}")

    path = services(app).settings.database_path
    copy = tmp_path / "backup.sqlite3"
    backup(path, copy)
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"), copy]
    assert all(file.exists() for file in files)
    for file in files:
        data = file.read_bytes().lower()
        found = [c for c in (*CANARIES, *CHOSEN) if c.lower() in data]
        assert found == [], f"{file.name} holds {found}"

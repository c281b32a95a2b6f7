"""Shared fixtures: real SQLite files, the real PTB stack, the in-process Telegram stand-in."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram import Update

from bot.app import App, build_application, running
from bot.config import Settings, load_settings
from bot.core.clock import ManualClock
from bot.core.i18n import Catalog
from bot.core.waits import Waits
from bot.logs import QUIET, _PrivateHandler
from bot.standin import ChatMessage, FakeBotAPI
from bot.storage.crypto import Cipher, KeySource
from bot.storage.postgres.store import PostgresStore
from bot.storage.safekeeping import open_store
from bot.storage.store import SqliteStore, Store
from bot.tg.context import Services

pytest_plugins = ["tests.postgres"]  # postgres_server, postgres_url: a real PostgreSQL
os.environ.setdefault("PTB_TIMEDELTA", "1")

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture(autouse=True)
def _logging_left_as_found() -> Iterator[None]:
    """A test that runs a command (``main([...])``) configures logging as the bot does; the
    next test gets the logging it found, not a handler writing to a closed capture."""
    root = logging.getLogger()
    level = root.level
    levels = {name: logging.getLogger(name).level for name in QUIET}
    yield
    for handler in [h for h in root.handlers if isinstance(h, _PrivateHandler)]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.load().with_region("en_GB")  # as the example service: dates as in the UK


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def settings(data_dir: Path, catalog: Catalog) -> Settings:
    return load_settings(
        {"BOT_DATA_DIR": str(data_dir), "BOT_KEY_FILE": str(data_dir.parent / "keys" / "key")},
        catalog=catalog,
    )


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    """A real store in a temporary place, for core-level tests without Telegram: a SQLite file,
    and (the same tests again) a database on a real PostgreSQL (``tests/postgres.py``)."""
    opened: Store
    if request.param == "sqlite":
        opened = await open_store(tmp_path / "db.sqlite3", keys_for(tmp_path))
    else:
        url = request.getfixturevalue("postgres_url")
        opened = await PostgresStore.open(url, Cipher(keys_for(tmp_path).create()))
    yield opened
    await opened.close()


def keys_for(folder: Path) -> KeySource:
    """A key file of its own for a test, apart from the database as in production."""
    return KeySource(None, folder / "keys" / "between.key")


@pytest.fixture
def waits(store: SqliteStore) -> Waits:
    return Waits(store, timedelta(minutes=30))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


PROGRESS = re.compile(r"^\d+ \w+ \d+$", re.MULTILINE)
"""A check-in's question: its progress line ("2 of 4", "2 van 4", "2 von 4")."""


def crowded(screens: list[tuple[str, tuple[str, ...]]]) -> list[tuple[str, tuple[str, ...]]]:
    """Screens with more choices than a person can take in: 6 at most, 7 for a check-in's
    question at "Plenty" (6 answers and "Not now"); tighter limits per capacity are held by
    tests/test_least_capacity.py."""
    return [
        (body[:80], labels)
        for body, labels in screens
        if len(labels) > (7 if PROGRESS.search(body) else 6)
    ]


@pytest.fixture
def api(clock: ManualClock) -> Iterator[FakeBotAPI]:
    fake = FakeBotAPI(now=clock.now)
    yield fake
    # Every screen any test showed, edits included, holds the limit on choices.
    assert not crowded(fake.screens), crowded(fake.screens)


@pytest.fixture
async def app(
    settings: Settings, catalog: Catalog, clock: ManualClock, api: FakeBotAPI
) -> AsyncIterator[App]:
    application = build_application(settings, catalog, clock=clock, request=api, polling=False)
    async with running(application):
        by_hand(application)
        yield application


def by_hand(app: App) -> None:
    """Only the test moves time and ticks: the app's own tick, every few real seconds, would
    otherwise race the test's ticks for the same sends."""
    assert app.job_queue is not None
    for job in app.job_queue.get_jobs_by_name("between-tick"):
        job.schedule_removal()


def services(app: App) -> Services:
    return app.bot_data.services


class Person:
    """Someone in a private chat with the bot: sends updates through the real PTB stack and
    reads what the stand-in received. Each action returns the bot messages it produced."""

    def __init__(self, app: App, api: FakeBotAPI, user_id: int, name: str = "Alex") -> None:
        self.app = app
        self.api = api
        self.id = user_id
        self.name = name
        api.add_user(user_id, first_name=name, language_code="en")

    async def feed(self, update: dict[str, object]) -> list[ChatMessage]:
        before = len(self.api.messages(self.id, include_deleted=True))
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return self.api.messages(self.id, include_deleted=True)[before:]

    async def send(self, text: str) -> list[ChatMessage]:
        return await self.feed(self.api.text(self.id, text))

    async def press(self, label: str) -> list[ChatMessage]:
        return await self.feed(self.api.click(self.id, label))

    async def press_data(self, message_id: int, data: str) -> list[ChatMessage]:
        return await self.feed(self.api.press(self.id, message_id, data))

    def last(self) -> ChatMessage:
        return self.api.last(self.id)

    def texts(self) -> list[str]:
        return [m.body for m in self.api.messages(self.id)]


@pytest.fixture
def alex(app: App, api: FakeBotAPI) -> Person:
    return Person(app, api, 101, "Alex")


@pytest.fixture
def blair(app: App, api: FakeBotAPI) -> Person:
    return Person(app, api, 102, "Blair")


async def make_staff(app: App, api: FakeBotAPI, user_id: int, name: str, role: str) -> Person:
    """A staff member made the way the administrator does it: an invite, then /start code."""
    from datetime import timedelta

    from bot.core import usecases
    from bot.core.model import Role

    svc = services(app)
    code = await usecases.create_staff_invite(
        svc.db, Role(role), name, svc.clock.now(), timedelta(hours=1)
    )
    person = Person(app, api, user_id, name)
    await person.send(f"/start {code}")
    return person


def link_code(messages: list[ChatMessage]) -> str:
    """The ``start=`` code of the invite link among ``messages``."""
    import re

    for message in messages:
        found = re.search(r"\?start=([\w-]+)", message.body)
        if found:
            return found[1]
    raise AssertionError(f"no invite link in {[m.body for m in messages]}")


async def with_sam(app: App, api: FakeBotAPI, alex: Person) -> Person:
    """Alex has started and has Sam, a peer supporter, in their team."""
    sam = await make_staff(app, api, 301, "Sam", "peer")
    await alex.send("/start")
    await join(sam, alex)
    return sam


async def speaking(app: App, api: FakeBotAPI, language: str) -> tuple[Person, Person]:
    """Alex, whose Telegram speaks ``language``, with Dr Kim (clinician) accepted in their team
    ("Accept Dr Kim", "Dr Kim accepteren", "Dr Kim annehmen")."""
    alex = Person(app, api, 101, "Alex")
    api.add_user(101, first_name="Alex", language_code=language)
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    await alex.send("/start")
    code = link_code(await kim.send("/invite"))
    await alex.send(f"/start {code}")
    accept = next(
        label for m in api.messages(alex.id) for label, _ in m.buttons() if "Dr Kim" in label
    )
    await alex.press(accept)
    return alex, kim


async def join(member: Person, client: Person) -> None:
    """``member`` (staff) invites ``client``, who accepts."""
    code = link_code(await member.send("/invite"))
    await client.send(f"/start {code}")
    await client.press(f"Accept {member.name}")

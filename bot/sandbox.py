"""``between sandbox``: a terminal chat with the real bot and a stand-in for Telegram.

The README's sandbox walk-through is produced by this module too: ``python -m bot.sandbox
--update-readme README.md`` runs each documented example again and writes what it printed, and
``tests/test_readme.py`` fails when the README no longer matches.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import difflib
import io
import itertools
import json
import os
import re
import shlex
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from telegram import Update

from bot.app import App, build_application, running
from bot.config import ConfigError, Settings, load_settings
from bot.core import usecases
from bot.core.clock import ManualClock, SystemClock
from bot.core.dates import service_locale, speech_locale
from bot.core.i18n import Catalog
from bot.core.model import Role
from bot.core.schedule_settings import place
from bot.standin import MESSAGE_METHODS, ChatMessage, FakeBotAPI
from bot.standin.records import image_size
from bot.standin.wire import as_int


@dataclass(frozen=True)
class Persona:
    """Someone you can act as in the sandbox."""

    key: str
    user_id: int
    name: str
    role: Role


PERSONAS = {
    "client": Persona("client", 101, "Alex", Role.CLIENT),
    "clinician": Persona("clinician", 201, "Dr Kim", Role.CLINICIAN),
    "peer": Persona("peer", 301, "Sam", Role.PEER),
    "friend": Persona("friend", 401, "Jo", Role.NETWORK),
}

TICK_STEP = timedelta(minutes=5)
_LINK = re.compile(r"\?start=([\w-]+)")
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
_INDENT = " " * len("Between › ")
_MessageKey = tuple[int, int]  # (chat id, message id)
_State = tuple[str, str, bool]  # what a message looks like: body, buttons, deleted


def parse_duration(text: str) -> timedelta | None:
    """``1d6h30m`` and friends; None if the text is not such a duration."""
    match = _DURATION.match(text.strip())
    if not match or not any(match.groups()):
        return None
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def _state(message: ChatMessage) -> _State:
    return (message.body, repr(message.reply_markup), message.deleted)


class Sandbox:
    """Feeds what you type to the bot as Telegram updates and prints what the bot did."""

    def __init__(
        self,
        app: App,
        api: FakeBotAPI,
        clock: ManualClock,
        out: TextIO,
        files: Path | None = None,
    ) -> None:
        self.app = app
        self.api = api
        self.clock = clock
        self.out = out
        self.persona = PERSONAS["client"]
        self.settings = app.bot_data.services.settings
        self.catalog = app.bot_data.services.catalog
        self.zone = ZoneInfo(self.settings.service.defaults.timezone)
        # What each person has been shown of their own chat, and told about the others'.
        self._seen: dict[int, dict[int, _State]] = {}
        self._told: dict[int, set[tuple[int, _State]]] = {}
        self._keyboards: dict[int, ChatMessage] = {}
        self._joined: set[str] = set()
        self._blocked: set[int] = set()
        # Every message state the bot produced, in the order the sandbox noticed it (so :open
        # finds the newest link across chats), and when it happened if the clock was moving.
        self._states: dict[_MessageKey, _State] = {}
        self._order: dict[_MessageKey, int] = {}
        self._counter = itertools.count()
        self._during_wait: dict[_MessageKey, datetime] = {}
        self._calls_read = 0
        # Where each file and picture the bot sends is saved, so a person can open it; made at
        # the first one (a folder under the system's temporary folder unless ``files`` says).
        self._files_wanted = files
        self.files: Path | None = None
        self._saved: dict[_MessageKey, Path] = {}
        # Everyone's Telegram starts in the service's language; :lang changes the player's.
        self.start_language = self.catalog.language_for(None)
        api.add_user(
            self.persona.user_id, first_name=self.persona.name, language_code=self.start_language
        )
        self._joined.add("client")

    @property
    def language(self) -> str:
        """The language the sandbox speaks: that of the Telegram of the person you play."""
        user = self.api.users.get(self.persona.user_id)
        return self.catalog.language_for(user.language_code if user else None)

    def s(self, key: str, /, **values: object) -> str:
        """One of the sandbox's own lines, in the language of the person you play."""
        return self.catalog.get(self.language, f"sandbox.{key}", **values)

    def say(self, text: str = "") -> None:
        """Print a line of the transcript."""
        print(text, file=self.out, flush=True)

    async def handle(self, line: str) -> bool:
        """Act on one input line; False when the sandbox should end."""
        line = line.rstrip("\n")
        if not line.strip():
            return True
        self.say(f"{self.persona.name} › {line}")
        command, _, rest = line.strip().partition(" ")
        if command in (":quit", ":exit", ":q"):
            return False
        if command == ":help":
            self.say(self.s("help"))
        elif command == ":as":
            await self._switch(rest.strip())
        elif command == ":wait":
            await self._wait(rest)
        elif command == ":time":
            self.say(self.s("it_is", moment=self._local_now()))
        elif command == ":show":
            self._show_file()
        elif command == ":lang":
            self._language(rest.strip())
        elif command == ":block":
            await self._block()
        elif command == ":unblock":
            await self._unblock()
        elif command.startswith(":") and command not in (":sticker", ":photo", ":voice", ":open"):
            self.say(self.s("unknown_command", command=command))
        elif self.persona.user_id in self._blocked:
            # Telegram offers a blocked bot's chat only "Unblock": nothing reaches the bot.
            self.say(self.s("blocked_nothing_reaches", name=self.persona.name))
        elif command in (":sticker", ":photo", ":voice"):
            builder = getattr(self.api, command[1:])
            await self._feed(builder(self.persona.user_id))
        elif command == ":open":
            await self._open()
        elif line.strip().isdigit() and self.persona.user_id in self._keyboards:
            await self._press(int(line.strip()))
        else:
            await self._feed(self.api.text(self.persona.user_id, line))
        return True

    def _language(self, code: str) -> None:
        """Set this person's Telegram to another language (as its app settings would): what
        they send next carries it; a first contact then reads the bot in it."""
        user = self.api.users.get(self.persona.user_id)
        if not code or user is None:
            self.say(self.s("say_language"))
            return
        self.api.add_user(self.persona.user_id, first_name=user.first_name, language_code=code)
        self.say(self.s("language_set", name=self.persona.name, language=repr(code)))

    def _locale(self) -> str:
        defaults = self.settings.service.defaults
        return speech_locale(self.language, service_locale(defaults.language, defaults.timezone))

    def _stamp(self, when: datetime) -> str:
        return format_datetime(when, "EEE HH:mm", tzinfo=self.zone, locale=self._locale())

    def _local_now(self) -> str:
        return said_moment(self.settings, self.clock.now(), self.catalog, self.language)

    async def _feed(self, update: dict[str, Any]) -> None:
        await self.app.process_update(Update.de_json(update, self.app.bot))
        # The running bot looks for due work every few seconds; here, after every action
        # (a nudge "Now" goes out at once, as it would a few seconds later for real).
        scheduler = self.app.bot_data.services.scheduler
        if scheduler is not None:
            await scheduler.tick()
        for key in self._notice():
            self._during_wait.pop(key, None)
        for persona in self._refused():
            self.say(self.s("tried_blocked", name=persona.name))
        answer = None
        if "callback_query" in update:
            answer = self.api.callback_answers.get(update["callback_query"]["id"])
        if answer and answer.get("text"):
            self.say(self.s("notice", text=answer["text"]))
        self.show()

    def _notice(self) -> list[_MessageKey]:
        """Record what the bot changed in any chat since last time; return those messages."""
        changed: list[_MessageKey] = []
        for chat_id in self.api.chat_ids:
            for message in self.api.messages(chat_id, include_deleted=True):
                key = (chat_id, message.message_id)
                state = _state(message)
                if self._states.get(key) != state:
                    self._states[key] = state
                    self._order.setdefault(key, next(self._counter))
                    changed.append(key)
        return changed

    def _refused(self) -> list[Persona]:
        """Who, among those who blocked the bot, it tried to write to since last asked."""
        calls = self.api.calls[self._calls_read :]
        self._calls_read = len(self.api.calls)
        tried = {
            as_int(params.get("chat_id")) for method, params in calls if method in MESSAGE_METHODS
        }
        return [p for p in PERSONAS.values() if p.user_id in self._blocked and p.user_id in tried]

    async def _press(self, number: int) -> None:
        message = self._keyboards[self.persona.user_id]
        buttons = message.buttons()
        if not 1 <= number <= len(buttons):
            self.say(self.s("no_button", number=number, last=len(buttons)))
            return
        label, data = buttons[number - 1]
        self.say(self.s("you_press", label=label))
        await self._feed(self.api.press(self.persona.user_id, message.message_id, data))

    async def _open(self) -> None:
        self._notice()
        links = [
            (message.date, self._order[(chat_id, message.message_id)], found[1])
            for chat_id in self.api.chat_ids
            for message in self.api.messages(chat_id)
            if (found := _LINK.search(message.body))
        ]
        if not links:
            self.say(self.s("no_link"))
            return
        code = max(links)[2]
        self.say(self.s("you_open"))
        await self._feed(self.api.text(self.persona.user_id, f"/start {code}"))

    async def _block(self) -> None:
        persona = self.persona
        if persona.user_id in self._blocked:
            self.say(self.s("already_blocked", name=persona.name))
            return
        self._blocked.add(persona.user_id)
        self.say(self.s("blocks", name=persona.name))
        await self._feed(self.api.member_status(persona.user_id, "kicked"))

    async def _unblock(self) -> None:
        persona = self.persona
        if persona.user_id not in self._blocked:
            self.say(self.s("not_blocked", name=persona.name))
            return
        self._blocked.discard(persona.user_id)
        self.say(self.s("unblocks", name=persona.name))
        await self._feed(self.api.member_status(persona.user_id, "member"))

    def _show_file(self) -> None:
        """Print the content of the last file or picture the bot sent to you."""
        shown = [
            m
            for m in self.api.messages(self.persona.user_id)
            if m.document is not None or m.photo is not None
        ]
        if not shown:
            self.say(self.s("no_file"))
            return
        message = shown[-1]
        if message.document is None:
            self.say(f"  ({self._picture(message.photo or b'')})")
            return
        name = message.document.get("file_name") or "a file"
        content: bytes = message.document["content"]
        mime = message.document.get("mime_type") or ""
        if mime.startswith("image/"):
            self.say(f"  ({name}: {self._picture(content)})")
            return
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            self.say(self.s("not_text", file=name, size=len(content)))
            return
        if name.endswith(".json") or mime == "application/json":
            with contextlib.suppress(ValueError):  # not JSON after all: shown as it is
                text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        self.say(self.s("file_shown", file=name, size=len(content)))
        for line in text.splitlines():
            self.say((_INDENT + line).rstrip())

    async def _switch(self, key: str) -> None:
        persona = PERSONAS.get(key)
        if persona is None:
            self.say(self.s("choose_persona", personas=", ".join(PERSONAS)))
            return
        if key not in self._joined:
            self.api.add_user(
                persona.user_id, first_name=persona.name, language_code=self.start_language
            )
        self.persona = persona
        role = self.catalog.get(self.language, f"roles.{persona.role.value}")
        self.say(self.s("now_playing", name=persona.name, role=role))
        if key in self._joined:
            self.show()
            return
        self._joined.add(key)
        if not persona.role.is_staff:
            self.say(self.s("no_chat_yet"))
            return
        services = self.app.bot_data.services
        code = await usecases.create_staff_invite(
            services.db, persona.role, persona.name, self.clock.now(), timedelta(hours=24)
        )
        self.say(self.s("staff_invited", role=persona.role.value, name=persona.name))
        await self._feed(self.api.text(persona.user_id, f"/start {code}"))

    async def _wait(self, text: str) -> None:
        delta = parse_duration(text)
        if delta is None:
            self.say(self.s("say_how_long"))
            return
        # The clock moves in small steps with a tick after each, as the running bot would see
        # it, so a check-in due on the way goes out on time rather than expiring in one jump.
        scheduler = self.app.bot_data.services.scheduler
        end = self.clock.now() + delta
        refused: dict[str, datetime] = {}
        while self.clock.now() < end:
            now = self.clock.advance(min(TICK_STEP, end - self.clock.now()))
            if scheduler is not None:
                await scheduler.tick()
            for key in self._notice():
                self._during_wait.setdefault(key, now)
            for persona in self._refused():
                refused.setdefault(persona.name, now)
        self.say(self.s("time_passes", moment=self._local_now()))
        for name, when in refused.items():
            self.say(self.s("tried_blocked_at", time=self._stamp(when), name=name))
        self.show()

    def show(self) -> None:
        """Print what changed in your chat; mention, once, what is new in the others'."""
        for line in self._changes(self.persona.user_id):
            self.say(line)
        for persona in PERSONAS.values():
            if persona.key not in self._joined or persona is self.persona:
                continue
            unseen = self._unseen(persona.user_id)
            told = self._told.setdefault(persona.user_id, set())
            if unseen - told:
                self.say(self.s("something_new", name=persona.name, persona=persona.key))
            told.update(unseen)

    def _unseen(self, chat_id: int) -> set[tuple[int, _State]]:
        """What a chat holds that its person has not been shown yet."""
        seen = self._seen.get(chat_id, {})
        return {
            (m.message_id, _state(m))
            for m in self.api.messages(chat_id, include_deleted=True)
            if seen.get(m.message_id) != _state(m) and not (m.deleted and m.message_id not in seen)
        }

    def _changes(self, chat_id: int) -> list[str]:
        seen = self._seen.setdefault(chat_id, {})
        lines: list[str] = []
        for message in self.api.messages(chat_id, include_deleted=True):
            state = _state(message)
            before = seen.get(message.message_id)
            if before == state:
                continue
            seen[message.message_id] = state
            when = self._during_wait.pop((chat_id, message.message_id), None)
            stamp = f"[{self._stamp(when)}] " if when is not None else ""
            if message.deleted:
                if before is not None:
                    lines.append(f"Between › {stamp}{self.s('deleted')}")
                continue
            lines.extend(self._render(message, edited=before is not None, stamp=stamp))
        return lines

    def _render(self, message: ChatMessage, *, edited: bool, stamp: str = "") -> list[str]:
        label = self.s("edited") if edited else "Between › "
        body = message.body
        if message.document is not None:
            content: bytes = message.document["content"]
            name = message.document["file_name"] or "file"
            path = self._save(message, name, content)
            shown = self.s("file", file=name, size=len(content), path=path)
            body = f"{shown} {body}".strip()
        elif message.photo is not None:
            width, height = image_size(message.photo)
            path = self._save(message, "picture.png", message.photo)
            shown = self.s("picture_saved", width=width, height=height, path=path)
            body = f"{shown} {body}".strip()
        text_lines = body.splitlines() or [""]
        lines = [label + stamp + text_lines[0]] + [_INDENT + line for line in text_lines[1:]]
        buttons = message.buttons()
        if buttons:
            self._keyboards[message.chat_id] = message
            for number, (text, _) in enumerate(buttons, start=1):
                lines.append(f"{_INDENT}[{number}] {text}")
        elif self._keyboards.get(message.chat_id, message).message_id == message.message_id:
            self._keyboards.pop(message.chat_id, None)
        return lines

    def _save(self, message: ChatMessage, name: str, content: bytes) -> Path:
        """Keep a file the bot sent where a person can open it; its path."""
        key = (message.chat_id, message.message_id)
        if key in self._saved:
            return self._saved[key]
        if self.files is None:
            if self._files_wanted is not None:
                self._files_wanted.mkdir(parents=True, exist_ok=True)
                self.files = self._files_wanted
            else:
                self.files = Path(tempfile.mkdtemp(prefix="between-sandbox-files-"))
        safe = re.sub(r"[^\w.-]", "_", Path(name).name) or "file"
        path = self.files / f"{len(self._saved) + 1}-{safe}"
        path.write_bytes(content)
        self._saved[key] = path
        return path

    def _picture(self, content: bytes) -> str:
        width, height = image_size(content)
        return self.s("picture", width=width, height=height, size=len(content))


# Where the sandbox's clock starts, on the service's wall clock, whatever day it is run: the
# moment the README's walk-through starts at (README_START), so that what you type from the
# README prints what the README shows. A Thursday at 09:00: the default check-ins (Monday and
# Thursday at 18:00) come the same day, inside the default contact hours.
SANDBOX_START = datetime(2026, 11, 26, 9, 0)
CLOCK_VARIABLE = "BOT_SANDBOX_CLOCK"
"""Another start: ``today`` (09:00 today), ``now`` (this moment), or ``2026-12-07 17:55``."""


def _nine_today(settings: Settings, now: datetime) -> datetime:
    """09:00 today where the service is: a quiet start inside the default contact hours."""
    zone = ZoneInfo(settings.service.defaults.timezone)
    local = now.astimezone(zone)
    return local.replace(hour=9, minute=0, second=0, microsecond=0)


def sandbox_start(settings: Settings, choice: str | None, now: datetime) -> datetime:
    """Where the sandbox's clock starts: ``SANDBOX_START`` where the service is, unless
    ``choice`` (``BOT_SANDBOX_CLOCK``) says ``today``, ``now`` or a day and time there.
    ``now`` is the real time, the only thing read from the computer's clock."""
    zone = ZoneInfo(settings.service.defaults.timezone)
    wanted = (choice or "").strip().lower()
    if not wanted:
        return SANDBOX_START.replace(tzinfo=zone).astimezone(UTC)
    if wanted == "today":
        return _nine_today(settings, now)
    if wanted == "now":
        return now
    try:
        local = datetime.fromisoformat(wanted.replace(" ", "T", 1))
    except ValueError:
        local = None
    if local is None or local.tzinfo is not None:
        raise ConfigError(
            f"{CLOCK_VARIABLE}: {choice!r} is not today, now, or a day and time like "
            "2026-12-07 17:55 (on the service's clock)"
        )
    return local.replace(tzinfo=zone).astimezone(UTC)


def said_moment(
    settings: Settings, moment: datetime, catalog: Catalog, language: str | None = None
) -> str:
    """A moment as the sandbox says it, on the service's clock: "Thursday, 26 November 2026,
    09:00, London time" ("donderdag 26 november 2026, 09:00, tijd in Londen")."""
    defaults = settings.service.defaults
    language = language or catalog.language_for(None)
    locale = speech_locale(language, service_locale(defaults.language, defaults.timezone))
    zone = ZoneInfo(defaults.timezone)
    day = format_date(moment.astimezone(zone).date(), "full", locale=locale)
    when = f"{day}, {format_datetime(moment, 'HH:mm', tzinfo=zone, locale=locale)}"
    where = place(defaults.timezone, locale)
    if where is None:
        return f"{when} {format_datetime(moment, 'zzz', tzinfo=zone, locale=locale)}"
    return catalog.get(language, "sandbox.moment", moment=when, place=where)


@asynccontextmanager
async def open_sandbox(
    settings: Settings,
    catalog: Catalog,
    out: TextIO,
    start: datetime | None = None,
    files: Path | None = None,
) -> AsyncIterator[Sandbox]:
    """A sandbox on a temporary database, its clock at ``start`` (default: ``SANDBOX_START``
    where the service is); the files the bot sends are saved in ``files`` (default: a new
    folder under the system's temporary folder, kept after the sandbox closes)."""
    with tempfile.TemporaryDirectory(prefix="between-sandbox-") as data_dir:
        settings = dataclasses.replace(
            settings,
            data_dir=Path(data_dir) / "data",
            key_file=Path(data_dir) / "keys" / "between.key",
            encryption_key=None,
        )
        clock = ManualClock(start or sandbox_start(settings, None, SystemClock().now()))
        api = FakeBotAPI(now=clock.now)
        app = build_application(settings, catalog, clock=clock, request=api, polling=False)
        async with running(app):
            # The sandbox ticks itself after every action and every step of :wait; the
            # wall-clock tick would only make the transcript depend on how fast you type.
            if app.job_queue is not None:
                for job in app.job_queue.jobs():
                    job.schedule_removal()
            yield Sandbox(app, api, clock, out, files)


async def run_sandbox(
    settings: Settings,
    catalog: Catalog,
    stdin: TextIO,
    out: TextIO,
    *,
    start: datetime | None = None,
    env: Mapping[str, str] | None = None,
    real_now: Callable[[], datetime] | None = None,
) -> int:
    """Run the sandbox until the input ends or you type :quit.

    Its clock starts at ``start``, or where ``BOT_SANDBOX_CLOCK`` in ``env`` (default: the
    environment) says, by default ``SANDBOX_START``: never where the real clock
    (``real_now``, default the computer's) happens to be, unless asked."""
    language = catalog.language_for(None)
    why = ""
    if start is None:
        choice = (os.environ if env is None else env).get(CLOCK_VARIABLE)
        start = sandbox_start(settings, choice, (real_now or SystemClock().now)())
        why = (
            f" ({CLOCK_VARIABLE}={choice.strip()})"
            if choice and choice.strip()
            else catalog.get(language, "sandbox.why_readme", variable=CLOCK_VARIABLE)
        )
    async with open_sandbox(settings, catalog, out, start) as sandbox:
        moment = said_moment(settings, start, catalog, language)
        sandbox.say(sandbox.s("greeting"))
        sandbox.say(sandbox.s("clock_starts", moment=moment, why=why))
        sandbox.say(sandbox.s("playing"))
        sandbox.say()
        while True:
            line = await asyncio.to_thread(stdin.readline)
            if not line or not await sandbox.handle(line):
                break
        closed = sandbox.s("closed")
        if sandbox.files is not None:
            closed += "\n" + sandbox.s("files_kept", folder=sandbox.files)
    print(closed, file=out, flush=True)
    return 0


# --- the README's transcripts ----------------------------------------------------------------

README_SECTION = "## A sandbox walk-through"
# Thursday 26 November 2026, 09:00 in London (GMT): the clock of every README transcript, and
# where ``between sandbox`` starts with the bundled example configuration (SANDBOX_START).
README_START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
_COMMAND = re.compile(r"^\$ printf (?P<arg>.+) \| between sandbox$")
_CODE = re.compile(r"(\?start=[a-z]{1,3}_)[\w-]+")
_PRINTF_ESCAPE = re.compile(r"\\(.)|%%")


@dataclass(frozen=True)
class Example:
    """One documented sandbox run: its command line, its input, and where its output sits."""

    command: str
    script: str
    first: int  # index of the first output line in the README's lines
    end: int  # index of the closing ``` line
    shown: str  # the output as the README shows it


def mask_codes(text: str) -> str:
    """Invite codes are random: a transcript shows only their kind (``start=c_…``)."""
    return _CODE.sub(r"\1…", text)


def printf_input(command: str) -> str:
    """What ``printf '<arg>'`` writes: the quoted argument with ``\\n`` and ``%%`` undone."""
    match = _COMMAND.match(command)
    if match is None:
        raise ValueError(f"not a sandbox example: {command!r}")
    words = shlex.split(match["arg"])
    if len(words) != 1:
        raise ValueError(f"printf needs exactly one quoted argument: {command!r}")
    escapes = {"n": "\n", "t": "\t", "\\": "\\"}

    def undo(found: re.Match[str]) -> str:
        if found[0] == "%%":
            return "%"
        if found[1] not in escapes:
            raise ValueError(f"unsupported printf escape \\{found[1]} in {command!r}")
        return escapes[found[1]]

    return _PRINTF_ESCAPE.sub(undo, words[0])


def readme_examples(readme: str) -> list[Example]:
    """Each ```text block of the walk-through section that starts with ``$ printf … | between
    sandbox``."""
    lines = readme.splitlines()
    try:
        start = lines.index(README_SECTION)
    except ValueError:
        raise ValueError(f"the README has no section {README_SECTION!r}") from None
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    examples: list[Example] = []
    i = start
    while i < end:
        if lines[i].strip() == "```text" and i + 1 < end and _COMMAND.match(lines[i + 1]):
            close = next(j for j in range(i + 2, len(lines)) if lines[j].strip() == "```")
            command = lines[i + 1]
            shown = "\n".join(lines[i + 2 : close])
            examples.append(Example(command, printf_input(command), i + 2, close, shown))
            i = close
        i += 1
    return examples


def normalise(text: str) -> str:
    """Lines without trailing spaces, no blank lines at either end."""
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def readme_settings(catalog: Catalog) -> Settings:
    """The bundled example configuration, whatever the environment says."""
    return load_settings({}, catalog=catalog)


async def transcript(settings: Settings, catalog: Catalog, script: str) -> str:
    """What the sandbox prints for ``script`` after its greeting, as the README shows it."""
    out = io.StringIO()
    with tempfile.TemporaryDirectory(prefix="between-sandbox-files-") as files:
        async with open_sandbox(settings, catalog, out, README_START, Path(files)) as sandbox:
            for line in script.splitlines():
                if not await sandbox.handle(line):
                    break
        # Where files were saved differs each run: the README shows "…/2-picture.png".
        return normalise(mask_codes(out.getvalue().replace(files, "…")))


def readme_diff(example: Example, produced: str) -> str:
    """A unified diff from what the README shows to what the sandbox printed ("" if equal)."""
    shown = normalise(example.shown)
    if shown == produced:
        return ""
    return "\n".join(
        difflib.unified_diff(
            shown.splitlines(),
            produced.splitlines(),
            "README.md",
            "between sandbox",
            lineterm="",
        )
    )


async def run_examples(readme: str, catalog: Catalog) -> dict[str, str]:
    """Run every documented example again: what each command prints now."""
    settings = readme_settings(catalog)
    return {
        example.command: await transcript(settings, catalog, example.script)
        for example in readme_examples(readme)
    }


def with_outputs(readme: str, produced: dict[str, str]) -> tuple[str, list[str]]:
    """The README with each example's output replaced; and the commands whose output changed."""
    lines = readme.splitlines()
    stale: list[str] = []
    # From the end, so the line numbers of the examples above stay right.
    for example in reversed(readme_examples(readme)):
        output = produced.get(example.command)
        if output is not None and readme_diff(example, output):
            stale.append(example.command)
            lines[example.first : example.end] = output.splitlines()
    return "\n".join(lines) + "\n", stale[::-1]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bot.sandbox --update-readme README.md``: regenerate the walk-through."""
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox", description=main.__doc__)
    parser.add_argument("--update-readme", type=Path, metavar="README", required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    catalog = Catalog.load()
    path: Path = args.update_readme
    produced = asyncio.run(run_examples(path.read_text(encoding="utf-8"), catalog))
    # Read again: others may have edited the rest of the README while the examples ran.
    readme = path.read_text(encoding="utf-8")
    updated, stale = with_outputs(readme, produced)
    if updated != readme:
        path.write_text(updated, encoding="utf-8")
    total = len(produced)
    for command in stale:
        print(f"updated: {command[:90]}")
    print(f"{len(stale)} of {total} sandbox examples updated in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

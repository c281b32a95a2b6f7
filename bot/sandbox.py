"""``between sandbox``: a terminal chat with the real bot and a stand-in for Telegram."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from telegram import Update

from bot.app import App, build_application, running
from bot.config import Settings
from bot.core import usecases
from bot.core.clock import ManualClock, SystemClock
from bot.core.i18n import Catalog
from bot.core.model import Role
from bot.standin import ChatMessage, FakeBotAPI


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

HELP = """Sandbox commands (everything else is sent to the bot as a message):
  <number>              press button <number> of the last message that has buttons
  :as client|clinician|peer|friend
                        act as Alex (client), Dr Kim (clinician), Sam (peer supporter)
                        or Jo (someone close to Alex, who joins only through Alex's link)
  :open                 open the last invite link shown in any chat, as yourself
  :wait 30m|2h|1d|1d6h  move the clock forward; whatever is due happens
  :time                 show the sandbox clock
  :sticker, :photo, :voice
                        send something that is not text
  :block                block the bot (as Telegram would report it)
  :help                 this list
  :quit                 leave (end of input works too)"""

TICK_STEP = timedelta(minutes=5)
_LINK = re.compile(r"\?start=([\w-]+)")
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


def parse_duration(text: str) -> timedelta | None:
    """``1d6h30m`` and friends; None if the text is not such a duration."""
    match = _DURATION.match(text.strip())
    if not match or not any(match.groups()):
        return None
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


class Sandbox:
    """Feeds what you type to the bot as Telegram updates and prints what the bot did."""

    def __init__(self, app: App, api: FakeBotAPI, clock: ManualClock, out: TextIO) -> None:
        self.app = app
        self.api = api
        self.clock = clock
        self.out = out
        self.persona = PERSONAS["client"]
        self._seen: dict[int, dict[int, tuple[str, str, bool]]] = {}
        self._keyboards: dict[int, ChatMessage] = {}
        self._joined: set[str] = set()
        api.add_user(self.persona.user_id, first_name=self.persona.name, language_code="en")
        self._joined.add("client")

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
            self.say(HELP)
        elif command == ":as":
            await self._switch(rest.strip())
        elif command == ":wait":
            await self._wait(rest)
        elif command == ":time":
            self.say(f"  (It is {self._local_now()}.)")
        elif command in (":sticker", ":photo", ":voice"):
            builder = getattr(self.api, command[1:])
            await self._feed(builder(self.persona.user_id))
        elif command == ":open":
            await self._open()
        elif command == ":block":
            await self._feed(self.api.member_status(self.persona.user_id, "kicked"))
        elif command.startswith(":"):
            self.say(f"  (Unknown sandbox command {command}. :help lists them.)")
        elif line.strip().isdigit() and self.persona.user_id in self._keyboards:
            await self._press(int(line.strip()))
        else:
            await self._feed(self.api.text(self.persona.user_id, line))
        return True

    def _local_now(self) -> str:
        zone = self.app.bot_data.services.settings.service.defaults.timezone
        return self.clock.now().astimezone(ZoneInfo(zone)).strftime("%A %d %B %Y, %H:%M %Z")

    async def _feed(self, update: dict[str, Any]) -> None:
        await self.app.process_update(Update.de_json(update, self.app.bot))
        # The running bot looks for due work every few seconds; here, after every action
        # (a nudge "Now" goes out at once, as it would a few seconds later for real).
        scheduler = self.app.bot_data.services.scheduler
        if scheduler is not None:
            await scheduler.tick()
        answer = None
        if "callback_query" in update:
            answer = self.api.callback_answers.get(update["callback_query"]["id"])
        if answer and answer.get("text"):
            self.say(f"  (A notice pops up: {answer['text']})")
        self.show()

    async def _press(self, number: int) -> None:
        message = self._keyboards[self.persona.user_id]
        buttons = message.buttons()
        if not 1 <= number <= len(buttons):
            self.say(
                f"  (There is no button {number}; the last buttons go from 1 to {len(buttons)}.)"
            )
            return
        label, data = buttons[number - 1]
        self.say(f"  (You press “{label}”.)")
        await self._feed(self.api.press(self.persona.user_id, message.message_id, data))

    async def _open(self) -> None:
        codes = [
            found[1]
            for chat in self.api.chat_ids
            for message in self.api.messages(chat)
            if (found := _LINK.search(message.body))
        ]
        if not codes:
            self.say("  (No invite link has been shown yet. As Dr Kim, try /invite.)")
            return
        self.say("  (You open the link.)")
        await self._feed(self.api.text(self.persona.user_id, f"/start {codes[-1]}"))

    async def _switch(self, key: str) -> None:
        persona = PERSONAS.get(key)
        if persona is None:
            self.say(f"  (Choose one of: {', '.join(PERSONAS)}.)")
            return
        self.persona = persona
        self.say(f"  (You are now {persona.name}, {persona.role.value}.)")
        if key in self._joined:
            self.show()
            return
        self._joined.add(key)
        self.api.add_user(persona.user_id, first_name=persona.name, language_code="en")
        if not persona.role.is_staff:
            self.say("  (Jo has no chat with Between yet. Alex can invite Jo from /team; :open.)")
            return
        services = self.app.bot_data.services
        code = await usecases.create_staff_invite(
            services.db, persona.role, persona.name, self.clock.now(), timedelta(hours=24)
        )
        self.say(
            f"  (The administrator ran: between staff invite --role {persona.role.value} "
            f'--name "{persona.name}". {persona.name} opens the link.)'
        )
        await self._feed(self.api.text(persona.user_id, f"/start {code}"))

    async def _wait(self, text: str) -> None:
        delta = parse_duration(text)
        if delta is None:
            self.say("  (Say how long, for example :wait 30m, :wait 2h or :wait 1d.)")
            return
        # The clock moves in small steps with a tick after each, as the running bot would see
        # it, so a check-in due on the way goes out on time rather than expiring in one jump.
        scheduler = self.app.bot_data.services.scheduler
        end = self.clock.now() + delta
        while self.clock.now() < end:
            self.clock.advance(min(TICK_STEP, end - self.clock.now()))
            if scheduler is not None:
                await scheduler.tick()
        self.say(f"  (Time passes. It is now {self._local_now()}.)")
        self.show()

    def show(self) -> None:
        """Print what changed in your chat; mention messages waiting in the others'."""
        for persona in PERSONAS.values():
            if persona.key not in self._joined:
                continue
            if persona is self.persona:
                for line in self._changes(persona.user_id):
                    self.say(line)
            elif self._changed(persona.user_id):
                self.say(
                    f"  ({persona.name} has something new. Type :as {persona.key} to see it.)"
                )

    def _changed(self, chat_id: int) -> bool:
        """Whether a chat has anything not yet shown (shown when you switch to it)."""
        seen = self._seen.get(chat_id, {})
        return any(
            seen.get(m.message_id) != (m.body, repr(m.reply_markup), m.deleted)
            for m in self.api.messages(chat_id, include_deleted=True)
            if not (m.deleted and m.message_id not in seen)
        )

    def _changes(self, chat_id: int) -> list[str]:
        seen = self._seen.setdefault(chat_id, {})
        lines: list[str] = []
        for message in self.api.messages(chat_id, include_deleted=True):
            state = (message.body, repr(message.reply_markup), message.deleted)
            before = seen.get(message.message_id)
            if before == state:
                continue
            seen[message.message_id] = state
            if message.deleted:
                if before is not None:
                    lines.append("Between › (deleted a message)")
                continue
            lines.extend(self._render(message, edited=before is not None))
        return lines

    def _render(self, message: ChatMessage, *, edited: bool) -> list[str]:
        label = "Between (edited) › " if edited else "Between › "
        body = message.body
        if message.document is not None:
            size = len(message.document["content"])
            body = f"[file {message.document['file_name']}, {size} bytes] {body}".strip()
        elif message.photo is not None:
            body = f"[picture: a QR code of the link above] {body}".strip()
        text_lines = body.splitlines() or [""]
        lines = [label + text_lines[0]] + ["          " + line for line in text_lines[1:]]
        buttons = message.buttons()
        if buttons:
            self._keyboards[message.chat_id] = message
            for number, (text, _) in enumerate(buttons, start=1):
                lines.append(f"          [{number}] {text}")
        elif self._keyboards.get(message.chat_id, message).message_id == message.message_id:
            self._keyboards.pop(message.chat_id, None)
        return lines


async def run_sandbox(settings: Settings, catalog: Catalog, stdin: TextIO, out: TextIO) -> int:
    """Run the sandbox until the input ends or you type :quit."""
    with tempfile.TemporaryDirectory(prefix="between-sandbox-") as data_dir:
        settings = dataclasses.replace(settings, data_dir=Path(data_dir), encryption_key=None)
        clock = ManualClock(SystemClock().now().replace(hour=9, minute=0, second=0, microsecond=0))
        api = FakeBotAPI(now=clock.now)
        app = build_application(settings, catalog, clock=clock, request=api, polling=False)
        async with running(app):
            sandbox = Sandbox(app, api, clock, out)
            sandbox.say(
                "Between sandbox: the real bot, a stand-in for Telegram, a temporary database. "
                "Nothing leaves this computer."
            )
            sandbox.say(
                "You are Alex, a client. Type what Alex would send (try /start). "
                "Numbers press buttons. :help lists more."
            )
            sandbox.say()
            while True:
                line = await asyncio.to_thread(stdin.readline)
                if not line or not await sandbox.handle(line):
                    break
        sandbox.say("(Sandbox closed. Its temporary database is gone.)")
    return 0

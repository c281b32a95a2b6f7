"""A Dutch or German client's first week, through the real stack, reads no English.

Daan's Telegram says ``nl`` (or ``de``). He starts, answers the schedule proposal, joins the
team of Dr Kim and Sam, gets scheduled check-ins at each capacity, opens /helpnow, types words
of crisis inside a check-in, pauses until a typed day and resumes, changes his time and time
zone by typing, shares a note with Dr Kim, gets a nudge from Sam and answers it, and asks for
/mydata. Everything he was shown (message bodies as sent and as edited, button labels, the
short answers to button presses and the files he got) is held against the English catalog
and the English dialog files: no English sentence of them may reach him.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.app import App
from bot.core.clock import ManualClock
from bot.core.i18n import Catalog, Entry
from bot.standin import ChatMessage, FakeBotAPI
from tests.conftest import PROGRESS, Person, link_code, make_staff, services

CATALOG = Catalog.load()
MIN_FRAGMENT = 12
"""Only English pieces this long count: shorter ones ("Menu", "Check-in") are shared words."""

WORDS = {
    "nl": {
        "crisis": "ik wil dood",
        "day": "vrijdag",
        "time": "19:30",
        "city": "Amsterdam",
        "note": "Slecht geslapen",
        "nudge": "Hoe is het met je?",
        "reply": "Beter, dank je",
        "answer": "Fijn om te horen.",
    },
    "de": {
        "crisis": "ich will sterben",
        "day": "Freitag",
        "time": "19:30",
        "city": "Berlin",
        "note": "Schlecht geschlafen",
        "nudge": "Wie geht es dir?",
        "reply": "Besser, danke",
        "answer": "Schön zu hören.",
    },
}
"""What Daan (and Sam, writing to him) type, in Daan's language."""


def _forms(entry: Entry) -> list[str]:
    return [entry] if isinstance(entry, str) else list(entry.values())


def _fragments(text: str) -> list[str]:
    """The literal pieces of a catalog text between its {placeholders}, 12 characters or more."""
    pieces = [literal for literal, *_ in string.Formatter().parse(text)]
    return [p.strip() for p in pieces if len(p.strip()) >= MIN_FRAGMENT]


def english_fragments(language: str) -> dict[str, set[str]]:
    """English fragment -> the catalog keys it comes from, leaving out every fragment that the
    same key's translation also holds (commands, names, numbers said the same way)."""
    english = CATALOG.texts["en"]
    translated = CATALOG.texts[language]
    found: dict[str, set[str]] = {}
    for key, entry in english.items():
        theirs = " ".join(_forms(translated.get(key, "")))
        for form in _forms(entry):
            for fragment in _fragments(form):
                if fragment not in theirs:
                    found.setdefault(fragment, set()).add(key)
    return found


DIALOGS = Path(__file__).resolve().parent.parent / "dialogs"
WORDED = ("title", "question", "label")
"""The fields of a dialog file a person reads; the rest are ids and rules."""


def _worded(node: object, path: str, out: dict[str, str]) -> None:
    """Every text a person reads in a dialog file, by its place (ids, not positions)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in WORDED and isinstance(value, str):
                out[f"{path}.{key}"] = value
            else:
                _worded(value, f"{path}.{key}", out)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            name = item.get("id", index) if isinstance(item, dict) else index
            _worded(item, f"{path}[{name}]", out)


def dialog_fragments(language: str) -> dict[str, set[str]]:
    """As :func:`english_fragments`, for the English dialog files and their translations."""
    found: dict[str, set[str]] = {}
    for source in sorted(DIALOGS.glob("*.yaml")):
        if source.name.count(".") != 1:
            continue  # a translation, not an English file
        english: dict[str, str] = {}
        translated: dict[str, str] = {}
        _worded(yaml.safe_load(source.read_text(encoding="utf-8")), source.name, english)
        mine = source.with_name(f"{source.stem}.{language}.yaml")
        _worded(yaml.safe_load(mine.read_text(encoding="utf-8")), source.name, translated)
        for where, text in english.items():
            for fragment in _fragments(text):
                if fragment not in translated.get(where, ""):
                    found.setdefault(fragment, set()).add(where)
    return found


@dataclass
class Seen:
    """Everything one person was shown, each with where it was."""

    user_id: int
    texts: list[tuple[str, str]] = field(default_factory=list)
    step: str = "start"

    def add(self, where: str, text: str | None) -> None:
        if text:
            self.texts.append((f"{self.step}: {where}", text))

    def message(self, msg: ChatMessage, how: str) -> None:
        if msg.chat_id != self.user_id:
            return
        self.add(f"message {msg.message_id} {how}", msg.body)
        for label, _ in msg.buttons():
            self.add(f"button on message {msg.message_id}", label)
        if msg.document is not None:
            name = msg.document.get("file_name") or "file"
            self.add(f"file {name}", str(name))
            self.add(f"file {name}", msg.document["content"].decode("utf-8"))


def watch(api: FakeBotAPI, seen: Seen) -> None:
    """Note every message the stand-in shows ``seen``'s person, and every edit of one, at the
    moment it is shown: an edit replaces the text a person has already read."""
    shown, edited = api._shown, api._mark_edited

    def on_shown(msg: ChatMessage) -> dict[str, Any]:
        seen.message(msg, "sent")
        return shown(msg)

    def on_edited(msg: ChatMessage) -> dict[str, Any]:
        seen.message(msg, "edited")
        return edited(msg)

    api._shown = on_shown  # type: ignore[method-assign]
    api._mark_edited = on_edited  # type: ignore[method-assign]


class Client:
    """Daan, reading ``language``: presses buttons by their label in that language."""

    def __init__(self, app: App, api: FakeBotAPI, clock: ManualClock, language: str) -> None:
        self.person = Person(app, api, 301, "Daan")
        api.add_user(301, first_name="Daan", language_code=language)
        self.app, self.api, self.clock, self.language = app, api, clock, language
        self.seen = Seen(301)
        watch(api, self.seen)

    def text(self, key: str, **values: object) -> str:
        return CATALOG.get(self.language, key, **values)

    def step(self, name: str) -> None:
        self.seen.step = name

    async def send(self, text: str) -> list[ChatMessage]:
        return await self.person.send(text)

    async def press(self, label: str) -> list[ChatMessage]:
        update = self.api.click(self.person.id, label)
        sent = await self.person.feed(update)
        self._toast(update)
        return sent

    async def press_key(self, key: str, **values: object) -> list[ChatMessage]:
        return await self.press(self.text(key, **values))

    async def press_at(self, message: ChatMessage, index: int) -> list[ChatMessage]:
        _, data = message.buttons()[index]
        update = self.api.press(self.person.id, message.message_id, data)
        sent = await self.person.feed(update)
        self._toast(update)
        return sent

    def _toast(self, update: dict[str, object]) -> None:
        query = update["callback_query"]
        assert isinstance(query, dict)
        answer = self.api.callback_answers.get(str(query["id"]))
        if answer:
            self.seen.add("answer to a button", str(answer.get("text") or ""))

    def last(self) -> ChatMessage:
        return self.person.last()

    def labels(self) -> list[str]:
        return [label for label, _ in self.last().buttons()]

    async def until(self, end: datetime, step: timedelta = timedelta(minutes=30)) -> None:
        scheduler = services(self.app).scheduler
        assert scheduler is not None
        while self.clock.now() < end:
            self.clock.advance(min(step, end - self.clock.now()))
            await scheduler.tick()


def question_open(message: ChatMessage) -> bool:
    return bool(message.buttons()) and bool(PROGRESS.search(message.body))


async def answer_checkin(daan: Client, capacity: str, *, crisis: str | None = None) -> None:
    """Answer the check-in that just arrived at ``capacity``: each question by its first
    button; with ``crisis``, type those words at the first question and go on."""
    assert daan.labels()[:3] == [
        daan.text("checkin.capacity_least"),
        daan.text("checkin.capacity_middle"),
        daan.text("checkin.capacity_most"),
    ], daan.last().body
    await daan.press_key(f"checkin.capacity_{capacity}")
    assert question_open(daan.last()), daan.last().body
    if crisis is not None:
        (card,) = await daan.send(crisis)
        assert "112" in card.body
        await daan.press_key("helpnow.go_on")
    go_on = daan.text("checkin.need.go_on")
    for _ in range(20):
        if question_open(daan.last()):
            await daan.press_at(daan.last(), 0)
        elif go_on in daan.labels():  # a need the answer named ("Nobody"): go on past it
            await daan.press(go_on)
        else:
            break
    (record,) = await services(daan.app).db.recent_checkins(daan.person.id, 1)
    assert record.capacity == capacity and record.status == "done", record


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


async def first_week(app: App, api: FakeBotAPI, clock: ManualClock, language: str) -> Seen:
    words = WORDS[language]
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    sam = await make_staff(app, api, 202, "Sam", "peer")
    daan = Client(app, api, clock, language)

    # Monday 2 March, 09:00 London: first contact, the schedule proposal answered.
    daan.step("/start")
    sent = await daan.send("/start")
    hello = daan.text("start.welcome", name_part="\0", org="").split("\0")[0]
    assert sent[0].body.startswith(f"{hello}, Daan"), sent[0].body
    assert daan.text("schedule.agree") in daan.labels()
    await daan.press_key("schedule.agree")
    user = await services(app).db.get_user(301)
    assert user is not None and user.language == language

    daan.step("joining the team")
    for staff in (kim, sam):
        await daan.send(f"/start {link_code(await staff.send('/invite'))}")
        await daan.press_key("invite.accept", name=staff.name)

    daan.step("/helpnow")
    (card, *_) = await daan.send("/helpnow")
    assert card.body.startswith(daan.text("helpnow.title"))

    daan.step("a note")
    await daan.send(words["note"])

    # Monday 18:00: the first check-in, at the least capacity.
    daan.step("check-in on Monday")
    await daan.until(at(2, 18, 30))
    await answer_checkin(daan, "least")

    # Tuesday: another time, typed, and a city for the time zone.
    await daan.until(at(3, 10))
    daan.step("/settings")
    await daan.send("/settings")
    await daan.press_key("schedule.time")
    await daan.send(words["time"])
    await daan.press_key("schedule.zone")
    await daan.send(words["city"])
    own = await services(app).db.schedule(301)
    assert own is not None and own.time == "19:30"
    assert own.timezone == f"Europe/{words['city']}"

    # Tuesday: a pause until a day typed in words, and /resume on Wednesday.
    daan.step("/pause")
    await daan.send("/pause")
    await daan.press_key("settings.pause_pick_day")
    (confirm,) = await daan.send(words["day"])
    assert words["day"].lower() in confirm.body.lower() and "6" in confirm.body, confirm.body
    await daan.press_key("common.yes")
    await daan.press_key("pause.message_none")
    own = await services(app).db.schedule(301)
    assert own is not None and own.paused and own.paused_until == "2026-03-06"
    await daan.until(at(4, 10))
    daan.step("/resume")
    await daan.send("/resume")
    own = await services(app).db.schedule(301)
    assert own is not None and not own.paused

    # Thursday 19:30 Amsterdam or Berlin time: the second check-in, at the middle capacity.
    daan.step("check-in on Thursday")
    await daan.until(at(5, 19))
    await answer_checkin(daan, "middle")

    # Friday: the note shared with Dr Kim.
    await daan.until(at(6, 10))
    daan.step("/share")
    kim_before = len(api.messages(kim.id))
    await daan.send("/share")
    note = next(label for label in daan.labels() if words["note"] in label)
    await daan.press(note)
    await daan.press_key("share.preview")
    kim_label = next(label for label in daan.labels() if label.startswith("Dr Kim"))
    await daan.press(kim_label)
    await daan.press_key("share.go_one", name="Dr Kim")
    assert len(api.messages(kim.id)) > kim_before

    # Saturday: a nudge from Sam, answered; Sam's answer comes back.
    await daan.until(at(7, 10))
    daan.step("a nudge from Sam")
    await sam.send("/nudge")
    await sam.press("Daan")
    await sam.press("Now")
    await sam.send(words["nudge"])
    await sam.press("Send")
    await daan.until(clock.now() + timedelta(minutes=10), timedelta(minutes=1))
    assert daan.last().body.endswith(words["nudge"])
    await daan.press_key("nudge.reply", name="Sam")
    await daan.send(words["reply"])
    sam_before = len(api.messages(sam.id))
    await daan.press_key("relay.send", name="Sam")
    assert len(api.messages(sam.id)) > sam_before
    await sam.press("Answer Daan")
    await sam.send(words["answer"])
    await sam.press("Send")
    await daan.until(clock.now() + timedelta(minutes=30), timedelta(minutes=5))
    assert daan.last().body.endswith(words["answer"])

    # Monday 9 March, 19:30: the third check-in, at the most capacity, with words of crisis.
    daan.step("check-in on the next Monday")
    await daan.until(at(9, 19))
    await answer_checkin(daan, "most", crisis=words["crisis"])

    daan.step("/mydata")
    listed, readable, data = await daan.send("/mydata")
    assert listed.body.startswith(daan.text("mydata.intro"))
    assert readable.document is not None and data.document is not None

    # Whatever the watch may have missed: every message as it stands now.
    daan.step("at the end")
    for message in api.messages(301, include_deleted=True):
        daan.seen.message(message, "as it stands")
    return daan.seen


def leaks(seen: Seen, language: str) -> list[tuple[str, str, str]]:
    """(English key, English fragment, where it was shown) for every English piece shown."""
    fragments = english_fragments(language) | dialog_fragments(language)
    found: set[tuple[str, str, str]] = set()
    shown: set[str] = set()
    for where, text in seen.texts:
        if where.startswith("at the end") and text in shown:
            continue  # seen already, as it was sent or edited
        shown.add(text)
        for fragment, keys in fragments.items():
            if fragment in text:
                found.update((key, fragment, where) for key in keys)
    return sorted(found)


async def walked(app: App, api: FakeBotAPI, clock: ManualClock, language: str) -> list[str]:
    seen = await first_week(app, api, clock, language)
    return [f"{key} ({fragment!r}) in {where}" for key, fragment, where in leaks(seen, language)]


@pytest.mark.parametrize("language", ["nl", "de"])
async def test_a_first_week_in_dutch_or_german_shows_no_english(
    app: App, api: FakeBotAPI, clock: ManualClock, language: str
) -> None:
    # Messages, buttons, notices and both /mydata files, the readable one's field names too.
    assert await walked(app, api, clock, language) == []


def test_the_check_finds_english_and_leaves_what_translations_share() -> None:
    """The walk's check itself: an English sentence (around its placeholders) is found, a
    command or a name that the translation keeps is not."""
    seen = Seen(301)
    seen.add("a message", CATALOG.get("en", "pause.resumed"))
    seen.add("a button", CATALOG.get("en", "nudge.stop", name="Sam"))
    seen.add("the welcome", CATALOG.get("nl", "start.welcome", name_part=", Dn", org="Ons Team"))
    found = {(key, where) for key, _, where in leaks(seen, "nl")}
    assert ("pause.resumed", "start: a message") in found
    assert ("nudge.stop", "start: a button") in found
    assert not any(where == "start: the welcome" for _, where in found)  # /pause, /helpnow...
    dialogs = dialog_fragments("de")
    assert "checkin.yaml.steps[mood].question" in dialogs["How are things for you right now?"]

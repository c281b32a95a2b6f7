"""/myweeks: a client's own last weeks as a picture, with the same in words as its caption.

Through the real stack (PTB, the SQLite store, the stand-in); histories are lived through the
bot where that is quick (one week) and written with the store's own methods where it would take
hundreds of updates (twelve weeks). Each picture is checked as a PNG (signature, size from its
IHDR chunk); each caption word for word against the history: counts, plural forms, the weekday
named in the reader's language."""

from __future__ import annotations

import struct
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.core.clock import ManualClock
from bot.core.my_weeks import Mark, summarise
from bot.standin import ChatMessage, FakeBotAPI
from bot.storage.store import SqliteStore
from tests.conftest import Person, make_staff, services

ROOT = Path(__file__).resolve().parent.parent
SIGNATURE = b"\x89PNG\r\n\x1a\n"
NOT_FOR_YOU = "This command isn't available for your account."


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, read from its IHDR chunk (which must come first)."""
    assert data[:8] == SIGNATURE, data[:8]
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def picture_of(messages: list[ChatMessage]) -> ChatMessage:
    """The one picture among ``messages``, checked as a sensible PNG."""
    (photo,) = [m for m in messages if m.photo is not None]
    assert photo.photo is not None
    width, height = png_size(photo.photo)
    assert 600 <= width <= 2400 and 400 <= height <= 2400, (width, height)
    assert photo.document is None  # a picture, not a file to open
    return photo


def labels(message: ChatMessage) -> list[str]:
    return [label for label, _ in message.buttons()]


def at(day: str, clock: str = "18:00") -> datetime:
    """A moment in UTC (London's clock in winter): ``at("2026-01-05", "09:30")``."""
    return datetime.fromisoformat(f"{day}T{clock}:00+00:00")


# --- one week, lived through the bot ---------------------------------------------------------


async def test_a_client_sees_their_last_four_weeks_as_a_picture_and_in_words(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    scheduler = services(app).scheduler
    assert scheduler is not None
    await alex.send("/start")
    await alex.press("That's fine")  # check-ins on Monday and Thursday at 18:00
    await alex.send("Slept badly again")  # a note, Monday 09:00
    await alex.send("/checkin")
    await alex.press("Very little")
    clock.advance(timedelta(hours=1))
    await alex.send("/checkin")
    await alex.press("Very little")
    clock.set(at("2026-03-02", "18:00"))
    await scheduler.tick()  # the evening check-in comes, and is let pass
    clock.set(at("2026-03-02", "20:30"))
    await scheduler.tick()
    clock.set(at("2026-03-04", "12:00"))
    await alex.send("A walk by the river")
    clock.set(at("2026-03-05", "18:00"))
    await scheduler.tick()
    await alex.press("Some")
    clock.set(at("2026-03-05", "20:00"))

    sent = await alex.send("/myweeks")

    photo = picture_of(sent)
    assert photo.caption == (
        "Your last 4 weeks, since 9 February 2026.\n\n"
        "You chose “Very little” 2 times, most often on a Monday.\n"
        "You chose “Some” once, on a Thursday.\n"
        "You answered 3 check-ins.\n"
        "You let 1 check-in pass.\n"
        "You wrote 2 notes.\n\n"
        "Only you can see this."
    )
    assert labels(photo) == ["8 weeks", "12 weeks"]
    assert not any(m.photo for m in api.messages(alex.id) if m is not photo)


async def test_another_length_is_a_new_picture_and_the_old_one_keeps_only_its_words(
    app: App, alex: Person
) -> None:
    await alex.send("/start")
    await alex.send("A note")
    four = picture_of(await alex.send("/myweeks"))

    twelve = picture_of(await alex.press("12 weeks"))

    assert twelve.caption is not None
    assert twelve.caption.startswith("Your last 12 weeks, since 15 December 2025.\n\n")
    assert "You wrote 1 note." in twelve.caption
    assert labels(twelve) == ["4 weeks", "8 weeks"]
    assert four.buttons() == []  # the stand-in's record of that message, as it is now
    assert twelve.photo is not None and four.photo is not None
    assert png_size(twelve.photo)[1] > png_size(four.photo)[1]  # a row for each week
    eight = picture_of(await alex.press("8 weeks"))
    assert labels(eight) == ["4 weeks", "12 weeks"]


async def test_my_weeks_in_the_main_menu_opens_four_weeks_and_the_menu_stays(
    alex: Person,
) -> None:
    await alex.send("/start")
    (menu,) = await alex.send("/menu")
    shown = ["Check in now", "Write a note", "My team", "My weeks", "I need help now"]
    assert labels(menu) == shown
    photo = picture_of(await alex.press("My weeks"))
    assert photo.caption is not None and photo.caption.startswith("Your last 4 weeks")
    assert labels(menu) == shown  # the stand-in's record of the menu, as it is now


# --- nothing yet -----------------------------------------------------------------------------

EMPTY = {
    "en": "Your last 4 weeks, since 9 February 2026.\n\n"
    "Nothing yet in these weeks. Your check-ins and notes will show here.\n\n"
    "Only you can see this.",
    "nl": "Je laatste 4 weken, sinds 9 februari 2026.\n\n"
    "Nog niets in deze weken. Je check-ins en notities komen hier te staan.\n\n"
    "Alleen jij kunt dit zien.",
    "de": "Deine letzten 4 Wochen, seit dem 9. Februar 2026.\n\n"
    "In diesen Wochen ist noch nichts da. Deine Check-ins und Notizen erscheinen hier.\n\n"
    "Nur du kannst das sehen.",
}


@pytest.mark.parametrize("language", ["en", "nl", "de"])
async def test_an_empty_history_gets_a_kind_caption_and_still_a_picture(
    app: App, api: FakeBotAPI, language: str
) -> None:
    kim = Person(app, api, 401, "Kim")
    api.add_user(401, first_name="Kim", language_code=language)
    await kim.send("/start")
    photo = picture_of(await kim.send("/myweeks"))
    assert photo.caption == EMPTY[language]
    assert len(labels(photo)) == 2


# --- twelve weeks, written with the store ----------------------------------------------------


async def twelve_weeks(store: SqliteStore, user_id: int) -> None:
    """Eleven weeks and a morning (today is Monday 2 March 2026, 09:00): "Very little" every
    Monday evening, "Some" and "Plenty" on Thursdays in turn, a check-in the bot sent let pass
    every third Saturday, 0, 1 or 2 notes on Wednesdays, "Plenty" this morning; a meeting in
    January and one this Thursday. And some of it before the twelve weeks, which is left out."""
    monday = datetime(2025, 12, 15, 18, 0, tzinfo=UTC)
    for week in range(11):
        start = monday + timedelta(weeks=week)
        await checkin(store, user_id, start, "least")
        await checkin(store, user_id, start + timedelta(days=3), "middle" if week % 2 else "most")
        if week % 3 == 0:
            await let_pass(store, user_id, start + timedelta(days=5, hours=-8))
        for _ in range(week % 3):
            await store.add_note(user_id, "words never read", start + timedelta(days=2, hours=-6))
    await checkin(store, user_id, at("2026-03-02", "08:00"), "most")
    await checkin(store, user_id, at("2025-12-10"), "least")  # before the twelve weeks
    await store.add_note(user_id, "before", at("2025-12-14", "12:00"))
    # The bot wrote about a meeting on 15 January; one planned for the 22nd was moved.
    await store.plan_send(
        user_id, "meeting", "after", "2026-01-15", at("2026-01-16"), at("2026-01-18")
    )
    (after,) = [s for s in await store.sends(user_id) if s.kind == "meeting"]
    await store.finish_send(after.id, "sent", at("2026-01-16"), message_id=2)
    await store.plan_send(
        user_id, "meeting", "prep", "2026-01-22", at("2026-01-19"), at("2026-01-22")
    )
    await store.cancel_planned(user_id, "meeting", "meeting changed")
    await store.set_next_meeting(user_id, "2026-03-05")


async def checkin(store: SqliteStore, user_id: int, moment: datetime, level: str) -> None:
    record = await store.start_checkin(user_id, "checkin", moment)
    await store.set_capacity(record.id, level, first=True)
    await store.finish_checkin(record.id, "done", moment + timedelta(minutes=5))


async def let_pass(store: SqliteStore, user_id: int, moment: datetime) -> None:
    """A check-in the bot sent at ``moment``, unanswered when its time was over."""
    record = await store.start_checkin(user_id, "checkin", moment)
    day = moment.date().isoformat()
    closes = moment + timedelta(hours=2)
    assert await store.plan_send(user_id, "checkin", "regular", day, moment, closes)
    (send,) = [s for s in await store.sends(user_id) if s.local_date == day]
    await store.finish_send(send.id, "sent", moment, message_id=1, checkin_id=record.id)
    await store.finish_checkin(record.id, "closed", closes)
    await store.finish_send(send.id, "closed", closes)


TWELVE = {
    "en": (
        "Your last 12 weeks, since 15 December 2025.\n\n"
        "You chose “Very little” 11 times, most often on a Monday.\n"
        "You chose “Some” 5 times, most often on a Thursday.\n"
        "You chose “Plenty” 7 times, most often on a Thursday.\n"
        "You answered 23 check-ins.\n"
        "You let 4 check-ins pass.\n"
        "You wrote 10 notes.\n"
        "Network meetings: 15 January 2026 and 5 March 2026.\n\n"
        "Only you can see this."
    ),
    "nl": (
        "Je laatste 12 weken, sinds 15 december 2025.\n\n"
        "Je koos 11 keer “Heel weinig”, het vaakst op maandag.\n"
        "Je koos 5 keer “Een beetje”, het vaakst op donderdag.\n"
        "Je koos 7 keer “Veel”, het vaakst op donderdag.\n"
        "Je hebt 23 check-ins beantwoord.\n"
        "Je liet 4 check-ins voorbijgaan.\n"
        "Je schreef 10 notities.\n"
        "Netwerkgesprekken: 15 januari 2026 en 5 maart 2026.\n\n"
        "Alleen jij kunt dit zien."
    ),
    "de": (
        "Deine letzten 12 Wochen, seit dem 15. Dezember 2025.\n\n"
        "Du hast 11-mal „Sehr wenig“ gewählt, am häufigsten an einem Montag.\n"
        "Du hast 5-mal „Etwas“ gewählt, am häufigsten an einem Donnerstag.\n"
        "Du hast 7-mal „Viel“ gewählt, am häufigsten an einem Donnerstag.\n"
        "Du hast 23 Check-ins beantwortet.\n"
        "Du hast 4 Check-ins vorbeiziehen lassen.\n"
        "Du hast 10 Notizen geschrieben.\n"
        "Netzwerktreffen: 15. Januar 2026 und 5. März 2026.\n\n"
        "Nur du kannst das sehen."
    ),
}


@pytest.mark.parametrize("language", ["en", "nl", "de"])
async def test_twelve_weeks_in_words_and_picture_in_each_language(
    app: App, api: FakeBotAPI, language: str
) -> None:
    kim = Person(app, api, 401, "Kim")
    api.add_user(401, first_name="Kim", language_code=language)
    await kim.send("/start")
    await twelve_weeks(services(app).db, kim.id)

    photo = picture_of(await kim.send("/myweeks 12"))

    assert photo.caption == TWELVE[language]
    assert photo.photo is not None
    assert png_size(photo.photo) == (1200, 1135)


async def test_the_days_are_the_clients_own() -> None:
    """A note at 23:30 in London on a Sunday is Monday's in Berlin: each client's weeks are
    on their own clock."""
    from zoneinfo import ZoneInfo

    late = [at("2026-02-15", "23:30")]  # a Sunday night in London, Monday in Berlin
    for zone, first_week in (("Europe/London", 0), ("Europe/Berlin", 1)):
        weeks = summarise(
            today=at("2026-03-02").date(), weeks=4, zone=ZoneInfo(zone), checkins=(), notes=late
        )
        assert [sum(d.notes for d in weeks.week(i)) for i in range(4)][first_week] == 1


# --- one of each, in the singular ------------------------------------------------------------

ONCE = {
    "en": (
        "You chose “Very little” once, on a Tuesday.",
        "You answered 1 check-in.",
        "You let 1 check-in pass.",
        "You wrote 1 note.",
        "Network meeting: 24 February 2026.",
    ),
    "nl": (
        "Je koos één keer “Heel weinig”, op een dinsdag.",
        "Je hebt 1 check-in beantwoord.",
        "Je liet 1 check-in voorbijgaan.",
        "Je schreef 1 notitie.",
        "Netwerkgesprek: 24 februari 2026.",
    ),
    "de": (
        "Du hast einmal „Sehr wenig“ gewählt, an einem Dienstag.",
        "Du hast 1 Check-in beantwortet.",
        "Du hast 1 Check-in vorbeiziehen lassen.",
        "Du hast 1 Notiz geschrieben.",
        "Netzwerktreffen: 24. Februar 2026.",
    ),
}


@pytest.mark.parametrize("language", ["en", "nl", "de"])
async def test_one_of_each_is_said_in_the_singular(
    app: App, api: FakeBotAPI, language: str
) -> None:
    kim = Person(app, api, 401, "Kim")
    api.add_user(401, first_name="Kim", language_code=language)
    await kim.send("/start")
    store = services(app).db
    await checkin(store, kim.id, at("2026-02-24"), "least")
    await let_pass(store, kim.id, at("2026-02-26"))
    await store.add_note(kim.id, "one", at("2026-02-27", "10:00"))
    await store.set_next_meeting(kim.id, "2026-02-24")

    photo = picture_of(await kim.send("/myweeks"))

    assert photo.caption is not None
    assert photo.caption.split("\n\n")[1].splitlines() == list(ONCE[language])


# --- only the client, only their own ---------------------------------------------------------


async def test_staff_are_refused_and_get_no_picture(app: App, api: FakeBotAPI) -> None:
    sam = await make_staff(app, api, 301, "Sam", "peer")
    (reply,) = await sam.send("/myweeks")
    assert reply.body == NOT_FOR_YOU
    shown = await sam.press_data(reply.message_id, "wk:4")  # a forged "My weeks"
    assert [m for m in shown if m.photo is not None] == []
    assert [m for m in api.messages(sam.id) if m.photo is not None] == []


async def test_the_picture_goes_only_to_the_client_who_asked_and_shows_only_theirs(
    app: App, api: FakeBotAPI, alex: Person, blair: Person
) -> None:
    await alex.send("/start")
    await blair.send("/start")
    await alex.send("Only mine")
    blair_before = len(api.messages(blair.id))

    mine = picture_of(await alex.send("/myweeks"))

    assert mine.chat_id == alex.id
    assert mine.caption is not None and "You wrote 1 note." in mine.caption
    assert len(api.messages(blair.id)) == blair_before
    # The same button pressed in Blair's chat shows Blair's own (empty) weeks.
    theirs = picture_of(await blair.press_data(1, "wk:4"))
    assert theirs.chat_id == blair.id
    assert theirs.caption is not None and "Nothing yet" in theirs.caption


async def test_a_length_not_offered_changes_nothing(alex: Person) -> None:
    await alex.send("/start")
    shown = await alex.press_data(1, "wk:5")
    assert [m for m in shown if m.photo is not None] == []
    picture_of(await alex.send("/myweeks 7"))  # not offered: the first length, 4 weeks


def test_every_mark_of_the_picture_is_explained() -> None:
    assert {mark.value for mark in Mark} == {"least", "middle", "most", "passed"}


# --- matplotlib, only when first needed ------------------------------------------------------


def test_starting_the_bot_does_not_load_matplotlib_and_drawing_never_loads_pyplot() -> None:
    script = (
        "import sys\n"
        "import bot.app\n"
        "print('matplotlib' in sys.modules)\n"
        "from datetime import date\n"
        "from zoneinfo import ZoneInfo\n"
        "from bot.core.i18n import Catalog\n"
        "from bot.core.my_weeks import picture, summarise\n"
        "from bot.draw.weeks import draw_weeks\n"
        "weeks = summarise(today=date(2026, 3, 2), weeks=4, zone=ZoneInfo('UTC'), checkins=())\n"
        "drawn = picture(weeks, Catalog.load(), 'en', 'en_GB')\n"
        "png = draw_weeks(weeks, drawn.labels, weekdays=drawn.weekdays, rows=drawn.rows)\n"
        "print(png[:4] == b'\\x89PNG', 'matplotlib' in sys.modules,\n"
        "      'matplotlib.pyplot' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split("\n")[:2] == ["False", "True True False"]

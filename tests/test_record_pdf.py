"""A record for a meeting: under /mydata a client gets a PDF of their own words for a time they
choose (their notes, their check-ins as they saw them, what they put on the agenda), in their
language, its days and times on their clock; nothing anyone else wrote, no one else's name.
Through the real PTB stack and the stand-in; the PDF is read back with pypdf."""

from __future__ import annotations

import io
import logging
import threading
from datetime import timedelta

import pytest
from pypdf import PdfReader

from bot.app import App
from bot.core import record
from bot.core.actions.record import AskRecord, MakeRecord, Period
from bot.core.clock import ManualClock
from bot.core.record import Document
from bot.draw import record_pdf
from bot.draw.record_pdf import MISSING, drawable
from bot.standin import ChatMessage, FakeBotAPI
from bot.tg.codec import encode
from tests.conftest import Person, join, link_code, make_staff, services

BUTTON = "A record for a meeting (PDF)"
CHOICES = ["The last 4 weeks", "The last 12 weeks", "Everything", "Back"]


def labels(message: ChatMessage) -> list[str]:
    return [label for label, _ in message.buttons()]


def pdf_text(message: ChatMessage) -> str:
    """The words of the PDF a message carries, page after page."""
    assert message.document is not None
    content = message.document["content"]
    assert content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def flat(text: str) -> str:
    """Words as one line: the page wraps long lines where it likes."""
    return " ".join(text.split())


async def my_record(person: Person, period: str = "Everything") -> tuple[ChatMessage, str]:
    """/mydata, "A record for a meeting (PDF)", a time: the message with the PDF and its text."""
    listed = (await person.send("/mydata"))[0]
    assert labels(listed) == [BUTTON]
    await person.press(BUTTON)
    asked = person.api.messages(person.id)[-3]  # the list's own message, above the two files
    assert asked.message_id == listed.message_id
    sent = await person.press(period)
    (made,) = [message for message in sent if message.document is not None]
    return made, pdf_text(made)


async def checkin_with_words(person: Person) -> None:
    """A check-in at "Plenty": words typed at the first question, then buttons."""
    await person.send("/checkin")
    await person.press("Plenty")
    await person.send("tired but okay")
    await person.press("My team")
    await person.press("Nothing right now")


async def test_the_pdf_holds_the_clients_words_and_no_one_elses(
    app: App, api: FakeBotAPI, alex: Person, blair: Person
) -> None:
    sam = await make_staff(app, api, 301, "Sam", "peer")
    await alex.send("/start")
    await alex.press("That's fine")
    await join(sam, alex)
    await alex.send("Slept badly again, then a walk by the canal")
    await checkin_with_words(alex)
    # Someone else's words, kept in the same place: Sam's own note, a nudge Sam wrote to Alex,
    # and another client's note.
    await sam.send("Sam's own thought about the week")
    await sam.send("/nudge")
    await sam.press("Alex")
    await sam.press("Now")
    await sam.send("How did the appointment go?")
    await sam.press("Send")
    scheduler = services(app).scheduler
    assert scheduler is not None
    await scheduler.tick()
    assert any("How did the appointment go?" in m.body for m in api.messages(alex.id))
    await blair.send("/start")
    await blair.send("Blair's private worry")

    jo = await someone_close(app, api, alex)
    await jo.send("Jo's words about the weekend")
    mydata_list = (await alex.send("/mydata"))[0].body
    made, text = await my_record(alex)

    assert made.document is not None and made.document["file_name"] == "between-my-record.pdf"
    assert made.body == (
        "Your record for a meeting, 2 March 2026 to 2 March 2026. "
        "It is yours: you decide who sees it."
    )
    assert "\n" not in made.body  # one line
    words = flat(text)
    assert "Alex – a record for a meeting" in words
    assert "Everything: 2 March 2026 to 2 March 2026" in words
    assert "Your notes" in words and "Monday, 2 March 2026, 09:00" in words
    assert "Slept badly again, then a walk by the canal" in words
    assert "Your check-ins" in words and "A short check-in" in words
    assert "Energy: Plenty" in words
    assert "How are things for you right now? tired but okay" in words  # typed, as written
    assert "Who have you felt most in touch with lately? My team" in words  # the button
    assert "Is there something you want to decide or say? Nothing right now" in words
    assert "For the meeting" in words and "Nothing put on the agenda in this time." in words
    for theirs in ("Sam", "appointment", "Blair", "worry", "Jo", "weekend"):
        assert theirs not in text, theirs
    # The list of /mydata is back in the question's place, its button under it.
    listed = api.messages(alex.id)[-4]
    assert listed.body == mydata_list and labels(listed) == [BUTTON]


async def test_the_agenda_holds_what_to_raise_and_what_not_in_the_clients_words(
    alex: Person,
) -> None:
    await alex.send("/checkin")
    await alex.press("Some")
    await alex.press("Okay")
    await alex.press("My team")
    await alex.press("Something to decide")
    await alex.press("Put it on the agenda")
    await alex.send("Whether to stop the evening pill")
    await alex.send("/agenda")
    await alex.press("Some")
    await alex.press("My medicine")
    await alex.press("Yes, there is")
    await alex.send("My brother’s debts")

    _, text = await my_record(alex, "The last 4 weeks")

    words = flat(text)
    raise_at = words.index("What you want to talk about")
    avoid_at = words.index("What you would rather not talk about")
    assert raise_at < words.index("Whether to stop the evening pill", raise_at) < avoid_at
    assert avoid_at < words.rindex("My brother’s debts")
    assert "Getting ready for your next meeting" in words  # the /agenda check-in itself
    assert "Nothing put on the agenda in this time." not in words


async def test_the_time_chosen_limits_what_goes_in(clock: ManualClock, alex: Person) -> None:
    await alex.send("/start")
    await alex.send("A note from early March")
    await checkin_with_words(alex)
    clock.advance(timedelta(weeks=6))
    await alex.send("A note from mid April")

    _, recent = await my_record(alex, "The last 4 weeks")
    _, longer = await my_record(alex, "The last 12 weeks")
    _, everything = await my_record(alex, "Everything")

    assert "A note from mid April" in recent and "A note from early March" not in recent
    assert "tired but okay" not in recent and "No check-ins in this time." in flat(recent)
    assert "The last 4 weeks: 16 March 2026 to 13 April 2026" in flat(recent)
    for text in (longer, everything):
        assert "A note from early March" in text and "A note from mid April" in text
        assert "tired but okay" in text
    assert "The last 12 weeks: 2 March 2026 to 13 April 2026" in flat(longer)  # since they came
    assert "Everything: 2 March 2026 to 13 April 2026" in flat(everything)


SAID = {
    "nl": {
        "agree": "Dat is goed",
        "level": "Veel",
        "lines": (
            "Daan – overzicht voor een gesprek",
            "Alles: 2 maart 2026 tot en met 2 maart 2026",
            "Je notities",
            "maandag 2 maart 2026, 09:00",
            "Je check-ins",
            "Energie: Veel",
            "Voor het gesprek",
            "Pagina 1 van 1",
        ),
        "caption": "Je overzicht voor een gesprek, 2 maart 2026 tot en met 2 maart 2026.",
        "button": "Overzicht voor een gesprek (PDF)",
        "everything": "Alles",
    },
    "de": {
        "agree": "Das passt",
        "level": "Viel",
        "lines": (
            "Daan – Übersicht fürs Treffen",
            "Alles: 2. März 2026 bis 2. März 2026",
            "Deine Notizen",
            "Montag, 2. März 2026, 09:00",
            "Deine Check-ins",
            "Kraft: Viel",
            "Fürs Treffen",
            "Seite 1 von 1",
        ),
        "caption": "Deine Übersicht fürs Treffen, 2. März 2026 bis 2. März 2026.",
        "button": "Übersicht fürs Treffen (PDF)",
        "everything": "Alles",
    },
}
"""What a Dutch or German client presses, and lines of their record."""

WRITTEN = "Grüße „schön“ – ß é ë … ‘so’ “quoted”"
"""A note with the letters and marks of the bot's languages."""


@pytest.mark.parametrize("language", ["nl", "de"])
async def test_a_dutch_or_german_record_is_in_their_language_with_their_letters(
    app: App, api: FakeBotAPI, language: str
) -> None:
    said = SAID[language]
    daan = Person(app, api, 301, "Daan")
    api.add_user(301, first_name="Daan", language_code=language)
    await daan.send("/start")
    await daan.press(str(said["agree"]))
    await daan.send(WRITTEN)
    await daan.send("/checkin")
    await daan.press(str(said["level"]))
    await daan.send("müde, aber gut – wirklich")

    listed = (await daan.send("/mydata"))[0]
    assert labels(listed) == [said["button"]]
    await daan.press(str(said["button"]))
    sent = await daan.press(str(said["everything"]))
    (made,) = [message for message in sent if message.document is not None]
    text = pdf_text(made)

    words = flat(text)
    for line in said["lines"]:
        assert line in words, line
    assert WRITTEN in text
    assert "müde, aber gut – wirklich" in text
    assert made.body.startswith(str(said["caption"]))
    for english in ("Your notes", "Energy", "For the meeting", "March"):
        assert english not in text, english


async def test_characters_the_font_cannot_draw_never_stop_the_record(
    alex: Person, caplog: pytest.LogCaptureFixture
) -> None:
    await alex.send("/start")
    caplog.set_level(logging.DEBUG)
    await alex.send("A good day 😀 with 👍🏽 and 🫶, 你好 and\ttabs")

    _, text = await my_record(alex)

    assert "A good day 😀 with" in text  # DejaVu Sans draws this one, not the others;
    assert f"with {MISSING} and {MISSING}, {MISSING}{MISSING}" in text  # a skin tone is left out
    assert "and    tabs" in text
    # Nothing names what was written in a log: not the drawing libraries, nobody.
    assert not [r for r in caplog.records if r.name.startswith(("fpdf", "fontTools"))]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for written in ("🫶", "你", "好", "good day", "u1F600"):
        assert written not in logged, written


def test_drawable_keeps_what_the_font_has_and_marks_the_rest() -> None:
    cmap = {ord(c) for c in "abc \u00e9"}
    assert drawable("ab\u00e9\nb", cmap) == "ab\u00e9\nb"
    assert drawable("a😀b", cmap) == f"a{MISSING}b"
    assert drawable("a\ufe0f\u200d\u0301\U0001f3fdb\r", cmap) == "ab"  # invisible: left out
    assert drawable("a\u2028b\tc", cmap) == "a\nb    c"


async def test_staff_and_someone_close_get_no_record(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    sam = await make_staff(app, api, 301, "Sam", "peer")
    await alex.send("/start")
    await join(sam, alex)
    jo = await someone_close(app, api, alex)
    for person in (sam, jo):
        await person.send("My own words")
        sent = await person.send("/mydata")
        assert len(sent) == 3 and all(BUTTON not in labels(message) for message in sent)
        # Buttons made for a client, pressed by someone else: a calm answer, no file.
        before = len(api.messages(person.id, include_deleted=True))
        for action in (AskRecord(), MakeRecord(Period.EVERYTHING)):
            await person.press_data(sent[0].message_id, encode(action))
        assert len(api.messages(person.id, include_deleted=True)) == before
        assert api.messages(person.id)[-3].body == sent[0].body  # the list, unchanged


async def someone_close(app: App, api: FakeBotAPI, client: Person) -> Person:
    """Jo joins ``client``'s team through the client's link, as someone close."""
    await client.send("/team")
    code = link_code(await client.press("Invite someone close to me"))
    jo = Person(app, api, 401, "Jo")
    await jo.send(f"/start {code}")
    await jo.press("Accept")
    return jo


async def test_the_question_has_three_times_and_back_and_back_shows_the_list(
    api: FakeBotAPI, alex: Person
) -> None:
    await alex.send("/start")
    listed = (await alex.send("/mydata"))[0]
    await alex.press(BUTTON)
    asked = next(m for m in api.messages(alex.id) if m.message_id == listed.message_id)
    assert asked.body.startswith("A PDF of your own words")
    assert labels(asked) == CHOICES
    assert len(asked.buttons()) <= 6
    await alex.press("Back")
    again = next(m for m in api.messages(alex.id) if m.message_id == listed.message_id)
    assert again.body == listed.body and labels(again) == [BUTTON]
    assert all(len(shown) <= 6 for _, shown in api.screens)


async def test_the_pages_are_drawn_off_the_event_loop(app: App, alex: Person) -> None:
    await alex.send("/start")
    await alex.send("A note")
    svc = services(app)
    user = await svc.persons.find(alex.id)
    assert user is not None
    threads: list[int] = []

    def draw(document: Document) -> bytes:
        threads.append(threading.get_ident())
        return record_pdf.draw(document)

    say = await record.make(
        svc.db,
        svc.db,
        svc.catalog,
        svc.dialogs,
        user,
        zone=await svc.planner.zone_of(user.id),
        period=Period.WEEKS_4,
        now=svc.clock.now(),
        draw=draw,
    )
    assert threads and threads[0] != threading.get_ident()
    assert say.attachment is not None and say.attachment.data.startswith(b"%PDF-")

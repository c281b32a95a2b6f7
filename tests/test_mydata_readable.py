"""The readable /mydata file says every value in the reader's language: times on their clock
(Babel, the service's locale), yes and no, roles, energy levels and what became of things by
their names, a check-in's answers as the question and the button the person saw. The JSON
file beside it stays the export exactly as kept: ISO times in UTC, ids and codes."""

from __future__ import annotations

import copy
import json
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.app import App
from bot.core import my_data
from bot.core.i18n import Catalog
from bot.standin import FakeBotAPI
from tests.conftest import Person, join, make_staff, services

CATALOG = Catalog.load()
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
"""An ISO date, alone or starting a moment ("2026-03-02T09:00:00+00:00")."""
RAW = re.compile(r": (True|False|None)$", re.MULTILINE)
"""A value written out the way Python writes it."""


async def my_files(person: Person) -> tuple[str, str, dict[str, Any]]:
    """/mydata: the list in the chat, the readable file, and the JSON file (read back)."""
    listed, readable, data = await person.send("/mydata")
    assert readable.document is not None and data.document is not None
    assert readable.document["file_name"] == "between-my-data.txt"
    text = readable.document["content"].decode("utf-8")
    return listed.body, text, json.loads(data.document["content"])


async def test_an_english_file_says_times_yes_no_and_names_and_the_json_keeps_the_codes(
    app: App, alex: Person
) -> None:
    await alex.send("/start")
    await alex.press("That's fine")
    await alex.send("Slept badly again")
    await alex.send("/checkin")
    await alex.press("Plenty")
    await alex.send("tired but okay")  # typed at the first question; the check-in goes on

    _, text, data = await my_files(alex)

    assert "Since: 2 March 2026, 09:00" in text  # London's clock, as people in the UK write it
    assert "Written: 2 March 2026, 09:00\nText: Slept badly again" in text
    assert "Role: Client" in text and "Language: English" in text
    assert "Energy chosen: Plenty" in text and "Status: Not finished yet" in text
    assert "  Answer: In your own words\n  Words: tired but okay" in text
    assert "Agreed on: 2 March 2026" in text
    assert "Every other week: No" in text and "Paused: No" in text
    assert "Kind: Check-in\nTime slot: At your usual time" in text  # the contact log
    assert "Status: Planned" in text
    assert not ISO.search(text), ISO.findall(text)
    assert not RAW.search(text), RAW.findall(text)

    # The JSON file is the export as kept, for computers: nothing in it is reworded.
    user = await services(app).persons.find(alex.id)
    assert user is not None
    assert data == await services(app).persons.export(user)
    assert data["person"]["since"] == "2026-03-02T09:00:00+00:00"
    assert data["person"]["role"] == "client" and data["person"]["language"] == "en"
    (checkin,) = data["checkins"]
    assert (checkin["capacity"], checkin["status"]) == ("most", "open")
    assert checkin["answers"][0]["answer"] == "text"
    assert data["schedule"]["every_other_week"] is False


SAID = {
    "nl": {
        "agree": "Dat is goed",
        "level": "Heel weinig",
        "answers": ("Oké", "Familie of vrienden"),
        "lines": (
            "Sinds: 2 maart 2026, 09:00",
            "Rol: Cliënt",
            "Taal: Nederlands",
            "Gekozen energie: Heel weinig",
            "Status: Klaar",
            "Afgesproken op: 2 maart 2026",
            "Om de week: Nee",
            "Gepauzeerd: Nee",
            "Soort: Check-in\nTijdstip: Op je vaste tijd",
            "Status: Gepland",
        ),
    },
    "de": {
        "agree": "Das passt",
        "level": "Sehr wenig",
        "answers": ("Okay", "Familie oder Freunde"),
        "lines": (
            "Seit: 2. März 2026, 09:00",
            "Rolle: Klient*in",
            "Sprache: Deutsch",
            "Gewählte Kraft: Sehr wenig",
            "Stand: Fertig",
            "Vereinbart am: 2. März 2026",
            "Jede zweite Woche: Nein",
            "Pausiert: Nein",
            "Art: Check-in\nZeitpunkt: Zu deiner festen Zeit",
            "Stand: Geplant",
        ),
    },
}
"""What a Dutch or German client presses, and lines of their readable file."""


@pytest.mark.parametrize("language", ["nl", "de"])
async def test_a_dutch_or_german_file_says_every_value_in_their_language(
    app: App, api: FakeBotAPI, language: str
) -> None:
    said = SAID[language]
    daan = Person(app, api, 301, "Daan")
    api.add_user(301, first_name="Daan", language_code=language)
    await daan.send("/start")
    await daan.press(str(said["agree"]))
    await daan.send("/checkin")
    await daan.press(str(said["level"]))
    for label in said["answers"]:
        await daan.press(label)
    (record,) = await services(app).db.recent_checkins(daan.id, 1)
    assert record.status == "done"

    _, text, data = await my_files(daan)

    for line in said["lines"]:
        assert line in text, line
    assert not ISO.search(text), ISO.findall(text)
    assert not RAW.search(text), RAW.findall(text)
    for english in ("Very little", "Client", "Finished", "Planned", "At your usual time"):
        assert english not in text, english
    assert not re.search(r": (Yes|No)$", text, re.MULTILINE)
    assert data["checkins"][0]["capacity"] == "least"  # the JSON keeps the code
    # Every field of every entry is named in the reader's language (none by its code name).
    unnamed = {k for k in _field_names(data) if not CATALOG.has(f"mydata.field.{k}")}
    assert not unnamed, unnamed


def _field_names(data: object, top: bool = True) -> set[str]:
    """The names of the fields inside the export's parts (the parts have headings of their own)."""
    if isinstance(data, dict):
        names = set() if top else set(data)
        return names.union(*(_field_names(v, False) for v in data.values()))
    if isinstance(data, list):
        return set().union(*(_field_names(v, False) for v in data))
    return set()


@pytest.mark.parametrize(
    ("language", "button", "listed"),
    [
        ("en", "English", "• You are in the team of: Alex and Blair"),
        ("nl", "Nederlands", "• Je zit in het team van: Alex en Blair"),
        ("de", "Deutsch", "• Du bist im Team von: Alex und Blair"),
    ],
)
async def test_the_teams_someone_is_in_are_listed_as_their_language_lists(
    app: App, api: FakeBotAPI, alex: Person, blair: Person, language: str, button: str, listed: str
) -> None:
    sam = await make_staff(app, api, 401, "Sam", "peer")
    for client in (alex, blair):
        await client.send("/start")
        await join(sam, client)
    await sam.send("/language")
    await sam.press(button)

    summary, text, _ = await my_files(sam)

    assert listed in summary.splitlines()
    name, as_, peer = (
        CATALOG.get(language, key)
        for key in ("mydata.field.name", "mydata.field.as", "mydata_values.role_peer")
    )
    assert f"{name}: Alex\n{as_}: {peer}" in text


async def test_answers_read_as_the_question_and_the_button_the_person_saw(
    app: App, alex: Person
) -> None:
    """With the loaded dialogs, in the reader's language; without the dialog, or for a
    question taken out of it since, by their ids (never an error, never left out)."""
    await alex.send("/start")
    await alex.press("That's fine")
    await alex.send("/checkin")
    await alex.press("Very little")
    await alex.press("Okay")
    await alex.press("Family or friends")
    svc = services(app)
    user = await svc.persons.find(alex.id)
    assert user is not None
    export = await svc.persons.export(user)
    locale = svc.settings.policy.locale
    london = ZoneInfo(svc.settings.service.defaults.timezone)

    def readable(language: str, data: dict[str, Any], **how: Any) -> str:
        how.setdefault("dialogs", svc.dialogs)
        how.setdefault("zone", london)
        return my_data.readable(svc.catalog, language, data, locale=locale, **how)

    english = readable("en", export)
    assert "Questions: A short check-in" in english
    assert "  Question: How are things for you right now?\n  Answer: Okay\n" in english
    assert (
        "  Question: Who have you felt most in touch with lately?\n  Answer: Family or friends\n"
    ) in english
    dutch = readable("nl", export)
    assert "Vragen: Een korte check-in" in dutch
    assert "  Vraag: Hoe gaat het nu met je?\n  Antwoord: Oké\n" in dutch
    assert "  Antwoord: Familie of vrienden\n" in dutch
    german = readable("de", export)
    assert "  Frage: Wie geht es dir gerade?\n  Antwort: Okay\n" in german

    assert "  Question: mood\n  Answer: okay\n" in readable("en", export, dialogs={})
    gone = copy.deepcopy(export)
    gone["checkins"][0]["answers"][0]["question"] = "mood_before"
    gone["checkins"][1:] = [{**gone["checkins"][0], "dialog": "gone_dialog"}]
    text = readable("en", gone)
    assert "  Question: mood_before\n  Answer: okay\n" in text
    assert "Questions: gone_dialog" in text

    # Times on the reader's own clock: in Amsterdam, an hour on from London in March.
    assert "Since: 2 March 2026, 10:00" in readable(
        "en", export, zone=ZoneInfo("Europe/Amsterdam")
    )


def test_a_code_the_catalog_does_not_name_is_shown_as_it_is() -> None:
    export: dict[str, Any] = {
        "person": {"name": "Alex", "role": "astronaut", "language": "xx", "since": "soon"},
        "checkins": [{"dialog": "x", "capacity": "huge", "status": "paused", "answers": []}],
        "contact_log": [{"kind": "postcard", "slot": "r12", "status": "lost", "reason": "Flood"}],
        "added_later": [{"flag": True, "at": "2026-03-02T09:00:00+00:00", "code": "abc"}],
    }
    text = my_data.readable(CATALOG, "nl", export, locale="nl_NL", zone=ZoneInfo("UTC"))
    for line in (
        "Rol: astronaut",
        "Taal: xx",
        "Sinds: soon",
        "Gekozen energie: huge",
        "Status: paused",
        "Soort: postcard",
        "Tijdstip: Eén keer",  # a team member's message, by what its slot is
        "Status: lost",
        "Reden: Flood",
        "Flag: Ja",
        "At: 2 maart 2026, 09:00",
        "Code: abc",
    ):
        assert line in text, line


async def test_the_file_mydata_sends_names_the_questions_and_buttons(
    app: App, alex: Person
) -> None:
    await alex.send("/start")
    await alex.press("That's fine")
    await alex.send("/checkin")
    await alex.press("Very little")
    await alex.press("Okay")
    _, text, _ = await my_files(alex)
    assert "  Question: How are things for you right now?\n  Answer: Okay\n" in text


@pytest.mark.parametrize("language", ["en", "nl", "de"])
def test_the_energy_chosen_is_named_as_the_check_in_buttons_say_it(language: str) -> None:
    for level in ("least", "middle", "most"):
        named = CATALOG.get(language, f"mydata_values.capacity_{level}")
        assert named == CATALOG.get(language, f"checkin.capacity_{level}")

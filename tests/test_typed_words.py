"""What people type, in their language (issue 21): times, days and places as Dutch and German
speakers type them, read with words from ``bot/locales/<lang>/words/*.toml``."""

from __future__ import annotations

import tomllib
from datetime import date, time
from pathlib import Path

import pytest

from bot.app import App
from bot.core.dates import WORD_LANGUAGES, read_clock, read_day
from bot.core.i18n import Catalog
from bot.core.schedule import (
    WORD_KEYS,
    WORDS_FOLDER,
    Schedule,
    WordsError,
    parse_hours,
    typed_words,
)
from bot.core.schedule_settings import _typed_time, find_zone
from bot.standin import FakeBotAPI
from tests.conftest import Person, services

WEDNESDAY = date(2026, 3, 4)  # a fixed "today"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("half zeven", time(6, 30)),
        ("19 uur", time(19, 0)),
        ("om 19 uur", time(19, 0)),
        ("kwart over zeven", time(7, 15)),
        ("kwart voor acht", time(7, 45)),
        ("vijf voor half acht", time(7, 25)),
        ("tien over half acht", time(7, 40)),
        ("halb acht", time(7, 30)),
        ("19 Uhr", time(19, 0)),
        ("Viertel nach sieben", time(7, 15)),
        ("Viertel vor acht", time(7, 45)),
        ("zehn nach sieben", time(7, 10)),
        ("viertel acht", time(7, 15)),
        ("dreiviertel acht", time(7, 45)),
        ("18.30", time(18, 30)),
        ("quarter past seven", time(7, 15)),
        ("half past seven", time(7, 30)),
        ("half een", time(0, 30)),
        ("kwart over", None),
        ("kwart over dertig", None),
        ("over zeven", None),
    ],
)
def test_times_as_people_say_them(text: str, expected: time | None) -> None:
    assert read_clock(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kwart over zeven", time(19, 15)),  # in the evening hours, "seven" is 19:00
        ("Viertel nach sieben", time(19, 15)),
        ("halb acht", time(19, 30)),
        ("19 uur", time(19, 0)),
    ],
)
def test_a_typed_checkin_time_is_read_in_the_contact_hours(text: str, expected: time) -> None:
    schedule = Schedule(
        timezone="Europe/Amsterdam",
        days=frozenset({0, 3}),
        time=time(18, 0),
        contact_start=time(12, 0),
        contact_end=time(22, 0),
    )
    assert _typed_time(text, schedule) == expected


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("vrijdag", "nl_NL", date(2026, 3, 6)),
        ("morgen", "nl_NL", date(2026, 3, 5)),
        ("overmorgen", "nl_NL", date(2026, 3, 6)),
        ("24-12", "nl_NL", date(2026, 12, 24)),
        ("volgende week vrijdag", "nl_NL", date(2026, 3, 13)),
        ("tot 24 december", "nl_NL", date(2026, 12, 24)),
        ("Freitag", "de_DE", date(2026, 3, 6)),
        ("morgen", "de_DE", date(2026, 3, 5)),
        ("übermorgen", "de_DE", date(2026, 3, 6)),
        ("24.12.", "de_DE", date(2026, 12, 24)),
        ("Freitag nächste Woche", "de_DE", date(2026, 3, 13)),
        ("bis zum 24. Dezember", "de_DE", date(2026, 12, 24)),
        ("day after tomorrow", "en_GB", date(2026, 3, 6)),
        ("24th december", "en_GB", date(2026, 12, 24)),
        # "next week" alone is its Monday, in every language (confirmed in words before use)
        ("volgende week", "nl_NL", date(2026, 3, 9)),
        ("komende week", "nl_NL", date(2026, 3, 9)),
        ("nächste Woche", "de_DE", date(2026, 3, 9)),
        ("next week", "en_GB", date(2026, 3, 9)),
        ("week", "en_GB", None),
        ("deze week", "nl_NL", None),  # "this week" names no day
    ],
)
def test_days_as_people_type_them(text: str, locale: str, expected: date | None) -> None:
    assert read_day(text, WEDNESDAY, locale) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Den Haag", "nl", "Europe/Amsterdam"),
        ("den haag, Nederland", "nl", "Europe/Amsterdam"),
        ("'s-Gravenhage", "nl", "Europe/Amsterdam"),
        ("Amsterdam", "nl", "Europe/Amsterdam"),
        ("Rotterdam", "nl", "Europe/Amsterdam"),
        ("Utrecht", "nl", "Europe/Amsterdam"),
        ("München", "de", "Europe/Berlin"),
        ("Muenchen", "de", "Europe/Berlin"),
        ("Köln", "de", "Europe/Berlin"),
        ("Wien", "de", "Europe/Vienna"),
        ("Zürich", "de", "Europe/Zurich"),
        ("Berlin", "de", "Europe/Berlin"),
        ("Keulen", "nl", "Europe/Berlin"),
        ("The Hague", "en", "Europe/Amsterdam"),
        ("Munich", "en", "Europe/Berlin"),
        ("Atlantis", "nl", None),
    ],
)
def test_places_in_the_readers_language(text: str, language: str, expected: str | None) -> None:
    assert find_zone(text, language) == expected


def test_places_are_read_in_the_readers_own_language_only() -> None:
    assert find_zone("Den Haag") is None  # as before, without a language
    assert find_zone("Den Haag", "en") is None
    assert find_zone("München", "nl") is None  # not in the Dutch file (yet)


def test_every_language_with_words_is_a_word_language() -> None:
    folders = {p.parent.parent.name for p in WORDS_FOLDER.glob("*/words/*.toml")}
    assert set(WORD_LANGUAGES) == folders >= {"en", "nl", "de"}
    assert WORD_LANGUAGES[0] == "en"


def test_every_words_file_has_the_same_parts_and_real_zones() -> None:
    words = typed_words()
    for language in WORD_LANGUAGES:
        folder = WORDS_FOLDER / language / "words"
        assert {p.name for p in folder.glob("*.toml")} == {
            "days.toml",
            "times.toml",
            "places.toml",
        }
        for name in ("days.toml", "times.toml"):
            raw = tomllib.loads((folder / name).read_text(encoding="utf-8"))
            for key in raw:
                assert key in WORD_KEYS, f"{language}/{name}: unknown {key}"
    assert all(zone.count("/") >= 1 for table in words.places.values() for zone in table.values())


def test_a_new_language_is_only_files(tmp_path: Path) -> None:
    for language in ("en", "fr"):
        (tmp_path / language / "words").mkdir(parents=True)
    (tmp_path / "fr" / "words" / "days.toml").write_text(
        'tomorrow = ["demain"]\n', encoding="utf-8"
    )
    (tmp_path / "fr" / "words" / "places.toml").write_text(
        '"Europe/Paris" = ["Lyon"]\n', encoding="utf-8"
    )
    words = typed_words(tmp_path)
    assert words.languages == ("en", "fr")
    assert "demain" in words.tomorrow
    assert words.places["fr"] == {"lyon": "Europe/Paris"}


def test_a_misspelt_kind_of_word_is_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "fr" / "words").mkdir(parents=True)
    (tmp_path / "fr" / "words" / "times.toml").write_text(
        "befor_hour = { moins = 15 }\n", encoding="utf-8"
    )
    with pytest.raises(WordsError, match=r"^fr/words/times.toml: befor_hour: not a kind of word"):
        typed_words(tmp_path)


# --- end to end ----------------------------------------------------------------------------


async def test_a_dutch_client_types_den_haag_in_settings(app: App, api: FakeBotAPI) -> None:
    catalog = Catalog.load()
    daan = Person(app, api, 301, "Daan")
    api.add_user(301, first_name="Daan", language_code="nl")
    await daan.send("/start")
    await daan.press(catalog.get("nl", "schedule.agree"))
    await daan.send("/settings")
    await daan.press(catalog.get("nl", "schedule.zone"))
    await daan.press(catalog.get("nl", "settings.type_city"))
    await daan.send("Den Haag")
    own = await services(app).db.schedule(daan.id)
    assert own is not None and own.timezone == "Europe/Amsterdam"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("van 9 tot 21 uur", (time(9), time(21))),
        ("tussen 9 en 21 uur", (time(9), time(21))),
        ("von 9 bis 21 Uhr", (time(9), time(21))),
        ("zwischen 8 und 20 Uhr", (time(8), time(20))),
        ("between 9am and 9pm", (time(9), time(21))),
        ("altijd", (time(0), time(0))),
        ("rund um die Uhr", (time(0), time(0))),
        ("van 9", None),
        ("9 en", None),
    ],
)
def test_contact_hours_as_people_type_them(text: str, expected: tuple[time, time] | None) -> None:
    assert parse_hours(text) == expected

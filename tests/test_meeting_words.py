"""A meeting as people type it and as every message says it: a day, then perhaps a time and a
place, in English, Dutch and German; kept in a proposal and read back whole."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.core.dates import PLACE_LIMIT, read_meeting, read_time_and_place
from bot.core.i18n import Catalog
from bot.core.meetings import meeting_words
from bot.core.model import Meeting
from bot.core.wording import Wording

TODAY = date(2026, 3, 2)  # a Monday


@pytest.mark.parametrize(
    ("typed", "language", "locale", "expected"),
    [
        ("12/3 14:00 Maple Centre, room 2", "en", "en_GB", (12, time(14), "Maple Centre, room 2")),
        ("thursday at 2pm, room 3", "en", "en_GB", (5, time(14), "room 3")),
        ("14:00 friday", "en", "en_GB", (6, time(14), None)),
        ("friday 9", "en", "en_GB", (6, time(9), None)),
        ("12/3 3 Mill Lane", "en", "en_GB", (12, None, "3 Mill Lane")),
        ("12/3", "en", "en_GB", (12, None, None)),
        ("vrijdag om 10 uur https://meet.example/abc", "nl", "nl_NL", (6, time(10), None)),
        ("donderdag half drie, De Linde", "nl", "nl_NL", (5, time(14, 30), "De Linde")),
        ("friday 3", "en", "en_GB", (6, time(15), None)),
        ("Donnerstag um 15 Uhr, Praxis am Markt", "de", "de_DE", (5, time(15), "Praxis am Markt")),
        ("12.3. 14.00 Raum 2", "de", "de_DE", (12, time(14), "Raum 2")),
    ],
)
def test_a_meeting_typed_in_one_message_is_read_as_its_day_time_and_place(
    typed: str, language: str, locale: str, expected: tuple[int, time | None, str | None]
) -> None:
    meeting = read_meeting(typed, TODAY, locale, language)
    assert meeting is not None
    day, at, place = expected
    assert meeting.day == date(2026, 3, day)
    assert meeting.at == at
    if "https://" in typed:
        assert meeting.place == "https://meet.example/abc"
    else:
        assert meeting.place == place


def test_what_is_no_meeting_is_refused() -> None:
    assert read_meeting("someday", TODAY, "en_GB", "en") is None
    assert read_meeting("", TODAY, "en_GB", "en") is None
    assert read_meeting("12/3 " + "x" * (PLACE_LIMIT + 1), TODAY, "en_GB", "en") is None


def test_a_time_and_place_typed_alone_are_read_for_a_day_already_given() -> None:
    assert read_time_and_place("14:00 Maple Centre", "en") == (time(14), "Maple Centre")
    assert read_time_and_place("half drie", "nl") == (time(14, 30), None)
    assert read_time_and_place("om 10 uur", "nl") == (time(10), None)
    assert read_time_and_place("https://meet.example/x", "de") == (None, "https://meet.example/x")
    assert read_time_and_place("", "en") is None


def test_a_proposal_keeps_the_whole_meeting_and_an_old_one_its_day() -> None:
    meeting = Meeting(date(2026, 3, 12), time(14), "Maple Centre")
    assert Meeting.decode(meeting.encode()) == meeting
    assert Meeting.decode("2026-03-12") == Meeting(date(2026, 3, 12))
    assert Meeting(date(2026, 3, 12)).encode() == "2026-03-12"
    assert Meeting.decode("{broken") is None


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Thursday, 12 March 2026 at 14:00 (Maple Centre)"),
        ("nl", "donderdag 12 maart 2026 om 14:00 (Maple Centre)"),
        ("de", "Donnerstag, 12. März 2026 um 14:00 (Maple Centre)"),
    ],
)
def test_every_message_says_a_meeting_the_same_way_in_each_language(
    catalog: Catalog, language: str, said: str
) -> None:
    words = meeting_words(Meeting(date(2026, 3, 12), time(14), "Maple Centre"))
    assert Wording(catalog).text(language, words) == said
    day_only = meeting_words(Meeting(date(2026, 3, 12)))
    assert (
        Wording(catalog).text(language, day_only)
        == said.split(" at ")[0].split(" om ")[0].split(" um ")[0]
    )

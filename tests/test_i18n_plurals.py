"""Counts follow the language's CLDR plural rules (through Babel), never English rules in code:
a catalog text with a number is a table of plural forms, and the loader refuses a broken one."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.core.i18n import Catalog, CatalogError
from bot.core.views import t
from bot.core.wording import Wording
from bot.standin import FakeBotAPI
from tests.conftest import Person, with_sam


def _catalogs(tmp_path: Path, **files: str) -> Path:
    """A locales folder: ``en="..."`` becomes ``en/main.toml``."""
    for language, text in files.items():
        (tmp_path / language).mkdir()
        (tmp_path / language / "main.toml").write_text(text, encoding="utf-8")
    return tmp_path


def _refusal(tmp_path: Path, **files: str) -> str:
    with pytest.raises(CatalogError) as refused:
        Catalog.load(_catalogs(tmp_path, **files))
    return str(refused.value)


def test_one_reads_as_one_in_the_bundled_catalog(catalog: Catalog) -> None:
    team = [catalog.get("en", "mydata.line_team", count=n) for n in (0, 1, 2, 21)]
    assert team == [
        "• Your team: 0 people",
        "• Your team: 1 person",
        "• Your team: 2 people",
        "• Your team: 21 people",  # English: only exactly 1 is "one"
    ]
    assert catalog.get("en", "share.go_many", count=1) == "Share with 1 person"
    assert catalog.get("en", "share.go_many", count=3) == "Share with 3 people"
    exact = catalog.get("en", "share.pages.exact", count=1)
    assert exact.startswith("This is exactly what would be sent, as 1 message.")
    assert "1 messages" not in catalog.get("en", "share.too_long", count=1)
    assert catalog.plural("en", "mydata.line_team", 1) == "one"
    assert catalog.plural("en", "mydata.line_team", 1.5) == "other"
    assert catalog.plural("en", "menu.prompt", 1) == "other"  # a plain text has one form


def test_a_count_under_another_name_chooses_the_form(catalog: Catalog) -> None:
    """Callers that say ``hours=`` or ``days=`` (not ``count=``) still get the right form: the
    one number among the values the text uses chooses it."""
    one = catalog.get("en", "invite.staff_link", hours=1, link="https://t.me/x")
    assert "It works once, for 1 hour.\n" in one
    many = catalog.get("en", "invite.network_link", hours=24, link="https://t.me/x")
    assert "It works once, for 24 hours.\n" in many
    assert "In 1 day I will erase" in catalog.get("en", "retention.idle", days=1)
    assert "In 14 days I will erase" in catalog.get("en", "retention.idle", days=14)
    with pytest.raises(KeyError, match="needs a number"):
        catalog.get("en", "mydata.line_team")


def test_a_language_with_more_forms_uses_its_own_rules(tmp_path: Path) -> None:
    catalog = Catalog.load(
        _catalogs(
            tmp_path,
            en='files = { one = "{count} file", other = "{count} files" }\n',
            pl='files = { one = "{count} plik", few = "{count} pliki", many = "{count} plików", '
            'other = "{count} pliku" }\n',
            ja='files = { other = "ファイル{count}件" }\n',
            de='files = { one = "{count} Datei", other = "{count} Dateien" }\n',
        )
    )
    polish = [catalog.get("pl", "files", count=n) for n in (1, 2, 5, 22, 25, 1.5)]
    assert polish == ["1 plik", "2 pliki", "5 plików", "22 pliki", "25 plików", "1.5 pliku"]
    assert catalog.get("ja", "files", count=1) == "ファイル1件"
    assert catalog.get("de", "files", count=1) == "1 Datei"
    assert catalog.get("fr", "files", count=1) == "1 file"  # no catalog: the default's rules


def test_a_plural_without_other_is_refused_naming_file_and_key(tmp_path: Path) -> None:
    refusal = _refusal(tmp_path, en='[mydata]\nline_team = { one = "{count} person" }\n')
    assert refusal == 'en/main.toml: mydata.line_team: a plural text needs an "other" form'


def test_an_unknown_plural_form_is_refused(tmp_path: Path) -> None:
    refusal = _refusal(
        tmp_path, en='team = { one = "{count} person", several = "x", other = "{count} people" }\n'
    )
    assert refusal.startswith("en/main.toml: team: 'several' is not a plural form of 'en'")


def test_a_form_the_language_does_not_have_is_refused(tmp_path: Path) -> None:
    refusal = _refusal(tmp_path, en='team = { one = "a", few = "b", other = "c" }\n')
    assert refusal == (
        "en/main.toml: team: 'few' is not a plural form of 'en', which has one, other"
    )


def test_a_group_with_a_text_called_other_stays_a_group(tmp_path: Path) -> None:
    catalog = Catalog.load(
        _catalogs(tmp_path, en='[nudge]\nnow = "Now"\nother = "Another day and time"\n')
    )
    assert catalog.get("en", "nudge.other") == "Another day and time"


def test_placeholders_are_checked_over_all_forms(tmp_path: Path) -> None:
    refusal = _refusal(
        tmp_path,
        en='files = { one = "{count} file", other = "{count} files" }\n',
        pl='files = { one = "{n} plik", other = "{count} pliku" }\n',
    )
    assert refusal == "pl: files: placeholders ['count', 'n'] differ from en's ['count']"


async def test_mydata_with_one_person_in_the_team_says_1_person(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    await with_sam(app, api, alex)
    listed = (await alex.send("/mydata"))[0]
    assert "• Your team: 1 person\n" in listed.body
    assert "people" not in listed.body


@pytest.mark.parametrize(
    ("language", "listed", "week"),
    [
        ("en", "Dr Kim, Sam and Jo", "for at most 7 days after"),
        ("nl", "Dr Kim, Sam en Jo", "hooguit 7 dagen na"),
        ("de", "Dr Kim, Sam und Jo", "höchstens 7 Tage nach"),
    ],
)
def test_lists_and_lengths_of_time_are_said_as_each_language_says_them(
    language: str, listed: str, week: str
) -> None:
    """Names are listed and lengths of time counted by Babel in the reader's language, never
    joined with commas or rounded up into "1 week"."""
    wording = Wording(Catalog.load().with_region("en_GB"))
    told = wording.text(language, t("meeting_date.told", names=("Dr Kim", "Sam", "Jo")))
    assert listed in told
    lifetime = t("arrival.ask_when_not_agreed", name="Alex", duration=timedelta(days=7))
    assert week in wording.text(language, lifetime)
    assert wording.text(language, t("meeting_date.told", names=("Dr Kim",))).count("Dr Kim") == 1

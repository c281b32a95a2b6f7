"""Translations keep parity with the default language, checked by the tools: a catalog that
lacks a text of English, or has a number's text without the forms its language needs, is
refused; a translated dialog keeps its source's steps, options, needs, conditions and
capacities. Every case is built in tmp_path from copies of the real files, one thing broken."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.core.dialog_loader import DialogErrors, check_dialogs, load_dialogs
from bot.core.dialog_model import DIALOGS_DIR
from bot.core.i18n import DEFAULT_LANGUAGE, LOCALES_DIR, Catalog, CatalogError

ENGLISH = LOCALES_DIR / DEFAULT_LANGUAGE


# --------------------------------------------------------------------------------------------
# Helpers


def _locales(tmp_path: Path, *languages: str) -> Path:
    """A locales folder with the real English catalog, and each of ``languages`` as a copy."""
    folder = tmp_path / "locales"
    for language in (DEFAULT_LANGUAGE, *languages):
        shutil.copytree(ENGLISH, folder / language)
    return folder


def _line(path: Path, section: str, key: str) -> tuple[list[str], int]:
    """The lines of a TOML file and the index of ``key = ...`` in its table ``[section]``."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines.index(f"[{section}]\n")
    for index in range(header + 1, len(lines)):
        if lines[index].startswith("["):
            break
        if re.match(rf"{re.escape(key)}\s*=", lines[index]):
            return lines, index
    raise AssertionError(f"no {key} in [{section}] of {path}")


def _set(path: Path, section: str, key: str, value: str | None) -> None:
    """Write ``key = value`` in ``[section]`` of a TOML file, or remove the key (None)."""
    lines, index = _line(path, section, key)
    if value is None:
        del lines[index]
    else:
        lines[index] = f"{key} = {value}\n"
    path.write_text("".join(lines), encoding="utf-8")


def _mini(tmp_path: Path, **files: str) -> Path:
    """A small locales folder: ``en="..."`` becomes ``en/main.toml``."""
    for language, text in files.items():
        (tmp_path / language).mkdir()
        (tmp_path / language / "main.toml").write_text(text, encoding="utf-8")
    return tmp_path


def _refusal(directory: Path) -> str:
    with pytest.raises(CatalogError) as refused:
        Catalog.load(directory)
    return str(refused.value)


FILES = {"en": '[team]\nsize = { one = "{count} person", other = "{count} people" }\n'}


def _dialogs(tmp_path: Path) -> Path:
    """A dialogs folder with the real dialog files of the default language (no translation:
    ``checkin.yaml``, not ``checkin.nl.yaml``)."""
    folder = tmp_path / "dialogs"
    folder.mkdir()
    for path in DIALOGS_DIR.glob("*.yaml"):
        if path.name.count(".") == 1:
            shutil.copy(path, folder / path.name)
    return folder


def _translate(folder: Path, *changes: tuple[str, str], name: str = "checkin") -> Path:
    """``<name>.nl.yaml``: the English file in Dutch words, with ``changes`` (old, new) made."""
    text = (folder / f"{name}.yaml").read_text(encoding="utf-8")
    words = (
        ("language: en", "language: nl"),
        ("title: A short check-in", "title: Een korte check-in"),
        ("question: How are things for you right now?", "question: Hoe gaat het nu met je?"),
        ('label: "Okay"', 'label: "Oké"'),
        ('label: "I don\'t know"', 'label: "Weet ik niet"'),
    )
    for old, new in (*words, *changes):
        assert old in text, old
        text = text.replace(old, new, 1)
    path = folder / f"{name}.nl.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _refused(folder: Path) -> list[str]:
    lines = check_dialogs(folder)
    with pytest.raises(DialogErrors) as raised:
        load_dialogs(folder)
    assert [str(error) for error in raised.value.errors] == lines
    return lines


# --------------------------------------------------------------------------------------------
# Catalogs


def test_a_full_copy_of_english_loads(tmp_path: Path) -> None:
    catalog = Catalog.load(_locales(tmp_path, "nl"))
    assert catalog.languages == ["en", "nl"]
    assert catalog.texts["nl"] == catalog.texts["en"]


def test_a_missing_key_is_refused_naming_the_file_english_has_it_in(tmp_path: Path) -> None:
    folder = _locales(tmp_path, "nl")
    _set(folder / "nl" / "main.toml", "helpnow", "title", None)
    assert _refusal(folder) == "nl/main.toml: helpnow.title: missing (the en catalog has it)"


def test_a_missing_key_is_named_in_its_file_even_when_the_file_is_missing(tmp_path: Path) -> None:
    folder = _locales(tmp_path, "nl")
    (folder / "nl" / "nudge.toml").unlink()
    refusal = _refusal(folder)
    assert refusal.startswith("nl/nudge.toml: ")
    assert refusal.endswith(": missing (the en catalog has it)")


def test_a_missing_plural_form_is_refused(tmp_path: Path) -> None:
    folder = _locales(tmp_path, "nl")
    _set(
        folder / "nl" / "checkin.toml",
        "checkin",
        "cost_seconds",
        '{ other = "{count} vragen, ongeveer {seconds} seconden." }',
    )
    assert _refusal(folder) == (
        "nl/checkin.toml: checkin.cost_seconds: 'one' is missing; 'nl' needs the plural forms "
        "one, other"
    )


def test_plural_forms_missing_for_a_language_with_more_forms(tmp_path: Path) -> None:
    refusal = _refusal(
        _mini(
            tmp_path,
            **FILES,
            pl='[team]\nsize = { one = "{count} osoba", other = "{count} osoby" }\n',
        )
    )
    assert refusal == (
        "pl/main.toml: team.size: 'few', 'many' are missing; 'pl' needs the plural forms one, "
        "few, many, other"
    )


def test_a_plural_form_the_language_does_not_have_is_refused(tmp_path: Path) -> None:
    folder = _locales(tmp_path, "nl")
    _set(
        folder / "nl" / "checkin.toml",
        "checkin",
        "cost_seconds",
        '{ one = "1 vraag, {seconds} seconden.", few = "{count} vragen", '
        'other = "{count} vragen, ongeveer {seconds} seconden." }',
    )
    assert _refusal(folder) == (
        "nl/checkin.toml: checkin.cost_seconds: 'few' is not a plural form of 'nl', which has "
        "one, other"
    )


def test_a_plain_text_where_english_has_plural_forms_is_refused(tmp_path: Path) -> None:
    folder = _locales(tmp_path, "nl")
    _set(
        folder / "nl" / "checkin.toml",
        "checkin",
        "cost_seconds",
        '"{count} vragen, ongeveer {seconds} seconden."',
    )
    assert _refusal(folder) == (
        "nl/checkin.toml: checkin.cost_seconds: a plain text, but the en text has plural forms; "
        "'nl' needs the plural forms one, other"
    )


def test_a_language_with_only_other_may_write_a_plain_text(tmp_path: Path) -> None:
    catalog = Catalog.load(
        _mini(
            tmp_path,
            **FILES,
            ja='[team]\nsize = "{count}人"\n',
            ko='[team]\nsize = { other = "{count}명" }\n',
        )
    )
    assert catalog.get("ja", "team.size", count=1) == "1人"
    assert catalog.get("ko", "team.size", count=1) == "1명"


def test_a_text_english_has_in_plain_words_may_have_forms_in_a_translation(
    tmp_path: Path,
) -> None:
    catalog = Catalog.load(
        _mini(
            tmp_path,
            en='files = "Files: {count}"\n',
            pl='files = { one = "{count} plik", few = "{count} pliki", many = "{count} plików", '
            'other = "{count} pliku" }\n',
        )
    )
    assert catalog.get("pl", "files", count=2) == "2 pliki"


def test_a_key_missing_at_run_time_is_a_key_error_never_english() -> None:
    catalog = Catalog(
        texts={
            "en": {
                "hello": "Hello",
                "bye": "Bye",
                "n": {"one": "{count} x", "other": "{count} xs"},
            },
            "nl": {"hello": "Hallo"},
        }
    )
    assert catalog.get("nl", "hello") == "Hallo"
    with pytest.raises(KeyError, match="no text 'bye' in the 'nl' catalog"):
        catalog.get("nl", "bye")
    with pytest.raises(KeyError, match="no text 'n' in the 'nl' catalog"):
        catalog.plural("nl", "n", 1)
    # A language the catalog does not have at all is written in the default language.
    assert catalog.get("fr", "bye") == "Bye"
    assert catalog.get(catalog.language_for("fr-BE"), "bye") == "Bye"
    assert catalog.plural("fr", "n", 1) == "one"
    with pytest.raises(KeyError, match="no text 'nowhere' in the catalog"):
        catalog.get("en", "nowhere")


def test_the_real_catalogs_have_every_key_in_every_language() -> None:
    catalog = Catalog.load()
    english = catalog.texts[DEFAULT_LANGUAGE]
    for language in catalog.languages:
        assert set(catalog.texts[language]) == set(english), language
        for key, text in english.items():
            if isinstance(text, str) and "{" not in text:
                assert catalog.get(language, key)


# --------------------------------------------------------------------------------------------
# Dialogs


def test_a_translation_that_changes_only_words_loads(tmp_path: Path) -> None:
    folder = _dialogs(tmp_path)
    _translate(folder)
    dialogs = load_dialogs(folder)
    assert dialogs["checkin.nl"].language == "nl"
    assert dialogs["checkin.nl"].steps[0].question == "Hoe gaat het nu met je?"


def test_a_condition_written_another_way_is_the_same_condition(tmp_path: Path) -> None:
    folder = _dialogs(tmp_path)
    _translate(folder, ("when: {step: mood, is: [hard]}", "when: {step: mood, is: hard}"))
    after = (folder / "after_meeting.yaml").read_text(encoding="utf-8")
    old = "when: {step: disagree, is: [yes, not_sure]}"
    assert old in after
    translated = after.replace("language: en", "language: nl").replace(
        old, "when: {step: disagree, is: [not_sure, yes]}"
    )
    (folder / "after_meeting.nl.yaml").write_text(translated, encoding="utf-8")
    assert check_dialogs(folder) == []


DIALOG_BREAKS = {
    "step_ids": (
        [("  - id: wish\n", "  - id: wens\n")],
        "checkin.nl.yaml: steps: 'mood, contact, what_helps, wens' differ from checkin.yaml's "
        "'mood, contact, what_helps, wish'",
    ),
    "option_ids": (
        [('      - {id: other, label: "Something else"}\n', "")],
        "checkin.nl.yaml: step 'mood': options: 'okay, up_and_down, hard, dont_know' differ "
        "from checkin.yaml's 'okay, up_and_down, hard, dont_know, other'",
    ),
    "option_order": (
        [
            ('      - {id: up_and_down, label: "Up and down"}\n', ""),
            (
                '      - {id: other, label: "Something else"}\n',
                '      - {id: other, label: "Something else"}\n'
                '      - {id: up_and_down, label: "Up and down"}\n',
            ),
        ],
        "checkin.nl.yaml: step 'mood': options: 'okay, hard, dont_know, other, up_and_down' "
        "differ from checkin.yaml's 'okay, up_and_down, hard, dont_know, other'",
    ),
    "block": (
        [("block: self-determination", "block: connection")],
        "checkin.nl.yaml: step 'mood': block: 'connection' differs from checkin.yaml's "
        "'self-determination'",
    ),
    "capacities": (
        [("      least: {options: [nobody, close_people, dont_know]}\n", "")],
        "checkin.nl.yaml: step 'contact': at: 'middle, most' differ from checkin.yaml's "
        "'least, middle, most'",
    ),
    "capacity_options": (
        [
            (
                "middle: {options: [nobody, close_people, team, dont_know]}",
                "middle: {options: [nobody, family, team, dont_know]}",
            )
        ],
        "checkin.nl.yaml: step 'contact': at.middle.options: 'nobody, family, team, dont_know' "
        "differ from checkin.yaml's 'nobody, close_people, team, dont_know'",
    ),
    "free_text": (
        [
            (
                "most: {options: all, free_text: invited}",
                "most: {options: all, free_text: optional}",
            )
        ],
        "checkin.nl.yaml: step 'wish': at.most.free_text: 'optional' differs from "
        "checkin.yaml's 'invited'",
    ),
    "need_changed": (
        [('label: "Nobody", need: contact}', 'label: "Niemand", need: agenda}')],
        "checkin.nl.yaml: step 'contact': options.nobody.need: 'agenda' differs from "
        "checkin.yaml's 'contact'",
    ),
    "need_dropped": (
        [('label: "Nobody", need: contact}', 'label: "Niemand"}')],
        "checkin.nl.yaml: step 'contact': options.nobody.need: missing; checkin.yaml has "
        "'contact'",
    ),
    "need_added": (
        [('{id: family, label: "Family"}', '{id: family, label: "Familie", need: contact}')],
        "checkin.nl.yaml: step 'contact': options.family.need: 'contact', but checkin.yaml has "
        "none",
    ),
    "when_changed": (
        [("when: {step: mood, is: [hard]}", "when: {step: mood, is_not: [okay]}")],
        "checkin.nl.yaml: step 'what_helps': when: 'mood is not okay' differs from "
        "checkin.yaml's 'mood is hard'",
    ),
    "when_dropped": (
        [("    when: {step: mood, is: [hard]}\n", "")],
        "checkin.nl.yaml: step 'what_helps': when: missing; checkin.yaml has 'mood is hard'",
    ),
}


@pytest.mark.parametrize(("changes", "expected"), DIALOG_BREAKS.values(), ids=DIALOG_BREAKS)
def test_a_translation_that_changes_the_structure_is_refused(
    tmp_path: Path, changes: list[tuple[str, str]], expected: str
) -> None:
    folder = _dialogs(tmp_path)
    _translate(folder, *changes)
    assert _refused(folder) == [expected]


def test_every_difference_is_its_own_line(tmp_path: Path) -> None:
    folder = _dialogs(tmp_path)
    _translate(
        folder,
        *DIALOG_BREAKS["block"][0],
        *DIALOG_BREAKS["need_changed"][0],
        *DIALOG_BREAKS["when_dropped"][0],
    )
    assert _refused(folder) == [
        DIALOG_BREAKS["block"][1],
        DIALOG_BREAKS["need_changed"][1],
        DIALOG_BREAKS["when_dropped"][1],
    ]


def test_a_translation_without_a_source_is_refused(tmp_path: Path) -> None:
    folder = _dialogs(tmp_path)
    _translate(folder)
    (folder / "checkin.yaml").unlink()
    assert _refused(folder) == [
        "checkin.nl.yaml: language: no dialog 'checkin' in the default language en to translate "
        "from; add checkin.yaml (language: en) first"
    ]


def test_a_translation_of_a_broken_source_adds_no_line_of_its_own(tmp_path: Path) -> None:
    folder = _dialogs(tmp_path)
    _translate(folder)
    source = folder / "checkin.yaml"
    source.write_text(
        source.read_text(encoding="utf-8").replace("title: A short check-in\n", ""),
        encoding="utf-8",
    )
    assert _refused(folder) == ["checkin.yaml: title: missing"]


def test_the_real_dialogs_load_and_each_translation_has_its_source() -> None:
    dialogs = load_dialogs(DIALOGS_DIR)
    sources = {d.id: d for d in dialogs.values() if d.language == DEFAULT_LANGUAGE}
    for dialog in dialogs.values():
        source = sources[dialog.id]
        assert [s.id for s in dialog.steps] == [s.id for s in source.steps], dialog.source

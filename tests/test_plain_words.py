"""Plain words: every sentence the bot can say is short, and none uses a term a person on a bad
day would not know without an explanation."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = sorted((ROOT / "bot" / "locales").glob("*/*.toml"))
DIALOGS = sorted((ROOT / "dialogs").glob("*.yaml"))
MOST_WORDS = 20

# Terms that need a plain explanation, or that people should never read at all.
NEVER = ("UTC", "offset", "Europe/", "America/", "timezone", "tz ")


def _texts(data: object, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _texts(value, f"{where}.{key}" if where else str(key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _texts(value, f"{where}[{index}]")
    elif isinstance(data, str):
        yield where, data


def _sentences(text: str) -> Iterator[str]:
    for line in text.splitlines():
        yield from re.split(r"(?<=[.!?…])\s+", line)


def _words(sentence: str) -> int:
    return len(re.findall(r"[\w{}'’/-]+", sentence))


def _all_texts() -> Iterator[tuple[str, str]]:
    for path in CATALOGS:
        yield from _texts(tomllib.loads(path.read_text("utf-8")), path.name)
    for path in DIALOGS:
        data = yaml.safe_load(path.read_text("utf-8"))
        for where, text in _texts(data, path.name):
            if where.endswith((".question", ".label", ".title", ".intro", ".closing")):
                yield where, text


def test_no_sentence_runs_over_twenty_words() -> None:
    long = [
        (where, sentence)
        for where, text in _all_texts()
        for sentence in _sentences(text)
        if _words(sentence) > MOST_WORDS
    ]
    assert not long


def test_no_text_uses_time_zone_jargon() -> None:
    found = [
        (where, term)
        for where, text in _all_texts()
        for term in NEVER
        if re.search(rf"(?<![a-z]){re.escape(term)}", text)
        and not where.startswith(("main.toml.admin", "main.toml.doctor"))
    ]
    assert not found


def test_end_to_end_encryption_is_explained_where_it_is_named() -> None:
    for where, text in _all_texts():
        if "end-to-end" in text:
            assert "could read" in text, f"{where} names end-to-end encryption without its meaning"

"""Client-facing text: per-language catalogs kept outside the code (``bot/locales/``)."""

from __future__ import annotations

import datetime as dt
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_skeleton

from bot.core.dates import speech_locale

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DEFAULT_LANGUAGE = "en"


class CatalogError(Exception):
    """A catalog file is missing, malformed, or disagrees with the default language."""


def _flatten(prefix: str, table: Mapping[str, Any], out: dict[str, str], source: Path) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping):
            _flatten(full, value, out, source)
        elif isinstance(value, str):
            out[full] = value
        else:
            raise CatalogError(f"{source.name}: {full}: must be text, not {type(value).__name__}")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@dataclass(frozen=True)
class Catalog:
    """All texts of all languages; a missing translation falls back to the default language."""

    texts: Mapping[str, Mapping[str, str]]
    default: str = DEFAULT_LANGUAGE
    region: str | None = None  # the service's locale ("en_GB"): how its people write dates

    def with_region(self, locale: str) -> Catalog:
        """The same texts, with dates written as people write them in the service's country."""
        return replace(self, region=locale)

    def _locale(self, language: str) -> str:
        return speech_locale(language, self.region) if self.region else language

    @classmethod
    def load(cls, directory: Path = LOCALES_DIR, default: str = DEFAULT_LANGUAGE) -> Catalog:
        """Read every ``<language>/*.toml`` in ``directory`` and check them against the default.

        A language may spread its texts over several files; a key defined twice is an error.
        """
        texts: dict[str, dict[str, str]] = {}
        for lang_dir in sorted(p for p in directory.iterdir() if p.is_dir()):
            flat: dict[str, str] = {}
            for path in sorted(lang_dir.glob("*.toml")):
                try:
                    raw = tomllib.loads(path.read_text(encoding="utf-8"))
                except (OSError, tomllib.TOMLDecodeError) as exc:
                    raise CatalogError(f"{lang_dir.name}/{path.name}: {exc}") from exc
                part: dict[str, str] = {}
                _flatten("", raw, part, path)
                for key in part.keys() & flat.keys():
                    raise CatalogError(f"{lang_dir.name}/{path.name}: {key}: defined twice")
                flat.update(part)
            if flat:
                texts[lang_dir.name] = flat
        if default not in texts:
            raise CatalogError(f"no catalog for the default language {default!r} in {directory}")
        base = texts[default]
        for language, flat in texts.items():
            for key, text in flat.items():
                if key not in base:
                    raise CatalogError(f"{language}: {key}: not in the {default} catalog")
                if _fields(text) != _fields(base[key]):
                    raise CatalogError(
                        f"{language}: {key}: placeholders {sorted(_fields(text))} differ "
                        f"from {default}'s {sorted(_fields(base[key]))}"
                    )
        return cls(texts=texts, default=default)

    @property
    def languages(self) -> list[str]:
        """The languages that have a catalog."""
        return sorted(self.texts)

    def language_for(self, code: str | None) -> str:
        """Pick the catalog language for a Telegram ``language_code`` such as ``de-AT``."""
        if code:
            short = code.replace("_", "-").split("-")[0].lower()
            if short in self.texts:
                return short
        return self.default

    def has(self, key: str) -> bool:
        """Whether the default language defines ``key``."""
        return key in self.texts[self.default]

    def get(self, language: str, key: str, /, **values: object) -> str:
        """Return the text for ``key`` in ``language``, filled with ``values``."""
        table = self.texts.get(language, {})
        text = table.get(key)
        if text is None:
            text = self.texts[self.default].get(key)
        if text is None:
            raise KeyError(f"no text {key!r} in the catalog")
        return text.format(**values) if values or "{" in text else text

    def date(self, language: str, value: date) -> str:
        """A date written the way people of ``language`` write it ("26 November 2026")."""
        return format_date(value, format="long", locale=self._locale(language))

    def short_date(self, language: str, value: dt.date) -> str:
        """A short date for a button ("5 Mar")."""
        return format_skeleton("MMMd", value, locale=self._locale(language))

    def weekday_date(self, language: str, value: dt.date) -> str:
        """A date with its weekday ("Thursday, December 3, 2026")."""
        return format_date(value, format="full", locale=self._locale(language))

    def datetime(self, language: str, value: datetime) -> str:
        """A day and a time on the wall clock of ``value``'s zone ("Thursday, November 26, 2026,
        19:00"): the weekday helps, seconds never do."""
        clock = format_skeleton("Hm", value, locale=self._locale(language))
        return f"{self.weekday_date(language, value.date())}, {clock}"

"""Client-facing text: per-language catalogs kept outside the code (``bot/locales/``)."""

from __future__ import annotations

import datetime as dt
import string
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal

from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time, format_timedelta
from babel.lists import format_list
from babel.plural import PluralRule

from bot.core.dates import speech_locale

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DEFAULT_LANGUAGE = "en"

PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
"""CLDR's plural categories. A text that carries a number is a table of some of them."""

Plural = Mapping[str, str]
"""One text in the forms a number needs: CLDR category ("one", "other"...) -> text."""

Entry = str | Plural
"""What a catalog holds under a key: a text, or a text in plural forms."""


class CatalogError(Exception):
    """A catalog file is missing, malformed, or disagrees with the default language."""


def _is_plural(table: Mapping[str, Any]) -> bool:
    """Whether a TOML table is one text in plural forms, not a group of texts.

    It is when all its keys are CLDR categories, or when it has an ``other`` form beside at
    least one more category (so ``{one = "...", other = "...", several = "..."}`` is a plural
    with a wrong form, refused, while a group with a button called ``other`` stays a group)."""
    keys = set(table)
    if not keys or not all(isinstance(v, str) for v in table.values()):
        return False
    categories = keys & set(PLURAL_CATEGORIES)
    return keys == categories or ("other" in keys and len(categories) > 1)


@cache
def _plural_rule(language: str) -> PluralRule:
    try:
        return Locale.parse(language).plural_form
    except (UnknownLocaleError, ValueError) as exc:
        raise CatalogError(f"no plural rules for the language {language!r}") from exc


def _check_plural(language: str, full: str, forms: Mapping[str, str], where: str) -> None:
    """A plural table needs ``other`` and may only use the categories ``language`` has."""
    if "other" not in forms:
        raise CatalogError(f'{where}: {full}: a plural text needs an "other" form')
    try:
        known = set(_plural_rule(language).tags) | {"other"}
    except CatalogError as exc:
        raise CatalogError(f"{where}: {full}: {exc}") from exc
    unknown = sorted(set(forms) - known)
    if unknown:
        raise CatalogError(
            f"{where}: {full}: {', '.join(map(repr, unknown))} is not a plural form of "
            f"{language!r}, which has {', '.join(c for c in PLURAL_CATEGORIES if c in known)}"
        )


def _needed_forms(language: str) -> list[str]:
    """The CLDR categories a plural text in ``language`` must have, in CLDR order."""
    needed = set(_plural_rule(language).tags) | {"other"}
    return [c for c in PLURAL_CATEGORIES if c in needed]


def _check_parity(
    language: str,
    flat: Mapping[str, Entry],
    files: Mapping[str, str],
    default: str,
    base: Mapping[str, Entry],
    base_files: Mapping[str, str],
) -> None:
    """A translation has every text of the default language, each in the forms it needs.

    ``files`` and ``base_files`` say which file (``main.toml``) each key is written in."""
    for key, text in base.items():
        if key not in flat:
            raise CatalogError(
                f"{language}/{base_files[key]}: {key}: missing (the {default} catalog has it)"
            )
        where = f"{language}/{files[key]}"
        mine = flat[key]
        if isinstance(mine, str) and isinstance(text, str):
            continue
        try:
            needed = _needed_forms(language)
        except CatalogError as exc:
            raise CatalogError(f"{where}: {key}: {exc}") from exc
        if isinstance(mine, str):
            if needed != ["other"]:
                raise CatalogError(
                    f"{where}: {key}: a plain text, but the {default} text has plural forms; "
                    f"{language!r} needs the plural forms {', '.join(needed)}"
                )
            continue
        missing = [c for c in needed if c not in mine]
        if missing:
            raise CatalogError(
                f"{where}: {key}: {', '.join(map(repr, missing))} "
                f"{'is' if len(missing) == 1 else 'are'} missing; {language!r} needs the "
                f"plural forms {', '.join(needed)}"
            )


def _flatten(
    prefix: str, table: Mapping[str, Any], out: dict[str, Entry], source: Path, language: str = ""
) -> None:
    where = f"{language}/{source.name}" if language else source.name
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping) and _is_plural(value):
            _check_plural(language or DEFAULT_LANGUAGE, full, value, where)
            out[full] = {c: value[c] for c in PLURAL_CATEGORIES if c in value}
        elif isinstance(value, Mapping):
            _flatten(full, value, out, source, language)
        elif isinstance(value, str):
            out[full] = value
        else:
            raise CatalogError(f"{where}: {full}: must be text, not {type(value).__name__}")


def _fields(text: Entry) -> set[str]:
    if not isinstance(text, str):  # a plural: the placeholders of all its forms together
        return set().union(*(_fields(form) for form in text.values()))
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _number(value: object) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


@dataclass(frozen=True)
class Catalog:
    """All texts of all languages. Every language has every text of the default language
    (``load`` refuses a translation that lacks one); a language the catalog does not have at
    all is written in the default language."""

    texts: Mapping[str, Mapping[str, Entry]]
    default: str = DEFAULT_LANGUAGE
    region: str | None = None  # the service's locale ("en_GB"): how its people write dates
    offered: tuple[str, ...] | None = None  # the languages people may choose (None: all)

    def with_region(self, locale: str) -> Catalog:
        """The same texts, with dates written as people write them in the service's country."""
        return replace(self, region=locale)

    def offering(self, languages: tuple[str, ...]) -> Catalog:
        """The same texts, people choosing only among ``languages`` (the service's choice)."""
        return replace(self, offered=tuple(lang for lang in languages if lang in self.texts))

    @property
    def choices(self) -> list[str]:
        """The languages people may choose: the default first, then the others in order."""
        offered = self.offered if self.offered is not None else tuple(sorted(self.texts))
        return [self.default, *(lang for lang in offered if lang != self.default)]

    def _locale(self, language: str) -> str:
        return speech_locale(language, self.region) if self.region else language

    @classmethod
    def load(cls, directory: Path = LOCALES_DIR, default: str = DEFAULT_LANGUAGE) -> Catalog:
        """Read every ``<language>/*.toml`` in ``directory`` and check them against the default.

        A language may spread its texts over several files; a key defined twice is an error.
        A text that carries a number may be a table of CLDR plural forms,
        ``line_team = { one = "{count} person", other = "{count} people" }``: it needs an
        ``other`` form, and only the forms its language has (English: ``one``, ``other``).

        Every other language must have every text of the default language (nothing falls back
        to it quietly), with the same placeholders, and a text in plural forms there must have
        every form its own language uses (a plain text does only where that is just ``other``,
        as in Japanese).
        """
        texts: dict[str, dict[str, Entry]] = {}
        files: dict[str, dict[str, str]] = {}  # language -> key -> the file that defines it
        for lang_dir in sorted(p for p in directory.iterdir() if p.is_dir()):
            flat: dict[str, Entry] = {}
            where: dict[str, str] = {}
            for path in sorted(lang_dir.glob("*.toml")):
                try:
                    raw = tomllib.loads(path.read_text(encoding="utf-8"))
                except (OSError, tomllib.TOMLDecodeError) as exc:
                    raise CatalogError(f"{lang_dir.name}/{path.name}: {exc}") from exc
                part: dict[str, Entry] = {}
                _flatten("", raw, part, path, lang_dir.name)
                for key in part.keys() & flat.keys():
                    raise CatalogError(f"{lang_dir.name}/{path.name}: {key}: defined twice")
                flat.update(part)
                where.update(dict.fromkeys(part, path.name))
            if flat:
                texts[lang_dir.name] = flat
                files[lang_dir.name] = where
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
            if language != default:
                _check_parity(language, flat, files[language], default, base, files[default])
        return cls(texts=texts, default=default)

    @property
    def languages(self) -> list[str]:
        """The languages that have a catalog."""
        return sorted(self.texts)

    def language_for(self, code: str | None) -> str:
        """Pick the catalog language for a Telegram ``language_code`` such as ``de-AT``."""
        if code:
            short = code.replace("_", "-").split("-")[0].lower()
            if short in self.choices:
                return short
        return self.default

    def has(self, key: str) -> bool:
        """Whether the default language defines ``key``."""
        return key in self.texts[self.default]

    def get(self, language: str, key: str, /, **values: object) -> str:
        """Return the text for ``key`` in ``language``, filled with ``values``.

        A plural text takes the form ``language``'s CLDR rules give the number: ``count``, or,
        if the call has no ``count``, the one number among the values its forms use
        (``hours=1`` for "for {hours} hours").

        A language the catalog does not have is written in the default language; a key that
        ``language``'s catalog lacks is a KeyError, never the default language's text."""
        language, text = self._entry(language, key)
        if not isinstance(text, str):
            text = self._form(language, key, text, values)
        return text.format(**values) if values or "{" in text else text

    def plural(self, language: str, key: str, count: float) -> str:
        """The CLDR category ("one", "few", "other"...) ``language`` uses for ``count``,
        among the forms ``key`` has; "other" if it has no such form."""
        language, text = self._entry(language, key)
        category = _plural_rule(language)(abs(count))
        return category if not isinstance(text, str) and category in text else "other"

    def _entry(self, language: str, key: str) -> tuple[str, Entry]:
        """The language that writes ``key`` (``language``, or the default if the catalog does
        not have ``language``) and its entry; KeyError if that language lacks ``key``."""
        if language not in self.texts:
            language = self.default
        text = self.texts[language].get(key)
        if text is None:
            if language == self.default:
                raise KeyError(f"no text {key!r} in the catalog")
            raise KeyError(f"no text {key!r} in the {language!r} catalog")
        return language, text

    def _form(self, language: str, key: str, forms: Plural, values: Mapping[str, object]) -> str:
        count = _number(values.get("count"))
        if count is None:
            numbers = {
                name: number
                for name in _fields(forms)
                if (number := _number(values.get(name))) is not None
            }
            if len(numbers) != 1:
                raise KeyError(f"the text {key!r} needs a number to choose its form: count=...")
            (count,) = numbers.values()
        return forms.get(self.plural(language, key, count), forms["other"])

    def date(self, language: str, value: date) -> str:
        """A date written the way people of ``language`` write it ("26 November 2026")."""
        return format_date(value, format="long", locale=self._locale(language))

    def short_date(self, language: str, value: dt.date) -> str:
        """A short date for a button ("5 Mar")."""
        return format_skeleton("MMMd", value, locale=self._locale(language))

    def weekday_date(self, language: str, value: dt.date) -> str:
        """A date with its weekday ("Thursday, December 3, 2026")."""
        return format_date(value, format="full", locale=self._locale(language))

    def list(self, language: str, items: Sequence[str]) -> str:
        """Items as ``language`` lists them: "Kim, Sam and Jo", "Kim, Sam en Jo"."""
        return format_list(list(items), locale=self._locale(language)) if items else ""

    def duration(self, language: str, value: timedelta) -> str:
        """A length of time in whole units, never rounded up into a bigger one ("10 days", not
        "1 week"): "7 dagen", "7 Tage". Said in the nominative: a text needing another case
        ("innerhalb von 7 Tagen") has plural forms of its own instead."""
        unit: Literal["day", "minute"] = "day" if value >= timedelta(days=1) else "minute"
        return format_timedelta(
            value, granularity=unit, threshold=1000, locale=self._locale(language)
        )

    def clock(self, language: str, value: dt.time) -> str:
        """A time of day as ``language`` writes it on a clock ("14:00", "2:00 PM" in the US)."""
        return format_time(value, format="short", locale=self._locale(language))

    def datetime(self, language: str, value: datetime) -> str:
        """A day and a time on the wall clock of ``value``'s zone ("Thursday, November 26, 2026,
        19:00"): the weekday helps, seconds never do."""
        clock = format_skeleton("Hm", value, locale=self._locale(language))
        return f"{self.weekday_date(language, value.date())}, {clock}"

"""Configuration: the environment variables and the service's TOML file, checked at start."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from bot.core.dates import known_locale, service_locale
from bot.core.dialog_model import DIALOGS_DIR
from bot.core.i18n import Catalog
from bot.core.planning import SPACING
from bot.core.policy import CrisisCard as CoreCrisisCard
from bot.core.policy import Policy
from bot.core.safety import Contact
from bot.core.schedule import format_hours, parse_hours, within_hours

EXAMPLE_CONFIG = Path(__file__).resolve().parent / "service.example.toml"
DEFAULT_API_URL = "https://api.telegram.org/bot"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TOKEN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
#: Below this, a client who goes quiet for a few weeks (a hard spell) loses their whole account.
MIN_RETENTION_DAYS = 30
#: Below this, every message waits in one queue for seconds, a /helpnow reply included.
MIN_SEND_RATE = 1
#: The shortest check-in window a service may configure.
MIN_WINDOW_MINUTES = 15


class ConfigError(Exception):
    """A setting is wrong or missing; the message is one line naming it and what is allowed."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Organisation(_Section):
    name: Annotated[str, Field(min_length=1, max_length=100)]


class Defaults(_Section):
    """The service's defaults.

    ``retention_days`` below :data:`MIN_RETENTION_DAYS` is refused unless
    ``allow_short_retention`` says it is meant (a trial, say): the retention rule erases an
    account nobody used for the whole period, so a client on a hard spell who goes quiet for a
    day or two would otherwise lose everything.
    """

    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}$")] = "en"
    # The languages people may choose; None: every language with a catalog.
    languages: list[Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]] | None = None
    timezone: str = "UTC"
    # Before retention_days: fields are validated in the order written, and its check reads this.
    allow_short_retention: bool = False
    retention_days: Annotated[int, Field(ge=1, le=3650)] = 365
    invite_valid_hours: Annotated[int, Field(ge=1, le=24 * 30)] = 24
    answer_wait_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 30
    locale: str | None = None

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str | None) -> str | None:
        if value is not None and not known_locale(value):
            raise ValueError(f"{value!r} is not a known locale (use one like en_GB or nl_NL)")
        return value

    @field_validator("retention_days")
    @classmethod
    def _long_enough(cls, value: int, info: ValidationInfo) -> int:
        if value < MIN_RETENTION_DAYS and not info.data.get("allow_short_retention", False):
            raise ValueError(
                f"{value} is less than {MIN_RETENTION_DAYS} days: a client who goes quiet that "
                "long would lose their whole account (if a shorter period is meant, as for a "
                "trial, also set defaults.allow_short_retention = true)"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"{value!r} is not a known time zone (use a name like Europe/London)"
            ) from exc
        return value


_HOURS = re.compile(r"([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)")


class Checkins(_Section):
    """The check-in defaults, checked so that the check-ins they promise can arrive.

    The bot starts messages only inside the contact hours, cuts a check-in's window at the end of
    the hours (``schedule.next_checkin``), and keeps ``SPACING`` between two messages it starts
    to one person (``planning``, ``delivery``). Hence, unless the hours are round the clock:

    * ``time`` must fall inside ``contact_hours`` (the rule ``/settings`` applies to a client's
      own choice, with the same :func:`~bot.core.schedule.within_hours`); otherwise no
      check-in is ever sent, though the client is told they are on.
    * ``time`` must come more than ``SPACING`` before the hours end: a check-in that meets
      another message to the same person waits ``SPACING``, never past its window's end, and
      would then be dropped unsent. (The window itself is at least 15 minutes, longer than
      ``SPACING``, so the end of the hours is what can make it that short.)
    * ``window_minutes`` plus ``SPACING`` must fit in the hours: messages held overnight go
      out at the opening, so the first check-in time they leave alone is ``SPACING`` later, and
      from there the whole window must fit before the end; with shorter hours no check-in time
      at all gets the window the service configured.

    Times are wall-clock times: a DST change may shorten one day's hours by an hour.
    """

    # The defaults are checked too: a file that sets only the hours must still meet them.
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = ["mon", "thu"]
    # Before time and window_minutes: fields are validated in the order written, and their
    # checks read the hours.
    contact_hours: str = "09:00-21:00"
    time: str = "18:00"
    window_minutes: Annotated[int, Field(ge=MIN_WINDOW_MINUTES, le=720)] = 120

    @field_validator("contact_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        # Written exactly (no "9-5" to guess at), and read with the parser the bot uses at run
        # time, so that every value accepted here works there.
        hours = parse_hours(value) if _HOURS.fullmatch(value) or value == "always" else None
        if hours is None:
            raise ValueError(
                f"{value!r} is not a range of two different times like 09:00-21:00 "
                '(round the clock: "always")'
            )
        return format_hours(*hours)

    @field_validator("time")
    @classmethod
    def _clock_time(cls, value: str, info: ValidationInfo) -> str:
        try:
            at = time.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a time like 18:00") from exc
        if at.tzinfo is not None:  # the time is the client's own local time, never an offset
            raise ValueError(f"{value!r} is not a time like 18:00")
        hours = _configured_hours(info)
        if hours is None or hours[0] == hours[1]:
            return value  # hours refused on their own line, or round the clock
        start, end = hours
        shown = _shown_hours(start, end)
        default = _default_note(cls, "time", value)
        if not within_hours(at, start, end):
            raise ValueError(
                f"{value!r}{default} is outside the contact hours {shown}, so no check-in would "
                "ever be sent; set a time inside them"
            )
        left = _between(at, end)
        if left <= SPACING:
            raise ValueError(
                f"{value!r}{default} is {_minutes(left)} minutes before the contact hours {shown} "
                f"end; it must be more than {_minutes(SPACING)} minutes before, the wait between "
                "two messages the bot starts to one person"
            )
        return value

    @field_validator("window_minutes")
    @classmethod
    def _fits_in_hours(cls, value: int, info: ValidationInfo) -> int:
        hours = _configured_hours(info)
        if hours is None or hours[0] == hours[1]:
            return value
        start, end = hours
        length = _minutes(_between(start, end))
        spacing = _minutes(SPACING)
        if value + spacing > length:
            most = length - spacing
            fix = (
                f"use at most {most}, or longer contact hours"
                if most >= MIN_WINDOW_MINUTES
                else "make the contact hours longer"
            )
            default = _default_note(cls, "window_minutes", value)
            raise ValueError(
                f"{value} minutes{default} and the {spacing} minutes between two messages the "
                f"bot starts to one person do not fit in the contact hours "
                f"{_shown_hours(start, end)} ({length} minutes); {fix}"
            )
        return value


def _default_note(section: type[BaseModel], name: str, value: object) -> str:
    """A note that ``value`` is the setting's default, which the file may not show."""
    return " (the default)" if section.model_fields[name].default == value else ""


def _configured_hours(info: ValidationInfo) -> tuple[time, time] | None:
    """The contact hours validated before this field; ``None`` if they were refused."""
    text = info.data.get("contact_hours")
    return parse_hours(text) if isinstance(text, str) else None


def _shown_hours(start: time, end: time) -> str:
    """Contact hours as the service file writes them, "until midnight" as 24:00."""
    return f"{start:%H:%M}-{'24:00' if end == time(0) else f'{end:%H:%M}'}"


def _between(earlier: time, later: time) -> timedelta:
    """How long from one wall-clock time to the next ``later``, past midnight if need be."""
    seconds = [t.hour * 3600 + t.minute * 60 + t.second for t in (earlier, later)]
    return timedelta(seconds=(seconds[1] - seconds[0]) % (24 * 3600))


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds()) // 60


class TelegramSection(_Section):
    bot_username: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{3,31}$")] | None = None
    send_rate: Annotated[float, Field(le=1000)] = 30

    @field_validator("send_rate")
    @classmethod
    def _fast_enough(cls, value: float) -> float:
        if value < MIN_SEND_RATE:
            raise ValueError(
                f"{value:g} is less than {MIN_SEND_RATE} message a second: every message would "
                "wait its turn for seconds, a /helpnow reply included (Telegram allows about 30)"
            )
        return value


class ProcessSection(_Section):
    one_core: bool = True


class CrisisContact(_Section):
    name: Annotated[str, Field(min_length=1)]
    phone: Annotated[str, Field(min_length=1)]
    note: str = ""


class CrisisCard(_Section):
    emergency_number: Annotated[str, Field(min_length=1)]
    contacts: list[CrisisContact] = []
    carers: list[CrisisContact] = []  # lines for people close to a client, on their card only


class Safety(_Section):
    risk_phrases: dict[str, list[Annotated[str, Field(min_length=3)]]] = {}


_PATH = r"^/[A-Za-z0-9._~/-]*$"
#: Telegram takes 1 to 256 of these; 32 random ones are beyond guessing.
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{32,256}")


class Webhook(_Section):
    url: Annotated[str, Field(pattern=r"^https://")]
    # Where the bot itself listens: the URL's own path unless a proxy rewrites it.
    path: Annotated[str, Field(pattern=_PATH)] | None = None
    # Loopback by default: the bot speaks plain HTTP, so a TLS proxy in front is the way in.
    listen: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8443

    @field_validator("url")
    @classmethod
    def _servable_path(cls, value: str) -> str:
        if not re.fullmatch(_PATH, urlsplit(value).path or "/"):
            raise ValueError(
                f"{value!r} has a path with characters other than A-Z a-z 0-9 . _ ~ - / "
                "(or set webhook.path)"
            )
        return value

    @property
    def served_path(self) -> str:
        """The path the bot answers on: ``path``, else the URL's own path ("/" if it has none)."""
        return self.path or urlsplit(self.url).path or "/"


class Nudges(_Section):
    clinicians: bool = False


class ServiceConfig(_Section):
    """The service's TOML file."""

    organisation: Organisation
    defaults: Defaults = Defaults()
    checkins: Checkins = Checkins()
    telegram: TelegramSection = TelegramSection()
    crisis: dict[str, CrisisCard]
    safety: Safety = Safety()
    nudges: Nudges = Nudges()
    webhook: Webhook | None = None
    process: ProcessSection = ProcessSection()


@dataclass(frozen=True)
class Settings:
    """Everything the bot needs to start, read from the environment and the service file."""

    token: str | None
    api_url: str
    data_dir: Path
    config_path: Path
    service: ServiceConfig
    encryption_key: str | None
    webhook_secret: str | None
    dialogs_dir: Path
    key_file: Path

    @property
    def database_path(self) -> Path:
        """The one SQLite file of the service."""
        return self.data_dir / "between.sqlite3"

    @property
    def key_beside_database(self) -> bool:
        """True if the key file sits in the database's folder (one copy would hold both)."""
        return self.encryption_key is None and (
            self.key_file.resolve().parent == self.data_dir.resolve()
        )

    @cached_property
    def policy(self) -> Policy:
        """The service's choices as the core takes them."""
        service = self.service
        return Policy(
            organisation=service.organisation.name,
            default_language=service.defaults.language,
            crisis={
                lang: CoreCrisisCard(
                    card.emergency_number,
                    tuple(Contact(c.name, c.phone, c.note) for c in card.contacts),
                    tuple(Contact(c.name, c.phone, c.note) for c in card.carers),
                )
                for lang, card in service.crisis.items()
            },
            risk_phrases={
                lang: tuple(words) for lang, words in service.safety.risk_phrases.items()
            },
            invite_valid=timedelta(hours=service.defaults.invite_valid_hours),
            retention=timedelta(days=service.defaults.retention_days),
            answer_wait=timedelta(minutes=service.defaults.answer_wait_minutes),
            clinicians_nudge=service.nudges.clinicians,
            locale=service.defaults.locale
            or service_locale(service.defaults.language, service.defaults.timezone),
        )


def _location(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item}]" if parts else f"[{item}]"
        else:
            parts.append(item)
    return ".".join(parts)


def parse_service_config(raw: Mapping[str, Any], source: str, catalog: Catalog) -> ServiceConfig:
    """Validate a parsed TOML mapping; raise ConfigError naming the first wrong setting."""
    try:
        service = ServiceConfig.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = _location(tuple(error["loc"]))
        if error["type"] == "missing":
            message = "missing; see the bundled example"
        elif error["type"] == "extra_forbidden":
            message = "unknown setting (a typo?)"
        else:
            message = error["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{source}: {where}: {message}") from None
    if service.defaults.language not in catalog.languages:
        raise ConfigError(
            f"{source}: defaults.language: no catalog for {service.defaults.language!r} "
            f"(available: {', '.join(catalog.languages)})"
        )
    if service.defaults.language not in service.crisis:
        raise ConfigError(
            f"{source}: crisis.{service.defaults.language}: missing; the crisis card of the "
            "default language is required"
        )
    offered = offered_languages(service, catalog)
    for language in offered:
        if language not in catalog.languages:
            raise ConfigError(
                f"{source}: defaults.languages: no catalog for {language!r} "
                f"(available: {', '.join(catalog.languages)})"
            )
        if language not in service.crisis:
            raise ConfigError(
                f"{source}: crisis.{language}: missing; every language people may choose "
                f"({', '.join(offered)}) needs its own crisis card, with the contacts of the "
                "country its people live in (or leave the language out of defaults.languages)"
            )
    return service


def offered_languages(service: ServiceConfig, catalog: Catalog) -> tuple[str, ...]:
    """The languages people may choose: ``defaults.languages``, else every catalog's, the
    default language always among them."""
    chosen = service.defaults.languages or catalog.languages
    return (
        service.defaults.language,
        *(lang for lang in chosen if lang != service.defaults.language),
    )


def load_service_config(path: Path, catalog: Catalog) -> ServiceConfig:
    """Read and validate the service's TOML file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"BOT_CONFIG: cannot read {path}: {exc.strerror}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        # tomllib reads nested arrays and tables by recursion: thousands of levels exhaust it.
        raise ConfigError(f"{path}: not valid TOML: nested too deeply") from None
    return parse_service_config(raw, str(path), catalog)


def load_settings(
    env: Mapping[str, str] | None = None,
    *,
    catalog: Catalog,
    require_token: bool = False,
) -> Settings:
    """Build Settings from the environment (``os.environ`` by default).

    Raises:
        ConfigError: with one line naming the setting and what is allowed.
    """
    env = os.environ if env is None else env
    token = env.get("BOT_TOKEN") or None
    if token is None and require_token:
        raise ConfigError("BOT_TOKEN: missing; set it to the token @BotFather gave you")
    if token is not None and not _TOKEN.match(token):
        raise ConfigError("BOT_TOKEN: does not look like a bot token (digits, a colon, letters)")
    api_url = env.get("BOT_API_URL") or DEFAULT_API_URL
    if not re.match(r"^https?://", api_url):
        raise ConfigError(f"BOT_API_URL: {api_url!r} must start with http:// or https://")
    key = env.get("BOT_ENCRYPTION_KEY") or None
    config_path = Path(env.get("BOT_CONFIG") or EXAMPLE_CONFIG)
    service = load_service_config(config_path, catalog)
    secret = env.get("BOT_WEBHOOK_SECRET") or None
    if service.webhook is not None and secret is None:
        raise ConfigError(
            "BOT_WEBHOOK_SECRET: required with [webhook]; `between webhook secret` prints one"
        )
    if service.webhook is not None and not _WEBHOOK_SECRET.fullmatch(secret or ""):
        # Never echoed: even a wrong secret may be one character away from the real one.
        raise ConfigError(
            "BOT_WEBHOOK_SECRET: must be 32 to 256 characters of A-Z a-z 0-9 _ -; "
            "`between webhook secret` prints one"
        )
    data_dir = Path(env.get("BOT_DATA_DIR") or "./data")
    return Settings(
        token=token,
        api_url=api_url,
        data_dir=data_dir,
        config_path=config_path,
        service=service,
        encryption_key=key,
        webhook_secret=secret,
        dialogs_dir=Path(env.get("BOT_DIALOGS_DIR") or DIALOGS_DIR),
        key_file=key_file(env, data_dir),
    )


def key_file(env: Mapping[str, str], data_dir: Path) -> Path:
    """``BOT_KEY_FILE``, else ``between/between.key`` in the user's configuration folder.

    A key file that an older Between generated beside the database is still used where it is
    (``between doctor`` asks to move it).
    """
    given = env.get("BOT_KEY_FILE")
    if given:
        return Path(given)
    config_home = env.get("XDG_CONFIG_HOME")
    default = (Path(config_home) if config_home else Path.home() / ".config") / "between"
    default /= "between.key"
    beside = data_dir / "between.key"
    if not default.exists() and beside.exists():
        return beside
    return default

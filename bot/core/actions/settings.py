"""Buttons of the client's schedule: the first proposal, /settings and /pause.

Every one of them acts on the presser's own schedule only: none carries a person's id.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.actions import Action


class Setting(StrEnum):
    """A setting the client may also type."""

    TIME = "time"
    ZONE = "zone"
    HOURS = "hours"


@dataclass(frozen=True)
class Agree(Action, tag="ga"):
    """Send scheduled check-ins; ``first`` when answering the first proposal."""

    first: bool = False


@dataclass(frozen=True)
class TurnOff(Action, tag="go"):
    """No scheduled check-ins ("Only when I ask"); ``first`` when answering the proposal."""

    first: bool = False


@dataclass(frozen=True)
class ShowSettings(Action, tag="gm"):
    """The schedule in words with its buttons. While check-ins are off, ``everything`` shows
    what can be changed; without it, "Start check-ins" and "Change something"."""

    everything: bool = False


@dataclass(frozen=True)
class CloseSettings(Action, tag="gx"):
    """ "Done": the summary stays, its buttons go."""


@dataclass(frozen=True)
class PickDays(Action, tag="gd"):
    """The days picker, Monday to Thursday or (``later``) Friday to Sunday; with ``day``
    (0 = Monday), that day chosen or unchosen."""

    day: int | None = None
    later: bool = False


@dataclass(frozen=True)
class PickTime(Action, tag="gt"):
    """The time picker; with ``at`` ("18.00"), that time chosen."""

    at: str | None = None


@dataclass(frozen=True)
class PickZone(Action, tag="gz"):
    """The time zone picker; with ``index``, the zone at that place in the list chosen."""

    index: int | None = None


@dataclass(frozen=True)
class PickHours(Action, tag="gh"):
    """The contact hours picker; with ``index``, the hours at that place chosen."""

    index: int | None = None


@dataclass(frozen=True)
class PickOften(Action, tag="gf"):
    """How often; with ``fewer``, every other week (True) or every chosen day (False)."""

    fewer: bool | None = None


@dataclass(frozen=True)
class TypeOther(Action, tag="gy"):
    """ "Type another": ask for the setting in words."""

    setting: Setting


@dataclass(frozen=True)
class Pause(Action, tag="zp"):
    """Pause for ``days`` (1 or 7), or with None until the client resumes."""

    days: int | None = None


@dataclass(frozen=True)
class PauseOn(Action, tag="zu"):
    """ "Yes" under "Pause until Friday 24 December?": ``day`` is the ISO date it ends."""

    day: str


@dataclass(frozen=True)
class PauseAsk(Action, tag="zd"):
    """ "Until a day I choose" / "Another day": ask for the day, in words."""


@dataclass(frozen=True)
class KeepGoing(Action, tag="zk"):
    """ "Cancel" under /pause: nothing is paused."""


@dataclass(frozen=True)
class PauseMessage(Action, tag="zm"):
    """Whether to write a message for the team while paused."""

    write: bool


@dataclass(frozen=True)
class ChooseLanguage(Action, tag="lg"):
    """Read the bot in this language from now on (a catalog's language code); without one,
    "Language" in /settings: which languages there are."""

    code: str | None = None

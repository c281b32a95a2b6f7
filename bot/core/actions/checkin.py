"""Buttons of a check-in, the offer of fewer check-ins, the crisis plan and the main menu."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.actions import Action
from bot.core.dialog_model import Capacity


class SnoozeChoice(StrEnum):
    """How much later a check-in the bot sent may come again."""

    HOUR = "hour"
    EVENING = "evening"
    TOMORROW = "tomorrow"


class PlanPart(StrEnum):
    """The parts of the client's crisis plan, in the order they are asked."""

    CONTACTS = "contacts"
    HELPS = "helps"
    AVOID = "avoid"


class MenuEntry(StrEnum):
    """The main menu's entries."""

    CHECKIN = "ci"
    NOTE = "note"
    TEAM = "team"
    HELP = "help"


@dataclass(frozen=True)
class ChooseCapacity(Action, tag="cc"):
    """The capacity question."""

    checkin_id: int
    level: Capacity


@dataclass(frozen=True)
class AnswerOption(Action, tag="ca"):
    """An answer, by the step's and option's positions; ``check`` is a short hash of their ids,
    so an edited dialog never misreads an old button."""

    checkin_id: int
    step: int
    option: int
    check: str


@dataclass(frozen=True)
class NotNow(Action, tag="cn"):
    """ "Not now": close the check-in, nothing owed."""

    checkin_id: int


@dataclass(frozen=True)
class TooMuch(Action, tag="cl"):
    """ "This is too much": ask less from here on."""

    checkin_id: int


@dataclass(frozen=True)
class ChangeAnswer(Action, tag="cch"):
    """ "Change this answer": the question at position ``step`` again."""

    checkin_id: int
    step: int


@dataclass(frozen=True)
class NeedGoOn(Action, tag="cgo"):
    """ "Go on" past the human step offered after the answer to the question at ``step``."""

    checkin_id: int
    step: int


@dataclass(frozen=True)
class NeedAgenda(Action, tag="cad"):
    """ "Put it on the agenda": what the answer to the question at ``step`` named goes on the
    next meeting's agenda."""

    checkin_id: int
    step: int


@dataclass(frozen=True)
class Less(Action, tag="cnl"):
    """ "Not now" under a question above the least capacity: the ways out, in its place
    ("Stop for now", "This is too much", "Back to the question")."""

    checkin_id: int


@dataclass(frozen=True)
class Back(Action, tag="cbk"):
    """ "Back to the question": its answers again, in the same message."""

    checkin_id: int


@dataclass(frozen=True)
class Later(Action, tag="cz"):
    """ "Later" on a check-in the bot sent: show when."""

    checkin_id: int


@dataclass(frozen=True)
class Snooze(Action, tag="cs"):
    """Move a check-in the bot sent to later."""

    checkin_id: int
    when: SnoozeChoice


@dataclass(frozen=True)
class Fewer(Action, tag="cf"):
    """The answer to the offer of fewer check-ins."""

    fewer: bool


@dataclass(frozen=True)
class PlanWrite(Action, tag="pw"):
    """Start writing (or changing) the crisis plan."""


@dataclass(frozen=True)
class PlanSkip(Action, tag="ps"):
    """Skip one part of the crisis plan."""

    part: PlanPart


@dataclass(frozen=True)
class PlanStop(Action, tag="px"):
    """Stop writing the crisis plan; what was written stays."""


@dataclass(frozen=True)
class Menu(Action, tag="m"):
    """A main-menu entry."""

    entry: MenuEntry


@dataclass(frozen=True)
class EraseAll(Action, tag="dy"):
    """ "Delete everything", pressed within an hour of asking (``asked`` is when, in seconds)."""

    asked: int


@dataclass(frozen=True)
class KeepAll(Action, tag="dn"):
    """ "Keep my data"."""

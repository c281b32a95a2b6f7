"""Check-in dialogs as data: capacities, needs, steps and their variants, what one message asks.

The engine that walks a dialog is ``dialog_engine``; reading and checking the YAML files is
``dialog_loader``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

DIALOGS_DIR = Path(__file__).resolve().parents[2] / "dialogs"

TEXT = "text"
"""The answer stored for a step when the client typed words instead of pressing a button."""
SKIPPED = "skipped"
"""The answer stored for a step when the client pressed "Not now"."""

ID_PATTERN = re.compile(r"[a-z0-9_]+")
ID_MAX = 32  # ids travel in callback data, which Telegram caps at 64 bytes
LABEL_MAX = 40  # longer labels get cut off on a phone's button
ALL = "all"  # `options: all` under `at`
SKIP = "skip"  # `least: skip` under `at`
RESERVED_OPTION_IDS = frozenset({TEXT, SKIPPED, ALL})
UNSURE_IDS = ("dont_know", "not_sure", "rather_not_say")
"""Option ids that say "I don't know" (or "Rather not say"): every question offers one."""
FOLLOW_UP = "."
"""Joins a step and an option id ("wish.say"): the answer to the human step after that option."""
ON_AGENDA = "agenda"
"""The value kept when the client puts what an answer named on the next meeting's agenda."""
AGENDA_ASKING = "agenda_asking"
"""The value kept while "Put it on the agenda" waits for what the client wants to decide."""
ASKED = "asked"
"""The value kept when the client asked the person offered to get in touch."""
LANGUAGE_PATTERN = re.compile(r"[a-z]{2,3}")


class Capacity(StrEnum):
    """How much the client says they can give right now, ordered from least to most."""

    LEAST = "least"
    MIDDLE = "middle"
    MOST = "most"

    @property
    def rank(self) -> int:
        """0 for least, 1 for middle, 2 for most."""
        return list(Capacity).index(self)

    @property
    def label_key(self) -> str:
        """The catalog key of this level's button label ("Very little", "Some", "Plenty")."""
        return f"checkin.capacity_{self.value}"

    def below(self) -> Capacity | None:
        """The next lower capacity, or None at the least."""
        members = list(Capacity)
        return members[self.rank - 1] if self.rank > 0 else None


class FreeText(StrEnum):
    """Whether a prompt lets the client type words as well as (or instead of) pressing a button."""

    NONE = "none"
    OPTIONAL = "optional"
    INVITED = "invited"


class Need(StrEnum):
    """What an answer says the client needs, and so the human step that follows it."""

    CONTACT = "contact"  # offer to ask a named person of the team to get in touch
    AGENDA = "agenda"  # offer to put it on the agenda of the next meeting
    SAY = "say"  # ask "What is it?": the next typed words are kept with the check-in
    AVOID = "avoid"  # something not to talk about at the meeting: kept, with words if typed


class Block(StrEnum):
    """The building block of support a step serves (see PRODUCT.md)."""

    SELF_DETERMINATION = "self-determination"
    CONNECTION = "connection"
    COLLABORATION = "collaboration"


@dataclass(frozen=True)
class Limits:
    """The burden allowed at one capacity (PRODUCT.md, "Capacity adaptation")."""

    options: int
    steps: int
    free_text: frozenset[FreeText]


LIMITS: Mapping[Capacity, Limits] = {
    Capacity.LEAST: Limits(options=3, steps=2, free_text=frozenset({FreeText.NONE})),
    Capacity.MIDDLE: Limits(
        options=4, steps=4, free_text=frozenset({FreeText.NONE, FreeText.OPTIONAL})
    ),
    Capacity.MOST: Limits(options=6, steps=6, free_text=frozenset(FreeText)),
}

# Rough reading-and-tapping time of one prompt, used for the cost line ("about 20 seconds").
SECONDS: Mapping[FreeText, int] = {
    FreeText.NONE: 10,
    FreeText.OPTIONAL: 15,
    FreeText.INVITED: 30,
}


@dataclass(frozen=True)
class Option:
    """One answer button: a stable id (stored), the words on the button (shown), and the need
    it names, if any (a human step follows it)."""

    id: str
    label: str
    need: Need | None = None


@dataclass(frozen=True)
class Variant:
    """How a step is asked at one capacity."""

    question: str
    options: tuple[Option, ...]
    free_text: FreeText


@dataclass(frozen=True)
class Condition:
    """Ask a step only if an earlier step's answer is (or is not) one of some option ids."""

    step: str
    values: tuple[str, ...]
    negate: bool = False

    def holds(self, answer: str | None) -> bool:
        """Whether the condition is met by ``answer`` (None: that step was never asked)."""
        return (answer in self.values) != self.negate


@dataclass(frozen=True)
class Step:
    """One question of a dialog, with its variants per capacity (absent = not asked there)."""

    id: str
    block: Block
    question: str
    options: tuple[Option, ...]
    at: Mapping[Capacity, Variant]
    when: Condition | None = None


@dataclass(frozen=True)
class Dialog:
    """A validated dialog file."""

    id: str
    language: str
    title: str
    steps: tuple[Step, ...]
    source: str = ""  # the file name, for messages
    for_network: bool = False  # answered by someone close to a client, by typing (``for:``)

    def step(self, step_id: str) -> Step:
        """The step with this id (KeyError if there is none).

        A follow-up id ("wish.say", see ``follow_up_id``) gives a step that reads as the answer
        it followed: the option's label as the question, so the client's words sit under it.
        """
        for step in self.steps:
            if step.id == step_id:
                return step
        parent_id, _, option_id = step_id.partition(FOLLOW_UP)
        parent = self.step(parent_id) if option_id else None
        option = next((o for o in parent.options if o.id == option_id), None) if parent else None
        if parent is None or option is None or option.need is None:
            raise KeyError(step_id)
        return Step(step_id, parent.block, option.label, (), {})


@dataclass(frozen=True)
class Prompt:
    """One message of a check-in: a question with its answer buttons (without "Not now")."""

    step_id: str
    question: str
    options: tuple[Option, ...]
    free_text: str  # a FreeText value: "none" | "optional" | "invited"
    index: int
    total: int  # fixed when the check-in starts: the most it may ask at the chosen capacity


@dataclass(frozen=True)
class NeedStep:
    """The human step owed after an answer that names a need; it comes before the next
    question, in its place."""

    step_id: str
    option: Option
    need: Need
    words: bool = False  # on the agenda already; asking what the client wants to decide

    @property
    def answer_id(self) -> str:
        """Where what the client did with it is kept."""
        return follow_up_id(self.step_id, self.option.id)


def follow_up_id(step_id: str, option_id: str) -> str:
    """The id under which the answer to a human step is kept ("wish.say").

    Step and option ids never hold a dot, so it can never be taken for a step of the dialog.
    """
    return f"{step_id}{FOLLOW_UP}{option_id}"


def dialog_for(dialogs: Mapping[str, Dialog], dialog_id: str, language: str) -> Dialog | None:
    """The dialog ``dialog_id`` in ``language`` if there is one, else in any language."""
    for dialog in dialogs.values():
        if dialog.id == dialog_id and dialog.language == language:
            return dialog
    if dialog_id in dialogs:
        return dialogs[dialog_id]
    return next((d for d in dialogs.values() if d.id == dialog_id), None)

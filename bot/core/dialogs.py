"""Check-in dialogs as data: the YAML format, its validation and the capacity engine."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from bot.core.model import Role
from bot.core.views import Text, t

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


# --------------------------------------------------------------------------------------------
# The engine


def _asked_steps(dialog: Dialog, capacity: Capacity) -> list[Step]:
    return [step for step in dialog.steps if capacity in step.at]


def plan(dialog: Dialog, capacity: Capacity, answers: Mapping[str, str]) -> list[str]:
    """The ids of this check-in's steps, in order: the ones already answered and those to come.

    Answered steps (an option id, ``TEXT`` or ``SKIPPED``) stay in the plan whatever the
    capacity, so progress keeps counting after the client drops to a lower capacity. A step not
    yet answered is planned if it is asked at ``capacity`` and its condition holds or cannot be
    known yet (the step it looks at is still to come).
    """
    planned: list[str] = []
    for step in dialog.steps:
        if step.id in answers:
            planned.append(step.id)
            continue
        if capacity not in step.at:
            continue
        when = step.when
        if when is not None:
            answer = answers.get(when.step)
            still_to_come = answer is None and when.step in planned
            if not still_to_come and not when.holds(answer):
                continue
        planned.append(step.id)
    return planned


def may_ask_fewer(dialog: Dialog, capacity: Capacity) -> bool:
    """Whether some question at ``capacity`` depends on an answer, so fewer may be asked."""
    return any(dialog.step(step_id).when is not None for step_id in plan(dialog, capacity, {}))


def next_prompt(
    dialog: Dialog,
    capacity: Capacity,
    answers: Mapping[str, str],
    started: Capacity | None = None,
) -> Prompt | None:
    """The next prompt to send, or None when the check-in is finished.

    ``answers`` maps step ids to an option id, ``TEXT`` or ``SKIPPED`` (follow-up ids are
    ignored here). Calling again with a lower capacity and the same answers is how the client
    drops capacity mid-way: answered steps are never asked again and ``index`` carries on.
    ``total`` never changes on the way: it is the most that the capacity the check-in
    ``started`` at (``capacity`` if not given) may ask, counting questions that depend on answers;
    after a drop to a lower capacity it counts what was asked and what is left there.
    """
    planned = plan(dialog, capacity, answers)
    done = sum(1 for step_id in planned if step_id in answers)
    first = started or capacity
    # After "This is too much" the count is what is really left at the lower capacity.
    most = len(plan(dialog, first, {})) if first is capacity else len(planned)
    for step_id in planned:
        if step_id not in answers:
            variant = dialog.step(step_id).at[capacity]
            return Prompt(
                step_id=step_id,
                question=variant.question,
                options=variant.options,
                free_text=variant.free_text,
                index=done + 1,
                total=max(most, done + 1),
            )
    return None


def pending_need(dialog: Dialog, answers: Mapping[str, str]) -> NeedStep | None:
    """The human step still owed for an answer that names a need, if any.

    A need to talk is offered once per check-in: after one was offered, another answer that
    names it ("Nobody", then "Talking to someone") goes on to the next question.
    """
    offered_contact = False
    for step in dialog.steps:
        value = answers.get(step.id)
        option = next((o for o in step.options if o.id == value), None)
        if option is None or option.need is None:
            continue
        done = answers.get(follow_up_id(step.id, option.id))
        if option.need is Need.CONTACT:
            if offered_contact:
                continue
            offered_contact = True
        if done is None:
            return NeedStep(step.id, option, option.need)
        if done == AGENDA_ASKING:
            return NeedStep(step.id, option, option.need, words=True)
    return None


def estimate_seconds(dialog: Dialog, capacity: Capacity) -> int:
    """About how long the prompts at ``capacity`` take, counting steps that may be asked."""
    return sum(
        SECONDS[dialog.step(step_id).at[capacity].free_text]
        for step_id in plan(dialog, capacity, {})
    )


def cost(dialog: Dialog, capacity: Capacity) -> Text:
    """The cost line said before the first prompt: "2 questions, about 20 seconds.", or
    "Up to 4 questions, about a minute." when some questions depend on answers."""
    count = len(plan(dialog, capacity, {}))
    seconds = estimate_seconds(dialog, capacity)
    key = "checkin.up_to." if may_ask_fewer(dialog, capacity) else "checkin.cost_"
    if seconds < 60:
        return t(f"{key}seconds", count=count, seconds=seconds)
    minutes = int(seconds / 60 + 0.5)
    if minutes == 1:
        return t(f"{key}minute", count=count)
    return t(f"{key}minutes", count=count, minutes=minutes)


def prompt_words(prompt: Prompt) -> Text:
    """The message of a prompt: progress, the question, and a line about typing if offered."""
    lines = [
        t("checkin.progress", index=prompt.index, total=prompt.total),
        Text.plain(prompt.question),
    ]
    if not prompt.options:
        lines.append(t("checkin.free_text_only"))
    elif prompt.free_text == FreeText.OPTIONAL:
        lines.append(t("checkin.free_text_optional"))
    elif prompt.free_text == FreeText.INVITED:
        lines.append(t("checkin.free_text_invited"))
    return Text.joined(*lines)


def need_words(
    need: NeedStep, person: tuple[str, Role] | None, capacity: Capacity = Capacity.MIDDLE
) -> tuple[Text, list[Text]]:
    """The words of a human step and the labels of its own buttons, which come before
    "Go on". ``person`` is the name and role of whom a need to talk is offered, if anyone.
    At the least capacity nothing asks to type."""
    if need.need is Need.CONTACT:
        if person is None:
            return t("checkin.need.contact_nobody"), [t("menu.helpnow")]
        name, role = person
        return t("checkin.need.contact", name=name, role=role), [
            t("checkin.need.contact_button", name=name)
        ]
    if need.need is Need.AGENDA:
        if need.words:
            return t("checkin.need.agenda_what"), []
        return t("checkin.need.agenda"), [t("checkin.need.agenda_button")]
    if need.need is Need.AVOID:
        return t(
            "checkin.need.avoid_least" if capacity is Capacity.LEAST else "checkin.need.avoid"
        ), []
    return t("checkin.need.say"), []


def takes_words(need: NeedStep, capacity: Capacity) -> bool:
    """Whether the human step takes the next typed words as its answer."""
    if need.need is Need.AGENDA:
        return need.words
    return need.need is Need.SAY or (need.need is Need.AVOID and capacity is not Capacity.LEAST)


def dialog_for(dialogs: Mapping[str, Dialog], dialog_id: str, language: str) -> Dialog | None:
    """The dialog ``dialog_id`` in ``language`` if there is one, else in any language."""
    for dialog in dialogs.values():
        if dialog.id == dialog_id and dialog.language == language:
            return dialog
    if dialog_id in dialogs:
        return dialogs[dialog_id]
    return next((d for d in dialogs.values() if d.id == dialog_id), None)


# --------------------------------------------------------------------------------------------
# Loading and validation


@dataclass(frozen=True)
class DialogError:
    """One problem in a dialog file, located by file, step and field."""

    file: str
    message: str
    step: str | None = None  # "step 'mood'" or "step #3"
    field: str | None = None  # "at.least.options"
    line: int | None = None  # for YAML syntax errors

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(f"line {self.line}")
        parts.extend(part for part in (self.step, self.field) if part)
        parts.append(self.message)
        return ": ".join(parts)


class DialogErrors(Exception):
    """One or more dialog files are invalid; ``errors`` says where and why."""

    def __init__(self, errors: Sequence[DialogError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


class _Loader(yaml.SafeLoader):
    """Reads YAML keeping every value as text ("No" stays a word) and refusing repeated keys."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[str] = set()
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            if key_node.value in seen:
                raise yaml.constructor.ConstructorError(
                    problem=f"the field '{key_node.value}' is written twice",
                    problem_mark=key_node.start_mark,
                )
            seen.add(key_node.value)
    return loader.construct_mapping(node)


def _construct_text(loader: _Loader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


_Loader.yaml_implicit_resolvers = {}  # no booleans, numbers or nulls: every scalar is text
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG, _construct_text)

_DIALOG_FIELDS = ("id", "language", "title", "steps")
_STEP_FIELDS = ("id", "block", "question", "options", "at", "when")
_OPTION_FIELDS = ("id", "label", "need")
_VARIANT_FIELDS = ("question", "options", "free_text")
_CONDITION_FIELDS = ("step", "is", "is_not")


def _one_of(values: Iterable[str]) -> str:
    items = list(values)
    return ", ".join(items[:-1]) + " or " + items[-1] if len(items) > 1 else "".join(items)


@dataclass
class _FileChecker:
    """Turns one parsed YAML document into a Dialog, collecting every problem it finds."""

    file: str
    errors: list[DialogError] = field(default_factory=list)
    step: str | None = None

    def error(self, field_name: str | None, message: str) -> None:
        self.errors.append(DialogError(self.file, message, self.step, field_name))

    def fields(self, data: Mapping[str, Any], allowed: Sequence[str], where: str) -> set[str]:
        """Report unknown fields; return the allowed fields that a typo probably meant."""
        meant: set[str] = set()
        for key in data:
            if key in allowed:
                continue
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            if close and close[0] not in data:
                meant.add(close[0])
                hint = f"did you mean '{close[0]}'?"
            else:
                hint = f"use {_one_of(allowed)}"
            self.error(f"{where}{key}", f"unknown field; {hint}")
        return meant

    def text(
        self, data: Mapping[str, Any], key: str, where: str = "", meant: Iterable[str] = ()
    ) -> str | None:
        """A required text field, stripped; None (and an error) if missing, empty or not text."""
        if key not in data:
            if key not in meant:
                self.error(f"{where}{key}", "missing")
            return None
        value = data[key]
        if not isinstance(value, str):
            self.error(f"{where}{key}", "must be text, not a list or a group of fields")
            return None
        value = value.strip()
        if not value:
            self.error(f"{where}{key}", "is empty")
            return None
        return value

    def ident(self, value: str | None, where: str) -> str | None:
        if value is None:
            return None
        if not ID_PATTERN.fullmatch(value):
            self.error(where, f"'{value}' may only use small letters a-z, digits and _")
            return None
        if len(value) > ID_MAX:
            self.error(where, f"'{value}' is longer than {ID_MAX} characters")
            return None
        return value

    def dialog(self, data: Any, stem: str) -> Dialog | None:
        if not isinstance(data, dict):
            kind = "empty" if data is None else "a list" if isinstance(data, list) else "text"
            self.error(
                None,
                f"the file is {kind}; a dialog is a set of fields: id, language, title and steps",
            )
            return None
        meant = self.fields(data, _DIALOG_FIELDS, "")
        dialog_id = self.ident(self.text(data, "id", meant=meant), "id")
        language = self.text(data, "language", meant=meant)
        if language is not None and not LANGUAGE_PATTERN.fullmatch(language):
            self.error("language", f"'{language}' should be a language code such as en or de")
            language = None
        title = self.text(data, "title", meant=meant)
        if dialog_id is not None:
            name_id, _, name_language = stem.partition(".")
            if name_id != dialog_id:
                self.error(
                    "id",
                    f"'{dialog_id}' does not match the file name; name the file "
                    f"{dialog_id}.yaml (or {dialog_id}.<language>.yaml)",
                )
            elif name_language and language is not None and name_language != language:
                self.error(
                    "language",
                    f"'{language}' does not match the file name, which says '{name_language}'",
                )
        steps = self.steps(data, meant)
        if self.errors or dialog_id is None or language is None or title is None:
            return None
        dialog = Dialog(dialog_id, language, title, tuple(steps), source=self.file)
        self.totals(dialog)
        return dialog if not self.errors else None

    def steps(self, data: Mapping[str, Any], meant: set[str]) -> list[Step]:
        if "steps" not in data:
            if "steps" not in meant:
                self.error("steps", "missing")
            return []
        raw = data["steps"]
        if not isinstance(raw, list):
            self.error("steps", "must be a list of steps, each starting with '- id:'")
            return []
        if not raw:
            self.error("steps", "is empty")
            return []
        steps: list[Step] = []
        seen: dict[str, Step | None] = {}
        later: set[str] = {
            item["id"]
            for item in raw
            if isinstance(item, dict) and isinstance(item.get("id"), str)
        }
        for number, item in enumerate(raw, start=1):
            step_id = item.get("id") if isinstance(item, dict) else None
            if not isinstance(step_id, str):
                step_id = None
            named = step_id is not None and ID_PATTERN.fullmatch(step_id)
            self.step = f"step '{step_id}'" if named else f"step #{number}"
            later.discard(step_id or "")
            step = self.one_step(item, seen, later)
            if named and step_id is not None:
                if step_id in seen:
                    self.error("id", f"'{step_id}' is used by an earlier step too")
                seen.setdefault(step_id, step)
            if step is not None:
                steps.append(step)
        self.step = None
        return steps

    def one_step(
        self, raw: Any, earlier: Mapping[str, Step | None], later: set[str]
    ) -> Step | None:
        if not isinstance(raw, dict):
            self.error(None, "must be a set of fields: id, block, question, options, at")
            return None
        meant = self.fields(raw, _STEP_FIELDS, "")
        errors_before = len(self.errors)
        step_id = self.ident(self.text(raw, "id", meant=meant), "id")
        block_text = self.text(raw, "block", meant=meant)
        block = None
        if block_text is not None:
            if block_text in list(Block):
                block = Block(block_text)
            else:
                self.error(
                    "block", f"'{block_text}' is not a building block; use {_one_of(Block)}"
                )
        question = self.text(raw, "question", meant=meant)
        errors_before_options = len(self.errors)
        options = self.options(raw.get("options", []))
        if len(self.errors) > errors_before_options:
            # `at` names options by id: check it once the options themselves are right.
            at: dict[Capacity, Variant] = {}
        else:
            at = self.variants(raw, meant, question or "", options)
        when = self.condition(raw["when"], earlier, later, step_id) if "when" in raw else None
        if len(self.errors) > errors_before or step_id is None or block is None:
            return None
        return Step(step_id, block, question or "", options, at, when)

    def options(self, raw: Any) -> tuple[Option, ...]:
        if not isinstance(raw, list):
            self.error("options", "must be a list of options, each like {id: ok, label: Okay}")
            return ()
        options: list[Option] = []
        seen: set[str] = set()
        for number, item in enumerate(raw, start=1):
            option_id = item.get("id") if isinstance(item, dict) else None
            named = isinstance(option_id, str) and ID_PATTERN.fullmatch(option_id)
            where = f"options.{option_id}." if named else f"options.#{number}."
            if not isinstance(item, dict):
                self.error(where[:-1], "must be a set of fields like {id: ok, label: Okay}")
                continue
            meant = self.fields(item, _OPTION_FIELDS, where)
            option_id = self.ident(self.text(item, "id", where, meant), f"{where}id")
            label = self.text(item, "label", where, meant)
            need = self.need(item.get("need"), f"{where}need")
            if option_id in RESERVED_OPTION_IDS:
                self.error(
                    f"{where}id", f"'{option_id}' is kept for the bot's own use; choose another id"
                )
                option_id = None
            elif option_id in seen:
                self.error(f"{where}id", f"'{option_id}' is used twice in this step")
                option_id = None
            if label is not None and not any(char.isalpha() for char in label):
                self.error(
                    f"{where}label",
                    f"'{label}' has no letter; a button needs a word, not only an emoji or a sign",
                )
                label = None
            elif label is not None and len(label) > LABEL_MAX:
                self.error(
                    f"{where}label",
                    f"{len(label)} characters, at most {LABEL_MAX} so it fits on a button",
                )
                label = None
            if option_id is not None and label is not None:
                seen.add(option_id)
                options.append(Option(option_id, label, need))
        return tuple(options)

    def need(self, raw: Any, where: str) -> Need | None:
        if raw is None:
            return None
        if raw not in list(Need):
            self.error(where, f"'{raw}' is not a need; use {_one_of(Need)}")
            return None
        return Need(raw)

    def variants(
        self, raw: Mapping[str, Any], meant: set[str], question: str, options: tuple[Option, ...]
    ) -> dict[Capacity, Variant]:
        if "at" not in raw:
            if "at" not in meant:
                self.error(
                    "at",
                    "missing; say at which capacities (least, middle, most) this step is asked",
                )
            return {}
        at = raw["at"]
        if not isinstance(at, dict):
            self.error("at", "must list the capacities least, middle and most")
            return {}
        errors_before = len(self.errors)
        self.fields(at, list(Capacity), "at.")
        variants: dict[Capacity, Variant] = {}
        for capacity in Capacity:
            if capacity.value not in at or at[capacity.value] == SKIP:
                continue
            variant = self.variant(at[capacity.value], capacity, question, options)
            if variant is not None:
                variants[capacity] = variant
        if len(self.errors) > errors_before:
            return variants
        if not variants:
            self.error("at", "the step is asked at no capacity; give least, middle or most")
        for capacity in (Capacity.MIDDLE, Capacity.MOST):
            lower = capacity.below()
            if (
                lower in variants
                and capacity not in variants
                and (capacity.value not in at or at[capacity.value] == SKIP)
            ):
                self.error(
                    f"at.{capacity.value}",
                    f"not asked here but asked at {lower.value}; a step asked with less energy "
                    "must be asked with more too",
                )
        return variants

    def variant(
        self, raw: Any, capacity: Capacity, question: str, options: tuple[Option, ...]
    ) -> Variant | None:
        where = f"at.{capacity.value}"
        if not isinstance(raw, dict):
            self.error(where, f"must be {SKIP} or fields such as {{options: all}}")
            return None
        errors_before = len(self.errors)
        self.fields(raw, _VARIANT_FIELDS, f"{where}.")
        if "question" in raw:
            question = self.text(raw, "question", f"{where}.") or question
        chosen = self.chosen_options(raw.get("options", ALL), options, capacity)
        free_text = FreeText.NONE
        free_raw = raw.get("free_text", FreeText.NONE.value)
        limits = LIMITS[capacity]
        if free_raw not in list(FreeText):
            self.error(
                f"{where}.free_text", f"'{free_raw}' is not allowed; use {_one_of(FreeText)}"
            )
        elif FreeText(free_raw) not in limits.free_text:
            allowed = _one_of(value for value in FreeText if value in limits.free_text)
            self.error(
                f"{where}.free_text",
                f"{free_raw} is not allowed at the {capacity.value} capacity; use {allowed}",
            )
        else:
            free_text = FreeText(free_raw)
            if chosen is not None and not chosen and free_text != FreeText.INVITED:
                self.error(
                    where,
                    "no options and no invitation to type: nothing to answer; "
                    "give options or free_text: invited",
                )
        if len(self.errors) > errors_before or chosen is None:
            return None
        if not any(option.id in UNSURE_IDS for option in chosen):
            self.error(
                f"{where}.options",
                f'no way to say "I don\'t know"; add an option with the id {_one_of(UNSURE_IDS)}',
            )
            return None
        if capacity is Capacity.LEAST:
            says = next((o.id for o in chosen if o.need is Need.SAY), None)
            if says is not None:
                self.error(
                    f"{where}.options",
                    f"'{says}' has need: say, which asks to type, and the least capacity "
                    "never does; leave it out here or use need: agenda",
                )
                return None
        return Variant(question, chosen, free_text)

    def chosen_options(
        self, raw: Any, options: tuple[Option, ...], capacity: Capacity
    ) -> tuple[Option, ...] | None:
        where = f"at.{capacity.value}.options"
        if raw == ALL:
            chosen = options
        elif not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            self.error(where, "must be all or a list of option ids such as [ok, hard]")
            return None
        else:
            by_id = {option.id: option for option in options}
            defined = _one_of(by_id) if by_id else "none"
            for option_id in raw:
                if option_id not in by_id:
                    self.error(
                        where, f"'{option_id}' is not one of this step's options ({defined})"
                    )
                    return None
            if len(set(raw)) != len(raw):
                twice = next(option_id for option_id in raw if raw.count(option_id) > 1)
                self.error(where, f"'{twice}' is listed twice")
                return None
            # Buttons keep the order of the step's options, whatever order they are listed in.
            chosen = tuple(option for option in options if option.id in raw)
        limit = LIMITS[capacity].options
        if len(chosen) > limit:
            self.error(
                where, f"{len(chosen)} options, at most {limit} at the {capacity.value} capacity"
            )
            return None
        return chosen

    def condition(
        self, raw: Any, earlier: Mapping[str, Step | None], later: set[str], step_id: str | None
    ) -> Condition | None:
        if not isinstance(raw, dict):
            self.error("when", "must be fields such as {step: mood, is: [hard]}")
            return None
        errors_before = len(self.errors)
        self.fields(raw, _CONDITION_FIELDS, "when.")
        if len(self.errors) > errors_before:
            return None
        looked_at = self.text(raw, "step", "when.")
        if looked_at is None:
            return None
        if looked_at == step_id:
            self.error("when.step", "a step cannot depend on its own answer")
            return None
        if looked_at in later:
            self.error(
                "when.step",
                f"'{looked_at}' comes later; a condition can only look at earlier steps",
            )
            return None
        if looked_at not in earlier:
            self.error("when.step", f"'{looked_at}' is not a step of this dialog")
            return None
        if ("is" in raw) == ("is_not" in raw):
            self.error("when", "give either is or is_not (one of them)")
            return None
        key = "is" if "is" in raw else "is_not"
        values = raw[key]
        values = [values] if isinstance(values, str) else values
        if (
            not isinstance(values, list)
            or not values
            or not all(isinstance(value, str) for value in values)
        ):
            self.error(f"when.{key}", f"must be a list of option ids of step '{looked_at}'")
            return None
        target = earlier[looked_at]
        if target is None:  # that step has its own errors, already reported
            return None
        known = {option.id for option in target.options}
        for value in values:
            if value not in known:
                self.error(f"when.{key}", f"'{value}' is not an option of step '{looked_at}'")
                return None
        return Condition(looked_at, tuple(values), negate=key == "is_not")

    def totals(self, dialog: Dialog) -> None:
        """Checks over the whole dialog: how many steps each capacity asks, and least < most."""
        for capacity in Capacity:
            asked = [step.id for step in _asked_steps(dialog, capacity)]
            limit = LIMITS[capacity].steps
            if not asked:
                self.error("steps", f"no step is asked at the {capacity.value} capacity")
            elif len(asked) > limit:
                self.error(
                    "steps",
                    f"{len(asked)} steps are asked at the {capacity.value} "
                    f"capacity ({', '.join(asked)}), at most {limit}",
                )
        if not self.errors and _offer(dialog, Capacity.MOST) <= _offer(dialog, Capacity.LEAST):
            self.error(
                "steps",
                "the most capacity must offer more than the least (more "
                "questions, more options or room to type)",
            )


def _offer(dialog: Dialog, capacity: Capacity) -> int:
    """What a capacity offers: each question, each option and each chance to type count one."""
    variants = [step.at[capacity] for step in _asked_steps(dialog, capacity)]
    return sum(1 + len(v.options) + (v.free_text != FreeText.NONE) for v in variants)


def _dialog_files(directory: Path) -> list[Path]:
    files = [path for path in directory.iterdir() if path.suffix in {".yaml", ".yml"}]
    # checkin.yaml before checkin.de.yaml: a duplicate is reported on the translation.
    return sorted(
        (path for path in files if path.is_file()),
        key=lambda path: (path.name.split(".")[0], path.name.count("."), path.name),
    )


def _check(directory: Path) -> tuple[dict[str, Dialog], list[DialogError]]:
    if not directory.is_dir():
        return {}, [DialogError(str(directory), "no such folder")]
    dialogs: dict[str, Dialog] = {}
    errors: list[DialogError] = []
    owners: dict[tuple[str, str], str] = {}
    for path in _dialog_files(directory):
        name = path.name
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else None
            problem = exc.problem or "cannot be read"
            if not isinstance(exc, yaml.constructor.ConstructorError):
                problem = f"not valid YAML ({problem}); check the spaces and colons here"
            errors.append(DialogError(name, problem, line=line))
            continue
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            errors.append(DialogError(name, f"cannot be read: {exc}"))
            continue
        except RecursionError:
            # PyYAML reads nested lists and fields by recursion: hundreds of levels exhaust it.
            errors.append(
                DialogError(
                    name, "not valid YAML (nested too deeply); a dialog needs only a few levels"
                )
            )
            continue
        checker = _FileChecker(name)
        dialog = checker.dialog(data, path.name.rsplit(".", 1)[0])
        errors.extend(checker.errors)
        if dialog is None:
            continue
        key = (dialog.id, dialog.language)
        if key in owners:
            errors.append(
                DialogError(
                    name,
                    f"dialog '{dialog.id}' in language '{dialog.language}' is "
                    f"already in {owners[key]}",
                    field="id",
                )
            )
            continue
        owners[key] = name
        dialogs[path.name.rsplit(".", 1)[0]] = dialog
    return dialogs, errors


def load_dialogs(directory: Path = DIALOGS_DIR) -> dict[str, Dialog]:
    """Read and validate every ``*.yaml`` file in ``directory``.

    Returns the dialogs by file name without ``.yaml``: ``checkin`` for ``checkin.yaml``,
    ``checkin.de`` for ``checkin.de.yaml``. Raises DialogErrors listing every problem found.
    """
    dialogs, errors = _check(directory)
    if errors:
        raise DialogErrors(errors)
    return dialogs


def check_dialogs(directory: Path = DIALOGS_DIR) -> list[str]:
    """Every problem in the dialog files of ``directory``, one line each; empty if all is well."""
    return [str(error) for error in _check(directory)[1]]

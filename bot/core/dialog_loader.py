"""Reading and checking dialog files: the YAML format, every error in one line a clinician can
act on (file, step, field, what to do)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core.dialog_engine import (
    asked_steps,
)
from bot.core.dialog_model import (
    ALL,
    DIALOGS_DIR,
    ID_MAX,
    ID_PATTERN,
    LABEL_MAX,
    LANGUAGE_PATTERN,
    LIMITS,
    RESERVED_OPTION_IDS,
    SKIP,
    UNSURE_IDS,
    Block,
    Capacity,
    Condition,
    Dialog,
    FreeText,
    Need,
    Option,
    Step,
    Variant,
)
from bot.core.i18n import DEFAULT_LANGUAGE


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

_DIALOG_FIELDS = ("id", "language", "title", "for", "steps")
_FOR = {"clients": False, "someone_close": True}
"""Who answers a dialog: clients (at a capacity they choose), or someone close to a client,
who answers every step by typing (each step's variant at ``most``)."""
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
        answered_by = data.get("for", "clients")
        if answered_by not in _FOR:
            self.error("for", f"'{answered_by}' should be {_one_of(_FOR)}")
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
        dialog = Dialog(
            dialog_id,
            language,
            title,
            tuple(steps),
            source=self.file,
            for_network=_FOR.get(answered_by, False),
        )
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
        """Checks over the whole dialog: how many steps each capacity asks, and least < most.
        A dialog for someone close is answered in words: every step invites typing at
        ``most``, and no capacity is asked."""
        if dialog.for_network:
            for step in dialog.steps:
                variant = step.at.get(Capacity.MOST)
                if variant is None or variant.free_text is not FreeText.INVITED:
                    self.error(
                        f"steps.{step.id}",
                        "a dialog for someone close is answered by typing: give each step "
                        "at: {most: {free_text: invited}}",
                    )
            return
        for capacity in Capacity:
            asked = [step.id for step in asked_steps(dialog, capacity)]
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
    variants = [step.at[capacity] for step in asked_steps(dialog, capacity)]
    return sum(1 + len(v.options) + (v.free_text != FreeText.NONE) for v in variants)


def _ids(items: Iterable[str]) -> str:
    return ", ".join(items)


def _differs(mine: str | None, theirs: str | None, source: str, verb: str = "differs") -> str:
    """How a translation's value differs from its source's; None where one has none."""
    if mine is None:
        return f"missing; {source} has '{theirs}'"
    if theirs is None:
        return f"'{mine}', but {source} has none"
    return f"'{mine}' {verb} from {source}'s '{theirs}'"


def _condition_text(condition: Condition | None) -> str | None:
    if condition is None:
        return None
    verb = "is not" if condition.negate else "is"
    return f"{condition.step} {verb} {' or '.join(condition.values)}"


def _same_condition(mine: Condition | None, theirs: Condition | None) -> bool:
    if mine is None or theirs is None:
        return mine is theirs
    return (mine.step, set(mine.values), mine.negate) == (
        theirs.step,
        set(theirs.values),
        theirs.negate,
    )


def _parity(translation: Dialog, source: Dialog) -> list[DialogError]:
    """What a translation changes beyond the words: it keeps its source's steps and their order,
    each step's block, options (ids, order, needs), condition, and capacities with the options
    and typing of each. Questions, labels and the title are the translator's."""
    errors: list[DialogError] = []
    mine_ids = [step.id for step in translation.steps]
    source_ids = [step.id for step in source.steps]
    if mine_ids != source_ids:
        message = _differs(_ids(mine_ids), _ids(source_ids), source.source, "differ")
        errors.append(DialogError(translation.source, message, field="steps"))
    mine_steps = {step.id: step for step in translation.steps}
    for theirs in source.steps:
        mine = mine_steps.get(theirs.id)
        if mine is not None:
            where = f"step '{theirs.id}'"
            errors.extend(
                DialogError(translation.source, message, where, field_name)
                for field_name, message in _step_parity(mine, theirs, source.source)
            )
    return errors


def _step_parity(mine: Step, theirs: Step, src: str) -> list[tuple[str, str]]:
    """How one translated step differs from its source step ``theirs`` (in the file ``src``):
    (field, message) pairs."""
    found: list[tuple[str, str]] = []
    if mine.block != theirs.block:
        found.append(("block", _differs(mine.block.value, theirs.block.value, src)))
    mine_options = [option.id for option in mine.options]
    source_options = [option.id for option in theirs.options]
    if mine_options != source_options:
        message = _differs(_ids(mine_options), _ids(source_options), src, "differ")
        found.append(("options", message))
    needs = {option.id: option.need for option in mine.options}
    for option in theirs.options:
        if option.id in needs and needs[option.id] != option.need:
            mine_need = needs[option.id]
            message = _differs(
                mine_need.value if mine_need else None,
                option.need.value if option.need else None,
                src,
            )
            found.append((f"options.{option.id}.need", message))
    if not _same_condition(mine.when, theirs.when):
        message = _differs(_condition_text(mine.when), _condition_text(theirs.when), src)
        found.append(("when", message))
    mine_at = [capacity.value for capacity in Capacity if capacity in mine.at]
    source_at = [capacity.value for capacity in Capacity if capacity in theirs.at]
    if mine_at != source_at:
        found.append(("at", _differs(_ids(mine_at), _ids(source_at), src, "differ")))
    for capacity in Capacity:
        if capacity not in mine.at or capacity not in theirs.at:
            continue
        variant, source_variant = mine.at[capacity], theirs.at[capacity]
        chosen = [option.id for option in variant.options]
        source_chosen = [option.id for option in source_variant.options]
        # Checked once the step's options are the same: else the options line says it already.
        if mine_options == source_options and chosen != source_chosen:
            message = _differs(_ids(chosen), _ids(source_chosen), src, "differ")
            found.append((f"at.{capacity.value}.options", message))
        if variant.free_text != source_variant.free_text:
            message = _differs(variant.free_text.value, source_variant.free_text.value, src)
            found.append((f"at.{capacity.value}.free_text", message))
    return found


def _translation_errors(
    dialogs: Mapping[tuple[str, str], Dialog], failed: set[str]
) -> list[DialogError]:
    """Each translation against its source, the dialog of the same id in the default language.

    ``failed`` holds the ids (file names up to the first dot) of files that did not load: a
    translation of a broken source is not also called one without a source."""
    errors: list[DialogError] = []
    for (dialog_id, language), dialog in dialogs.items():
        if language == DEFAULT_LANGUAGE:
            continue
        source = dialogs.get((dialog_id, DEFAULT_LANGUAGE))
        if source is not None:
            errors.extend(_parity(dialog, source))
        elif dialog_id not in failed:
            errors.append(
                DialogError(
                    dialog.source,
                    f"no dialog '{dialog_id}' in the default language {DEFAULT_LANGUAGE} to "
                    f"translate from; add {dialog_id}.yaml (language: {DEFAULT_LANGUAGE}) first",
                    field="language",
                )
            )
    return errors


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
    by_language: dict[tuple[str, str], Dialog] = {}
    files = _dialog_files(directory)
    for path in files:
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
        by_language[key] = dialog
        dialogs[path.name.rsplit(".", 1)[0]] = dialog
    failed = {path.name.split(".")[0] for path in files if path.stem not in dialogs}
    errors.extend(_translation_errors(by_language, failed))
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

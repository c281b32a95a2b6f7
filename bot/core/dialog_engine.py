"""The capacity engine: which questions a check-in asks at a capacity, in what order, with what
progress, and the human step an answer that names a need brings; the words around them."""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.dialog_model import (
    AGENDA_ASKING,
    SECONDS,
    Capacity,
    Dialog,
    FreeText,
    Need,
    NeedStep,
    Prompt,
    Step,
    follow_up_id,
)
from bot.core.model import Role
from bot.core.views import Text, t


def asked_steps(dialog: Dialog, capacity: Capacity) -> list[Step]:
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

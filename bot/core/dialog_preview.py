"""``between dialogs preview``: the transcript a client would see, screen by screen.

It walks a check-in in memory through the same engine and the same screens the bot uses
(``bot/core/checkin_screens.py``), so every button shown is one a person really sees, the
engine's own buttons included.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.core.checkin_screens import (
    CAPACITY_SCREEN,
    capacity_screen,
    change_choice,
    less_choices,
    next_screen,
    screen_limit,
    snooze_choices,
)
from bot.core.checkins import asking_now
from bot.core.dialog_engine import cost
from bot.core.dialog_model import SKIPPED, TEXT, Capacity, Dialog
from bot.core.i18n import Catalog
from bot.core.model import Answer, CheckinRecord, Role, TeamMember, User
from bot.core.views import Say
from bot.core.wording import Wording

_THEN = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)  # any moment: the preview shows no dates
_PREVIEW_ID = 1


def cost_text(dialog: Dialog, capacity: Capacity, catalog: Catalog, language: str) -> str:
    """The cost line before the first question, in words."""
    return Wording(catalog).text(language, cost(dialog, capacity))


def _member(name: str) -> TeamMember:
    """Someone of the client's team, as the preview shows them ("Sam, peer supporter")."""
    person = User(0, 0, Role.PEER, name, "en", _THEN)
    return TeamMember(person, Role.PEER, _THEN)


Screen = tuple[Say, str | None, bool]
"""A screen, the choice pressed on it (its index, "go_on", or None: words typed), and whether
its question then keeps "Change this answer"."""


def screens(
    dialog: Dialog,
    capacity: Capacity,
    member: TeamMember | None,
    first_answers: dict[str, str] | None = None,
) -> list[Screen]:
    """Every screen of a check-in at ``capacity`` pressing the first button each time ("Go on"
    after a human step), or the option ``first_answers`` names for a step."""
    chosen = first_answers or {}
    answers: list[Answer] = []
    out: list[Screen] = []
    first = True
    while True:
        record = CheckinRecord(
            _PREVIEW_ID, 0, dialog.id, _THEN, capacity.value, "open", None, tuple(answers)
        )
        result = asking_now(record, dialog, member)
        if result is None:
            break
        if first:
            result = replace(result, first=True)
            first = False
        (say,) = next_screen(result).says
        if result.need is not None:
            out.append((say, "go_on", False))
            answers.append(Answer(result.need.answer_id, SKIPPED, None, capacity.value, _THEN))
            continue
        assert result.prompt is not None
        prompt = result.prompt
        ids = [option.id for option in prompt.options]
        pick = ids.index(chosen[prompt.step_id]) if chosen.get(prompt.step_id) in ids else 0
        if prompt.options:
            value, pressed = prompt.options[pick].id, str(pick)
        else:
            value, pressed = TEXT, None
        answers.append(Answer(prompt.step_id, value, "…", capacity.value, _THEN))
        after = CheckinRecord(
            _PREVIEW_ID, 0, dialog.id, _THEN, capacity.value, "open", None, tuple(answers)
        )
        following = asking_now(after, dialog, member)
        keeps = following is not None and change_choice(following) is not None
        out.append((say, pressed, keeps))
    return out


def preview(dialog: Dialog, capacity: Capacity, catalog: Catalog, language: str = "en") -> str:
    """The transcript a client would see at ``capacity``, pressing the first button each time
    ("Go on" after a human step).

    It shows the capacity question, the cost line, each prompt with its progress and numbered
    buttons (every button the screen carries), the human step after an answer that names a
    need, and the closing message; then every answer at this capacity that names a need, and
    what follows it.
    """
    words = Wording(catalog)

    def text(key: str, **values: object) -> str:
        return catalog.get(language, key, **values)

    bot, you = text("dialogs.preview_bot"), text("dialogs.preview_you")
    out = [
        text(
            "dialogs.preview_header",
            title=dialog.title,
            file=dialog.source or dialog.id,
            capacity=text(capacity.label_key),
        ),
        "",
    ]

    def say(speaker: str, message: str) -> None:
        first, *rest = message.splitlines() or [""]
        indent = " " * (len(speaker) + 2)
        out.append(f"{speaker}: {first}")
        out.extend(f"{indent}{line}" if line else "" for line in rest)

    def buttons(labels: list[str]) -> None:
        out.extend(f"    [{number}] {label}" for number, label in enumerate(labels, start=1))

    opening = capacity_screen(dialog, _PREVIEW_ID)
    say(bot, "\n".join(words.text(language, part) for part in opening.parts))
    buttons(words.labels(language, opening))
    say(you, text(capacity.label_key))
    out.append("")
    say(bot, words.text(language, cost(dialog, capacity)))
    out.append("")
    member = _member(text("dialogs.preview_member"))
    less = [words.text(language, choice.label) for choice in less_choices(_PREVIEW_ID)]
    for screen, pressed, keeps in screens(dialog, capacity, member):
        parts = [p for p in screen.parts if p != cost(dialog, capacity)]
        say(bot, "\n\n".join(words.text(language, part) for part in parts))
        labels = words.labels(language, screen)
        buttons(labels)
        if pressed not in (None, "go_on") and capacity.below() is not None:
            out.append(text("dialogs.preview_not_now", choices=" / ".join(less)))
        if pressed is None:
            say(you, text("dialogs.preview_typed"))
        elif pressed == "go_on":
            say(you, text("checkin.need.go_on"))
        else:
            say(you, labels[int(pressed)])
        if keeps:
            out.append(text("dialogs.preview_change", label=text("checkin.change.button")))
        out.append("")
    say(bot, text("checkin.saved"))
    needs = [
        (step, option)
        for step in dialog.steps
        if capacity in step.at
        for option in step.at[capacity].options
        if option.need is not None
    ]
    if needs:
        out.extend(["", text("dialogs.preview_needs")])
        for step, option in needs:
            assert option.need is not None
            what = text(f"checkin.need.preview_{option.need.value}")
            question = step.at[capacity].question.strip()
            out.append(
                text("dialogs.preview_need", label=option.label, question=question, step=what)
            )
    return "\n".join(out) + "\n"


def paths(dialog: Dialog, capacity: Capacity) -> list[dict[str, str]]:
    """Enough ways through a dialog to see every screen it can show: each option of each
    step asked at ``capacity`` chosen once (the first option elsewhere)."""
    ways: list[dict[str, str]] = [{}]
    for step in dialog.steps:
        if capacity in step.at:
            ways.extend({step.id: option.id} for option in step.at[capacity].options)
    return ways


def screen_problems(dialog: Dialog) -> list[str]:
    """Every screen of ``dialog`` that would show more buttons than its capacity allows,
    counting every button a person sees (the engine's own included), as one line each."""
    problems = []
    opening = capacity_screen(dialog, _PREVIEW_ID, later=True)
    behind = snooze_choices(_PREVIEW_ID)
    for name, count in (("the capacity question", len(opening.choices)), ("Later", len(behind))):
        if count > CAPACITY_SCREEN:
            problems.append(
                f"{dialog.source}: {name} shows {count} buttons, at most {CAPACITY_SCREEN}"
            )
    member = _member("Sam")
    for capacity in Capacity:
        limit = screen_limit(capacity)
        if capacity.below() is not None and len(less_choices(_PREVIEW_ID)) > limit:
            problems.append(f'{dialog.source}: "Not now" at {capacity} shows too many buttons')
        seen: set[tuple[str, ...]] = set()
        for way in paths(dialog, capacity):
            for say, _, _ in screens(dialog, capacity, member, way):
                shown = tuple(str(choice.label) for choice in say.choices)
                if shown in seen:
                    continue
                seen.add(shown)
                if len(say.choices) > limit:
                    problems.append(
                        f"{dialog.source}: a screen at {capacity} shows {len(say.choices)} "
                        f"buttons, at most {limit}"
                    )
    return problems

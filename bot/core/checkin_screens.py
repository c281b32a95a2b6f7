"""What a person sees of a check-in, screen by screen, as views: the one place that decides the
words and buttons of the capacity question, each question, the human step after an answer that
names a need, and the end.

The Telegram adapter only renders these; ``between dialogs preview`` prints them; the tests count
their buttons over every dialog at every capacity.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from bot.core.actions import Action
from bot.core.actions.checkin import (
    AnswerOption,
    ChangeAnswer,
    ChooseCapacity,
    Fewer,
    Later,
    Menu,
    MenuEntry,
    NeedAgenda,
    NeedGoOn,
    NotNow,
    Snooze,
    SnoozeChoice,
    TooMuch,
)
from bot.core.actions.messages import AskContact, Request
from bot.core.actions.share import ShareCheckin
from bot.core.checkins import AgendaItem, Kind, Result, option_check
from bot.core.dialogs import Capacity, Dialog, Need, cost, need_words, prompt_words
from bot.core.views import Choice, Say, Text, View, t

SAID_SHOWN = 300
"""The most characters of the client's own words repeated back to confirm them."""

Shown = Callable[[int], Awaitable[None]]
"""Hears the id of the message that now asks the check-in's question."""


def capacity_screen(
    dialog: Dialog,
    checkin_id: int,
    *,
    later: bool = False,
    agenda: Sequence[AgendaItem] = (),
    shown: Shown | None = None,
) -> Say:
    """The first message of a check-in: the three levels, least first, then "Not now".

    A check-in the bot sent by itself also offers "Later" (snooze), after "Not now". Getting
    ready for a meeting shows first what the client has put on its agenda so far.
    """
    parts = [Text.plain(dialog.title)]
    if agenda:
        lines = [t("checkin.need.agenda_so_far")]
        lines.extend(
            t("checkin.need.agenda_item", question=item.question, answer=item.answer, date=item.on)
            for item in agenda
        )
        parts.append(Text.joined(*lines))
    parts.append(t("checkin.capacity_question"))
    choices = [Choice(t(level.label_key), ChooseCapacity(checkin_id, level)) for level in Capacity]
    choices.append(Choice(t("checkin.not_now"), NotNow(checkin_id)))
    if later:
        choices.append(Choice(t("checkin.later"), Later(checkin_id)))
    return Say.of(*parts, choices=choices, on_sent=shown)


def snooze_choices(checkin_id: int) -> tuple[Choice, ...]:
    """The choices behind "Later"."""
    choices = [Choice(t(f"checkin.snooze_{c.value}"), Snooze(checkin_id, c)) for c in SnoozeChoice]
    choices.append(Choice(t("checkin.not_now"), NotNow(checkin_id)))
    return tuple(choices)


def prompt_screen(result: Result, shown: Shown | None = None) -> Say:
    """A question: its answers first, then "Not now", "This is too much" above least, and
    "Change my last answer" once something is answered."""
    assert result.prompt is not None and result.dialog is not None and result.checkin
    prompt, dialog, checkin_id = result.prompt, result.dialog, result.checkin.id
    capacity = result.capacity
    assert capacity is not None
    parts = before(result)
    if result.first:
        parts.append(cost(dialog, capacity))
    parts.append(prompt_words(prompt))
    step_index = next(i for i, step in enumerate(dialog.steps) if step.id == prompt.step_id)
    step = dialog.steps[step_index]
    choices = []
    for option in prompt.options:
        option_index = next(i for i, o in enumerate(step.options) if o.id == option.id)
        action = AnswerOption(
            checkin_id, step_index, option_index, option_check(step.id, option.id)
        )
        choices.append(Choice(Text.plain(option.label), action))
    choices.append(Choice(t("checkin.not_now"), NotNow(checkin_id)))
    if capacity.below() is not None:
        choices.append(Choice(t("checkin.too_much"), TooMuch(checkin_id)))
    choices.extend(_change(result))
    return Say.of(*parts, choices=choices, on_sent=shown)


def need_screen(result: Result, shown: Shown | None = None) -> Say:
    """The human step after an answer that names a need, in the next question's place: its
    own buttons, then "Go on", then "Change my last answer"."""
    assert result.need is not None and result.dialog is not None and result.checkin
    need, checkin_id = result.need, result.checkin.id
    step = next(i for i, s in enumerate(result.dialog.steps) if s.id == need.step_id)
    member = result.contact
    person = None if member is None else (member.person.name, member.role)
    words, labels = need_words(need, person)
    actions: list[Action] = []
    if need.need is Need.CONTACT:
        help_now = Menu(MenuEntry.HELP)
        actions.append(help_now if member is None else AskContact(member.person.id, Request.CALL))
    elif need.need is Need.AGENDA:
        actions.append(NeedAgenda(checkin_id, step))
    choices = [Choice(label, action) for label, action in zip(labels, actions, strict=True)]
    choices.append(Choice(t("checkin.need.go_on"), NeedGoOn(checkin_id, step)))
    choices.extend(_change(result))
    return Say.of(*before(result), words, choices=choices, on_sent=shown)


def before(result: Result) -> list[Text]:
    """What is said before the next question: what was just done, in words."""
    parts = []
    if result.again:
        parts.append(t("checkin.change.again"))
    if result.dropped:
        if result.left:
            parts.append(t("checkin.less.left", count=result.left))
        else:
            parts.append(t("checkin.dropped"))
    if result.on_agenda:
        parts.append(t("checkin.need.agenda_done"))
    if result.kept_words is not None:
        words = " ".join(result.kept_words.split())
        if len(words) > SAID_SHOWN:
            words = words[: SAID_SHOWN - 1].rstrip() + "…"
        parts.append(t("checkin.need.said", words=words))
    return parts


def _change(result: Result) -> list[Choice]:
    """ "Change my last answer", once something is answered and while it can be asked again."""
    if result.change is None or result.checkin is None:
        return []
    return [Choice(t("checkin.change.button"), ChangeAnswer(result.checkin.id, result.change))]


def _share_offer(result: Result) -> list[Choice]:
    """ "Share this" under a check-in that ended with answers, if the client has a team."""
    if result.checkin is None or not result.shareable:
        return []
    return [Choice(t("share.share_this"), ShareCheckin(result.checkin.id))]


def fewer_offer() -> Say:
    """Offered once, after several check-ins in a row at the least energy or declined."""
    return Say.of(
        t("checkin.fewer_offer"),
        choices=[
            Choice(t("checkin.fewer_yes"), Fewer(True)),
            Choice(t("checkin.fewer_no"), Fewer(False)),
        ],
    )


def next_screen(result: Result, shown: Shown | None = None) -> View:
    """What follows an action: the next question, the closing words, the offer of fewer."""
    says = []
    if result.kind is Kind.PROMPT:
        says.append(prompt_screen(result, shown))
    elif result.kind is Kind.NEED:
        says.append(need_screen(result, shown))
    elif result.kind is Kind.FINISHED:
        says.append(Say.of(*before(result), t("checkin.saved"), choices=_share_offer(result)))
    elif result.kind is Kind.DECLINED:
        answered = result.checkin is not None and result.checkin.answers
        key = "checkin.declined_kept" if answered else "checkin.declined"
        says.append(Say.of(t(key), choices=_share_offer(result)))
    if result.offer_fewer:
        says.append(fewer_offer())
    return View(tuple(says))


def after_press(result: Result, label: Text | None, shown: Shown | None = None) -> View:
    """A press on a check-in's message: a calm toast if it no longer applies; else the pressed
    message shows what was chosen (its buttons go), and what follows comes."""
    if result.kind is Kind.STALE:
        return View.refuse("checkin.closed")
    if result.kind is Kind.ALREADY:
        return View.refuse("checkin.already")
    chosen = (
        () if label is None else (Say((t("checkin.chosen", label=label),), edit=True, below=True),)
    )
    return View(chosen) + next_screen(result, shown)

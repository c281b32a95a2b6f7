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
    Back,
    ChangeAnswer,
    ChooseCapacity,
    Fewer,
    Later,
    Less,
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
from bot.core.checkins import AGENDA_DIALOG, AgendaItem, Kind, Result, option_check
from bot.core.dialog_engine import cost, need_words, prompt_words
from bot.core.dialog_model import LIMITS, Capacity, Dialog, Need
from bot.core.views import Choice, Say, Text, View, t

CAPACITY_SCREEN = 4
"""The most buttons on the capacity question: the three levels and "Not now"."""


def screen_limit(capacity: Capacity) -> int:
    """The most buttons one screen of a check-in shows at ``capacity``, counting every one: the
    answers a dialog may offer there, and "Not now" (PRODUCT.md, "Capacity adaptation")."""
    return LIMITS[capacity].options + 1


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

    On a check-in the bot sent by itself (``later``), "Not now" shows when it may come again
    ("Later"), in the same message. Getting ready for a meeting shows first what the client has
    put on its agenda so far.
    """
    parts = [Text.plain(dialog.title)]
    if agenda:
        lines = [t("checkin.need.agenda_so_far")]
        lines.extend(_agenda_line(item) for item in agenda)
        parts.append(Text.joined(*lines))
    parts.append(t("checkin.capacity_question"))
    choices = [Choice(t(level.label_key), ChooseCapacity(checkin_id, level)) for level in Capacity]
    not_now = Later(checkin_id) if later else NotNow(checkin_id)
    choices.append(Choice(t("checkin.not_now"), not_now))
    return Say.of(*parts, choices=choices, on_sent=shown)


def _agenda_line(item: AgendaItem) -> Text:
    """One item of the agenda so far, in the client's words when they typed some."""
    if item.from_name is not None:
        words = Text.plain(item.words or "")
        return t("checkin.need.agenda_from", name=item.from_name, words=words, date=item.on)
    if item.avoid and item.words:
        return t("checkin.need.agenda_avoid", words=Text.plain(item.words), date=item.on)
    if item.avoid:
        return t("checkin.need.agenda_avoid_unsaid", date=item.on)
    if item.words:
        return t("checkin.need.agenda_words", words=Text.plain(item.words), date=item.on)
    return t("checkin.need.agenda_item", question=item.question, answer=item.answer, date=item.on)


def snooze_choices(checkin_id: int) -> tuple[Choice, ...]:
    """The choices behind "Not now" on a check-in the bot sent: later, or not today."""
    choices = [Choice(t(f"checkin.snooze_{c.value}"), Snooze(checkin_id, c)) for c in SnoozeChoice]
    choices.append(Choice(t("checkin.not_today"), NotNow(checkin_id)))
    return tuple(choices)


def less_choices(checkin_id: int) -> tuple[Choice, ...]:
    """The ways out behind "Not now" under a question above the least capacity."""
    return (
        Choice(t("checkin.stop_now"), NotNow(checkin_id)),
        Choice(t("checkin.too_much"), TooMuch(checkin_id)),
        Choice(t("checkin.back"), Back(checkin_id)),
    )


def prompt_screen(result: Result, shown: Shown | None = None) -> Say:
    """A question: its answers, then "Not now". At the least capacity "Not now" ends the
    check-in at once; above it, it shows the ways out in the question's place (``less_choices``).
    Changing the last answer is offered on that answer's own message (``answered``)."""
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
    not_now = NotNow(checkin_id) if capacity.below() is None else Less(checkin_id)
    choices.append(Choice(t("checkin.not_now"), not_now))
    return Say.of(*parts, choices=choices, on_sent=shown)


def need_screen(result: Result, shown: Shown | None = None) -> Say:
    """The human step after an answer that names a need, in the next question's place: its
    own buttons, then "Go on"."""
    assert result.need is not None and result.dialog is not None and result.checkin
    need, checkin_id = result.need, result.checkin.id
    step = next(i for i, s in enumerate(result.dialog.steps) if s.id == need.step_id)
    member = result.contact
    person = None if member is None else (member.person.name, member.role)
    assert result.capacity is not None
    words, labels = need_words(need, person, result.capacity)
    actions: list[Action] = []
    if need.need is Need.CONTACT:
        help_now = Menu(MenuEntry.HELP)
        actions.append(help_now if member is None else AskContact(member.person.id, Request.CALL))
    elif need.need is Need.AGENDA and not need.words:
        actions.append(NeedAgenda(checkin_id, step))
    choices = [Choice(label, action) for label, action in zip(labels, actions, strict=True)]
    choices.append(Choice(t("checkin.need.go_on"), NeedGoOn(checkin_id, step)))
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
    words = None
    if result.kept_words is not None:
        words = " ".join(result.kept_words.split())
        if len(words) > SAID_SHOWN:
            words = words[: SAID_SHOWN - 1].rstrip() + "…"
    if result.on_agenda and words is not None:
        parts.append(t("checkin.need.agenda_said", words=Text.plain(words)))
    elif result.on_agenda:
        parts.append(t("checkin.need.agenda_done"))
    elif words is not None:
        parts.append(t("checkin.need.said", words=Text.plain(words)))
    return parts


def change_choice(result: Result) -> Choice | None:
    """ "Change this answer" on the last answered question, while it can be asked again."""
    if result.change is None or result.checkin is None:
        return None
    if result.kind not in (Kind.PROMPT, Kind.NEED):
        return None
    return Choice(t("checkin.change.button"), ChangeAnswer(result.checkin.id, result.change))


def _share_offer(result: Result) -> list[Choice]:
    """ "Share this" under a check-in that ended with answers, if the client has a team
    ("Share my agenda" under getting ready for a meeting)."""
    if result.checkin is None or not result.shareable:
        return []
    if result.checkin.dialog == AGENDA_DIALOG:  # getting ready: the agenda as a whole
        return [Choice(t("share_more.share_agenda"), ShareCheckin(result.checkin.id))]
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
    record = result.checkin
    ended = result.kind in (Kind.FINISHED, Kind.DECLINED)
    last = record.answered_message_id if record is not None and ended else None
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
    # Once it ended, nothing is left to change: the last answered question loses "Change".
    return View(tuple(says), unbutton=(last,) if last is not None else ())


def after_press(
    result: Result,
    label: Text | None,
    shown: Shown | None = None,
    *,
    pressed: int | None = None,
) -> View:
    """A press on a check-in's message: a calm toast if it no longer applies; else the pressed
    message shows what was chosen, and what follows comes.

    When the press answered the question of message ``pressed``, that message keeps one
    button, "Change this answer", while the answer can be changed; the one that had it before
    loses it. When the check-in ends, no message keeps it; when an answer is changed, the
    question that was being asked loses its buttons.
    """
    if result.kind is Kind.STALE:
        return View.refuse("checkin.closed")
    if result.kind is Kind.ALREADY:
        return View.refuse("checkin.already")
    answered = pressed is not None and result.answered_message == pressed
    change = change_choice(result) if answered else None
    rows = ((change,),) if change is not None else ()
    view = View(unbutton=_earlier(result, pressed, moved=change is not None))
    if label is not None:
        view += View((Say((t("checkin.chosen", label=label),), rows, edit=True, below=True),))
    return view + next_screen(result, shown)


def _earlier(result: Result, pressed: int | None, *, moved: bool) -> tuple[int, ...]:
    """Messages of the check-in whose buttons no longer apply after this action (when it
    ended, ``next_screen`` takes "Change" off the last answered question itself)."""
    record = result.checkin
    if record is None:
        return ()
    gone = []
    earlier = result.answered_before
    if earlier is not None and moved:
        gone.append(earlier)
    if result.again and record.message_id is not None:
        gone.append(record.message_id)  # the question being asked when an answer was changed
    return tuple(sorted({m for m in gone if m != pressed}))


def answered_in_words(result: Result, shown: Shown | None = None) -> View:
    """Typed words answered the open question or human step: a question's buttons give way to
    "Change this answer" (while it can be changed), a step's go; then what follows comes."""
    record = result.checkin
    if record is None or result.kind is Kind.ALREADY:
        return next_screen(result, shown)
    asked = result.answered_message
    if asked is None:  # words for a human step ("What is it?")
        gone = (record.message_id,) if record.message_id is not None else ()
        return View(unbutton=gone) + next_screen(result, shown)
    change = change_choice(result)
    view = View(unbutton=_earlier(result, asked, moved=change is not None))
    if change is None:
        view += View(unbutton=(asked,))
    else:
        view += View(rebutton=((asked, (change,)),))
    return view + next_screen(result, shown)


def less_view(result: Result, pressed: int) -> View:
    """ "Not now" under a question above the least capacity: the ways out, in its place."""
    if result.kind is not Kind.PROMPT or result.checkin is None:
        return View.refuse("checkin.closed")
    return View(rebutton=((pressed, less_choices(result.checkin.id)),))


def back_view(result: Result, pressed: int) -> View:
    """ "Back to the question": its answers again, in the same message."""
    if result.kind is not Kind.PROMPT:
        return View.refuse("checkin.closed")
    return View(rebutton=((pressed, prompt_screen(result).choices),))

"""The check-in as the person meets it: every press, start and return answered with a view.

``Checkins`` keeps the state and decides what comes next; ``checkin_screens`` says how each
screen looks; this joins them, so an adapter only decodes a press, calls one method here and
renders what comes back.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.actions import Action
from bot.core.actions.checkin import (
    AnswerOption,
    Back,
    ChangeAnswer,
    ChooseCapacity,
    Fewer,
    Later,
    Less,
    NeedAgenda,
    NeedGoOn,
    NotNow,
    Snooze,
    TooMuch,
)
from bot.core.actions.safety import GoOn, StopHere
from bot.core.checkin_screens import (
    Shown,
    after_press,
    answered_in_words,
    back_view,
    capacity_screen,
    less_view,
    next_screen,
    snooze_choices,
)
from bot.core.checkins import Checkins, Kind, Result
from bot.core.dialog_model import Need
from bot.core.model import User
from bot.core.views import Say, Text, View, t

ACTIONS: tuple[type[Action], ...] = (
    ChooseCapacity,
    AnswerOption,
    NotNow,
    TooMuch,
    Less,
    Back,
    ChangeAnswer,
    NeedGoOn,
    NeedAgenda,
    Later,
    Snooze,
    Fewer,
    GoOn,
    StopHere,
)
"""The presses ``CheckinViews.pressed`` answers."""

_CLOSED = View.refuse("checkin.closed")


class CheckinViews:
    """Check-in use cases that answer with what the person sees."""

    def __init__(self, checkins: Checkins) -> None:
        self._checkins = checkins

    def _shown(self, user: User, checkin_id: int | None) -> Shown | None:
        """Remembers the message that now asks the check-in's question."""
        if checkin_id is None:
            return None
        checkins = self._checkins

        async def shown(message_id: int) -> None:
            await checkins.shown(user, checkin_id, message_id)

        return shown

    def next(self, user: User, result: Result) -> View:
        """What follows an action: the next question, the closing words, the offer of fewer."""
        record = result.checkin
        return next_screen(result, self._shown(user, record.id if record else None))

    async def start(self, user: User, dialog_id: str, now: datetime) -> View:
        """Open a check-in of ``dialog_id`` and ask how much energy there is."""
        result = await self._checkins.start(user, dialog_id, now)
        assert result.checkin is not None and result.dialog is not None
        checkin_id = result.checkin.id
        shown = self._shown(user, checkin_id)
        say = capacity_screen(result.dialog, checkin_id, agenda=result.agenda, shown=shown)
        return View((say,))

    async def again(self, user: User) -> View | None:
        """The open check-in's current question again, as a new message (after the crisis
        card, say); its old message loses its buttons. None if no check-in is open."""
        result = await self._checkins.current(user)
        record = result.checkin
        if result.kind is Kind.STALE or record is None or result.dialog is None:
            return None
        view = View(unbutton=(record.message_id,)) if record.message_id is not None else View()
        if result.kind is Kind.ASK_CAPACITY:
            shown = self._shown(user, record.id)
            return view + View((capacity_screen(result.dialog, record.id, shown=shown),))
        return view + self.next(user, result)

    async def words(self, user: User, result: Result) -> View:
        """Typed words answered the open question: its buttons give way, and it goes on."""
        record = result.checkin
        return answered_in_words(result, self._shown(user, record.id if record else None))

    async def contact_requested(self, user: User, *, sent: bool, now: datetime) -> View | None:
        """After the client sent (or cancelled) a request to get in touch that their check-in
        offered: the check-in goes on with its next question, or offers that step again if they
        cancelled. None if no check-in was waiting on such a step."""
        if sent:
            result = await self._checkins.contact_requested(user, now)
        else:
            result = await self._checkins.current(user)
            if result.need is None or result.need.need is not Need.CONTACT:
                return None
        if result.kind is Kind.STALE:
            return None
        view = View()
        if result.checkin is not None and result.checkin.message_id is not None:
            # The step's own message was the one offering it: its buttons no longer apply.
            view = View(unbutton=(result.checkin.message_id,))
        return view + self.next(user, result)

    async def pressed(
        self,
        user: User,
        action: Action,
        now: datetime,
        *,
        pressed: int | None,
        replayed: bool = False,
    ) -> View:
        """A press on a check-in's message (``pressed``: that message), answered."""
        checkins = self._checkins
        label: Text | None
        match action:
            case ChooseCapacity(checkin_id=checkin_id, level=level):
                result = await checkins.choose_capacity(
                    user, checkin_id, level, now, replayed=replayed
                )
                label = t(level.label_key)
            case AnswerOption(checkin_id=checkin_id, step=step, option=option, check=check):
                result = await checkins.answer_option(
                    user, checkin_id, step, option, check, now, replayed=replayed
                )
                label = Text.plain(result.label) if result.label is not None else None
            case NotNow(checkin_id=checkin_id):
                result = await checkins.decline(user, checkin_id, now)
                label = t("checkin.not_now")
            case TooMuch(checkin_id=checkin_id):
                result = await checkins.drop(user, checkin_id, now)
                label = t("checkin.too_much")
            case NeedGoOn(checkin_id=checkin_id, step=step):
                result = await checkins.go_on(user, checkin_id, step, now)
                label = t("checkin.need.go_on")
            case NeedAgenda(checkin_id=checkin_id, step=step):
                result = await checkins.put_on_agenda(user, checkin_id, step, now)
                label = t("checkin.need.agenda_button")
            case ChangeAnswer(checkin_id=checkin_id, step=step):
                return await self._change(user, checkin_id, step, now, pressed)
            case Less(checkin_id=checkin_id) if pressed is not None:
                return less_view(await checkins.asking(user, checkin_id), pressed)
            case Back(checkin_id=checkin_id) if pressed is not None:
                return back_view(await checkins.asking(user, checkin_id), pressed)
            case Later(checkin_id=checkin_id) if pressed is not None:
                if not await checkins.snoozable(user, checkin_id):
                    return _CLOSED
                return View(rebutton=((pressed, snooze_choices(checkin_id)),))
            case Snooze(checkin_id=checkin_id, when=when):
                if not await checkins.snoozable(user, checkin_id):
                    return _CLOSED
                if await checkins.snooze(user, checkin_id, when, now) is None:
                    return _CLOSED
                words = t("checkin.snoozed", when=t(f"checkin.snoozed_{when.value}"))
                return View((Say((words,), edit=True),))
            case Fewer(fewer=fewer):
                await checkins.set_pace(user, fewer, now)
                key = "checkin.fewer_done" if fewer else "checkin.fewer_kept"
                return View((Say((t(key),), edit=True),))
            case GoOn():
                # "Go on" under the crisis card: the check-in's question again.
                gone = View(unbutton=(pressed,)) if pressed is not None else View()
                return gone + (await self.again(user) or View.say("checkin.closed"))
            case StopHere(checkin_id=checkin_id):
                # "Stop here" under the crisis card: it ends; what was answered is kept.
                result = await checkins.decline(user, checkin_id, now)
                if result.kind is Kind.STALE:
                    return _CLOSED
                gone = View(unbutton=(pressed,)) if pressed is not None else View()
                return gone + self.next(user, result)
            case _:
                return View.refuse("fallback.stale_button")
        record = result.checkin
        shown = self._shown(user, record.id if record else None)
        return after_press(result, label, shown, pressed=pressed)

    async def _change(
        self, user: User, checkin_id: int, step: int, now: datetime, pressed: int | None
    ) -> View:
        """ "Change this answer" on the answered question: that question again, anew."""
        result = await self._checkins.change_last(user, checkin_id, step, now)
        view = after_press(result, None, self._shown(user, checkin_id), pressed=pressed)
        if pressed is not None and result.kind not in (Kind.STALE, Kind.ALREADY):
            view = View(unbutton=(pressed,)) + view
        return view

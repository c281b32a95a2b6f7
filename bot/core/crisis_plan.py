"""The client's own crisis plan, written part by part in their words; shown by the crisis card."""

from __future__ import annotations

from datetime import datetime

from bot.core.actions.checkin import PlanPart, PlanSkip, PlanStop
from bot.core.lengths import PLAN_PART_MAX, utf16_len
from bot.core.model import User
from bot.core.ports import People
from bot.core.views import Choice, Say, View, t
from bot.core.waits import Wait, WaitKind, Waits

PARTS = tuple(PlanPart)


class CrisisPlans:
    """Asking for each part of the plan, keeping what is typed, skipping and stopping."""

    def __init__(self, people: People, waits: Waits) -> None:
        self._people = people
        self._waits = waits

    async def _ask(self, user: User, part: PlanPart, now: datetime) -> View:
        wait = await self._waits.ask(user.id, WaitKind.PLAN, now, subject=part.value)

        async def asked(message_id: int) -> None:
            await self._waits.asked_in(user.id, wait, message_id)

        return View.of(
            Say.of(
                t(f"plan.ask_{part.value}"),
                choices=[
                    Choice(t("plan.skip"), PlanSkip(part)),
                    Choice(t("plan.stop"), PlanStop()),
                ],
                on_sent=asked,
            )
        )

    async def _after(self, user: User, part: PlanPart, now: datetime) -> View:
        following = PARTS.index(part) + 1
        if following < len(PARTS):
            return await self._ask(user, PARTS[following], now)
        await self._waits.cancel(user.id)
        return View.say("plan.saved")

    async def write(self, user: User, now: datetime) -> View:
        """ "Write my plan": ask for the first part."""
        if not user.role.is_client:
            return View.refuse("fallback.stale_button")
        return await self._ask(user, PARTS[0], now)

    async def skip(self, user: User, part: PlanPart, now: datetime) -> View:
        """Skip a part: the next one is asked (what was written stays)."""
        if not user.role.is_client:
            return View.refuse("fallback.stale_button")
        return await self._after(user, part, now)

    async def stop(self, user: User) -> View:
        """Stop here: what was written so far stays."""
        await self._waits.cancel(user.id)
        return View.say("plan.stopped")

    async def typed(self, user: User, wait: Wait, text: str, now: datetime) -> View:
        """Typed words for the part the bot asked for: kept, then the next part."""
        try:
            part = PlanPart(wait.subject or "")
        except ValueError:
            return View()
        if utf16_len(text) > PLAN_PART_MAX:
            # Nothing a client writes is lost: too long for the card, it is kept as a note.
            await self._people.add_note(user.id, text, now)
            await self._waits.again(user.id, wait, now)
            return View.say("plan.too_long", limit=PLAN_PART_MAX)
        await self._people.set_plan_part(user.id, part.value, text, now)
        view = await self._after(user, part, now)
        return View(view.says, view.toast, (wait.message_id,) if wait.message_id else ())

"""People as the bot meets them: first contact, staff codes, notes, the crisis card, the data a
person can take away, and erasing it all."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.core import my_data, record, usecases
from bot.core.actions.checkin import PlanWrite
from bot.core.actions.messages import AskContact, Request
from bot.core.actions.record import Period
from bot.core.actions.safety import GoOn, StopHere
from bot.core.actions.settings import ChooseLanguage, ShowSettings
from bot.core.copies import Copies
from bot.core.dialog_model import Dialog
from bot.core.i18n import Catalog
from bot.core.model import CrisisPlan, Role, User
from bot.core.planning import CHECKIN, Planner
from bot.core.policy import Policy
from bot.core.ports import (
    CheckinStore,
    MessageStore,
    People,
    Redemption,
    Sends,
    ShareStore,
    StaffAccounts,
    TeamStore,
)
from bot.core.record import Document
from bot.core.views import Choice, Say, Text, View, t

log = logging.getLogger(__name__)

ERASE_CONFIRM_VALID = timedelta(hours=1)


SEEN_EVERY = timedelta(days=1)  # how often a person's last activity is written down


class Persons:
    """Use cases about a person as a whole."""

    def __init__(
        self,
        people: People,
        staff: StaffAccounts,
        checkins: CheckinStore,
        team: TeamStore,
        sends: Sends,
        shares: ShareStore,
        messages: MessageStore,
        planner: Planner,
        policy: Policy,
        catalog: Catalog,
        copies: Copies,
        dialogs: Mapping[str, Dialog] | None = None,
    ) -> None:
        self._copies = copies
        # The loaded check-in dialogs: /mydata's readable file names each answer by the
        # question and the button the person saw (without them, by their ids).
        self._dialogs: Mapping[str, Dialog] = dialogs or {}
        self._people = people
        self._staff = staff
        self._checkins = checkins
        self._team = team
        self._sends = sends
        self._shares = shares
        self._messages = messages
        self._planner = planner
        self.policy = policy
        self._catalog = catalog

    async def find(self, user_id: int) -> User | None:
        """The person with this Telegram id, if they have started the bot."""
        return await self._people.get_user(user_id)

    async def arrive(
        self, user_id: int, chat_id: int, name: str, language: str, now: datetime
    ) -> tuple[User, bool]:
        """The person behind an update; someone new becomes a client. True if they are new."""
        user = await self._people.get_user(user_id)
        if user is not None:
            if user.last_seen_at is None or now - user.last_seen_at >= SEEN_EVERY:
                await self._people.seen(user_id, now)  # not idle: retention counts from here
            return user, False
        return await self._people.add_client(user_id, chat_id, name, language, now), True

    async def to_ask_schedule(self, user_id: int) -> User | None:
        """A client who has not yet said when the bot may write to them (after joining a team,
        that is the next question); None for anyone else."""
        user = await self._people.get_user(user_id)
        if user is None or not user.role.is_client or not await self._team.team_of(user.id):
            return None  # declining an invite, or someone close accepting, asks nothing more
        own = await self._sends.schedule(user.id)
        return user if own is None or own.agreed_on is None else None

    def languages(self, *, from_settings: bool = False) -> View:
        """ "Which language should I use?", each language named in itself (at most 6 buttons,
        "Back" counted when it is opened from /settings, in whose place it is shown)."""
        back = [Choice(t("schedule.back"), ShowSettings(everything=True))] if from_settings else []
        choices = [
            Choice(Text.plain(self._catalog.get(code, "language.name")), ChooseLanguage(code))
            for code in self._catalog.choices[: 6 - len(back)]
        ]
        return View.of(Say.of(t("language.ask"), choices=[*choices, *back], edit=from_settings))

    async def set_language(self, user: User, code: str) -> User | None:
        """The person reads the bot in ``code`` from now on; None if it is not offered."""
        if code not in self._catalog.choices:
            return None
        await self._people.set_language(user.id, code)
        return replace(user, language=code)

    async def in_a_team(self, user: User) -> bool:
        """Whether this person is in some client's team (staff are, by their role)."""
        return user.role.is_staff or bool(await self._team.clients_of(user.id))

    async def redeem_staff_code(
        self, code: str, user_id: int, chat_id: int, language: str, now: datetime
    ) -> tuple[Redemption, User | None]:
        """Use a staff code (valid, unused, unexpired) to become staff."""
        return await usecases.redeem_staff_code(self._staff, code, user_id, chat_id, language, now)

    async def keep_note(
        self, user: User, text: str, now: datetime, update_id: int | None = None
    ) -> int:
        """Keep a person's words as a private note (once per update they came in); its id (0
        if the update's note was kept before)."""
        return await self._people.add_note(user.id, text, now, update_id)

    async def crisis_card(self, user_id: int | None, language: str) -> tuple[str, View]:
        """The crisis card in the person's language, with "Write my plan" (or "Change my
        plan") for clients and people without an account yet. Returns the language and view.

        Works when the store does not: the card then goes out without the plan.
        """
        user, plan = None, None
        try:
            user = await self._people.get_user(user_id) if user_id is not None else None
            if user is not None:
                language = user.language
                plan = await self._people.crisis_plan(user.id)
        except Exception:
            # The card goes out whatever happened to the store; the failure is logged, not shown.
            log.exception("crisis card: store unavailable, showing the card without the plan")
        client = user is None or user.role.is_client
        choices = []
        if client:
            key = "helpnow.plan_write" if plan is None or plan.empty else "helpnow.plan_change"
            choices.append(Choice(t(key), PlanWrite()))
        carer = user is not None and user.role is Role.NETWORK
        return language, self._card(language, plan, client, choices, carer=carer)

    def _card(
        self,
        language: str,
        plan: CrisisPlan | None,
        client: bool,
        choices: list[Choice],
        *,
        carer: bool = False,
    ) -> View:
        """The card as messages that fit, the choices under the last one; someone close to a
        client (``carer``) also gets the lines meant for carers."""
        texts = usecases.crisis_texts(
            self.policy, self._catalog, language, plan, with_plan=client, carer=carer
        )
        says = [Say.of(Text.plain(text)) for text in texts[:-1]]
        says.append(Say.of(Text.plain(texts[-1]), choices=choices))
        return View(tuple(says))

    async def words_of_crisis(self, user: User, checkin_id: int | None = None) -> View:
        """Typed words that sound like a crisis: the card itself, contacts first; with a team,
        "Ask <name> to get in touch"; "Write my plan" while there is none (the card says one
        can be written); inside a check-in, "Go on" or "Stop here".

        The card goes out even if the store fails (without the plan and the team).
        """
        plan, ask = None, None
        try:
            if user.role.is_client:
                plan = await self._people.crisis_plan(user.id)
                ask = await self._first_to_ask(user)
        except Exception:
            log.exception("crisis card: store unavailable, showing the card without the plan")
        choices = []
        if ask is not None:
            choices.append(
                Choice(t("helpnow.ask_contact", name=ask.name), AskContact(ask.id, Request.CALL))
            )
        if user.role.is_client and (plan is None or plan.empty):
            choices.append(
                Choice(t("helpnow.plan_write"), PlanWrite())
            )  # the card says "You can write one"
        if checkin_id is not None:
            choices.append(Choice(t("helpnow.go_on"), GoOn(checkin_id)))
            choices.append(Choice(t("helpnow.stop_here"), StopHere(checkin_id)))
        carer = user.role is Role.NETWORK
        return self._card(user.language, plan, user.role.is_client, choices, carer=carer)

    async def _first_to_ask(self, client: User) -> User | None:
        """The person a client in crisis is offered: their peer supporter, else clinician."""
        team = await self._team.team_of(client.id)
        for role in (Role.PEER, Role.CLINICIAN):
            for member in team:
                if member.role is role and member.person.unreachable_at is None:
                    return member.person
        return None

    async def my_data(self, user: User) -> View:
        """/mydata: what is kept, listed with counts and dates; all of it in two files, the
        readable one in the person's language, its times on their own clock. A client's list
        offers a record for a meeting (PDF)."""
        return my_data.view(
            self._catalog,
            user.language,
            await self.export(user),
            locale=self.policy.locale,
            zone=await self._planner.zone_of(user.id),
            dialogs=self._dialogs,
            record=user.role.is_client,
        )

    async def my_data_list(self, user: User) -> Say:
        """The first message of /mydata again, in the place of the message pressed."""
        return my_data.listing(
            self._catalog,
            user.language,
            await self.export(user),
            locale=self.policy.locale,
            zone=await self._planner.zone_of(user.id),
            record=user.role.is_client,
            edit=True,
        )

    def record_asked(self) -> View:
        """ "A record for a meeting (PDF)": which time should it cover?"""
        return record.ask()

    async def make_record(
        self,
        user: User,
        period: Period,
        now: datetime,
        draw: Callable[[Document], bytes],
        *,
        relist: bool = True,
    ) -> View:
        """A client's own words of ``period`` as a PDF, drawn by ``draw`` (the adapter's:
        ``bot/draw/record_pdf.py``) off the event loop; with ``relist``, the question above
        becomes the list of /mydata again, so another time can be chosen."""
        if not user.role.is_client:
            return View.refuse("fallback.stale_button")
        made = await record.make(
            self._people,
            self._checkins,
            self._catalog,
            self._dialogs,
            user,
            zone=await self._planner.zone_of(user.id),
            period=period,
            now=now,
            draw=draw,
        )
        return View.of(await self.my_data_list(user), made) if relist else View.of(made)

    async def export(self, user: User) -> dict[str, Any]:
        """Everything kept about a person, as JSON-ready data."""
        return await usecases.export_data(
            self._people, self._checkins, self._sends, self._team, self._shares, self._messages,
            user,
        )  # fmt: skip

    async def reachable(self, user_id: int, reachable: bool, now: datetime) -> None:
        """The person blocked the bot (False) or came back (True)."""
        if await self._people.get_user(user_id) is None:
            return
        await self._people.set_reachable(user_id, reachable, now)
        # Blocking stops the schedule; coming back starts it again (if they had agreed to one).
        if reachable:
            await self._planner.replan(user_id, now, "came back")
        else:
            await self._sends.cancel_planned(user_id, CHECKIN, "blocked")

    async def tell_clients_left(self, member: User, now: datetime) -> None:
        """A member is leaving: each client whose team they were in is told."""
        for linked in await self._team.clients_of(member.id):
            await self._planner.plan_notice(
                linked.person.id, "team.notice_left", {"name": member.name}, now
            )

    @staticmethod
    def erase_confirmed_in_time(asked: int, now: datetime) -> bool:
        """Whether a "Delete everything" press comes within an hour of the question."""
        return 0 <= now.timestamp() - asked <= ERASE_CONFIRM_VALID.total_seconds()

    async def erase(self, user: User, now: datetime) -> None:
        """Erase everything kept about a person. What a client's words became in their team's
        chats is taken back first; someone leaving every team takes nobody's words with them."""
        if user.role.is_client:
            await self._copies.take_back(user, now)
        else:
            for linked in await self._team.clients_of(user.id):
                await self._copies.take_back(linked.person, now, member_id=user.id)
        await usecases.erase(self._people, user)

"""Typed access to the bot's services from every handler (instead of ``bot_data["..."]``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.config import Settings
from bot.core.checkins import Checkins
from bot.core.clock import Clock
from bot.core.crisis_plan import CrisisPlans
from bot.core.delivery import Scheduler
from bot.core.dialog_model import Dialog
from bot.core.i18n import Catalog
from bot.core.model import Role
from bot.core.nudges import Nudges
from bot.core.people import Persons
from bot.core.planning import Planner
from bot.core.safety import RiskPhrases
from bot.core.schedule_settings import ScheduleSettings
from bot.core.sharing import Sharing
from bot.core.team import Team
from bot.core.views import View
from bot.core.waits import Waits
from bot.storage.store import SqliteStore
from bot.tg.render import Renderer, show
from bot.tg.watch import WatchedRequest


@dataclass
class Services:
    """What the handlers work with. The store is opened in ``post_init`` and may be missing
    before that, which is why the crisis card never depends on it."""

    settings: Settings
    catalog: Catalog
    clock: Clock
    risk: dict[str, RiskPhrases]
    dialogs: Mapping[str, Dialog]
    #: Updates handled again after a hard stop (see bot/tg/inbox.py).
    replayed: set[int] = field(default_factory=set)
    store: SqliteStore | None = None
    scheduler: Scheduler | None = None
    checkin_service: Checkins | None = None
    planner_service: Planner | None = None
    waits: Waits | None = None  # set with the store
    persons_service: Persons | None = None
    plans_service: CrisisPlans | None = None
    sharing: Sharing | None = None
    renderer: Renderer | None = None
    schedule_settings: ScheduleSettings | None = None
    team: Team | None = None
    nudges: Nudges | None = None
    #: The request PTB polls with, watched (None with a webhook or without an Updater).
    polls: WatchedRequest | None = None

    @property
    def db(self) -> SqliteStore:
        """The open store (raises if the bot was not started through ``post_init``)."""
        if self.store is None:
            raise RuntimeError("the store is not open")
        return self.store

    @property
    def planner(self) -> Planner:
        """Planning of scheduled sends (available once the store is open)."""
        if self.planner_service is None:
            raise RuntimeError("the store is not open")
        return self.planner_service

    @property
    def persons(self) -> Persons:
        """Use cases about a person as a whole (available once the store is open)."""
        if self.persons_service is None:
            raise RuntimeError("the store is not open")
        return self.persons_service

    @property
    def plans(self) -> CrisisPlans:
        """The client's crisis plan (available once the store is open)."""
        if self.plans_service is None:
            raise RuntimeError("the store is not open")
        return self.plans_service

    @property
    def checkins(self) -> Checkins:
        """Check-in use cases (available once the store is open)."""
        if self.checkin_service is None:
            raise RuntimeError("the store is not open")
        return self.checkin_service


class Who(Enum):
    """Who may press a kind of button (the use case then checks the rest)."""

    ANYONE = "anyone"  # e.g. an invite's Accept, pressed before an account exists
    CLIENT = "client"
    MEMBER = "member"  # staff and network members: people in some client's team


class BotData:
    """``application.bot_data``: one slot, filled when the application is built."""

    services: Services


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """The context every handler receives."""

    @property
    def services(self) -> Services:
        """The bot's services."""
        return self.bot_data.services


def text(context: BotContext, language: str, key: str, /, **values: object) -> str:
    """A catalog text in ``language``, filled with ``values``."""
    return context.services.catalog.get(language, key, **values)


_ROW_ID = re.compile(r"[0-9]{1,18}")


def row_id(text: str) -> int | None:
    """An id from callback data or stored state, or None if it can't be one (forged data may
    carry anything: letters, other digits, numbers too big for the database)."""
    return int(text) if _ROW_ID.fullmatch(text) else None


async def reply_view(update: Update, context: BotContext, language: str, view: View) -> None:
    """Render a use case's view in the chat the update came from (and answer a press)."""
    services = context.services
    if services.renderer is None:
        services.renderer = Renderer(services.catalog)
    await show(update, services.renderer, language, view)


def waits(context: BotContext) -> Waits:
    """The waits for typed answers (available once the store is open)."""
    found = context.services.waits
    if found is None:
        raise RuntimeError("the store is not open")
    return found


def role_name(context: BotContext, language: str, role: Role) -> str:
    """A role in words ("peer supporter")."""
    return text(context, language, f"roles.{role.value}")


CONTEXT_TYPES = ContextTypes(context=BotContext, bot_data=BotData)

BetweenApp = Application[ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], BotData, Any]

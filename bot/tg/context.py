"""Typed access to the bot's services from every handler (instead of ``bot_data["..."]``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.bootstrap import UseCases
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
    """What the handlers work with. The use cases are built once the store is open
    (``post_init``, through ``bot/bootstrap.py``); before that only what needs no store is
    here, which is why the crisis card never depends on it."""

    settings: Settings
    catalog: Catalog
    clock: Clock
    risk: dict[str, RiskPhrases]
    dialogs: Mapping[str, Dialog]
    #: Updates handled again after a hard stop (see bot/tg/inbox.py).
    replayed: set[int] = field(default_factory=set)
    #: Every use case, once the store is open.
    ready: UseCases | None = None
    renderer: Renderer | None = None
    #: The request PTB polls with, watched (None with a webhook or without an Updater).
    polls: WatchedRequest | None = None

    def _use(self) -> UseCases:
        if self.ready is None:
            raise RuntimeError("the store is not open")
        return self.ready

    @property
    def db(self) -> SqliteStore:
        """The open store (raises if the bot was not started through ``post_init``)."""
        return self._use().store

    @property
    def planner(self) -> Planner:
        """Planning of scheduled sends."""
        return self._use().planner

    @property
    def persons(self) -> Persons:
        """Use cases about a person as a whole."""
        return self._use().persons

    @property
    def plans(self) -> CrisisPlans:
        """The client's crisis plan."""
        return self._use().plans

    @property
    def checkins(self) -> Checkins:
        """Check-in use cases."""
        return self._use().checkins

    @property
    def waits(self) -> Waits:
        """The waits for typed answers."""
        return self._use().waits

    @property
    def team(self) -> Team:
        """The care team's use cases."""
        return self._use().team

    @property
    def sharing(self) -> Sharing:
        """/share's use cases."""
        return self._use().sharing

    @property
    def nudges(self) -> Nudges:
        """Messages between a client and their team."""
        return self._use().nudges

    @property
    def schedule_settings(self) -> ScheduleSettings:
        """/settings, /pause and /resume."""
        return self._use().schedule_settings

    @property
    def scheduler(self) -> Scheduler:
        """The tick that sends what is due."""
        return self._use().scheduler


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
    return context.services.waits


def role_name(context: BotContext, language: str, role: Role) -> str:
    """A role in words ("peer supporter")."""
    return text(context, language, f"roles.{role.value}")


CONTEXT_TYPES = ContextTypes(context=BotContext, bot_data=BotData)

BetweenApp = Application[ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], BotData, Any]

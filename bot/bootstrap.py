"""Settings and an open store in, every use case out: the one place the core is wired.

Nothing here knows Telegram. What reaches people (the outbox for messages to others, the
courier the dispatcher sends through, the bot's own name for links) comes in as ``Edges``, so
the bot, the sandbox, the command line, a worker or a benchmark build the same use cases the
same way. PTB's ``post_init`` only opens the store, makes the edges and calls :func:`build`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from bot.config import Settings
from bot.core.checkins import Checkins
from bot.core.clock import Clock
from bot.core.copies import Copies
from bot.core.crisis_plan import CrisisPlans
from bot.core.delivery import Courier, DeliveryPorts, Dispatcher, Scheduler
from bot.core.dialog_model import Dialog
from bot.core.i18n import Catalog
from bot.core.letters import CoreLetters
from bot.core.nudges import Nudges
from bot.core.people import Persons
from bot.core.planning import Planner, ScheduleDefaults
from bot.core.ports import Outbox
from bot.core.retention import Retention
from bot.core.schedule_settings import ScheduleSettings
from bot.core.sharing import Sharing
from bot.core.team import Team
from bot.core.waits import Waits, WaitsClosing
from bot.storage.store import SqliteStore


@dataclass(frozen=True)
class Edges:
    """What the outside world lends the use cases."""

    outbox: Outbox  # messages to people other than the one who acted
    courier: Courier  # what the bot starts itself, rate-limited
    bot_name: str  # the bot's username, for invite links


@dataclass(frozen=True)
class UseCases:
    """Every use case of the core, built once over one store: nothing here is optional."""

    store: SqliteStore
    planner: Planner
    waits: Waits
    checkins: Checkins
    persons: Persons
    plans: CrisisPlans
    team: Team
    sharing: Sharing
    nudges: Nudges
    schedule_settings: ScheduleSettings
    scheduler: Scheduler


def schedule_defaults(settings: Settings) -> ScheduleDefaults:
    """The service's check-in defaults, as the planner wants them."""
    service = settings.service
    return ScheduleDefaults(
        timezone=service.defaults.timezone,
        days=",".join(service.checkins.days),
        time=service.checkins.time,
        contact_hours=service.checkins.contact_hours,
        window=timedelta(minutes=service.checkins.window_minutes),
    )


def build(
    settings: Settings,
    catalog: Catalog,
    dialogs: Mapping[str, Dialog],
    clock: Clock,
    store: SqliteStore,
    edges: Edges,
) -> UseCases:
    """Every use case over ``store``, talking to people through ``edges``."""
    policy = settings.policy
    planner = Planner(store, schedule_defaults(settings))
    checkins = Checkins(store, dialogs, store, store, planner, messages=store)
    waits = Waits(store, policy.answer_wait)
    copies = Copies(store, store, edges.outbox)
    persons = Persons(
        store, store, store, store, store, store, store, planner, policy, catalog, copies,
        dialogs=dialogs,
    )  # fmt: skip
    team = Team(
        store, store, store, store, store, planner, waits, edges.outbox, policy, catalog,
        edges.bot_name, copies,
    )  # fmt: skip
    sharing = Sharing(
        store, store, store, store, planner, catalog, dialogs, edges.outbox, messages=store
    )
    nudges = Nudges(
        store, store, store, store, planner, waits, edges.outbox, policy, catalog, store,
        dialogs=dialogs,
    )  # fmt: skip
    deliver = DeliveryPorts(store, store, store, store, store, clock, planner, checkins, store)
    dispatcher = Dispatcher(
        deliver, edges.courier, CoreLetters(catalog), settings.service.telegram.send_rate
    )
    retention = Retention(store, store, sharing, persons, planner, policy.retention)
    closing = WaitsClosing(waits, store, edges.outbox)
    return UseCases(
        store=store,
        planner=planner,
        waits=waits,
        checkins=checkins,
        persons=persons,
        plans=CrisisPlans(store, waits),
        team=team,
        sharing=sharing,
        nudges=nudges,
        schedule_settings=ScheduleSettings(store, planner, waits, locale=policy.locale),
        scheduler=Scheduler(deliver, dispatcher, retention, closing),
    )

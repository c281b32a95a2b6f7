"""The use cases are built without Telegram (issue 23, point 2): settings and an open store in,
every use case out, talking to people through edges that anyone can lend: the bot, the
sandbox, the command line, a worker or a benchmark."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from bot import bootstrap
from bot.bootstrap import Edges
from bot.config import Settings
from bot.core.actions.settings import Agree
from bot.core.actions.team import ConfirmMeeting
from bot.core.clock import ManualClock
from bot.core.delivery import Post, Posted
from bot.core.dialog_loader import load_dialogs
from bot.core.i18n import Catalog
from bot.core.model import Role, User
from bot.core.views import Say
from bot.storage.store import SqliteStore
from tests.fakes import Outbox
from tests.test_core_team import buttons, link, said, staff, words

ROOT = Path(__file__).resolve().parents[1]


class Courier:
    """Records what the dispatcher sends, as a worker without Telegram would."""

    def __init__(self) -> None:
        self.posted: list[tuple[int, Say]] = []

    async def post(self, to: User, say: Say) -> Post:
        self.posted.append((to.id, say))
        return Post(Posted.SENT, len(self.posted))

    async def edit(self, to: User, message_id: int, say: Say) -> bool:
        return True


def test_building_the_use_cases_loads_no_telegram() -> None:
    code = (
        "import sys, bot.bootstrap; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'telegram', 'httpx'}))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]"


async def test_a_worker_without_telegram_plans_and_sends_a_meeting_reminder(
    settings: Settings, catalog: Catalog, store: SqliteStore, clock: ManualClock
) -> None:
    outbox, courier = Outbox(), Courier()
    cases = bootstrap.build(
        settings,
        catalog,
        load_dialogs(settings.dialogs_dir),
        clock,
        store,
        Edges(outbox=outbox, courier=courier, bot_name="between_bot"),
    )
    now = clock.now()
    alex = await store.add_client(101, 101, "Alex", "en", now)
    kim = await staff(store, 201, "Dr Kim", Role.CLINICIAN)
    await link(cases.team, catalog, kim, alex)
    await cases.schedule_settings.press(alex, Agree(first=True), now)
    # Alex sets the meeting in words, read back first; Dr Kim hears of it through the outbox.
    await cases.team.ask_meeting(alex, None, now)
    wait = await cases.waits.take(alex.id, now)
    assert wait is not None
    check = await cases.team.typed(alex, wait, "next friday 14:00 Maple Centre", now)
    (confirm, _) = buttons(check)
    assert isinstance(confirm, ConfirmMeeting)
    saved = await cases.team.confirm_meeting(alex, None, confirm.day, now, confirm.check)
    assert said(catalog, saved).endswith("On the day, I'll remind you and Dr Kim.")
    assert any(to == kim.id for to, _ in outbox.sent)
    # The same scheduler as the bot's sends the reminders, each in its person's hours.
    while not any("A reminder" in words(catalog, say.parts[0]) for _, say in courier.posted):
        clock.advance(timedelta(minutes=30))
        await cases.scheduler.tick()
        assert clock.now() - now < timedelta(days=12)
    reminded = {to for to, say in courier.posted if "A reminder" in words(catalog, say.parts[0])}
    assert reminded == {kim.id, alex.id}  # both hours begin at the service's 09:00
    assert clock.now().strftime("%a %H:%M") == "Fri 09:00"

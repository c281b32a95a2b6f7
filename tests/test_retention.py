"""Nothing is kept longer than the retention period: rows, shares in others' chats, and accounts
nobody used, whose owners are told two weeks before, inside their hours."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.core.clock import ManualClock
from bot.standin import FakeBotAPI
from bot.storage.personal import SCHEMA
from tests.conftest import Person, services, with_sam

YEAR = timedelta(days=365)  # the example service's retention_days
IDLE = (
    "We haven't been in touch for a long time. In 14 days I will erase everything I keep about "
    "you, as the service's rules say. To keep it, just send me any message. /mydata shows what "
    "I keep."
)


def test_every_table_that_holds_a_person_has_a_retention_rule() -> None:
    for table, rule in SCHEMA.items():
        if rule.personal and table != "key_check":
            assert rule.retain or rule.lives_with_account or rule.via, table


async def _tick(app: App) -> None:
    scheduler = services(app).scheduler
    assert scheduler is not None
    await scheduler.tick()


async def _later(app: App, clock: ManualClock, delta: timedelta) -> None:
    """Time passes, the bot running all along: it looks at what is due at least daily (a clock
    that moved more than a day between two looks has jumped, and nothing is purged)."""
    while delta > timedelta(0):
        step = min(delta, timedelta(days=1))
        clock.advance(step)
        delta -= step
        await _tick(app)


async def _alex_shares_with_sam(app: App, api: FakeBotAPI, alex: Person) -> Person:
    sam = await with_sam(app, api, alex)
    await alex.press("That's fine")
    await alex.send("A hard week")
    await alex.send("/share")
    await alex.press(next(b for b, _ in alex.last().buttons() if b.startswith("Note")))
    await alex.press("See what would be sent")
    await alex.press("Sam (peer supporter)")
    await alex.press("Share with Sam")
    assert "A hard week" in api.messages(sam.id)[-1].body
    return sam


async def test_an_idle_account_is_told_two_weeks_ahead_then_erased_with_its_copies(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    sam = await _alex_shares_with_sam(app, api, alex)
    await _later(app, clock, YEAR - timedelta(days=14) + timedelta(hours=1))
    await _later(app, clock, timedelta(hours=1))  # the notice goes out inside Alex's hours
    assert IDLE in [m.body for m in api.messages(alex.id)]
    assert await services(app).db.get_user(alex.id) is not None

    await _later(app, clock, timedelta(days=14))

    assert await services(app).db.get_user(alex.id) is None
    assert not [m for m in api.messages(sam.id) if "A hard week" in m.body]


async def test_an_idle_account_whose_owner_writes_back_is_kept(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    await alex.send("/start")
    await alex.press("That's fine")
    await _later(app, clock, YEAR - timedelta(days=14) + timedelta(hours=1))
    await _later(app, clock, timedelta(hours=1))
    assert alex.last().body == IDLE
    await alex.send("Still here")
    await _later(app, clock, timedelta(days=15))
    assert await services(app).db.get_user(alex.id) is not None
    assert [n.text for n in await services(app).db.notes(alex.id)] == ["Still here"]


async def test_a_share_reaching_retention_is_taken_back_before_its_row_goes(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    sam = await _alex_shares_with_sam(app, api, alex)
    await alex.send("/share")  # a draft, never sent
    await _later(app, clock, YEAR - timedelta(days=1))
    await alex.send("Still using Between")  # Alex is not idle
    await _later(app, clock, timedelta(days=2))

    db = services(app).db
    assert await db.shares(alex.id) == []
    assert [n.text for n in await db.notes(alex.id)] == ["Still using Between"]
    bodies = [m.body for m in api.messages(sam.id)]
    assert not [b for b in bodies if "A hard week" in b]
    assert (
        "Alex shared this a long time ago. It is no longer kept, as the service's rules say."
        in bodies
    )
    draft = await db.db.fetchall("SELECT * FROM share_drafts WHERE client_id = ?", (alex.id,))
    assert draft == []


async def test_an_idle_client_paused_until_they_resume_is_never_erased_untold(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    await alex.send("/start")
    await alex.press("That's fine")
    await services(app).db.set_schedule(alex.id, paused=True)  # "until I resume"
    await _later(app, clock, YEAR + timedelta(days=30))
    assert IDLE not in [m.body for m in api.messages(alex.id)]  # held by the pause
    assert await services(app).db.get_user(alex.id) is not None  # so nothing is erased


async def test_an_idle_account_that_blocked_the_bot_goes_without_being_told(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    await alex.send("/start")
    await alex.press("That's fine")
    await alex.feed(api.member_status(alex.id, "kicked"))  # Alex blocked the bot
    await _later(app, clock, YEAR + timedelta(days=15))
    assert await services(app).db.get_user(alex.id) is None


async def test_an_idle_team_member_is_told_first_and_their_clients_hear_they_left(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    sam = await _alex_shares_with_sam(app, api, alex)
    for _ in range(12):  # Alex keeps writing; Sam only reads
        await _later(app, clock, timedelta(days=30))
        await alex.send("Still here")
    await _later(app, clock, timedelta(days=20))
    assert IDLE in [m.body for m in api.messages(sam.id)]  # told inside the service's hours
    await _later(app, clock, timedelta(days=15))
    await alex.send("Still here")
    await _later(app, clock, timedelta(days=1))
    assert await services(app).db.get_user(sam.id) is None
    assert any("Sam is no longer in your team" in m.body for m in api.messages(alex.id))

"""Waits for typed text, the crisis plan and the codec of typed actions: core level, no PTB."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.actions import ACTIONS, load_all
from bot.core.actions.checkin import AnswerOption, Menu, MenuEntry, PlanPart, PlanSkip
from bot.core.crisis_plan import CrisisPlans
from bot.core.model import User
from bot.core.waits import WaitKind, Waits
from bot.storage.store import SqliteStore
from bot.tg.codec import MAX_BYTES, CodecError, decode, encode

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def alex(store: SqliteStore) -> User:
    return await store.add_client(101, 101, "Alex", "en", NOW)


async def test_typed_text_answers_a_wait_once(store: SqliteStore, alex: User) -> None:
    waits = Waits(store, timedelta(minutes=30))
    await waits.ask(alex.id, WaitKind.TIME, NOW)
    taken = await waits.take(alex.id, NOW + timedelta(minutes=29))
    assert taken is not None and taken.kind is WaitKind.TIME
    assert await waits.take(alex.id, NOW + timedelta(minutes=29)) is None


async def test_an_expired_wait_captures_nothing(store: SqliteStore, alex: User) -> None:
    waits = Waits(store, timedelta(minutes=30))
    await waits.ask(alex.id, WaitKind.PAUSE_MESSAGE, NOW)
    assert await waits.current(alex.id, NOW + timedelta(minutes=30)) is None
    # and it is gone for good, even if the clock were read wrongly later
    assert await store.wait(alex.id) is None


async def test_a_new_question_replaces_the_old_one(store: SqliteStore, alex: User) -> None:
    waits = Waits(store, timedelta(minutes=30))
    await waits.ask(alex.id, WaitKind.TIME, NOW)
    await waits.ask(alex.id, WaitKind.PLAN, NOW, subject="helps")
    current = await waits.current(alex.id, NOW)
    assert current is not None and current.kind is WaitKind.PLAN and current.subject == "helps"


async def test_the_message_that_asked_is_remembered(store: SqliteStore, alex: User) -> None:
    waits = Waits(store, timedelta(minutes=30))
    wait = await waits.ask(alex.id, WaitKind.ZONE, NOW)
    await waits.asked_in(alex.id, wait, 77)
    current = await waits.current(alex.id, NOW)
    assert current is not None and current.message_id == 77


async def test_the_plan_is_written_part_by_part(store: SqliteStore, alex: User) -> None:
    waits = Waits(store, timedelta(minutes=30))
    plans = CrisisPlans(store, waits)
    view = await plans.write(alex, NOW)
    assert view.says[0].parts[0].key == "plan.ask_contacts"
    wait = await waits.take(alex.id, NOW)
    assert wait is not None
    view = await plans.typed(alex, wait, "My sister, 0612345678", NOW)
    assert view.says[0].parts[0].key == "plan.ask_helps"
    view = await plans.skip(alex, PlanPart.HELPS, NOW)
    assert view.says[0].parts[0].key == "plan.ask_avoid"
    plan = await store.crisis_plan(alex.id)
    assert plan is not None and plan.contacts == "My sister, 0612345678" and plan.helps is None


async def test_a_plan_part_typed_after_the_wait_expired_changes_nothing(
    store: SqliteStore, alex: User
) -> None:
    waits = Waits(store, timedelta(minutes=30))
    await CrisisPlans(store, waits).write(alex, NOW)
    assert await waits.take(alex.id, NOW + timedelta(days=30)) is None
    assert await store.crisis_plan(alex.id) is None


def test_every_action_round_trips_within_64_bytes() -> None:
    load_all()
    assert len(ACTIONS) > 20
    action = AnswerOption(10**17, 999, 999, "ffff")
    data = encode(action)
    assert decode(data) == action and len(data.encode()) <= MAX_BYTES
    assert decode(encode(PlanSkip(PlanPart.AVOID))) == PlanSkip(PlanPart.AVOID)
    assert decode("m:help") == Menu(MenuEntry.HELP)


@pytest.mark.parametrize(
    "data",
    [None, "", "zz:1", "ca:1:2:3", "ca:1:2:3:abcd:5", "ca:x:2:3:abcd", "ca:1:2:3:ab cd",
     "ca:1234567890123456789:1:1:abcd", "m:everything", "ps:", "m:help:extra", "x" * 65],
)  # fmt: skip
def test_forged_or_malformed_data_decodes_to_nothing(data: str | None) -> None:
    assert decode(data) is None


def test_an_action_that_cannot_be_carried_is_refused() -> None:
    with pytest.raises(CodecError):
        encode(AnswerOption(1, 1, 1, "a:b"))
    with pytest.raises(CodecError):
        encode(AnswerOption(-1, 1, 1, "abcd"))

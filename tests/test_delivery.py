"""Scheduled check-ins delivered from rows: time zones and DST, late and expired sends, pauses,
blocked clients, 429 storms, timeouts, restarts in the middle of a fan-out, snooze."""

from __future__ import annotations

import asyncio
import tomllib
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import App, build_application, running
from bot.config import EXAMPLE_CONFIG, Settings, load_settings
from bot.core.clock import ManualClock
from bot.core.i18n import Catalog
from bot.core.model import Send
from bot.standin import FakeBotAPI
from tests.conftest import Person, services

CAPACITY_QUESTION = "How much energy do you have for this right now?"


def checkins_received(api: FakeBotAPI, chat_id: int) -> int:
    return sum(
        1
        for m in api.messages(chat_id, include_deleted=True)
        if CAPACITY_QUESTION in m.body or "This check-in has closed" in m.body
    )


async def agree(person: Person, **schedule: object) -> None:
    """The client accepts scheduled check-ins, then (as /settings would) sets their own."""
    await person.send("/start")
    await person.press("That's fine")
    if schedule:
        store = services(person.app).db
        await store.set_schedule(person.id, **schedule)
        await services(person.app).planner.replan(
            person.id, services(person.app).clock.now(), "test"
        )


async def checkin_sends(app: App, user_id: int) -> list[Send]:
    """What is planned or was sent to a person, without the one gentle second schedule question."""
    return [s for s in await services(app).db.sends(user_id) if s.kind != "ask"]


async def tick(app: App) -> Counter[str]:
    scheduler = services(app).scheduler
    assert scheduler is not None
    return await scheduler.tick()


async def run_until(app: App, clock: ManualClock, end: datetime, step: timedelta) -> Counter[str]:
    total: Counter[str] = Counter()
    while clock.now() < end:
        clock.advance(step)
        total += await tick(app)
    return total


async def test_agreeing_plans_the_next_checkin_and_it_arrives_on_time(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    await agree(alex, days="mon,tue,wed,thu,fri,sat,sun", time="10:00")
    sends = await checkin_sends(app, alex.id)
    planned = [s for s in sends if s.status == "planned"]
    assert len(planned) == 1
    # 10:00 London on Monday 2 March 2026 is 10:00 UTC (winter time).
    assert planned[0].due_at == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    clock.advance(timedelta(minutes=59))
    assert (await tick(app))["sent"] == 0
    clock.advance(timedelta(minutes=1))
    assert (await tick(app))["sent"] == 1
    question = alex.last()
    assert question.body.endswith(CAPACITY_QUESTION)
    labels = [label for label, _ in question.buttons()]
    assert labels[:3] == ["Very little", "Some", "Plenty"]
    assert labels[3:] == ["Not now"]  # which shows "Later" choices, in its place
    # The next one is planned straight away: tomorrow at 10:00.
    nxt = [s for s in await checkin_sends(app, alex.id) if s.status == "planned"]
    assert [s.due_at for s in nxt] == [datetime(2026, 3, 3, 10, 0, tzinfo=UTC)]


ZONES = {
    # zone, local check-in time: across London's spring-forward (29 March, 01:00 -> 02:00) and
    # Sydney's and Auckland's fall-back (5 April, 03:00 -> 02:00).
    201: ("Europe/London", "01:30"),
    202: ("Australia/Sydney", "02:30"),
    203: ("America/New_York", "07:00"),
    204: ("Asia/Kolkata", "23:30"),
    205: ("Pacific/Auckland", "02:30"),
}


async def test_ten_days_in_five_time_zones_across_dst_send_exactly_one_a_day(
    api: FakeBotAPI, settings: Settings, catalog: Catalog
) -> None:
    clock = ManualClock(datetime(2026, 3, 27, 0, 0, tzinfo=UTC))
    api.now = clock.now
    app = build_application(settings, catalog, clock=clock, request=api, polling=False)
    async with running(app):
        people = {}
        for user_id, (zone, at) in ZONES.items():
            person = Person(app, api, user_id, f"P{user_id}")
            await agree(
                person,
                timezone=zone,
                time=at,
                days="mon,tue,wed,thu,fri,sat,sun",
                contact_hours="00:00-23:59",
            )
            people[user_id] = person
        begin, end = clock.now(), datetime(2026, 4, 7, 0, 0, tzinfo=UTC)
        await run_until(app, clock, end, timedelta(minutes=30))
        for user_id, (zone, at) in ZONES.items():
            sent = [s for s in await checkin_sends(app, user_id) if s.status in ("sent", "closed")]
            dates = [s.local_date for s in sent]
            assert len(dates) == len(set(dates)), f"{zone}: a date twice"
            expected = set()
            for offset in range(-1, 13):
                day = date(2026, 3, 27) + timedelta(days=offset)
                due = datetime.combine(day, time.fromisoformat(at), ZoneInfo(zone))
                if begin < due <= end:
                    expected.add(day.isoformat())
            assert set(dates) == expected, zone
            for send in sent:
                local = send.due_at.astimezone(ZoneInfo(zone))
                if (zone, send.local_date) == ("Europe/London", "2026-03-29"):
                    assert local.strftime("%H:%M") == "02:30"  # 01:30 did not exist that day
                else:
                    assert local.strftime("%H:%M") == at, (zone, send.local_date)
            assert checkins_received(api, user_id) == len(sent)


async def test_a_late_checkin_inside_its_window_is_sent_late_and_after_it_expires(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person, blair: Person
) -> None:
    await agree(alex, days="mon", time="10:00")
    await agree(blair, days="mon,tue", time="10:00")
    clock.advance(timedelta(hours=2, minutes=30))  # 11:30: the bot was down since before 10:00
    outcome = await tick(app)
    assert outcome["sent"] == 2
    assert checkins_received(api, alex.id) == 1
    clock.advance(timedelta(days=1, hours=1))  # Tuesday 12:30, the window closed at 12:00
    outcome = await tick(app)
    assert outcome["expired"] == 1 and outcome["sent"] == 0
    expired = [s for s in await checkin_sends(app, blair.id) if s.status == "expired"]
    assert len(expired) == 1 and expired[0].local_date == "2026-03-03"
    assert checkins_received(api, blair.id) == 1  # only Monday's


async def test_an_unanswered_checkin_closes_kindly_after_its_window(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    await agree(alex, days="mon", time="10:00")
    clock.advance(timedelta(hours=1))
    await tick(app)
    question = alex.last()
    clock.advance(timedelta(hours=2))
    outcome = await tick(app)
    assert outcome["closed"] == 1
    assert (
        question.body == "This check-in has closed. That's okay, there's nothing you need to do."
    )
    assert question.buttons() == []
    record = (await services(app).db.recent_checkins(alex.id, 1))[0]
    assert record.status == "closed"


async def test_an_answered_checkin_is_not_touched_when_its_window_ends(
    app: App, clock: ManualClock, alex: Person
) -> None:
    await agree(alex, days="mon", time="10:00")
    clock.advance(timedelta(hours=1))
    await tick(app)
    await alex.press("Very little")
    while alex.last().buttons():
        labels = [label for label, _ in alex.last().buttons()]
        await alex.press("Go on" if "Go on" in labels else labels[0])
    clock.advance(timedelta(hours=3))
    assert (await tick(app))["closed"] == 0
    assert alex.last().body.startswith("Saved.")


async def test_a_pause_across_a_due_time_sends_nothing_and_resume_plans_again(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    await agree(alex, days="mon,tue,wed,thu,fri,sat,sun", time="10:00")
    await alex.send("/pause")
    await alex.press("For a day")
    sent = await alex.press("No message")
    assert "Paused until" in alex.api.messages(alex.id)[-2].body or sent
    await run_until(app, clock, datetime(2026, 3, 3, 9, 0, tzinfo=UTC), timedelta(minutes=30))
    assert checkins_received(api, alex.id) == 0
    # The pause ends on Tuesday: Tuesday's check-in comes.
    await run_until(app, clock, datetime(2026, 3, 3, 11, 0, tzinfo=UTC), timedelta(minutes=30))
    assert checkins_received(api, alex.id) == 1


async def test_pause_until_resumed_holds_everything_until_resume(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    await agree(alex, days="mon,tue,wed,thu,fri,sat,sun", time="10:00")
    await alex.send("/pause")
    await alex.press("Until I resume")
    await alex.press("Write a message")
    await alex.send("Away with family, back soon")
    own = await services(app).db.schedule(alex.id)
    assert own is not None and own.paused and own.pause_message == "Away with family, back soon"
    assert await services(app).db.notes(alex.id) == []  # the message is not a note
    await run_until(app, clock, datetime(2026, 3, 6, 9, 0, tzinfo=UTC), timedelta(hours=1))
    assert checkins_received(api, alex.id) == 0
    sent = await alex.send("/resume")
    assert sent[0].body.startswith("Welcome back.")
    await run_until(app, clock, datetime(2026, 3, 6, 11, 0, tzinfo=UTC), timedelta(hours=1))
    assert checkins_received(api, alex.id) == 1


async def test_a_blocked_client_stops_that_client_only(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person, blair: Person
) -> None:
    await agree(alex, days="mon,tue", time="10:00")
    await agree(blair, days="mon,tue", time="10:00")
    api.block(alex.id, notify=False)
    clock.advance(timedelta(hours=1))
    outcome = await tick(app)
    assert outcome["blocked"] == 1 and outcome["sent"] == 1
    user = await services(app).db.get_user(alex.id)
    assert user is not None and user.unreachable_at is not None
    assert [s.status for s in await checkin_sends(app, alex.id)] == ["failed"]
    await run_until(app, clock, datetime(2026, 3, 3, 11, 0, tzinfo=UTC), timedelta(hours=1))
    assert checkins_received(api, blair.id) == 2
    tries = [
        p
        for m, p in api.calls
        if m == "sendMessage" and p["chat_id"] == alex.id and CAPACITY_QUESTION in str(p["text"])
    ]
    assert len(tries) == 1  # tried once, never again


async def test_a_timeout_is_recorded_and_not_resent(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    await agree(alex, days="mon", time="10:00")
    api.fail("sendMessage", kind="timeout_after_send")
    clock.advance(timedelta(hours=1))
    outcome = await tick(app)
    assert outcome["unknown"] == 1
    clock.advance(timedelta(minutes=30))
    await tick(app)
    assert checkins_received(api, alex.id) == 1  # delivered once, not sent again
    (send, *_) = await checkin_sends(app, alex.id)
    assert send.status == "unknown"


async def test_a_429_storm_loses_nothing(app: App, api: FakeBotAPI, clock: ManualClock) -> None:
    people = [Person(app, api, 300 + i, f"C{i}") for i in range(12)]
    for person in people:
        await agree(person, days="mon", time="10:00")
    api.fail("sendMessage", kind="retry_after", times=5, retry_after=1)
    clock.advance(timedelta(hours=1))
    outcome = await tick(app)
    assert outcome["sent"] == 12
    assert all(checkins_received(api, p.id) == 1 for p in people)


async def test_later_moves_a_checkin_and_it_comes_back(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    await agree(alex, days="mon", time="10:00")
    clock.advance(timedelta(hours=1))
    await tick(app)
    question = alex.last()
    await alex.press("Not now")  # on a check-in the bot sent: when it may come again
    assert [label for label, _ in question.buttons()] == [
        "In an hour",
        "This evening",
        "Tomorrow",
        "Not today",
    ]
    await alex.press("In an hour")
    assert question.body == "Okay, I'll ask again in about an hour."
    assert question.buttons() == []
    clock.advance(timedelta(minutes=59))
    await tick(app)
    assert checkins_received(api, alex.id) == 0  # the first one now says when it comes back
    clock.advance(timedelta(minutes=2))
    assert (await tick(app))["sent"] == 1
    assert alex.last().body.endswith(CAPACITY_QUESTION)
    assert checkins_received(api, alex.id) == 1


async def test_a_client_who_chose_only_when_i_ask_gets_nothing_unasked(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    await alex.send("/start")
    await alex.press("Only when I ask")
    await run_until(app, clock, datetime(2026, 3, 10, 9, 0, tzinfo=UTC), timedelta(hours=2))
    assert checkins_received(api, alex.id) == 0
    assert await checkin_sends(app, alex.id) == []


class CountingAPI(FakeBotAPI):
    """The stand-in, with an event once ``target`` check-ins were delivered."""

    def __init__(self, target: int, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.target = target
        self.reached = asyncio.Event()

    async def do_request(self, *args: object, **kwargs: object) -> tuple[int, bytes]:
        result = await super().do_request(*args, **kwargs)  # type: ignore[arg-type]
        delivered = sum(1 for m, _ in self.calls if m == "sendMessage")
        if delivered >= self.target:
            self.reached.set()
        return result


@pytest.fixture
def fast_settings(tmp_path: Path, catalog: Catalog) -> Settings:
    raw = EXAMPLE_CONFIG.read_text().replace("send_rate = 30", "send_rate = 1000")
    config = tmp_path / "fast.toml"
    config.write_text(raw)
    assert tomllib.loads(raw)["telegram"]["send_rate"] == 1000
    return load_settings(
        {
            "BOT_DATA_DIR": str(tmp_path / "data"),
            "BOT_KEY_FILE": str(tmp_path / "keys" / "between.key"),
            "BOT_CONFIG": str(config),
        },
        catalog=catalog,
    )


async def test_a_restart_in_the_middle_of_a_fanout_loses_nothing_and_duplicates_no_row(
    fast_settings: Settings, catalog: Catalog
) -> None:
    clients = 150
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    api = CountingAPI(target=clients // 3, now=clock.now, latency=0.005)
    first = build_application(fast_settings, catalog, clock=clock, request=api, polling=False)
    async with running(first):
        people = [Person(first, api, 1000 + i, f"C{i}") for i in range(clients)]
        for person in people:
            await agree(person, days="mon", time="10:00")
        api.reset_calls()
        api.reached.clear()
        clock.advance(timedelta(hours=1))
        fanout = asyncio.create_task(tick(first))
        await asyncio.wait_for(api.reached.wait(), 30)
        fanout.cancel()  # the crash: whatever was in flight is cut off
        with pytest.raises(asyncio.CancelledError):
            await fanout
        rows = await services(first).db.db.fetchall(
            "SELECT status, COUNT(*) n FROM sends GROUP BY status"
        )
        in_flight = {r["status"]: r["n"] for r in rows}.get("sending", 0)
    delivered_before = {p.id: checkins_received(api, p.id) for p in people}

    second = build_application(fast_settings, catalog, clock=clock, request=api, polling=False)
    async with running(second):  # the restart rebuilds from the rows
        await tick(second)
        for person in people:
            rows = [
                s for s in await checkin_sends(second, person.id) if s.local_date == "2026-03-02"
            ]
            assert len(rows) == 1, "one row per client per date and slot"
            assert rows[0].status == "sent"
    received = {p.id: checkins_received(api, p.id) for p in people}
    assert all(n >= 1 for n in received.values()), "lost"
    duplicated = sum(n - 1 for n in received.values())
    # Only a message that reached Telegram but whose outcome was not yet written down can come
    # twice: at most the sends that were in flight when the process died.
    assert duplicated <= in_flight
    assert 0 < sum(delivered_before.values()) < clients  # the crash came mid-fan-out


async def test_delete_erases_the_schedule_and_every_planned_send(
    app: App, clock: ManualClock, alex: Person
) -> None:
    await agree(alex, days="mon", time="10:00")
    clock.advance(timedelta(hours=1))
    await tick(app)
    await alex.press("Some")
    await alex.send("/delete")
    await alex.press("Erase everything")
    store = services(app).db
    assert await checkin_sends(app, alex.id) == []
    assert await store.recent_checkins(alex.id, 10) == []
    assert await store.get_user(alex.id) is None
    clock.advance(timedelta(days=7))
    assert (await tick(app))["sent"] == 0


async def test_retention_removes_old_sends_and_checkins(
    app: App, clock: ManualClock, alex: Person
) -> None:
    await agree(alex, days="mon,tue,wed,thu,fri,sat,sun", time="10:00")
    await run_until(app, clock, datetime(2026, 3, 4, 12, 0, tzinfo=UTC), timedelta(hours=1))
    store = services(app).db
    assert len(await checkin_sends(app, alex.id)) >= 3
    clock.advance(timedelta(days=366))  # the bot was off for a year
    outcome = await tick(app)
    assert outcome["clock"] == 1  # a jump: nothing is purged until the new time is confirmed
    assert len(await checkin_sends(app, alex.id)) >= 3
    await store.see_clock(clock.now())  # the administrator confirms: between doctor --accept-clock
    await tick(app)
    remaining = await checkin_sends(app, alex.id)
    assert all(s.due_at > clock.now() - timedelta(days=365) for s in remaining)
    cutoff = clock.now() - timedelta(days=365)
    assert all(r.started_at > cutoff for r in await store.recent_checkins(alex.id, 10))
    # After the long gap the next check-in is planned from now, not a year of them one by one.
    checkins = [s for s in remaining if s.kind == "checkin"]
    assert [s.status for s in checkins] == ["planned"]
    assert checkins[0].due_at > clock.now()
    # A year without a word from Alex: she is told her account will go unless she writes.
    assert [s.slot.split("@")[0] for s in remaining if s.kind == "notice"] == ["retention.idle"]


async def test_a_lost_plan_is_rebuilt_for_everyone_at_start(
    settings: Settings, catalog: Catalog, clock: ManualClock, api: FakeBotAPI
) -> None:
    first = build_application(settings, catalog, clock=clock, request=api, polling=False)
    async with running(first):
        people = [Person(first, api, 400 + i, f"C{i}") for i in range(5)]
        for person in people:
            await agree(person, days="mon", time="10:00")
        await services(first).db.db.execute("DELETE FROM sends")
    second = build_application(settings, catalog, clock=clock, request=api, polling=False)
    async with running(second):
        for person in people:
            sends = await services(second).db.sends(person.id)
            assert [(s.status, s.due_at) for s in sends] == [
                ("planned", datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
            ]


async def test_a_client_who_blocks_and_comes_back_gets_check_ins_again(
    app: App, api: FakeBotAPI, clock: ManualClock, alex: Person
) -> None:
    await agree(alex, days="mon,tue,wed,thu,fri,sat,sun", time="10:00")
    await alex.feed(api.member_status(alex.id, "kicked"))
    assert [s.status for s in await checkin_sends(app, alex.id)] == ["cancelled"]
    await run_until(app, clock, datetime(2026, 3, 2, 12, 0, tzinfo=UTC), timedelta(hours=1))
    assert checkins_received(api, alex.id) == 0
    await alex.feed(api.member_status(alex.id, "member"))
    await run_until(app, clock, datetime(2026, 3, 3, 11, 0, tzinfo=UTC), timedelta(hours=1))
    assert checkins_received(api, alex.id) == 1

"""Erasure and export follow the schema's list of what holds a person's id or words.

``bot/storage/personal.py`` lists every table and column; these tests walk the live schema
against it, then erase people after a full round of conversations and look for them everywhere.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from bot.app import App
from bot.core import my_data
from bot.core.clock import ManualClock
from bot.core.i18n import Catalog
from bot.core.model import ShareDraft
from bot.core.waits import Wait, WaitKind
from bot.standin import FakeBotAPI
from bot.storage.personal import ERASE, EXTRA, SCHEMA, Holds
from bot.storage.postgres.db import PgDatabase
from bot.storage.store import SqliteStore
from tests.conftest import Person, link_code, make_staff, services
from tests.test_delivery import run_until
from tests.test_logs import (
    CLIENT,
    CLIENT_ID,
    NOTE,
    NUDGE,
    PEER,
    PEER_ID,
    REPLY,
    _press_starting,
)

WRITTEN = "canary message cornflower"


async def _live_schema(store: SqliteStore) -> dict[str, list[str]]:
    """Every table and its columns, as the database itself lists them (SQLite or PostgreSQL;
    PostgreSQL's ``rowid`` stands for SQLite's hidden one)."""
    if isinstance(store.db, PgDatabase):
        live: dict[str, list[str]] = {}
        for row in await store.db.fetchall(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_name <> 'rowid'"
        ):
            live.setdefault(row["table_name"], []).append(row["column_name"])
        return live
    tables = await store.db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {
        row["name"]: [c["name"] for c in await store.db.fetchall(f"PRAGMA table_info({row[0]})")]
        for row in tables
        if not row["name"].startswith("sqlite_")
    }


async def test_every_table_and_column_has_a_rule(store: SqliteStore) -> None:
    live = await _live_schema(store)
    assert sorted(live) == sorted(SCHEMA), "a table without a rule in bot/storage/personal.py"
    for table, columns in live.items():
        assert sorted(columns) == sorted(SCHEMA[table].columns), f"{table}: columns differ"
    for table, rule in SCHEMA.items():
        if not rule.personal or table == "key_check":
            continue
        assert rule.erase or rule.forget_copies or rule.via, f"{table}: no erase rule"
        assert rule.export or rule.extra, f"{table}: holds a person's data but is not exported"
        if rule.via:
            assert rule.via in SCHEMA, f"{table}: erased with {rule.via}, which does not exist"


async def test_every_erase_and_export_statement_runs_on_the_live_schema(
    store: SqliteStore,
) -> None:
    await store.add_client(7, 7, "Alex", "en", services_now())
    for statement in ERASE:
        await store.db.execute(statement, {"id": 7})
    for _, query in EXTRA:
        await store.db.fetchall(query, {"id": 7})
    assert await store.get_user(7) is None


def services_now() -> Any:
    from tests.conftest import START

    return START


async def _everything(store: SqliteStore) -> list[tuple[str, str, Holds, object]]:
    """Every value of every personal column, words decrypted."""
    found: list[tuple[str, str, Holds, object]] = []
    for table, rule in SCHEMA.items():
        for column, hold in rule.columns.items():
            if hold is Holds.NOTHING or table == "key_check":
                continue
            for row in await store.db.fetchall(
                f"SELECT {column} AS v FROM {table} WHERE {column} IS NOT NULL"
            ):
                value = row["v"]
                if isinstance(value, bytes):
                    value = store._cipher.decrypt(value)
                found.append((table, column, hold, value))
    return found


CLIENT_WORDS = ("plumtree", "marigold", "cornflower")  # Alex's note, reply and message
PEER_WORDS = ("quillfeather",)  # Sam's nudge


async def _traces(
    store: SqliteStore, person_id: int, name: str, words: tuple[str, ...]
) -> list[str]:
    """Where the database still holds this person's id, name or words."""
    traces = []
    for table, column, hold, value in await _everything(store):
        text = str(value)
        if hold is Holds.PERSON and (value == person_id or str(person_id) in text.split(",")):
            traces.append(f"{table}.{column} = {value!r}")
        elif name.split()[0] in text:
            traces.append(f"{table}.{column} names them: {text[:60]!r}")
        elif hold is Holds.WORDS and any(word in text for word in words):
            traces.append(f"{table}.{column} holds the round's words: {text[:60]!r}")
    return traces


async def _round(app: App, api: FakeBotAPI) -> tuple[Person, Person]:
    """Alex joins Sam's team, writes a note and shares it, writes to Sam, gets a nudge and
    replies; Sam looks at Alex's page in /clients."""
    sam = await make_staff(app, api, PEER_ID, PEER, "peer")
    alex = Person(app, api, CLIENT_ID, CLIENT)
    await alex.send(f"/start {link_code(await sam.send('/invite'))}")
    await alex.press(f"Accept {PEER}")
    await alex.press("That's fine")
    await alex.send(NOTE)
    await alex.send("/share")
    await _press_starting(alex, "Note")
    await alex.press("See what would be sent")
    await alex.press(f"{PEER} (peer supporter)")
    await alex.press(f"Share with {PEER}")
    await alex.send("/team")
    await alex.press(PEER)
    await _press_starting(alex, "Write to")
    await alex.send(WRITTEN)
    await alex.press(f"Send to {PEER}")
    assert WRITTEN in api.messages(sam.id)[-1].body
    await sam.send("/nudge")
    await sam.press(CLIENT)
    await sam.press("Now")
    await sam.send(NUDGE)
    await sam.press("Send")
    scheduler = services(app).scheduler
    assert scheduler is not None
    await scheduler.tick()
    await alex.press(f"Reply to {PEER}")
    await alex.send(REPLY)
    await alex.press(f"Send to {PEER}")
    await sam.send("/clients")
    await sam.press(CLIENT)
    return alex, sam


def _in_chat(api: FakeBotAPI, chat_id: int, words: str) -> list[Any]:
    return [m for m in api.messages(chat_id, include_deleted=True) if words in m.body]


async def test_a_client_who_erases_leaves_no_id_name_or_word_and_their_words_leave_the_team(
    app: App, api: FakeBotAPI, clock: ManualClock
) -> None:
    alex, sam = await _round(app, api)
    store = services(app).db
    assert await _traces(store, alex.id, CLIENT, CLIENT_WORDS)  # the round left traces to look for

    await alex.send("/delete")
    await alex.press("Erase everything")

    assert await _traces(store, alex.id, CLIENT, CLIENT_WORDS) == []
    # Everything Alex's words became in Sam's chat is gone: the share, the message, the reply,
    # and Alex's page from /clients.
    for words in (NOTE, WRITTEN, REPLY):
        copies = _in_chat(api, sam.id, words)
        assert copies and all(m.deleted for m in copies), words
    pages = [
        m for m in api.messages(sam.id, include_deleted=True) if m.body.startswith(f"{CLIENT}\n")
    ]
    assert pages and all(m.deleted for m in pages)
    # Sam keeps his own account, and nothing of Alex.
    assert await store.get_user(sam.id) is not None


async def test_a_member_who_erases_leaves_no_trace_and_takes_no_client_words_along(
    app: App, api: FakeBotAPI, clock: ManualClock
) -> None:
    alex, sam = await _round(app, api)
    store = services(app).db

    await sam.send("/delete")
    await sam.press("Erase everything")
    # Alex is told that Sam left; the notice names Sam until it is delivered.
    await run_until(app, clock, clock.now() + timedelta(days=1), timedelta(hours=1))
    told = [m.body for m in api.messages(alex.id)]
    assert any(body.startswith(f"{PEER} is no longer in your team") for body in told)

    assert await _traces(store, sam.id, PEER, PEER_WORDS) == []
    for words in (NOTE, WRITTEN, REPLY):
        copies = _in_chat(api, sam.id, words)
        assert copies and all(m.deleted for m in copies), words
    # Alex keeps her own words: her note, and her messages in her history, without Sam's name.
    assert [n.text for n in await store.notes(alex.id)] == [NOTE]
    mine = [r for r in await store.relays(alex.id) if not r.to_client]
    assert {r.body for r in mine} >= {WRITTEN, REPLY}
    assert {r.member_name for r in mine} == {""}
    # Sam's nudge went with Sam.
    assert not [r for r in await store.relays(alex.id) if r.to_client]


async def test_removing_a_member_takes_back_the_client_s_messages_in_their_chat(
    app: App, api: FakeBotAPI, clock: ManualClock
) -> None:
    alex, sam = await _round(app, api)
    await alex.send("/team")
    await alex.press(PEER)
    await alex.press(f"Remove {PEER}")
    await alex.press(f"Remove {PEER}")
    assert alex.last().body == (
        f"{PEER} is no longer in your team. I took back what you shared with them or wrote to "
        "them."
    )
    for words in (NOTE, WRITTEN, REPLY):
        copies = _in_chat(api, sam.id, words)
        assert copies and all(m.deleted for m in copies), words
    # Alex keeps everything of her own.
    store = services(app).db
    assert [n.text for n in await store.notes(alex.id)] == [NOTE]


async def test_copies_older_than_two_days_are_replaced_by_a_line(
    app: App, api: FakeBotAPI, clock: ManualClock
) -> None:
    alex, sam = await _round(app, api)
    clock.advance(
        timedelta(days=3)
    )  # Telegram no longer lets a bot delete them: their words are replaced
    await alex.send("/delete")
    await alex.press("Erase everything")
    for words in (NOTE, WRITTEN, REPLY):
        assert not [m for m in api.messages(sam.id) if words in m.body], words
    taken = [m.body for m in api.messages(sam.id)]
    assert f"{CLIENT} took back the messages they wrote here." in taken
    assert f"{CLIENT} withdrew what they shared here." in taken


async def test_my_data_holds_every_kind_of_row_kept_about_a_person(
    app: App, api: FakeBotAPI, clock: ManualClock
) -> None:
    alex, sam = await _round(app, api)
    *_, data = await alex.send("/mydata")
    assert data.document is not None
    exported = json.loads(data.document["content"])
    assert [e["kind"] for e in exported["contact_log"]]  # when the bot wrote, or will
    assert [i["yours"] for i in exported["invites"]] == ["opened"]
    *_, data = await sam.send("/mydata")
    assert data.document is not None
    theirs = json.loads(data.document["content"])
    assert [i["yours"] for i in theirs["invites"]] == ["made"]
    assert theirs["staff_invite"][0]["name"] == PEER
    bodies = {m["body"] for m in theirs["messages_with_your_clients"]}
    assert {NUDGE, WRITTEN, REPLY} <= bodies  # what they wrote, and what Alex wrote to them
    assert [p["client"] for p in theirs["client_pages_shown"]] == [CLIENT]
    # Alex sees that her page was shown to Sam, and when.
    assert [p["shown_to"] for p in exported["your_page_shown"]] == [PEER]
    assert "your_page_shown" not in theirs


async def _sent_through_the_inbox(store: SqliteStore, *people: Person) -> None:
    """Updates of each person as the inbox keeps them: two handled (their words gone, their id
    and times kept a while) and one still being handled."""
    now = services_now().isoformat()
    for offset, person in enumerate(people):
        first = 900_000 + 10 * offset
        sealed = store._cipher.encrypt(WRITTEN)
        await store.db.execute(
            "INSERT INTO inbox (update_id, user_id, body, received_at, done_at) VALUES "
            "(:first, :id, NULL, :now, :now), (:first + 1, :id, NULL, :now, :now), "
            "(:first + 2, :id, :sealed, :now, NULL)",
            {"first": first, "id": person.id, "now": now, "sealed": sealed},
        )


async def _everything_else(store: SqliteStore, alex: Person, sam: Person) -> None:
    """What the round leaves out: a check-in, a plan, a draft, a refusal, waits for words."""
    now = services_now()
    checkin = await store.start_checkin(alex.id, "checkin", now)
    await store.add_answer(checkin.id, "mood", "hard", None, "least", now)
    await store.set_plan_part(alex.id, "helps", "walking", now)
    await store.save_share_draft(alex.id, ShareDraft(("n1",), (sam.id,), "my words"), now)
    await store.set_no_nudges(alex.id, sam.id, True, now)
    # A copy of someone close's words that reached Sam too (kept so it can be taken back).
    words = await store.add_relay(alex.id, sam.id, "Jo", "reflection", "worried", now)
    await store.update_relay(words, status="sent")
    await store.add_relay_copy(words, sam.id, sam.id, 77, now)
    later = now + timedelta(minutes=30)
    await store.set_wait(alex.id, Wait(WaitKind.PLAN, "avoid", now, later))
    await store.set_wait(sam.id, Wait(WaitKind.NUDGE_WHEN, str(alex.id), now, later))


def _entries(value: object) -> int:
    """How many rows a section of the export shows: one per entry, one for a single record."""
    if value is None or value == [] or value == {}:
        return 0
    return len(value) if isinstance(value, list) else 1


async def _erasable(store: SqliteStore, table: str, person_id: int) -> int:
    """How many of the table's rows ``/delete`` would delete for the person and are theirs to
    see (not another person's own)."""
    rule = SCHEMA[table]
    rowids: set[int] = set()
    for statement in rule.erase:
        deleted = re.fullmatch(rf"DELETE FROM {table} WHERE (.+)", statement, re.DOTALL)
        if deleted is None:  # an UPDATE: the row stays, without the person
            continue
        query = f"SELECT rowid FROM {table} WHERE ({deleted[1]})"
        if rule.others_own:
            query += f" AND NOT ({rule.others_own})"
        rowids |= {row[0] for row in await store.db.fetchall(query, {"id": person_id})}
    return len(rowids)


async def test_my_data_shows_every_row_erasure_would_delete(
    app: App, api: FakeBotAPI, clock: ManualClock
) -> None:
    alex, sam = await _round(app, api)
    store = services(app).db
    await _sent_through_the_inbox(store, alex, sam)
    await _everything_else(store, alex, sam)
    covered: set[str] = set()
    for person in (alex, sam):
        user = await store.get_user(person.id)
        assert user is not None
        # What /mydata sends, without the command itself (a command ends a wait for words).
        exported = await services(app).persons.export(user)
        for table, rule in SCHEMA.items():
            erasable = await _erasable(store, table, person.id)
            shown = sum(_entries(exported.get(section)) for section in rule.sections)
            assert shown >= erasable, f"{table}: {erasable} rows of {person.name}, {shown} shown"
            covered |= {table} if erasable else set()
        handled = [entry["handled"] for entry in exported["messages_received"]]
        assert [when is None for when in handled] == [False, False, True]  # the last, not yet
        assert WRITTEN not in json.dumps(exported["messages_received"])  # never the words
    # Every table with rows to erase had some here: a new one must show up too.
    assert covered == {
        t for t, rule in SCHEMA.items() if any(s.startswith("DELETE") for s in rule.erase)
    }


def test_every_section_of_the_schema_has_a_heading_in_the_export() -> None:
    named = [section for rule in SCHEMA.values() for section in rule.sections]
    assert set(named) == set(my_data.SECTIONS)
    catalog = Catalog.load()
    for section in named:
        assert catalog.get("en", f"mydata.part_{section}")


async def test_staff_removed_from_the_command_line_leave_the_client_able_to_withdraw(
    store: SqliteStore,
) -> None:
    from datetime import timedelta as _td

    from bot.core import usecases
    from bot.core.model import Role
    from tests.conftest import START

    await store.add_client(7, 7, "Alex", "en", START)
    code = await usecases.create_staff_invite(store, Role.PEER, "Sam", START, _td(hours=24))
    await usecases.redeem_staff_code(store, code, 301, 301, "en", START)
    share_id = await store.add_share(7, ["n1"], "my words", [(301, "Sam", 301)], START)
    await store.add_share_message(share_id, 301, 55)

    assert await store.remove_staff(301) is not None  # between staff remove: no Telegram

    (share,) = await store.shares(7)
    assert [(r.name, r.chat_id) for r in share.recipients] == [("Sam", 301)]
    assert await store.share_messages(share_id) == [(301, 55)]  # a withdrawal still reaches it

"""Different people are served concurrently; each person's updates keep their order."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.app import App
from bot.standin import FakeBotAPI
from tests.conftest import Person, services

SAVED = "Saved. Only you can see this."
UNKNOWN = "I don't know that command. /help shows what I can do."


def _kinds(texts: list[str]) -> list[str]:
    return ["note" if t == SAVED else "unknown" if t == UNKNOWN else "other" for t in texts]


async def test_interleaved_updates_keep_each_persons_order_and_run_concurrently(
    app: App, api: FakeBotAPI, alex: Person, blair: Person
) -> None:
    await alex.send("/start")
    await blair.send("/start")
    base = {p.id: len(api.messages(p.id)) for p in (alex, blair)}
    api.latency = 0.005  # a slow Telegram: every request takes a round trip
    api.reset_calls()

    # Each person sends 50 updates: notes and unknown commands in a person-specific pattern,
    # so both the stored order and the order of the replies can be checked.
    expected: dict[int, list[str]] = {alex.id: [], blair.id: []}
    sent_notes: dict[int, list[str]] = {alex.id: [], blair.id: []}
    updates = []
    for i in range(50):
        for person in (alex, blair):
            if (i + person.id) % 3 == 0:
                updates.append(api.text(person.id, f"/nope{i}"))
                expected[person.id].append("unknown")
            else:
                updates.append(api.text(person.id, f"{person.id} note {i}"))
                expected[person.id].append("note")
                sent_notes[person.id].append(f"{person.id} note {i}")
    for update in updates:
        await app.update_queue.put(Update.de_json(update, app.bot))
    for person in (alex, blair):
        await api.wait_for_messages(person.id, base[person.id] + 50, timeout=30)
    await app.update_queue.join()

    for person in (alex, blair):
        replies = [m.body for m in api.messages(person.id)[base[person.id] :]]
        assert _kinds(replies) == expected[person.id]
        notes = [n.text for n in await services(app).db.notes(person.id)]
        assert notes == sent_notes[person.id]


async def test_one_persons_burst_does_not_hold_up_another(
    app: App, api: FakeBotAPI, alex: Person, blair: Person
) -> None:
    await alex.send("/start")
    await blair.send("/start")
    api.latency = 0.005
    for i in range(30):
        await app.update_queue.put(Update.de_json(api.text(alex.id, f"a{i}"), app.bot))
    await app.update_queue.put(Update.de_json(api.text(blair.id, "b"), app.bot))
    await api.wait_for_messages(blair.id, len(api.messages(blair.id)) + 1, timeout=10)
    # Blair's one update came last, yet its reply arrived while Alex's thirty were still being
    # worked through one after another: the two people were served concurrently. Handled one
    # update at a time, Blair's reply would come after all of Alex's.
    done_for_alex = len([m for m in api.messages(alex.id) if m.body == SAVED])
    assert done_for_alex < 30
    await asyncio.wait_for(app.update_queue.join(), 30)


async def test_one_persons_flood_never_holds_up_anothers_helpnow(
    app: App, api: FakeBotAPI, alex: Person, blair: Person
) -> None:
    await alex.send("/start")
    await blair.send("/start")
    before = len(api.messages(alex.id))
    api.latency = 0.002  # every request takes a moment, as over a network
    for i in range(300):  # one person's flood, all fetched at once
        await app.update_queue.put(Update.de_json(api.text(alex.id, f"note {i}"), app.bot))
    await app.update_queue.put(Update.de_json(api.text(blair.id, "/helpnow"), app.bot))
    await api.wait_for_messages(blair.id, len(api.messages(blair.id)) + 1, timeout=30)
    assert "so please reach out to a person" in api.last(blair.id).body  # the card
    # The card came while nearly all of the flood still waited for its answers.
    assert len(api.messages(alex.id)) - before < 30
    await api.wait_for_messages(alex.id, before + 300, timeout=60)
    assert [n.text for n in await services(app).db.notes(alex.id)] == [
        f"note {i}" for i in range(300)
    ]

"""Long words: a plan part, a nudge or a message longer than it may be is told, kept when it
is a client's, and never answered with the apology; the longest plan's card always fits."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.core.i18n import Catalog
from bot.core.lengths import MAX_TEXT, MESSAGE_MAX, PLAN_PART_MAX, utf16_len
from bot.core.model import CrisisPlan
from bot.core.safety import Contact, crisis_card
from bot.standin import FakeBotAPI
from tests.conftest import Person, services, with_sam

APOLOGY = "Sorry, something went wrong"


def _words(units: int) -> str:
    """Text of exactly ``units`` UTF-16 units, with emoji (two units each) and accents."""
    piece = "Ça va 🙂 "  # 10 units
    text = (piece * (units // len(piece.encode("utf-16-le")) * 2 + 2))[: units * 2]
    while utf16_len(text) > units:
        text = text[:-1]
    return text + "x" * (units - utf16_len(text))


async def test_a_plan_part_too_long_is_kept_as_a_note_and_asked_for_again(
    app: App, alex: Person
) -> None:
    await alex.send("/helpnow")
    await alex.press("Write my plan")
    long = _words(PLAN_PART_MAX + 1)
    (said,) = await alex.send(long)
    assert said.body == (
        "That is more than one part of the plan can hold (1000 characters). I kept your words "
        "as a private note. Please send a shorter version for the plan."
    )
    db = services(app).db
    assert [n.text for n in await db.notes(alex.id)] == [long]
    assert await db.crisis_plan(alex.id) is None
    sent = await alex.send("My sister Jo")  # the question still waits for the shorter one
    assert sent[-1].body.startswith("Part 2 of 3")


@pytest.mark.parametrize("language", ["de", "en", "nl"])
def test_the_longest_plan_gives_a_card_that_fits_in_every_language(
    catalog: Catalog, language: str
) -> None:
    # Add each new catalog to the parameters above.
    assert set(catalog.languages) == {"de", "en", "nl"}

    def part(name: str) -> str:
        return f"{name}-begins " + _words(PLAN_PART_MAX - 2 * len(name) - 14) + f" {name}-ends"

    contacts = [Contact(f"Line {i}", "0800 000 000", "day and night") for i in range(12)]
    plan = CrisisPlan(contacts=part("who"), helps=part("helps"), avoid=part("avoid"))
    assert all(
        utf16_len(getattr(plan, p)) == PLAN_PART_MAX for p in ("contacts", "helps", "avoid")
    )
    messages = crisis_card(catalog, language, "112", contacts, plan)
    assert all(utf16_len(m) <= MAX_TEXT for m in messages)
    joined = "".join(messages)
    for name in ("who", "helps", "avoid"):  # every part is there, whole
        assert f"{name}-begins" in joined and f"{name}-ends" in joined
    assert "Line 11: 0800 000 000" in joined


async def test_a_nudge_too_long_for_one_message_is_refused_with_the_limit(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    sam = await with_sam(app, api, alex)
    await alex.press("That's fine")
    await sam.send("/nudge")
    await sam.press("Alex")
    await sam.press("Now")
    (said,) = await sam.send(_words(MESSAGE_MAX + 1))
    assert said.body == (
        "That is too long for one message (3000 characters at most). Please send a shorter "
        "message."
    )
    longest = _words(MESSAGE_MAX)
    shown = await sam.send(longest)
    assert not any(APOLOGY in m.body for m in shown)
    await sam.press("Send")
    scheduler = services(app).scheduler
    assert scheduler is not None
    await scheduler.tick()
    assert longest in alex.last().body


async def test_a_client_message_too_long_is_kept_as_a_note_and_a_shorter_one_goes(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    sam = await with_sam(app, api, alex)
    await alex.press("That's fine")
    await alex.send("/team")
    await alex.press("Sam")
    await alex.press("Write to Sam")
    long = _words(MESSAGE_MAX + 500)
    (said,) = await alex.send(long)
    assert said.body.startswith("That is too long for one message (3000 characters at most).")
    assert "I kept your words as a private note." in said.body
    assert [n.text for n in await services(app).db.notes(alex.id)] == [long]
    longest = _words(MESSAGE_MAX)
    await alex.send(longest)
    await alex.press("Send to Sam")
    assert longest in api.messages(sam.id)[-1].body

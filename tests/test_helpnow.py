"""The path to help: /helpnow, the menu button, and the risk-phrase safety net."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import App
from bot.core.clock import ManualClock
from bot.core.i18n import Catalog
from bot.core.safety import RiskPhrases
from tests.conftest import Person, services


async def test_helpnow_shows_the_configured_contacts(alex: Person) -> None:
    (card,) = await alex.send("/helpnow")
    assert "Samaritans (24 hours): 116 123" in card.body
    assert "call 999" in card.body
    assert "not watched in real time" in card.body


async def test_menu_button_shows_the_same_card(alex: Person) -> None:
    await alex.send("/start")
    sent = await alex.press("I need help now")
    assert "116 123" in sent[-1].body


async def test_helpnow_works_when_the_database_does_not(app: App, alex: Person) -> None:
    await alex.send("/start")
    store = services(app).db
    await store.close()
    path = services(app).settings.database_path
    path.write_bytes(b"this is not a database" * 100)
    path.chmod(0)
    try:
        sent = await alex.send("/helpnow")
    finally:
        path.chmod(0o600)
    assert "116 123" in sent[-1].body
    assert "call 999" in sent[-1].body


async def test_the_help_button_and_words_of_crisis_get_the_card_when_the_database_fails(
    app: App, alex: Person
) -> None:
    await alex.send("/start")
    await services(app).db.close()  # the database goes away under the bot
    for sent in (await alex.press("I need help now"), await alex.send("I want to die")):
        assert sent[0].body.startswith("Sorry, something went wrong on my side")
        card = "\n".join(m.body for m in sent[1:])
        assert "116 123" in card and "call 999" in card
    (only,) = await alex.send("What a day")  # an ordinary note: the apology alone
    assert only.body.startswith("Sorry, something went wrong on my side")


async def test_a_note_with_a_risk_phrase_is_answered_with_the_card_itself(
    alex: Person,
) -> None:
    await alex.send("/start")
    card, kept = await alex.send("Honestly I can’t go on like this")
    assert kept.body == "I kept what you wrote as a private note. Only you can see it."
    # The card itself, contacts first, and no promise that anyone is watching.
    assert "116 123" in card.body
    assert card.body.index("116 123") < card.body.index("Your own plan")
    assert "not watched" in card.body
    assert "Saved" not in card.body


@pytest.mark.parametrize(
    "text", ["I cant do this anymore", "everyone would be better off without me", "Suicidal"]
)
async def test_the_bundled_phrases_catch_everyday_wording(alex: Person, text: str) -> None:
    await alex.send("/start")
    sent = await alex.send(text)
    assert "116 123" in sent[0].body  # the card first


async def test_an_ordinary_note_offers_nothing(alex: Person) -> None:
    await alex.send("/start")
    (reply,) = await alex.send("Went for a walk, it helped")
    assert reply.buttons() == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("I want to DIE", True),
        ("i want   to die", True),
        ("Thinking about suicide.", True),
        ("I can't go on", True),
        ("I can’t go on", True),
        ("i cant go on like this", True),
        ("I CAN'T GO ON", True),
        ("studied suicidology", False),
        ("my plants want to dienstag", False),
        ("", False),
    ],
)
def test_risk_phrases_match_whole_words_ignoring_case(text: str, found: bool) -> None:
    matcher = RiskPhrases(["want to die", "suicide", "can't go on"])
    assert matcher.found_in(text) is found


def test_crisis_card_lists_every_contact_and_the_plan(catalog: Catalog) -> None:
    from bot.core.model import CrisisPlan
    from bot.core.safety import Contact, crisis_card

    plan = CrisisPlan(contacts="Jo, 0700 000", helps=None, avoid="Being told to calm down")
    (card,) = crisis_card(
        catalog, "en", "112", [Contact("Line A", "1"), Contact("Line B", "2", "nights")], plan
    )
    assert "• Line A: 1" in card and "• Line B: 2 (nights)" in card
    assert "call 112" in card
    assert card.rstrip().endswith(
        "Who to contact: Jo, 0700 000\nWhat doesn't help: Being told to calm down"
    )


async def test_a_plan_part_typed_after_the_question_is_kept_in_the_plan(
    app: App, alex: Person
) -> None:
    await alex.send("/helpnow")
    asked = await alex.press("Write my plan")
    assert "part 1 of 3" in asked[-1].body
    sent = await alex.send("My sister Jo, 0612 345 678")
    assert sent[-1].body.startswith("Part 2 of 3")
    plan = await services(app).db.crisis_plan(alex.id)
    assert plan is not None and plan.contacts == "My sister Jo, 0612 345 678"


async def test_words_typed_long_after_write_my_plan_are_a_note_not_the_plan(
    app: App, alex: Person, clock: ManualClock
) -> None:
    await alex.send("/helpnow")
    await alex.press("Write my plan")
    clock.advance(timedelta(days=30))
    sent = await alex.send("Went for a walk today")
    assert sent[-1].body == "Saved. Only you can see this."
    assert await services(app).db.crisis_plan(alex.id) is None
    notes = await services(app).db.notes(alex.id)
    assert [n.text for n in notes] == ["Went for a walk today"]


async def test_a_command_ends_the_question_so_later_words_are_a_note(
    app: App, alex: Person
) -> None:
    await alex.send("/helpnow")
    await alex.press("Write my plan")
    await alex.send("/help")
    await alex.send("Slept badly")
    assert await services(app).db.crisis_plan(alex.id) is None
    assert [n.text for n in await services(app).db.notes(alex.id)] == ["Slept badly"]

"""The person with the least energy first: every screen within its limit, counting every
button; crisis words answered the same at every capacity; every need named leads to a person
or to the client's own words, never only to "Saved"."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.core.checkin_screens import CAPACITY_SCREEN, capacity_screen, screen_limit
from bot.core.dialog_loader import load_dialogs
from bot.core.dialog_model import Capacity
from bot.core.dialog_preview import paths, screen_problems, screens
from bot.standin import ChatMessage, FakeBotAPI
from tests.conftest import Person, services, with_sam

DIALOGS = {name: d for name, d in load_dialogs().items() if not d.for_network}  # check-ins
SAVED = "Saved. Only you can see this until you choose to share it."


def labels(message: ChatMessage) -> list[str]:
    return [label for label, _ in message.buttons()]


def with_buttons(api: FakeBotAPI, person: Person) -> list[ChatMessage]:
    return [m for m in api.messages(person.id) if m.buttons()]


# --- every screen, every dialog, every capacity ----------------------------------------------


@pytest.mark.parametrize("name", sorted(DIALOGS))
@pytest.mark.parametrize("capacity", list(Capacity))
def test_every_screen_of_a_checkin_stays_within_its_capacity(
    name: str, capacity: Capacity
) -> None:
    dialog = DIALOGS[name]
    limit = screen_limit(capacity)
    assert limit == {Capacity.LEAST: 4, Capacity.MIDDLE: 5, Capacity.MOST: 7}[capacity]
    shown = 0
    for way in paths(dialog, capacity):
        for say, _, _ in screens(dialog, capacity, None, way):
            assert len(say.choices) <= limit, (name, capacity, say)
            shown += 1
    assert shown  # the walk saw screens: a test that cannot pass by seeing nothing
    for later in (False, True):
        assert len(capacity_screen(dialog, 1, later=later).choices) == CAPACITY_SCREEN
    assert screen_problems(dialog) == []


# --- Alex at "Very little" ---------------------------------------------------------------


async def test_alex_at_very_little_types_words_of_crisis_and_gets_the_card_first(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    await with_sam(app, api, alex)
    await alex.send("/checkin")
    await alex.press("Very little")
    sent = await alex.send("I cant go on")
    card, kept = sent[0], sent[-1]
    assert card.body.startswith("If you need help now") and "116 123" in card.body
    assert labels(sent[-2]) == [
        "Ask Sam to get in touch",
        "Write my plan",
        "Go on with the check-in",
        "Stop here",
    ]
    assert kept.body == "I kept what you wrote as a private note. Only you can see it."
    # The question above lost its buttons: the card is the one open decision.
    assert with_buttons(api, alex)[-1].message_id == sent[-2].message_id
    assert [n.text for n in await services(app).db.notes(alex.id)] == ["I cant go on"]
    resumed = await alex.press("Go on with the check-in")
    assert resumed[-1].body.startswith("1 of 2\nHow are things for you right now?")
    assert labels(resumed[-1]) == ["Okay", "Hard", "I don't know", "Not now"]


async def test_alex_at_very_little_can_stop_after_words_of_crisis(app: App, alex: Person) -> None:
    await alex.send("/start")
    await alex.send("/checkin")
    await alex.press("Very little")
    await alex.press("Hard")
    await alex.send("everyone would be better off without me")
    ended = await alex.press("Stop here")
    assert ended[-1].body == "That's okay. What you answered is saved, and only you can see it."
    record = (await services(app).db.recent_checkins(alex.id, 1))[0]
    assert record.status == "declined" and record.answer_values == {"mood": "hard"}


async def test_alex_at_very_little_says_hard_and_nobody_and_is_offered_sam(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    sam = await with_sam(app, api, alex)
    await alex.send("/checkin")
    await alex.press("Very little")
    await alex.press("Hard")
    sent = await alex.press("Nobody")
    step = sent[-1]
    assert step.body == (
        "Sam (peer supporter) from your team can get in touch with you. Would you like that?"
    )
    assert labels(step) == ["Ask Sam to get in touch", "Go on"]
    assert SAVED not in step.body
    preview = await alex.press("Ask Sam to get in touch")
    await alex.press(labels(preview[-1])[0])  # "Send to Sam"
    assert any("Please call me" in m.body for m in api.messages(sam.id))
    assert alex.last().body == SAVED  # only after the person was asked


async def test_alex_at_very_little_would_rather_not_talk_about_something(
    app: App, alex: Person
) -> None:
    await alex.send("/start")
    await alex.send("/agenda")
    await alex.press("Very little")
    await alex.press("How I'm doing")
    sent = await alex.press("Yes, there is")
    assert sent[-1].body == (
        "That's fine. I've noted that there's something you'd rather leave out. "
        "Only you can see this."
    )
    assert "type" not in sent[-1].body.lower()  # nothing asks to type at the least
    assert labels(sent[-1]) == ["Go on"]
    await alex.press("Go on")
    assert alex.last().body.startswith("Saved.")
    again = await alex.send("/agenda")
    assert "• Something you'd rather not talk about (" in again[-1].body


async def test_at_some_energy_what_to_leave_out_is_kept_in_the_clients_words(
    app: App, alex: Person
) -> None:
    await alex.send("/start")
    await alex.send("/agenda")
    await alex.press("Some")
    await alex.press("My medicine")
    sent = await alex.press("Yes, there is")
    assert sent[-1].body.startswith("That's fine. What would you rather not talk about?")
    sent = await alex.send("My brother")
    assert sent[0].body.startswith("I've saved what you wrote: “My brother”")
    assert await services(app).db.notes(alex.id) == []
    while alex.last().buttons():
        await alex.press(labels(alex.last())[0])
    again = await alex.send("/agenda")
    assert "• Rather not talk about: My brother (" in again[-1].body


async def test_asking_less_counts_what_is_left(alex: Person) -> None:
    await alex.send("/start")
    await alex.send("/checkin")
    await alex.press("Plenty")
    await alex.press("Okay")
    await alex.press("Not now")
    sent = await alex.press("This is too much")
    assert sent[-1].body.startswith("Okay, I'll ask less: at most 1 more.\n\n3 of 3\n")


async def test_not_now_at_some_energy_shows_the_ways_out_and_back(alex: Person) -> None:
    await alex.send("/start")
    await alex.send("/checkin")
    question = alex.last()
    assert labels(question) == ["Very little", "Some", "Plenty", "Not now"]
    await alex.press("Some")
    asked = alex.last()
    await alex.press("Not now")
    assert labels(asked) == ["Stop for now", "This is too much", "Back to the question"]
    await alex.press("Back to the question")  # the answers again, in the same message
    assert labels(asked) == ["Okay", "Up and down", "Hard", "I don't know", "Not now"]

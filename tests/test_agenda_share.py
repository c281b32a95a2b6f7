"""Sharing the agenda for the next meeting (issue 22, point 3), through the real stack (PTB, the
SQLite store, the stand-in): what the client wants to talk about and what they would rather
not, in their own words, with the words of someone close only as the client put them on it
(and whose they are); seen exactly first, sent only to the people picked, withdrawn like any
share. "Share my agenda" ends getting ready for a meeting (/agenda)."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.core.actions.share import ToggleItem
from bot.standin import ChatMessage, FakeBotAPI
from bot.tg.codec import encode
from tests.conftest import Person, join, make_staff, services, speaking
from tests.test_nudge import _tick
from tests.test_reflections import WORRY, _network

FROM_ALEX = "From Alex, shared with you on 2 March 2026:\n\n"
TITLE = "My agenda for the next meeting (last changed on 2 March 2026)"


def labels(message: ChatMessage) -> list[str]:
    return [label for label, _ in message.buttons()]


def toast(api: FakeBotAPI) -> str:
    return str(list(api.callback_answers.values())[-1]["text"])


async def _team(app: App, api: FakeBotAPI, alex: Person) -> tuple[Person, Person]:
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    sam = await make_staff(app, api, 301, "Sam", "peer")
    await alex.send("/start")
    await join(kim, alex)
    await join(sam, alex)
    return kim, sam


async def _decide(alex: Person, words: str) -> None:
    """A check-in in which Alex puts something to decide on the agenda, in their words."""
    await alex.send("/checkin")
    await alex.press("Some")
    await alex.press("Okay")
    await alex.press("My team")
    await alex.press("Something to decide")
    await alex.press("Put it on the agenda")
    sent = await alex.send(words)
    assert sent[-1].body.startswith("It's on the agenda for your next meeting, in your words:")


def _agenda_label(message: ChatMessage) -> str:
    (label,) = [label for label in labels(message) if "Everything on my agenda" in label]
    return label


async def test_alex_shares_their_agenda_from_the_end_of_getting_ready(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim, sam = await _team(app, api, alex)
    await _decide(alex, "Whether to stop the evening pill")
    await alex.send("/agenda")
    await alex.press("Some")
    await alex.press("My medicine")
    sent = await alex.press("Yes, there is")
    assert sent[-1].body.startswith("That's fine. What would you rather not talk about?")
    await alex.send("my brother")
    end = (await alex.press("Fewer people"))[-1]
    assert end.body.endswith("Saved. Only you can see this until you choose to share it.")
    assert labels(end) == ["Share my agenda"]

    (menu,) = await alex.press("Share my agenda")
    assert labels(menu)[0] == "✓ Agenda 2 Mar: Everything on my agenda"
    assert "Chosen: 1" in menu.body
    (preview,) = await alex.press("See what would be sent")
    assert preview.body == (
        f"{FROM_ALEX}{TITLE}\n"
        "What would you like to talk about at your next meeting?\nMy medicine\n\n"
        "Is there anything you would rather not talk about at the meeting?\nYes, there is\n\n"
        "Who would you like to be at the meeting?\nFewer people\n\n"
        "I'd like to talk about:\n• Whether to stop the evening pill\n\n"
        "I'd rather not talk about:\n• my brother"
    )
    before = {p.id: len(api.messages(p.id)) for p in (kim, sam)}
    await alex.press("Dr Kim (clinician)")
    sent = await alex.press("Share with Dr Kim")
    assert sent[-1].body.startswith("Shared with Dr Kim. Only they can see it.")
    (delivered,) = api.messages(kim.id)[before[kim.id] :]
    assert delivered.body == preview.body
    assert len(api.messages(sam.id)) == before[sam.id]
    (share,) = await services(app).db.shares(alex.id)
    ((ref, kind),) = [item.split(":") for item in share.items]
    assert ref.startswith("a") and kind == "agenda"

    await alex.send("/share")
    (history,) = await alex.press("What I've shared")
    assert "• 2 March 2026, with Dr Kim: Agenda" in history.body
    await alex.press("Withdraw 2 Mar (Dr Kim)")
    await alex.press("Withdraw it")
    assert delivered.deleted
    await kim.send("/clients")
    (view,) = await kim.press("Alex")
    assert "my brother" not in view.body


async def test_someone_closes_words_are_there_only_as_alex_put_them_on_the_agenda(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim, sam, jo = await _network(app, api, alex)
    await jo.send(WORRY)
    await jo.press("Send to Alex")
    await jo.press("Send")
    await _tick(app)
    await alex.press("Let's talk about this at the meeting")
    await jo.send("Something Alex keeps to herself")
    await jo.press("Send to Alex")
    await jo.press("Send")
    await _tick(app)

    (menu,) = await alex.send("/share")
    await alex.press(_agenda_label(menu))
    (preview,) = await alex.press("See what would be sent")
    assert (
        preview.body == f"{FROM_ALEX}{TITLE}\nI'd like to talk about:\n• What Jo wrote: “{WORRY}”"
    )
    assert "keeps to herself" not in preview.body
    before = len(api.messages(sam.id))
    await alex.press("Sam (peer supporter)")
    await alex.press("Share with Sam")
    assert api.messages(sam.id)[before:][-1].body == preview.body
    assert not any("keeps to herself" in m.body for m in api.messages(kim.id))


async def test_an_agenda_that_changed_is_never_sent_unseen(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim, _ = await _team(app, api, alex)
    await _decide(alex, "Whether to stop the evening pill")
    (menu,) = await alex.send("/share")
    old_toggle = dict(menu.buttons())[_agenda_label(menu)]
    await alex.press(_agenda_label(menu))
    (preview,) = await alex.press("See what would be sent")
    await alex.press("Dr Kim (clinician)")
    await _decide(alex, "Moving flat")  # the agenda grows after Alex saw it

    before = len(api.messages(kim.id))
    said, items = await alex.press("Share with Dr Kim")
    assert len(api.messages(kim.id)) == before  # nothing went
    assert said.body.startswith("Something you chose has changed since you saw it")
    assert labels(items)[0].startswith("✓ Agenda 2 Mar: Everything on my agenda")
    assert "Chosen: 1" in items.body
    (again,) = await alex.press("See what would be sent")
    assert again.body.endswith(
        "I'd like to talk about:\n• Whether to stop the evening pill\n• Moving flat"
    )
    # The button of the agenda as it was is old now: a calm word, nothing changes.
    draft = await services(app).db.share_draft(alex.id)
    await alex.press_data(menu.message_id, old_toggle)
    assert toast(api) == "This button is no longer active. Nothing has changed."
    assert await services(app).db.share_draft(alex.id) == draft
    await alex.press_data(menu.message_id, encode(ToggleItem("a0000", 0)))  # forged
    assert await services(app).db.share_draft(alex.id) == draft
    # Ticked, then changed before the preview: the preview shows the agenda as it is now.
    (menu,) = await alex.send("/share")
    await alex.press(_agenda_label(menu))
    await _decide(alex, "A new flat")
    (fresh,) = await alex.press("See what would be sent")
    assert fresh.body.endswith("• Moving flat\n• A new flat")
    await alex.press("Dr Kim (clinician)")
    await alex.press("Share with Dr Kim")
    assert api.messages(kim.id)[-1].body == fresh.body
    assert preview.body != fresh.body


AVOID = {
    "en": ("Share my agenda", "I'd rather not talk about:\n• Something I'd rather not name"),
    "nl": ("Mijn agenda delen", "Waar ik liever niet over praat:\n• Iets wat ik liever niet noem"),
    "de": (
        "Meine Themenliste teilen",
        "Worüber ich lieber nicht sprechen möchte:\n• Etwas, das ich lieber nicht nenne",
    ),
}


@pytest.mark.parametrize("language", sorted(AVOID))
async def test_what_alex_would_rather_not_talk_about_is_labelled_as_such(
    app: App, api: FakeBotAPI, language: str
) -> None:
    """At the least energy nothing asks to type: it is shared as something unnamed."""
    alex, kim = await speaking(app, api, language)

    await alex.send("/agenda")
    for index in (0, 0, 1, 0):  # least energy, the first topic, "Yes, there is", "Go on"
        await alex.press(labels(alex.last())[index])
    button, avoid = AVOID[language]
    assert labels(alex.last()) == [button]
    (menu,) = await alex.press(button)
    assert labels(menu)[0].startswith("✓ ")
    (preview,) = await alex.press(labels(menu)[-2])  # see what would be sent
    assert preview.body.endswith(avoid)
    await alex.press(labels(preview)[0])  # Dr Kim
    await alex.press(labels(alex.last())[1])  # share with Dr Kim
    # Dr Kim reads English: the lines around it are in English, the agenda as Alex saw it.
    delivered = api.messages(kim.id)[-1].body
    assert delivered.startswith("From Alex, shared with you on 2 March 2026:")
    assert delivered.endswith(preview.body.split("\n", 3)[3])

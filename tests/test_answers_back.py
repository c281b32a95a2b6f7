"""What comes back to a client (issue 22, point 2): every share a team member receives offers
"Answer Alex"; "Please call me" offers "I'll call today" / "I'll call tomorrow" / "Write
instead", and the client is told in words, inside their hours; a peer sees what became of
their nudges, as facts."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.standin import ChatMessage, FakeBotAPI
from tests.conftest import Person
from tests.test_nudge import _later, _nudge, _setup, _tick


def _labels(message: ChatMessage) -> list[str]:
    return [label for label, _ in message.buttons()]


async def _share_with_kim(alex: Person, words: str) -> None:
    await alex.send(words)
    await alex.send("/share")
    label = next(label for label in _labels(alex.last()) if label.startswith("Note"))
    await alex.press(label)
    await alex.press("See what would be sent")
    await alex.press("Dr Kim (clinician)")
    await alex.press("Share with Dr Kim")


async def test_a_clinician_answers_what_alex_shared_and_alex_gets_it_in_their_hours(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim, sam = await _setup(app, api, alex)
    kim_before = len(api.messages(kim.id))
    await _share_with_kim(alex, "The new dose makes me dizzy")
    (shared,) = api.messages(kim.id)[kim_before:]
    assert "The new dose makes me dizzy" in shared.body
    assert _labels(shared) == ["Answer Alex"]
    # Sam was not shared with: the button does nothing for Sam.
    await sam.press_data(sam.last().message_id, shared.buttons()[0][1])
    assert not any("Write your answer" in m.body for m in api.messages(sam.id))

    (asked,) = await kim.press("Answer Alex")
    assert asked.body.startswith("Write your answer to Alex.")
    (preview,) = await kim.send("Thank you for telling me. Let's lower it and talk on Thursday.")
    assert "Dr Kim (clinician) answered you:" in preview.body
    await kim.press("Send")
    alex_before = len(api.messages(alex.id))
    await _tick(app)
    (answer,) = api.messages(alex.id)[alex_before:]
    assert answer.body == (
        "Dr Kim (clinician) answered you:\n\n"
        "Thank you for telling me. Let's lower it and talk on Thursday."
    )
    assert _labels(answer)[0] == "Reply to Dr Kim"


async def test_a_withdrawn_share_can_no_longer_be_answered(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim, _ = await _setup(app, api, alex)
    kim_before = len(api.messages(kim.id))
    await _share_with_kim(alex, "Something I regret sharing")
    (shared,) = api.messages(kim.id)[kim_before:]
    data = shared.buttons()[0][1]
    await alex.send("/share")
    await alex.press("What I've shared")
    withdraw = next(label for label in _labels(alex.last()) if label.startswith("Withdraw"))
    await alex.press(withdraw)
    await alex.press("Withdraw it")
    # Its message is gone from Dr Kim's chat; an old copy of the button finds nothing.
    (said,) = await kim.press_data(kim.last().message_id, data)
    assert said.body.startswith("What was shared here is no longer kept")
    assert not any("Write your answer" in m.body for m in api.messages(kim.id))


async def test_please_call_me_is_answered_with_a_day_and_alex_is_told_inside_their_hours(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    """Sunday evening, outside Alex's hours, Dr Kim says "I'll call tomorrow": the preview
    says when Alex will read it, and the words name the day, so they stay true on arrival."""
    kim, _ = await _setup(app, api, alex)
    await _later(app, timedelta(days=6, hours=12))  # Sunday 8 March, 21:00 in London
    await alex.send("/team")
    await alex.press("Dr Kim")
    await alex.press("Ask Dr Kim to get in touch")
    await alex.press("Please call me")
    kim_before = len(api.messages(kim.id))
    await alex.press("Send to Dr Kim")
    (request,) = api.messages(kim.id)[kim_before:]
    assert request.body == "Alex asks: Please call me"
    assert _labels(request) == ["I'll call today", "I'll call tomorrow", "Write instead"]

    (preview,) = await kim.press("I'll call tomorrow")
    assert preview.body.startswith("Alex will see this tomorrow at 09:00")
    assert "I'll call you on Monday, 9 March." in preview.body
    await kim.press("Send")
    alex_before = len(api.messages(alex.id))
    await _tick(app)
    assert api.messages(alex.id)[alex_before:] == []  # not at night
    await _later(app, timedelta(hours=12))  # Monday 09:00
    (told,) = api.messages(alex.id)[alex_before:]
    assert told.body == "Dr Kim (clinician) answered you:\n\nI'll call you on Monday, 9 March."


async def test_write_instead_opens_an_answer_in_words(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim, _ = await _setup(app, api, alex)
    await alex.send("/team")
    await alex.press("Dr Kim")
    await alex.press("Ask Dr Kim to get in touch")
    await alex.press("Please call me")
    await alex.press("Send to Dr Kim")
    (asked,) = await kim.press("Write instead")
    assert asked.body.startswith("Write your answer to Alex.")
    (preview,) = await kim.send("I can't call today; I'll write tonight.")
    assert "I can't call today; I'll write tonight." in preview.body


async def test_a_peer_sees_what_became_of_their_nudges_as_facts(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    _, sam = await _setup(app, api, alex)
    await _nudge(sam, "Now", "Thinking of you")
    await _tick(app)
    (upcoming, _) = await sam.send("/nudge")
    assert upcoming.body.startswith("What became of your nudges of the last two weeks:")
    assert "• To Alex, written 2 March 2026: it arrived." in upcoming.body
    assert "%" not in upcoming.body and "rate" not in upcoming.body
    # Two weeks on, nothing is listed any more.
    await _later(app, timedelta(days=15))
    sent = await sam.send("/nudge")
    assert not any("What became" in m.body for m in sent)

"""A check-in a person can trust, through the real PTB stack and the stand-in: an answer that
names a need is followed by the matching human step, counts never change on the way, "This is
too much" moves on, and the last answer can be changed."""

from __future__ import annotations

import re

from bot.app import App
from bot.core.actions.team import MeetingSlot, MeetingStart
from bot.standin import ChatMessage, FakeBotAPI
from bot.tg.codec import encode
from tests.conftest import Person, join, make_staff, services

SAVED = "Saved. Only you can see this until you choose to share it."


def labels(message: ChatMessage) -> list[str]:
    return [label for label, _ in message.buttons()]


def with_buttons(messages: list[ChatMessage]) -> list[ChatMessage]:
    return [message for message in messages if message.buttons()]


async def hard_and_alone(alex: Person) -> list[ChatMessage]:
    """A check-in with some energy: "Hard", then "Nobody" (a need for contact)."""
    await alex.send("/checkin")
    await alex.press("Some")
    await alex.press("Hard")
    return await alex.press("Nobody")


async def after_the_meeting(alex: Person, capacity: str) -> None:
    """The client starts the questions after a meeting, as under the bot's invitation."""
    await alex.send("/start")
    menu = alex.last()
    await alex.press_data(menu.message_id, encode(MeetingStart(MeetingSlot.AFTER)))
    assert alex.last().body.startswith("After your meeting")
    await alex.press(capacity)


async def test_client_who_needs_to_talk_is_offered_a_named_person(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    await alex.send("/start")
    kim = await make_staff(app, api, 201, "Kim", "clinician")
    sam = await make_staff(app, api, 202, "Sam", "peer")
    await join(kim, alex)
    await join(sam, alex)
    sent = await hard_and_alone(alex)
    (step,) = with_buttons(sent)  # one decision: the human step, not the next question too
    assert step.body == (
        "Sam (peer supporter) from your team can get in touch with you. Would you like that?"
    )
    assert labels(step) == ["Ask Sam to get in touch", "Go on"]
    request = await alex.press("Ask Sam to get in touch")
    assert "Sam will get this request" in request[-1].body
    assert labels(request[-1])[0].startswith("Send")
    sent = await alex.press(labels(request[-1])[0])
    assert any("Please call me" in message.body for message in api.messages(sam.id))
    # The check-in goes on by itself: its next question is the newest message.
    assert sent[-1].body.startswith("3 of 4\nThat sounds hard. What might help a little today?")
    # Asked once per check-in: "Talking to someone" now goes on to the next question.
    sent = await alex.press("Talking to someone")
    assert sent[-1].body.startswith("4 of 4\nIs there something you want to decide or say?")


async def test_client_without_a_team_who_needs_to_talk_is_offered_help_now(
    alex: Person,
) -> None:
    await alex.send("/start")
    sent = await hard_and_alone(alex)
    step = sent[-1]
    assert "Nobody from your care team is linked here yet" in step.body
    assert labels(step) == ["I need help now", "Go on"]
    card = await alex.press("I need help now")
    assert card[-1].body.startswith("If you need help now")
    sent = await alex.press_data(step.message_id, dict(step.buttons())["Go on"])
    assert sent[-1].body.startswith("3 of 4")


async def test_client_with_something_to_say_is_asked_what_it_is(app: App, alex: Person) -> None:
    await alex.send("/checkin")
    await alex.press("Some")
    await alex.press("Okay")
    await alex.press("My team")
    sent = await alex.press("Something to say")
    assert sent[-1].body == "What is it? Type a few words, as many or as few as you like."
    assert labels(sent[-1]) == ["Go on"]
    sent = await alex.send("I want to stop one of my pills")
    assert (
        sent[-1].body == f"I've saved what you wrote: “I want to stop one of my pills”\n\n{SAVED}"
    )
    record = (await services(app).db.recent_checkins(alex.id, 1))[0]
    assert record.status == "done"
    assert ("wish.say", "I want to stop one of my pills") in [
        (a.step_id, a.text) for a in record.answers
    ]
    assert await services(app).db.notes(alex.id) == []  # the words answered, not a note


async def test_client_with_something_to_decide_puts_it_on_the_agenda(
    app: App, alex: Person
) -> None:
    await alex.send("/checkin")
    await alex.press("Some")
    await alex.press("Okay")
    await alex.press("My team")
    sent = await alex.press("Something to decide")
    assert sent[-1].body.startswith("Shall I put this on the agenda for your next meeting?")
    assert labels(sent[-1]) == ["Put it on the agenda", "Go on"]
    sent = await alex.press("Put it on the agenda")
    assert "What would you like to decide? Type a few words" in sent[-1].body
    assert labels(sent[-1]) == ["Go on"]
    sent = await alex.send("Whether to stop the evening pill")
    assert sent[-1].body == (
        "It's on the agenda for your next meeting, in your words: “Whether to stop the evening "
        f"pill”. Only you can see it until you share it.\n\n{SAVED}"
    )
    assert await services(app).db.notes(alex.id) == []  # the decision, not a note
    sent = await alex.send("/agenda")
    assert "On your agenda so far:\n• Whether to stop the evening pill (2 March 2026)" in (
        sent[-1].body
    )
    assert labels(sent[-1])[:3] == ["Very little", "Some", "Plenty"]


async def test_client_who_did_not_feel_heard_is_offered_a_person(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim = await make_staff(app, api, 201, "Kim", "clinician")
    await join(kim, alex)
    await after_the_meeting(alex, "Very little")
    question = alex.last()
    assert labels(question) == ["Yes", "No", "I don't know", "Not now"]
    sent = await alex.press("No")
    assert sent[-1].body.startswith("Kim (clinician) from your team can get in touch with you.")
    assert "Saved" not in sent[-1].body
    sent = await alex.press("Go on")
    assert sent[-1].body.startswith("2 of 2\nWas anything decided that you did not agree with?")


async def test_progress_total_never_changes(alex: Person) -> None:
    await alex.send("/agenda")
    sent = await alex.press("Plenty")
    assert sent[-1].body.startswith("4 questions, about")
    totals = set()
    while alex.last().buttons():
        prompt = alex.last()
        found = re.search(r"(\d+) of (\d+)", prompt.body)
        if found is None:  # a human step
            await alex.press("Go on")
            continue
        totals.add(found[2])
        await alex.press(labels(prompt)[0])
    assert totals == {"4"}
    assert alex.last().body == SAVED


async def test_too_much_moves_on_to_a_lighter_question(app: App, alex: Person) -> None:
    await alex.send("/checkin")
    await alex.press("Plenty")
    await alex.press("Hard")
    await alex.press("Not now")
    sent = await alex.press("This is too much")
    assert sent[-1].body.startswith("Okay, I'll ask less: at most 2 more.\n\n3 of 4\n")
    assert "That sounds hard. What might help a little today?" in sent[-1].body
    assert "Who have you felt most in touch with lately?" not in sent[-1].body
    assert len(labels(sent[-1])) <= 5  # at most 4 answers, then "Not now"
    record = await services(app).db.open_checkin(alex.id)
    assert record is not None and record.capacity == "middle"
    assert record.answer_values == {"mood": "hard", "contact": "skipped"}


async def test_client_changes_their_last_answer(app: App, alex: Person) -> None:
    await alex.send("/checkin")
    await alex.press("Some")
    await alex.press("Okay")
    sent = await alex.press("Change this answer")  # on the answered question above
    assert sent[-1].body.startswith("Okay, choose again.\n\n1 of 4\nHow are things for you")
    assert "Change this answer" not in labels(sent[-1])
    # The question that was being asked lost its buttons: one open question.
    assert len(with_buttons(alex.api.messages(alex.id))) == 1
    sent = await alex.press("Hard")
    assert sent[-1].body.startswith("2 of 4\nWho have you felt most in touch with lately?")
    record = await services(app).db.open_checkin(alex.id)
    assert record is not None and record.answer_values == {"mood": "hard"}
    settled = [m for m in alex.api.messages(alex.id) if m.body.endswith("› Okay")]
    assert settled and settled[0].buttons() == []  # the first answer shows what it was


async def test_change_after_the_checkin_ended_answers_calmly(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    await alex.send("/checkin")
    await alex.press("Very little")
    await alex.press("Okay")
    (last_question,) = [m for m in api.messages(alex.id) if m.body.endswith("› Okay")]
    change = dict(last_question.buttons())["Change this answer"]
    await alex.press("I don't know")
    assert alex.last().body == SAVED
    assert last_question.buttons() == []  # the check-in ended: nothing left to change
    sent = await alex.press_data(last_question.message_id, change)
    assert sent == []
    assert list(api.callback_answers.values())[-1]["text"] == (
        "This check-in has finished. Nothing has changed."
    )
    record = (await services(app).db.recent_checkins(alex.id, 1))[0]
    assert record.answer_values == {"mood": "okay", "contact": "dont_know"}

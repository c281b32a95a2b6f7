"""Check-ins through the real PTB stack and the stand-in: capacity limits, answers kept as given,
dropping capacity, "Not now", old and foreign buttons, the offer of fewer, the crisis plan."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from bot.app import App, build_application, running
from bot.config import Settings
from bot.core.clock import ManualClock
from bot.core.i18n import Catalog
from bot.standin import ChatMessage, FakeBotAPI
from tests.conftest import Person, services

LIMITS = {"least": (3, 2), "middle": (4, 4), "most": (6, 6)}
LEVEL_LABEL = {"least": "Very little", "middle": "Some", "most": "Plenty"}
CONTROLS = ("Not now", "This is too much")


@dataclass(frozen=True)
class Shown:
    """A prompt as the client saw it when it arrived (messages are edited once answered)."""

    body: str
    labels: tuple[str, ...]

    @classmethod
    def of(cls, message: ChatMessage) -> Shown:
        return cls(message.body, tuple(label for label, _ in message.buttons()))

    def buttons(self) -> tuple[str, ...]:
        return self.labels


def answer_options(message: ChatMessage | Shown) -> list[str]:
    """The answer options of a prompt: every button before its "Not now" (at a human step,
    which has no "Not now", only "Go on")."""
    labels = (
        [label for label in Shown.of(message).labels]
        if isinstance(message, ChatMessage)
        else list(message.labels)
    )
    if "Not now" not in labels:
        return ["Go on"]
    return labels[: labels.index("Not now")]


async def run_checkin(
    person: Person, capacity: str, pick: int = 0, command: str = "/checkin"
) -> list[Shown]:
    """Start a check-in, choose ``capacity``, answer every prompt with option ``pick``, and go
    on past any human step offered after an answer that names a need."""
    start = await person.send(command)
    question = start[-1]
    assert [label for label, _ in question.buttons()][:3] == ["Very little", "Some", "Plenty"]
    prompts: list[Shown] = []
    sent = await person.press(LEVEL_LABEL[capacity])
    for _ in range(20):
        current = Shown.of(sent[-1])
        if not current.labels:
            return prompts
        if "Not now" not in current.labels:  # a human step, in the next question's place
            assert "Go on" in current.labels
            sent = await person.press("Go on")
            continue
        prompts.append(current)
        options = answer_options(current)
        if options:
            sent = await person.press(options[min(pick, len(options) - 1)])
        else:  # a question that only takes words
            sent = await person.send("In my own words")
    raise AssertionError("the check-in did not end")


@pytest.mark.parametrize("command", ["/checkin", "/agenda"])
@pytest.mark.parametrize("capacity", ["least", "middle", "most"])
@pytest.mark.parametrize("pick", [0, 1, 2])
async def test_a_checkin_stays_within_its_capacity(
    app: App, alex: Person, capacity: str, pick: int, command: str
) -> None:
    await alex.send("/start")
    prompts = await run_checkin(alex, capacity, pick, command)
    most_options, most_prompts = LIMITS[capacity]
    assert 1 <= len(prompts) <= most_prompts
    for index, prompt in enumerate(prompts, start=1):
        options = answer_options(prompt)
        assert len(options) <= most_options
        if not options:
            assert capacity == "most" and "Type a few words" in prompt.body
        labels = list(prompt.labels)
        assert labels.count("Not now") == 1 and labels[-1] == "Not now"
        assert len(labels) <= most_options + 1  # every button on the screen counts
        assert all(re.search(r"[A-Za-z]", label) for label in labels)  # words, not only emoji
        assert f"{index} of " in prompt.body  # progress is shown
        assert "Change this answer" not in labels  # it is on the answered question above
        assert "This is too much" not in labels  # it is behind "Not now"
        if capacity == "least":
            assert "type" not in prompt.body.lower()  # free text is not asked at least
        unsure = ("I don't know", "I'm not sure", "Rather not say")
        assert any(option.startswith(unsure) for option in options)
    assert re.search(r"\d+ questions?, about", prompts[0].body)  # the cost, said up front
    totals = {re.search(r"\d+ of (\d+)", prompt.body)[1] for prompt in prompts}  # type: ignore[index]
    assert len(totals) == 1  # progress never changes its total on the way
    assert alex.last().body.endswith("Saved. Only you can see this until you choose to share it.")
    record = (await services(app).db.recent_checkins(alex.id, 1))[0]
    assert record.status == "done" and record.capacity == capacity
    assert len([a for a in record.answers if "." not in a.step_id]) == len(prompts)


async def test_agenda_opens_the_meeting_preparation(app: App, alex: Person) -> None:
    sent = await alex.send("/agenda")
    assert sent[-1].body.startswith("Getting ready for your next meeting")
    record = await services(app).db.open_checkin(alex.id)
    assert record is not None and record.dialog == "meeting_prep"


async def test_fewer_is_offered_after_checkins_let_pass(alex: Person) -> None:
    await alex.send("/start")
    for _ in range(3):
        await alex.send("/checkin")  # each new one closes the unanswered one before it
    await alex.press("Not now")
    assert "Would fewer check-ins suit you better" in alex.last().body


async def test_the_most_capacity_offers_more_than_the_least(alex: Person) -> None:
    await alex.send("/start")
    least = await run_checkin(alex, "least")
    most = await run_checkin(alex, "most")
    assert len(most) > len(least)
    assert sum(len(answer_options(p)) for p in most) > sum(len(answer_options(p)) for p in least)


async def test_each_answer_is_kept_the_moment_it_is_given(app: App, alex: Person) -> None:
    await alex.send("/checkin")
    await alex.press("Some")
    await alex.press("Okay")
    record = await services(app).db.open_checkin(alex.id)
    assert record is not None
    assert record.answer_values == {"mood": "okay"}
    # The answered question shows the choice, and one small button to change it.
    settled = [m for m in alex.api.messages(alex.id) if "› Okay" in m.body]
    assert settled and [label for label, _ in settled[0].buttons()] == ["Change this answer"]


async def test_typed_words_answer_a_question_that_invites_them(app: App, alex: Person) -> None:
    await alex.send("/checkin")
    await alex.press("Plenty")
    sent = await alex.send("Honestly a bit tired")
    assert "2 of" in sent[-1].body  # the next question followed
    record = await services(app).db.open_checkin(alex.id)
    assert record is not None
    (answer,) = record.answers
    assert (answer.step_id, answer.value, answer.text) == ("mood", "text", "Honestly a bit tired")
    assert await services(app).db.notes(alex.id) == []


async def test_typed_words_at_the_least_capacity_become_a_private_note(
    app: App, alex: Person
) -> None:
    await alex.send("/checkin")
    await alex.press("Very little")
    sent = await alex.send("just tired")
    assert sent[-1].body == "Saved. Only you can see this."
    record = await services(app).db.open_checkin(alex.id)
    assert record is not None and record.answers == ()
    assert [n.text for n in await services(app).db.notes(alex.id)] == ["just tired"]


async def test_this_is_too_much_asks_less_and_never_twice(app: App, alex: Person) -> None:
    await alex.send("/checkin")
    await alex.press("Plenty")
    await alex.press("Up and down")
    await alex.press("Not now")  # the ways out, in the question's place
    assert [label for label, _ in alex.last().buttons()] == [
        "Stop for now",
        "This is too much",
        "Back to the question",
    ]
    sent = await alex.press("This is too much")
    assert sent[-1].body.startswith("Okay, I'll ask less")
    seen_steps = []
    while alex.last().buttons():
        prompt = alex.last()
        seen_steps.append(prompt.body)
        assert len(answer_options(prompt)) <= 4
        await alex.press(answer_options(prompt)[0])
    record = (await services(app).db.recent_checkins(alex.id, 1))[0]
    assert record.capacity == "middle"
    steps = [a.step_id for a in record.answers]
    assert len(steps) == len(set(steps)) and steps[0] == "mood"
    assert all("How are things" not in body for body in seen_steps)


async def test_not_now_closes_kindly_and_keeps_what_was_answered(app: App, alex: Person) -> None:
    await alex.send("/checkin")
    await alex.press("Some")
    await alex.press("Hard")
    await alex.press("Not now")
    sent = await alex.press("Stop for now")
    assert sent[-1].body == "That's okay. What you answered is saved, and only you can see it."
    record = (await services(app).db.recent_checkins(alex.id, 1))[0]
    assert record.status == "declined" and record.answer_values == {"mood": "hard"}


async def test_not_now_on_the_first_question_costs_nothing(app: App, alex: Person) -> None:
    await alex.send("/checkin")
    sent = await alex.press("Not now")
    assert sent[-1].body == "That's okay. I'm here when you want."
    assert "miss" not in sent[-1].body


async def test_a_double_press_records_nothing_twice(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    await alex.send("/checkin")
    await alex.press("Some")
    question = alex.last()
    data = dict(question.buttons())["Okay"]
    await alex.press_data(question.message_id, data)
    before = len(api.messages(alex.id))
    again = await alex.press_data(question.message_id, data)
    assert again == [] and len(api.messages(alex.id)) == before
    assert "saved already" in list(api.callback_answers.values())[-1]["text"]
    record = await services(app).db.open_checkin(alex.id)
    assert record is not None and len(record.answers) == 1


async def test_buttons_of_a_finished_checkin_change_nothing(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    await alex.send("/checkin")
    capacity_question = alex.last()
    buttons = capacity_question.buttons()
    await run_checkin_from_capacity(alex, "Very little")
    assert len(buttons) == 4
    for label, data in buttons:
        new = await alex.press_data(capacity_question.message_id, data)
        assert new == [], label
    assert "finished" in list(api.callback_answers.values())[-1]["text"]
    records = await services(app).db.recent_checkins(alex.id, 5)
    assert [r.status for r in records] == ["done"]


async def run_checkin_from_capacity(person: Person, label: str) -> None:
    await person.press(label)
    while person.last().buttons():
        await person.press(answer_options(person.last())[0])


async def test_another_persons_callback_data_changes_nothing(
    app: App, api: FakeBotAPI, alex: Person, blair: Person
) -> None:
    await alex.send("/checkin")
    await alex.press("Some")
    alex_question = alex.last()
    await blair.send("/start")
    blair_menu = blair.last()
    for _, data in alex_question.buttons():
        sent = await blair.press_data(blair_menu.message_id, data)
        assert sent == []
    record = await services(app).db.open_checkin(alex.id)
    assert record is not None and record.answers == ()
    assert await services(app).db.open_checkin(blair.id) is None


@pytest.mark.parametrize(
    "data",
    ["ca:1:99:0:abcd", "ca:1:0:99:abcd", "ca:1:0:0:0000", "cc:1:huge", "ca:x", "cl:1", "cc:1"],
)
async def test_forged_checkin_data_changes_nothing(
    app: App, api: FakeBotAPI, alex: Person, data: str
) -> None:
    await alex.send("/checkin")
    await alex.press("Very little")
    question = alex.last()
    sent = await alex.press_data(question.message_id, data)
    assert sent == []
    record = await services(app).db.open_checkin(alex.id)
    assert record is not None and record.answers == () and record.capacity == "least"


async def test_a_restart_in_the_middle_of_a_checkin_loses_nothing(
    settings: Settings, catalog: Catalog, clock: ManualClock, api: FakeBotAPI
) -> None:
    first = build_application(settings, catalog, clock=clock, request=api, polling=False)
    async with running(first):
        alex = Person(first, api, 101)
        await alex.send("/checkin")
        await alex.press("Some")
        await alex.press("Okay")
    second = build_application(settings, catalog, clock=clock, request=api, polling=False)
    async with running(second):
        alex = Person(second, api, 101)
        while alex.last().buttons():
            await alex.press(answer_options(alex.last())[0])
        record = (await services(second).db.recent_checkins(alex.id, 1))[0]
        assert record.status == "done"
        assert record.answers[0].value == "okay"


async def test_fewer_checkins_are_offered_once_after_several_at_the_least(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    await alex.send("/start")
    for _ in range(2):
        await run_checkin(alex, "least")
        assert "fewer" not in alex.last().body.lower()
    await alex.send("/checkin")
    await alex.press("Not now")
    offer = alex.last()
    assert "Would fewer check-ins suit you better" in offer.body
    assert "missed" not in offer.body and "streak" not in offer.body
    sent = await alex.press("Fewer check-ins")
    assert "less often" in (sent[-1].body if sent else alex.last().body)
    user_row = await services(app).db.db.fetchone(
        "SELECT checkin_pace FROM users WHERE id = ?", (alex.id,)
    )
    assert user_row is not None and user_row[0] == "fewer"
    await run_checkin(alex, "least")
    assert "fewer" not in alex.last().body.lower()  # offered once only


async def test_a_risky_typed_answer_offers_help_before_the_next_question(alex: Person) -> None:
    await alex.send("/checkin")
    await alex.press("Plenty")
    sent = await alex.send("I want to die")
    assert sent[-1].body.startswith("If you need help now")
    assert [label for label, _ in sent[-1].buttons()] == [
        "Write my plan",
        "Go on with the check-in",
        "Stop here",
    ]
    assert not any("2 of" in message.body for message in sent)  # no question beside the card
    sent = await alex.press("Go on with the check-in")
    assert sent[-1].body.startswith("2 of 4\nWho have you felt most in touch with lately?")


async def test_the_client_writes_a_crisis_plan_that_the_card_then_shows(
    app: App, alex: Person
) -> None:
    await alex.send("/start")
    await alex.send("/helpnow")
    await alex.press("Write my plan")
    await alex.send("My sister Jo, 0700 000 000")
    await alex.press("Skip this part")
    sent = await alex.send("Being told to calm down")
    assert sent[-1].body.startswith("Your plan is saved. Only you can see it.")
    (card,) = [m for m in await alex.send("/helpnow")]
    assert "Who to contact: My sister Jo, 0700 000 000" in card.body
    assert "What doesn't help: Being told to calm down" in card.body
    assert "What helps" not in card.body
    assert [label for label, _ in card.buttons()] == ["Change my plan"]
    assert await services(app).db.notes(alex.id) == []  # plan words are not notes


async def test_stopping_the_plan_keeps_what_was_written(app: App, alex: Person) -> None:
    await alex.send("/helpnow")
    await alex.press("Write my plan")
    await alex.send("Call Sam")
    await alex.press("Stop here")
    (reply,) = await alex.send("this is a note now")
    assert reply.body == "Saved. Only you can see this."
    plan = await services(app).db.crisis_plan(alex.id)
    assert plan is not None and plan.contacts == "Call Sam" and plan.helps is None


async def test_staff_have_no_checkins(app: App, api: FakeBotAPI, clock: ManualClock) -> None:
    from datetime import timedelta

    from bot.core import usecases
    from bot.core.model import Role

    code = await usecases.create_staff_invite(
        services(app).db, Role.CLINICIAN, "Kim", clock.now(), timedelta(hours=1)
    )
    kim = Person(app, api, 201, "Kim")
    await kim.send(f"/start {code}")
    (reply,) = await kim.send("/checkin")
    assert reply.body == "This command isn't available for your account."


async def test_mydata_has_every_answer_and_the_plan(app: App, alex: Person) -> None:
    import json

    await alex.send("/checkin")
    await alex.press("Plenty")
    await alex.send("tired but okay")
    await alex.send("/helpnow")
    await alex.press("Write my plan")
    await alex.send("Call Jo")
    await alex.press("Stop here")
    sent = await alex.send("/mydata")
    assert "Check-ins: 1" in sent[0].body
    document = sent[-1].document
    assert document is not None
    data = json.loads(document["content"])
    (checkin,) = data["checkins"]
    assert checkin["answers"][0] == {
        "question": "mood",
        "answer": "text",
        "words": "tired but okay",
        "answered": checkin["answers"][0]["answered"],
    }
    assert data["crisis_plan"]["who_to_contact"] == "Call Jo"

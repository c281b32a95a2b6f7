"""Old buttons in the chats of people who left a team, and updates from group chats: answered
calmly, nothing shown or changed."""

from __future__ import annotations

import logging

import pytest
from telegram import Update

from bot.app import App
from bot.standin import FakeBotAPI
from tests.conftest import Person, join, make_staff, services

GROUP = {"id": -100123, "type": "group", "title": "Family"}
SORRY = "Sorry, something went wrong"


async def _press_everything(person: Person) -> list[str]:
    """Press every button ever shown to ``person``; what the bot said back."""
    said: list[str] = []
    shown = [
        (m.message_id, data) for m in person.api.messages(person.id) for _, data in m.buttons()
    ]
    for message_id, data in shown:
        said += [m.body for m in await person.press_data(message_id, data)]
    return said


async def test_a_removed_clinician_pressing_old_buttons_changes_nothing(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    kim = await make_staff(app, api, 201, "Dr Kim", "clinician")
    await alex.send("/start")
    await join(kim, alex)
    await kim.send("/clients")
    await kim.press("Alex")
    await alex.send("/team")
    await alex.press("Dr Kim")
    await alex.press("Remove Dr Kim")
    await alex.press("Remove Dr Kim")
    to_alex = len(api.messages(alex.id))
    answers = len(api.callback_answers)
    said = await _press_everything(kim)
    # Every press is answered, calmly; Alex hears nothing of it; Kim is still not in the team.
    assert len(api.callback_answers) > answers
    assert not any(SORRY in body for body in said)
    assert len(api.messages(alex.id)) == to_alex
    assert await services(app).db.team_role(alex.id, kim.id) is None


async def test_a_removed_peer_pressing_old_nudge_buttons_sends_nothing(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    sam = await make_staff(app, api, 301, "Sam", "peer")
    await alex.send("/start")
    await alex.press("That's fine")
    await join(sam, alex)
    await sam.send("/nudge")
    await alex.send("/team")
    await alex.press("Sam")
    await alex.press("Remove Sam")
    await alex.press("Remove Sam")
    before = len(api.messages(alex.id))
    said = await _press_everything(sam)
    assert not any(SORRY in body for body in said)
    relays = await services(app).db.relays(alex.id)
    assert all(r.status in ("draft", "cancelled") for r in relays)
    scheduler = services(app).scheduler
    assert scheduler is not None
    await scheduler.tick()
    assert len(api.messages(alex.id)) == before


async def test_a_button_pressed_in_a_group_shows_nothing_there(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    await alex.send("/helpnow")
    await alex.press("Write my plan")
    await alex.send("Call my sister Jo on 0612345678")
    update = api.press(alex.id, 1, "m:help")
    update["callback_query"]["message"]["chat"] = GROUP  # type: ignore[index]
    api.calls.clear()
    await app.process_update(Update.de_json(update, app.bot))
    # Only the press is answered (without words); nothing is sent anywhere, the plan least of all.
    assert [method for method, _ in api.calls] == ["answerCallbackQuery"]
    assert "text" not in api.calls[0][1]


async def test_being_removed_from_a_group_leaves_the_client_reachable(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    await alex.send("/start")
    update = api.member_status(alex.id, "member")
    payload = update["my_chat_member"]
    payload["chat"] = GROUP  # type: ignore[index]
    payload["new_chat_member"]["status"] = "left"  # type: ignore[index]
    await app.process_update(Update.de_json(update, app.bot))
    user = await services(app).db.get_user(alex.id)
    assert user is not None and user.unreachable_at is None


async def test_a_first_contact_from_a_group_makes_nobody(app: App, api: FakeBotAPI) -> None:
    jo = Person(app, api, 401, "Jo")
    update = api.press(jo.id, 1, "m:help")
    update["callback_query"]["message"]["chat"] = GROUP  # type: ignore[index]
    await app.process_update(Update.de_json(update, app.bot))
    assert await services(app).db.get_user(jo.id) is None
    assert api.messages(GROUP["id"]) == []  # type: ignore[arg-type]


@pytest.mark.parametrize("data", ["", None], ids=["empty", "missing"])
async def test_a_press_without_data_is_answered_without_a_word_and_changes_nothing(
    app: App, api: FakeBotAPI, alex: Person, caplog: pytest.LogCaptureFixture, data: str | None
) -> None:
    caplog.set_level(logging.DEBUG)
    await alex.send("/start")
    jo = Person(app, api, 401, "Jo")  # never wrote: a press must not make an account either
    for person in (alex, jo):
        update = api.press(person.id, 1, "m:help")
        if data is None:
            del update["callback_query"]["data"]  # type: ignore[attr-defined]
        else:
            update["callback_query"]["data"] = data  # type: ignore[index]
        api.calls.clear()
        caplog.clear()
        await app.process_update(Update.de_json(update, app.bot))
        assert [method for method, _ in api.calls] == ["answerCallbackQuery"]
        assert "text" not in api.calls[0][1]
        assert [r.getMessage() for r in caplog.records if r.levelno > logging.DEBUG] == []
    assert await services(app).db.get_user(jo.id) is None

"""The first client surface through the real PTB stack: /start, /help, odd input, old buttons."""

from __future__ import annotations

import logging

import pytest
from telegram import Update

from bot.app import App
from bot.core.clock import ManualClock
from bot.standin import FakeBotAPI
from tests.conftest import Person, services


async def test_start_welcomes_plainly_and_says_what_the_bot_is_not(alex: Person) -> None:
    sent = await alex.send("/start")
    text = "\n".join(m.body for m in sent)
    assert "Nobody sees what you write here until you choose to share it" in text
    assert "not watched by anyone in real time" in text
    assert "not an emergency service" in text
    assert "/helpnow" in text
    assert "/delete" in text and "/pause" in text
    assert "not end-to-end encrypted" in text
    labels = [label for label, _ in sent[-1].buttons()]
    assert "I need help now" in labels


async def test_start_again_does_not_repeat_the_welcome(alex: Person) -> None:
    await alex.send("/start")
    again = await alex.send("/start")
    assert len(again) == 1
    assert again[0].body.startswith("Welcome back, Alex")


async def test_first_message_of_any_kind_gets_the_welcome_and_is_kept(
    app: App, alex: Person
) -> None:
    sent = await alex.send("I just want to write this down")
    assert "not an emergency service" in sent[0].body
    assert sent[-1].body == "Saved. Only you can see this."
    notes = await services(app).db.notes(alex.id)
    assert [n.text for n in notes] == ["I just want to write this down"]


async def test_help_lists_what_works(alex: Person) -> None:
    await alex.send("/start")
    (reply,) = await alex.send("/help")
    assert "/helpnow" in reply.body and "/mydata" in reply.body and "/settings" in reply.body
    assert "emergency" in reply.body


@pytest.mark.parametrize("command", ["/foo", "/startx", "/HELPME"])
async def test_unknown_command_gets_a_kind_pointer(alex: Person, command: str) -> None:
    await alex.send("/start")
    (reply,) = await alex.send(command)
    assert reply.body == "I don't know that command. /help shows what I can do."


async def test_commands_of_later_work_say_so_and_change_nothing(app: App, alex: Person) -> None:
    await alex.send("/start")
    (reply,) = await alex.send("/nudge")
    assert reply.body == "This command isn't available for your account."
    assert await services(app).db.notes(alex.id) == []


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice"])
async def test_non_text_gets_a_short_kind_reply(api: FakeBotAPI, alex: Person, kind: str) -> None:
    await alex.send("/start")
    (reply,) = await alex.feed(getattr(api, kind)(alex.id))
    assert reply.body.startswith("I can only read text")


async def test_edited_message_keeps_the_first_version(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    await alex.send("/start")
    await alex.send("first words")
    mine = api.messages(alex.id, from_bot=False)[-1]
    (reply,) = await alex.feed(api.edit(alex.id, mine.message_id, "second words"))
    assert "first version" in reply.body
    assert [n.text for n in await services(app).db.notes(alex.id)] == ["first words"]


async def test_an_edited_start_command_is_not_run_again(api: FakeBotAPI, alex: Person) -> None:
    await alex.send("/start")
    mine = api.messages(alex.id, from_bot=False)[-1]
    (reply,) = await alex.feed(api.edit(alex.id, mine.message_id, "/start"))
    assert "first version" in reply.body


@pytest.mark.parametrize(
    "data",
    [
        "x" * 64,
        "\x00\xff garbage",
        "m:nonexistent",
        "del:yes:notanumber",
        "ci:999999:opt",
        "del:",
    ],
)
async def test_garbage_or_unknown_callback_data_is_answered_and_changes_nothing(
    app: App, api: FakeBotAPI, alex: Person, data: str
) -> None:
    await alex.send("/start")
    await alex.send("keep me")
    menu = [m for m in api.messages(alex.id) if m.buttons()][-1]
    before = alex.texts()
    new = await alex.press_data(menu.message_id, data)
    answers = list(api.callback_answers.values())
    assert answers, "every button press gets an answer, so the client's spinner stops"
    assert [n.text for n in await services(app).db.notes(alex.id)] == ["keep me"]
    assert alex.texts()[: len(before)] == before
    assert all("wrong" not in m.body for m in new)


async def test_button_on_a_deleted_message_is_answered(api: FakeBotAPI, alex: Person) -> None:
    await alex.send("/start")
    new = await alex.press_data(999_999, "m:note")
    assert new[-1].body.startswith("Just type your note")
    assert api.callback_answers


async def test_blocking_marks_the_client_unreachable_and_returning_clears_it(
    app: App, api: FakeBotAPI, alex: Person
) -> None:
    await alex.send("/start")
    await alex.feed(api.member_status(alex.id, "kicked"))
    user = await services(app).db.get_user(alex.id)
    assert user is not None and user.unreachable_at is not None
    await alex.feed(api.member_status(alex.id, "member"))
    user = await services(app).db.get_user(alex.id)
    assert user is not None and user.unreachable_at is None


async def test_group_chats_are_ignored(app: App, api: FakeBotAPI) -> None:
    update = api.text(555, "/start")
    update["message"]["chat"] = {"id": -100123, "type": "group", "title": "Family"}  # type: ignore[index]
    await app.process_update(Update.de_json(update, app.bot))
    assert api.messages(-100123) == []


async def test_a_failure_is_logged_without_the_words_and_answered_calmly(
    app: App, alex: Person, caplog: pytest.LogCaptureFixture
) -> None:
    await alex.send("/start")
    await services(app).db.close()  # the database goes away under the bot
    with caplog.at_level(logging.ERROR):
        sent = await alex.send("my secret words")
    assert sent[-1].body.startswith("Sorry, something went wrong on my side")
    assert "my secret words" not in caplog.text
    assert "error handling a message update from p" in caplog.text
    assert "101" not in caplog.text


async def test_bot_keeps_serving_after_odd_input(api: FakeBotAPI, alex: Person) -> None:
    await alex.send("/start")
    await alex.press_data(1, "x" * 64)
    await alex.feed(api.sticker(alex.id))
    (reply,) = await alex.send("still here")
    assert reply.body == "Saved. Only you can see this."


async def test_client_and_staff_get_their_own_command_menus(
    app: App, api: FakeBotAPI, clock: ManualClock
) -> None:
    from datetime import timedelta

    from bot.core import usecases
    from bot.core.model import Role

    default = api.commands[("all_private_chats", None, "")]
    assert [c["command"] for c in default] == [
        "start",
        "menu",
        "checkin",
        "agenda",
        "myweeks",
        "share",
        "team",
        "settings",
        "pause",
        "resume",
        "helpnow",
        "mydata",
        "delete",
        "language",
        "help",
    ]
    code = await usecases.create_staff_invite(
        services(app).db, Role.PEER, "Sam", clock.now(), timedelta(hours=1)
    )
    sam = Person(app, api, 301, "Sam")
    sent = await sam.send(f"/start {code}")
    assert sent[0].body.startswith("Welcome, Sam.")
    assert "peer supporter" in sent[1].body
    assert [c["command"] for c in api.commands[("chat", 301, "")]] == [
        "clients",
        "invite",
        "nudge",
        "helpnow",
        "language",
        "help",
    ]

"""The Bot API stand-in behaves like Telegram when the real PTB stack talks to it."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    ChatMemberBanned,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.core.clock import ManualClock
from bot.standin import FakeBotAPI, utf16_len

os.environ.setdefault("PTB_TIMEDELTA", "1")

ALEX = 42


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in pairs])


@pytest.fixture
def api() -> FakeBotAPI:
    fake = FakeBotAPI()
    fake.add_user(ALEX, first_name="Alex")
    return fake


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot("123:ABC", request=api, get_updates_request=api) as the_bot:
        yield the_bot


async def raw_request(api: FakeBotAPI, method: str, **params: object) -> tuple[int, dict]:
    data = RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])
    code, payload = await api.do_request(f"https://api.telegram.org/bot1:A/{method}", "POST", data)
    return code, json.loads(payload)


async def test_get_me_identifies_the_bot(bot: Bot, api: FakeBotAPI) -> None:
    assert bot.id == 1000
    assert bot.username == "between_bot"
    assert api.calls[0][0] == "getMe"


async def test_send_edit_delete_round_trip(bot: Bot, api: FakeBotAPI) -> None:
    sent = await bot.send_message(ALEX, "Hello", reply_markup=keyboard(("Yes", "y"), ("No", "n")))
    assert isinstance(sent, Message)
    assert sent.text == "Hello"
    assert sent.chat.id == ALEX
    assert sent.from_user is not None and sent.from_user.id == bot.id
    assert sent.reply_markup is not None
    assert api.last(ALEX).buttons() == [("Yes", "y"), ("No", "n")]
    assert api.last(ALEX).rows() == [[("Yes", "y")], [("No", "n")]]

    edited = await bot.edit_message_text("Hello again", chat_id=ALEX, message_id=sent.message_id)
    assert isinstance(edited, Message)
    assert edited.text == "Hello again"
    assert edited.edit_date is not None
    stored = api.last(ALEX)
    assert (stored.text, stored.edit_count) == ("Hello again", 1)
    assert stored.reply_markup is None, "an edit without reply_markup removes the keyboard"

    assert await bot.delete_message(ALEX, sent.message_id) is True
    assert api.messages(ALEX) == []
    assert [m.deleted for m in api.messages(ALEX, include_deleted=True)] == [True]
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(ALEX, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=ALEX, message_id=sent.message_id)
    with pytest.raises(AssertionError, match="no \\(undeleted\\) message"):
        api.last(ALEX)
    assert api.sent_count == 1


async def test_identical_edit_is_not_modified(bot: Bot, api: FakeBotAPI) -> None:
    markup = keyboard(("A", "a"))
    sent = await bot.send_message(ALEX, "Same", reply_markup=markup)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "Same", chat_id=ALEX, message_id=sent.message_id, reply_markup=markup
        )
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(ALEX, sent.message_id, reply_markup=markup)
    await bot.edit_message_reply_markup(ALEX, sent.message_id, reply_markup=keyboard(("B", "b")))
    assert api.last(ALEX).buttons() == [("B", "b")]
    # Same text with another keyboard, or with none, is a modification.
    await bot.edit_message_text(
        "Same", chat_id=ALEX, message_id=sent.message_id, reply_markup=keyboard(("C", "c"))
    )
    await bot.edit_message_text("Same", chat_id=ALEX, message_id=sent.message_id)
    assert api.last(ALEX).buttons() == []
    assert api.last(ALEX).edit_count == 3


async def test_cannot_edit_a_users_message(bot: Bot, api: FakeBotAPI) -> None:
    update = Update.de_json(api.text(ALEX, "hi there"), bot)
    assert update.message is not None
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("no", chat_id=ALEX, message_id=update.message.message_id)


async def test_text_length_is_counted_in_utf16_units(bot: Bot, api: FakeBotAPI) -> None:
    await bot.send_message(ALEX, "x" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ALEX, "x" * 4097)
    emoji = "😀" * 2049  # 2049 characters, 4098 UTF-16 code units
    assert utf16_len(emoji) == 4098
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ALEX, emoji)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(ALEX, "")
    assert api.sent_count == 1


async def test_callback_data_is_limited_to_64_bytes(bot: Bot, api: FakeBotAPI) -> None:
    await bot.send_message(ALEX, "ok", reply_markup=keyboard(("a", "d" * 64)))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(ALEX, "too long", reply_markup=keyboard(("a", "d" * 65)))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(ALEX, "33 x 2 bytes", reply_markup=keyboard(("a", "é" * 33)))
    assert [m.text for m in api.messages(ALEX)] == ["ok"]


async def test_markup_must_be_an_array_of_arrays(api: FakeBotAPI) -> None:
    code, answer = await raw_request(
        api, "sendMessage", chat_id=ALEX, text="x", reply_markup='{"inline_keyboard": [1, 2]}'
    )
    assert code == 400
    assert answer["ok"] is False and answer["error_code"] == 400
    assert "Array of Arrays" in answer["description"]
    code, answer = await raw_request(
        api,
        "sendMessage",
        chat_id=ALEX,
        text="x",
        reply_markup=json.dumps({"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]}),
    )
    assert code == 200
    assert answer["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "b"


async def test_unknown_method_is_404(bot: Bot, api: FakeBotAPI) -> None:
    code, answer = await raw_request(api, "frobnicate")
    assert (code, answer) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("frobnicate")


async def test_forbidden_for_strangers_and_blockers(bot: Bot, api: FakeBotAPI) -> None:
    with pytest.raises(Forbidden, match=r"(?i)bot can't initiate conversation"):
        await bot.send_message(7, "hi")
    Update.de_json(api.text(7, "/start"), bot)
    await bot.send_message(7, "now it works")

    blocked = api.block(ALEX)
    assert blocked is not None
    update = Update.de_json(blocked, bot)
    assert update.my_chat_member is not None
    assert isinstance(update.my_chat_member.new_chat_member, ChatMemberBanned)
    assert update.my_chat_member.new_chat_member.user.id == bot.id
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(ALEX, "hello?")
    api.unblock(ALEX)
    await bot.send_message(ALEX, "welcome back")
    assert [m.text for m in api.messages(ALEX)] == ["welcome back"]


async def test_retry_after_fault(bot: Bot, api: FakeBotAPI) -> None:
    api.fail(kind="retry_after", retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ALEX, "one")
    assert caught.value.retry_after == timedelta(seconds=3)
    assert api.messages(ALEX) == []
    await bot.send_message(ALEX, "two")  # the fault was used up
    assert [m.text for m in api.messages(ALEX)] == ["two"]


async def test_faults_match_method_and_chat(bot: Bot, api: FakeBotAPI) -> None:
    api.add_user(8)
    api.fail("sendMessage", chat_id=ALEX, kind="blocked", times=2)
    await bot.send_message(8, "fine")
    await bot.get_me()
    for _ in range(2):
        with pytest.raises(Forbidden):
            await bot.send_message(ALEX, "nope")
    await bot.send_message(ALEX, "fine now")
    assert api.faults == []


async def test_timeouts_before_and_after_sending(bot: Bot, api: FakeBotAPI) -> None:
    api.fail("sendMessage", kind="timeout")
    with pytest.raises(TimedOut):
        await bot.send_message(ALEX, "lost")
    assert api.messages(ALEX) == []

    api.fail("sendMessage", kind="timeout_after_send")
    with pytest.raises(TimedOut):
        await bot.send_message(ALEX, "delivered anyway")
    assert [m.text for m in api.messages(ALEX)] == ["delivered anyway"]


async def test_network_and_server_faults(bot: Bot, api: FakeBotAPI) -> None:
    api.fail(kind="network")
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(ALEX, "x")
    assert not isinstance(caught.value, TimedOut)
    api.fail(kind="server")
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(ALEX, "x")
    assert api.sent_count == 0


async def test_document_and_photo_content_is_stored(bot: Bot, api: FakeBotAPI) -> None:
    sent = await bot.send_document(ALEX, b"line one\n", filename="notes.txt", caption="Notes")
    assert sent.document is not None and sent.document.file_name == "notes.txt"
    stored = api.last(ALEX)
    assert stored.document is not None
    assert stored.document["content"] == b"line one\n"
    assert stored.document["file_name"] == "notes.txt"
    assert stored.document["mime_type"] == "text/plain"
    assert (stored.caption, stored.body) == ("Notes", "Notes")

    again = await bot.send_document(ALEX, sent.document.file_id)
    assert again.document is not None and again.document.file_id == sent.document.file_id

    photo = await bot.send_photo(ALEX, b"\x89PNG\r\n\x1a\nfake-image", caption="Pic")
    assert photo.photo and photo.caption == "Pic"
    assert api.last(ALEX).photo == b"\x89PNG\r\n\x1a\nfake-image"


async def test_entities_are_kept_and_parse_mode_is_refused(bot: Bot, api: FakeBotAPI) -> None:
    bold = MessageEntity(MessageEntity.BOLD, 0, 2)
    sent = await bot.send_message(ALEX, "Hi & you", entities=[bold])
    assert sent.text == "Hi & you"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 2)]
    assert api.last(ALEX).entities == [{"type": "bold", "offset": 0, "length": 2}]
    # The bot sends plain text: the stand-in parses no markup and says so.
    for mode in ("HTML", "MarkdownV2"):
        with pytest.raises(BadRequest, match=r"(?i)unsupported parse_mode"):
            await bot.send_message(ALEX, "<b>Hi</b>", parse_mode=mode)
    # Telegram ignores parse_mode when entities are given.
    await bot.send_message(ALEX, "*Hi*", parse_mode="MarkdownV2", entities=[bold])
    assert api.last(ALEX).text == "*Hi*"
    photo = await bot.send_photo(ALEX, b"img", caption="Pic", caption_entities=[bold])
    assert [(e.type, e.offset, e.length) for e in photo.caption_entities] == [("bold", 0, 2)]
    with pytest.raises(BadRequest, match=r"(?i)unsupported parse_mode"):
        await bot.edit_message_caption(ALEX, photo.message_id, caption="x", parse_mode="HTML")
    assert [m.body for m in api.messages(ALEX)] == ["Hi & you", "*Hi*", "Pic"]


async def test_text_update_carries_a_command_entity(bot: Bot, api: FakeBotAPI) -> None:
    update = Update.de_json(api.text(ALEX, "/start welcome-42"), bot)
    assert update.message is not None and update.effective_user is not None
    assert update.effective_user.id == ALEX
    entity = update.message.entities[0]
    assert (entity.type, entity.offset, entity.length) == (MessageEntity.BOT_COMMAND, 0, 6)

    async def noop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        return None

    handler = CommandHandler("start", noop)
    assert handler.check_update(update)
    addressed = Update.de_json(api.text(ALEX, "/start@between_bot"), bot)
    assert handler.check_update(addressed)
    assert not handler.check_update(Update.de_json(api.text(ALEX, "start"), bot))
    assert api.messages(ALEX, from_bot=False)[0].text == "/start welcome-42"


async def test_press_builds_a_callback_query(bot: Bot, api: FakeBotAPI) -> None:
    sent = await bot.send_message(ALEX, "Pick", reply_markup=keyboard(("Yes", "yes")))
    first = api.press(ALEX, sent.message_id, "yes")
    second = api.press(ALEX, sent.message_id, "yes")
    assert first["update_id"] < second["update_id"]
    update = Update.de_json(first, bot)
    query = update.callback_query
    assert query is not None and query.data == "yes"
    assert isinstance(query.message, Message)
    assert query.message.message_id == sent.message_id
    assert query.message.text == "Pick"

    assert await query.answer("Saved", show_alert=True) is True
    assert api.callback_answers[query.id]["text"] == "Saved"
    assert api.callback_answers[query.id]["show_alert"] is True
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer()
    with pytest.raises(BadRequest, match=r"(?i)query id is invalid"):
        await bot.answer_callback_query("no-such-query")


async def test_press_on_a_deleted_message_is_inaccessible(bot: Bot, api: FakeBotAPI) -> None:
    sent = await bot.send_message(ALEX, "Pick", reply_markup=keyboard(("Yes", "yes")))
    await bot.delete_message(ALEX, sent.message_id)
    query = Update.de_json(api.press(ALEX, sent.message_id, "yes"), bot).callback_query
    assert query is not None
    # PTB parses it as a Message whose date is 0: only ``is_accessible`` tells.
    assert query.message is not None and query.message.is_accessible is False
    assert query.message.message_id == sent.message_id


async def test_click_presses_the_labelled_button(bot: Bot, api: FakeBotAPI) -> None:
    await bot.send_message(ALEX, "Pick", reply_markup=keyboard(("Yes", "yes"), ("No", "no")))
    query = Update.de_json(api.click(ALEX, "No"), bot).callback_query
    assert query is not None and query.data == "no"
    with pytest.raises(AssertionError, match="Maybe"):
        api.click(ALEX, "Maybe")


async def test_other_user_updates_parse(bot: Bot, api: FakeBotAPI) -> None:
    sticker = Update.de_json(api.sticker(ALEX), bot).message
    photo = Update.de_json(api.photo(ALEX, caption="look"), bot).message
    voice = Update.de_json(api.voice(ALEX), bot).message
    assert sticker is not None and sticker.sticker is not None
    assert photo is not None and photo.photo and photo.caption == "look"
    assert voice is not None and voice.voice is not None
    original = Update.de_json(api.text(ALEX, "typo"), bot).message
    assert original is not None
    edited = Update.de_json(api.edit(ALEX, original.message_id, "fixed"), bot)
    assert edited.edited_message is not None and edited.edited_message.text == "fixed"
    assert [m.kind for m in api.messages(ALEX, from_bot=False)] == [
        "sticker",
        "photo",
        "voice",
        "text",
    ]
    restart = Update.de_json(api.member_status(ALEX, "member"), bot).my_chat_member
    assert restart is not None and restart.new_chat_member.status == "member"


async def test_get_updates_long_poll(bot: Bot, api: FakeBotAPI) -> None:
    api.queue_updates = True
    api.text(ALEX, "one")
    api.text(ALEX, "two")
    updates = await bot.get_updates(timeout=1)
    assert [u.message.text for u in updates if u.message] == ["one", "two"]
    again = await bot.get_updates(offset=updates[0].update_id + 1, timeout=1)
    assert [u.update_id for u in again] == [updates[1].update_id]

    loop = asyncio.get_running_loop()
    started = loop.time()
    empty = await bot.get_updates(
        offset=updates[-1].update_id + 1, timeout=timedelta(seconds=0.05)
    )
    assert empty == ()
    assert loop.time() - started >= 0.04
    assert api.pending_updates == 0

    poll = asyncio.create_task(bot.get_updates(offset=updates[-1].update_id + 1, timeout=5))
    while api.waiting_polls == 0:  # noqa: ASYNC110 - only yields to the loop, no wall clock
        await asyncio.sleep(0)
    api.text(ALEX, "three")
    woken = await asyncio.wait_for(poll, 1)
    assert [u.message.text for u in woken if u.message] == ["three"]


async def test_updates_are_not_queued_unless_asked(bot: Bot, api: FakeBotAPI) -> None:
    api.text(ALEX, "direct")
    assert api.pending_updates == 0
    assert await bot.get_updates(timeout=0) == ()


async def test_real_updater_and_application(api: FakeBotAPI) -> None:
    api.queue_updates = True

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(f"Welcome, args={context.args}")

    app = ApplicationBuilder().token("123:ABC").request(api).get_updates_request(api).build()
    app.add_handler(CommandHandler("start", start))
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0)
        await app.start()
        api.text(ALEX, "/start hello")
        [reply] = await api.wait_for_messages(ALEX, 1)
        await app.updater.stop()
        await app.stop()
    assert reply.text == "Welcome, args=['hello']"
    assert api.pending_updates == 0, "the updater confirmed the update on stop"


async def test_rate_limit_rejects_the_request_past_the_limit(bot: Bot, api: FakeBotAPI) -> None:
    api.rate_limit = 5
    results = await asyncio.gather(
        *(bot.send_message(ALEX, f"m{i}") for i in range(6)), return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, RetryAfter)]
    assert len(refused) == 1
    assert refused[0].retry_after == timedelta(seconds=1)
    assert api.sent_count == 5
    await bot.get_me()  # not a message method: never limited


async def test_random_429_is_reproducible(bot: Bot) -> None:
    async def pattern() -> list[bool]:
        fake = FakeBotAPI(random_429=0.5, seed=7)
        fake.add_user(ALEX)
        outcomes = []
        async with Bot("123:ABC", request=fake, get_updates_request=fake) as other:
            for i in range(20):
                try:
                    await other.send_message(ALEX, str(i))
                    outcomes.append(True)
                except RetryAfter:
                    outcomes.append(False)
        return outcomes

    first, second = await pattern(), await pattern()
    assert first == second
    assert True in first and False in first


async def test_latency_happens_before_the_state_changes(bot: Bot, api: FakeBotAPI) -> None:
    api.latency = 0.01
    sending = asyncio.create_task(bot.send_message(ALEX, "slow"))
    await asyncio.sleep(0)
    assert api.calls[-1][0] == "sendMessage"
    assert api.messages(ALEX) == []
    await sending
    assert [m.text for m in api.messages(ALEX)] == ["slow"]


async def test_wait_for_messages(bot: Bot, api: FakeBotAPI) -> None:
    waiting = asyncio.create_task(api.wait_for_messages(ALEX, 2, timeout=5))
    nxt = asyncio.create_task(api.next_message(ALEX))
    await asyncio.sleep(0)
    await bot.send_message(ALEX, "a")
    assert (await nxt).text == "a"
    assert not waiting.done()
    await bot.send_message(ALEX, "b")
    assert [m.text for m in await waiting] == ["a", "b"]
    with pytest.raises(TimeoutError, match="wanted 3"):
        await api.wait_for_messages(ALEX, 3, timeout=0.01)


async def test_commands_are_stored_per_scope(bot: Bot, api: FakeBotAPI) -> None:
    await bot.set_my_commands([BotCommand("start", "Begin"), BotCommand("help", "Help")])
    await bot.set_my_commands(
        [BotCommand("stop", "Stop")], scope=BotCommandScopeChat(ALEX), language_code="de"
    )
    assert [c["command"] for c in api.commands[("default", None, "")]] == ["start", "help"]
    assert api.commands[("chat", ALEX, "de")] == [{"command": "stop", "description": "Stop"}]
    mine = await bot.get_my_commands(scope=BotCommandScopeChat(ALEX), language_code="de")
    assert [c.command for c in mine] == ["stop"]
    assert await bot.get_my_commands(language_code="fr") == ()
    await bot.delete_my_commands()
    assert ("default", None, "") not in api.commands
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])


async def test_get_chat_and_chat_action(bot: Bot, api: FakeBotAPI) -> None:
    chat = await bot.get_chat(ALEX)
    assert (chat.id, chat.type, chat.first_name) == (ALEX, "private", "Alex")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.get_chat(999)
    assert await bot.send_chat_action(ALEX, "typing") is True
    assert api.chat_actions == [(ALEX, "typing")]


async def test_old_messages_cannot_be_deleted(api: FakeBotAPI) -> None:
    clock = ManualClock()
    api.now = clock.now
    async with Bot("123:ABC", request=api, get_updates_request=api) as bot:
        sent = await bot.send_message(ALEX, "old")
        assert sent.date == clock.now()
        clock.advance(timedelta(hours=48))
        with pytest.raises(BadRequest, match=r"(?i)can't be deleted"):
            await bot.delete_message(ALEX, sent.message_id)


async def test_reset_calls(bot: Bot, api: FakeBotAPI) -> None:
    await bot.send_message(ALEX, "x")
    assert [method for method, _ in api.calls] == ["getMe", "sendMessage"]
    assert api.calls[-1][1]["text"] == "x"
    api.reset_calls()
    assert (api.calls, api.sent_count) == ([], 0)
    assert len(api.messages(ALEX)) == 1


async def test_webhook_blocks_polling_and_drop_pending_updates(bot: Bot, api: FakeBotAPI) -> None:
    api.queue_updates = True
    api.text(ALEX, "old news")
    await bot.set_webhook("https://example.org/hook")
    assert (await bot.get_webhook_info()).pending_update_count == 1
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates(timeout=0)
    await bot.delete_webhook(drop_pending_updates=True)
    assert api.pending_updates == 0
    assert (await bot.get_webhook_info()).url == ""

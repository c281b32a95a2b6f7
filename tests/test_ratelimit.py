"""Pacing towards Telegram: replies before bulk sends, 429s waited out and retried."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from telegram.error import RetryAfter
from telegram.ext import ExtBot

from bot.standin import FakeBotAPI
from bot.tg.ratelimit import BULK, URGENT, PriorityRateLimiter


@pytest.fixture
async def paced_bot(api: FakeBotAPI) -> AsyncIterator[ExtBot[dict[str, object]]]:
    for user_id in range(1, 31):
        api.add_user(user_id)
    bot: ExtBot[dict[str, object]] = ExtBot(
        "123:ABCDEFGHIJKLMNOPQRSTUVWXYZ", request=api, rate_limiter=PriorityRateLimiter(100)
    )
    async with bot:
        yield bot


def _sent_texts(api: FakeBotAPI) -> list[str]:
    return [str(p["text"]) for method, p in api.calls if method == "sendMessage"]


async def test_a_reply_goes_ahead_of_queued_bulk_sends(
    paced_bot: ExtBot[dict[str, object]], api: FakeBotAPI
) -> None:
    bulk = [
        asyncio.create_task(paced_bot.send_message(i, f"bulk {i}", rate_limit_args=BULK))
        for i in range(1, 31)
    ]
    await asyncio.sleep(0)  # let the bulk sends queue up
    await paced_bot.send_message(1, "reply")
    await asyncio.gather(*bulk)
    order = _sent_texts(api)
    assert len(order) == 31
    # The reply waited for at most the slot in progress, not for the thirty bulk sends.
    assert order.index("reply") <= 2


async def test_429s_pause_and_retry_bulk_sends_so_nothing_is_lost(
    paced_bot: ExtBot[dict[str, object]], api: FakeBotAPI
) -> None:
    api.fail("sendMessage", kind="retry_after", times=4, retry_after=1)
    results = await asyncio.gather(
        *(paced_bot.send_message(i, f"check-in {i}", rate_limit_args=BULK) for i in range(1, 11))
    )
    assert len(results) == 10
    delivered = sorted(m.body for i in range(1, 11) for m in api.messages(i))
    assert delivered == sorted(f"check-in {i}" for i in range(1, 11))


async def test_a_reply_gives_up_after_its_retries_instead_of_hanging(
    api: FakeBotAPI,
) -> None:
    api.add_user(1)
    limiter = PriorityRateLimiter(100, max_reply_retries=1)
    bot: ExtBot[dict[str, object]] = ExtBot(
        "123:ABCDEFGHIJKLMNOPQRSTUVWXYZ", request=api, rate_limiter=limiter
    )
    async with bot:
        api.fail("sendMessage", kind="retry_after", times=5, retry_after=1)
        with pytest.raises(RetryAfter):
            await bot.send_message(1, "hello")
        assert api.messages(1) == []


async def test_requests_without_a_chat_are_not_paced(
    paced_bot: ExtBot[dict[str, object]], api: FakeBotAPI
) -> None:
    limiter = paced_bot.rate_limiter
    assert isinstance(limiter, PriorityRateLimiter)
    await paced_bot.get_me()
    await paced_bot.set_my_commands([("help", "What I can do")])
    assert limiter.waiting == 0
    assert [m for m, _ in api.calls].count("setMyCommands") == 1


def test_rate_must_be_positive() -> None:
    with pytest.raises(ValueError):
        PriorityRateLimiter(0)


async def test_two_bulk_sends_to_one_chat_are_a_second_apart(
    paced_bot: ExtBot[dict[str, object]], api: FakeBotAPI
) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.gather(
        paced_bot.send_message(1, "check-in", rate_limit_args=BULK),
        paced_bot.send_message(1, "nudge", rate_limit_args=BULK),
        paced_bot.send_message(2, "other client", rate_limit_args=BULK),
    )
    # Two messages to chat 1 needed the one-second gap; the other chat did not wait for it.
    assert loop.time() - started >= 1.0
    assert sorted(m.body for m in api.messages(1)) == ["check-in", "nudge"]
    assert [m.body for m in api.messages(2)] == ["other client"]


async def test_a_reply_to_someone_asking_for_help_goes_first_of_all(
    paced_bot: ExtBot[dict[str, object]], api: FakeBotAPI
) -> None:
    replies = [asyncio.create_task(paced_bot.send_message(i, f"reply {i}")) for i in range(1, 30)]
    await asyncio.sleep(0)  # let the replies queue up

    async def card() -> None:
        URGENT.set(True)  # as while an update asking for help is handled
        await paced_bot.send_message(30, "card")

    await asyncio.create_task(card())
    await asyncio.gather(*replies)
    assert _sent_texts(api).index("card") <= 2


async def test_waiting_replies_take_turns_person_by_person(
    paced_bot: ExtBot[dict[str, object]], api: FakeBotAPI
) -> None:
    flood = [asyncio.create_task(paced_bot.send_message(1, f"flood {i}")) for i in range(20)]
    await asyncio.sleep(0)
    await paced_bot.send_message(2, "someone else")
    await asyncio.gather(*flood)
    # One person's many replies hold another's up for a slot or two, not for all twenty.
    assert _sent_texts(api).index("someone else") <= 3


async def test_after_a_429_a_chats_replies_are_paced_and_other_chats_are_not(
    paced_bot: ExtBot[dict[str, object]], api: FakeBotAPI
) -> None:
    loop = asyncio.get_running_loop()
    api.fail("sendMessage", chat_id=1, kind="retry_after", times=1, retry_after=1)
    await paced_bot.send_message(1, "first")  # Telegram: too many to this chat; waited out
    started = loop.time()
    await asyncio.gather(
        paced_bot.send_message(1, "second"),
        paced_bot.send_message(1, "third"),
        paced_bot.send_message(2, "other chat"),
    )
    assert loop.time() - started >= 1.0  # the two to chat 1 a second apart
    assert [m.body for m in api.messages(1)] == ["first", "second", "third"]
    assert [m.body for m in api.messages(2)] == ["other chat"]

"""The request layer: FakeBotAPI, the telegram.request.BaseRequest that answers like Telegram."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from bot.standin.faults import (
    MESSAGE_METHODS,
    Fault,
    admit,
    fault_error,
    new_fault,
    take_fault,
    too_many,
)
from bot.standin.methods import BotMethods
from bot.standin.wire import APIError, Files, JSONDict, as_int, error_answer


class FakeBotAPI(BotMethods, BaseRequest):
    """A Telegram Bot API living in the test's event loop.

    Pass it as both ``request`` and ``get_updates_request`` of a :class:`telegram.Bot` (or an
    ``ApplicationBuilder``). The bot side behaves like Telegram (errors included); the user side
    is driven with :meth:`text`, :meth:`press` and friends, and what the bot did is inspected with
    :meth:`messages`, :meth:`last` and :attr:`calls`.

    Args:
        bot_id: The bot's user id.
        bot_username: The bot's username (without "@").
        bot_name: The bot's first name.
        latency: Seconds each request takes before it reaches "Telegram" (0: no sleep at all).
        rate_limit: Messages per second across all chats for :data:`MESSAGE_METHODS`; beyond it
            the request gets 429 ``retry after 1``.
        now: The clock for ``date`` fields (default: real UTC now).
        random_429: Probability of an extra 429 on any request of :data:`MESSAGE_METHODS`.
        seed: Seed of :attr:`rng`, which draws the random 429s.
    """

    def __init__(
        self,
        *,
        bot_id: int = 1000,
        bot_username: str = "between_bot",
        bot_name: str = "Between",
        latency: float = 0.0,
        rate_limit: float | None = None,
        now: Callable[[], datetime] | None = None,
        random_429: float = 0.0,
        seed: int = 0,
    ) -> None:
        super().__init__(
            bot_id=bot_id,
            bot_username=bot_username,
            bot_name=bot_name,
            now=now or (lambda: datetime.now(UTC)),
        )
        self.latency = latency
        self.rate_limit = rate_limit
        self.random_429 = random_429
        self.rng = random.Random(seed)
        self.faults: list[Fault] = []
        self.initialized = False
        self._send_times: deque[float] = deque()

    # ---- BaseRequest ----------------------------------------------------------------------

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout PTB adds to the long-poll timeout of ``getUpdates``."""
        return 5.0

    async def initialize(self) -> None:
        """Nothing to open: the API lives in memory."""
        self.initialized = True

    async def shutdown(self) -> None:
        """Nothing to close; state survives so tests can inspect it afterwards."""
        self.initialized = False

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Answer one Bot API request the way Telegram would.

        Raises:
            telegram.error.TimedOut: for injected "timeout" / "timeout_after_send" faults.
            telegram.error.NetworkError: for injected "network" faults.
        """
        api_method = url.rsplit("/", 1)[-1]
        params: JSONDict = dict(request_data.parameters) if request_data is not None else {}
        files: Files = request_data.multipart_data if request_data is not None else {}
        answer = await self._answer(api_method, params, files)
        self.answered(api_method, params, answer[0])
        return answer

    def answered(self, method: str, params: JSONDict, status: int) -> None:
        """Called once a request has its answer (not for raised timeouts or network faults).

        Does nothing here; a benchmark overrides it to timestamp what the bot sent.
        """

    async def _answer(self, api_method: str, params: JSONDict, files: Files) -> tuple[int, bytes]:
        self.calls.append((api_method, params))
        if self.latency > 0:
            await asyncio.sleep(self.latency)

        timeout_after = False
        fault = take_fault(self.faults, api_method, as_int(params.get("chat_id")))
        if fault is not None:
            error = fault_error(fault, api_method)
            if error is not None:
                return error_answer(error)
            timeout_after = True
        if api_method in MESSAGE_METHODS:
            if self.random_429 > 0 and self.rng.random() < self.random_429:
                return error_answer(too_many(1))
            if self.rate_limit is not None and not admit(
                self._send_times, self.rate_limit, time.monotonic()
            ):
                return error_answer(too_many(1))

        try:
            if api_method == "getUpdates":
                result: object = await self._get_updates(params)
            else:
                handler = self._handlers.get(api_method)
                if handler is None:
                    raise APIError(404, "Not Found")
                result = handler(params, files)
        except APIError as err:
            answer = error_answer(err)
        else:
            answer = 200, json.dumps({"ok": True, "result": result}).encode()
        if timeout_after:
            raise TimedOut(f"Timed out after {api_method} reached the server (injected fault)")
        return answer

    # ---- faults ---------------------------------------------------------------------------

    def fail(
        self,
        method: str | None = None,
        *,
        chat_id: int | None = None,
        kind: str,
        times: int = 1,
        retry_after: int = 1,
    ) -> Fault:
        """Make the next ``times`` matching requests fail.

        Args:
            method: A Bot API method name; ``None`` matches any of :data:`MESSAGE_METHODS`.
            chat_id: Only requests to this chat; ``None`` matches any (and chat-less requests).
            kind: One of :data:`FAULT_KINDS`.
            times: How many requests fail.
            retry_after: Seconds in the 429 answer of the "retry_after" kind.
        """
        fault = new_fault(method, chat_id, kind, times, retry_after)
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        """Forget all faults not yet consumed."""
        self.faults.clear()

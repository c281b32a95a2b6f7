"""The log, even at DEBUG, holds nobody's name, words or Telegram id (issue 12, point 5)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.app import App
from bot.core.clock import ManualClock
from bot.logs import QUIET, WITHHELD, PrivateFormatter, configure_logging, who
from bot.standin import ChatMessage, FakeBotAPI
from tests.conftest import Person, link_code, make_staff, services
from tests.test_delivery import run_until

CLIENT_ID, PEER_ID = 987654321, 876543219
CLIENT, PEER = "Canaryalex Zqx", "Canarysam Vwk"
NOTE = "canary words plumtree"
ANSWER = "canary answer lighthouse"
NUDGE = "canary nudge quillfeather"
REPLY = "canary reply marigold"
# Whole first names and rare words only: a three-letter surname turns up by chance in base64.
CANARIES = (
    "Canaryalex",
    "Canarysam",
    "plumtree",
    "lighthouse",
    "quillfeather",
    "marigold",
    str(CLIENT_ID),
    str(PEER_ID),
)

#: Everything, to the last frame: the plain formatter, not ours, so nothing is withheld here.
RAW = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")


class Captured(logging.Handler):
    """Every record that reaches the root logger, as it was logged (before the bot's own
    handler withholds anything), and what that handler wrote."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.texts: list[str] = []  # each record formatted, traceback and stack included
        self.written = io.StringIO()  # what the bot's own handler wrote

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.texts.append(RAW.format(record))

    def leaks(self, app: App) -> list[str]:
        """Each captured line that holds a canary or the bot token, and each canary the bot's
        own handler wrote."""
        canaries = [*CANARIES, app.bot.token.split(":")[1]]
        found = [text for text in self.texts if any(c.lower() in text.lower() for c in canaries)]
        written = self.written.getvalue().lower()
        return found + [f"(written) {c}" for c in canaries if c.lower() in written]


@pytest.fixture
def logs() -> Iterator[Captured]:
    """Logging as `between run` sets it with BOT_LOG_LEVEL=DEBUG, everything captured; the
    logging state is put back afterwards. Request it before ``app``: start-up and shut-down
    are then captured too."""
    root = logging.getLogger()
    manager = logging.Logger.manager
    before_root = (root.level, list(root.handlers))
    before = {
        name: logger.level
        for name, logger in manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    captured = Captured()
    root.addHandler(captured)  # first, so it sees each record as it was logged
    try:
        configure_logging("DEBUG", stream=captured.written)
        yield captured
    finally:
        for handler in root.handlers[:]:
            if handler not in before_root[1]:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(before_root[0])
        for name, logger in list(manager.loggerDict.items()):
            if isinstance(logger, logging.Logger):
                logger.setLevel(before.get(name, logging.NOTSET))


def _labels(message: ChatMessage) -> list[str]:
    return [label for label, _ in message.buttons()]


async def _press_starting(person: Person, start: str) -> list[ChatMessage]:
    label = next(label for label in _labels(person.last()) if label.startswith(start))
    return await person.press(label)


async def _round(app: App, api: FakeBotAPI, clock: ManualClock) -> None:
    """A client joins a peer supporter's team by link, gets and answers check-ins (one answer
    typed), writes a note, shares it, gets a nudge and replies, asks for their data, erases."""
    peer = await make_staff(app, api, PEER_ID, PEER, "peer")
    client = Person(app, api, CLIENT_ID, CLIENT)
    code = link_code(await peer.send("/invite"))
    await client.send(f"/start {code}")
    await client.press(f"Accept {PEER}")
    await client.press("That's fine")
    # Scheduled check-ins arrive (Monday, Thursday), unanswered.
    await run_until(app, clock, clock.now() + timedelta(days=4), timedelta(hours=1))

    await client.send("/checkin")
    await client.press("Plenty")
    await client.send(ANSWER)
    for _ in range(10):
        if "Share this" in _labels(client.last()):
            break
        await client.press(_labels(client.last())[0])
    assert "Share this" in _labels(client.last())

    await client.send(NOTE)
    assert [n.text for n in await services(app).db.notes(client.id)] == [NOTE]
    await client.send("/share")
    await _press_starting(client, "Note")
    await _press_starting(client, "Check-in")
    await client.press("See what would be sent")
    await client.press(f"{PEER} (peer supporter)")
    sent = await client.press(f"Share with {PEER}")
    assert sent[-1].body.startswith(f"Shared with {PEER}.")
    assert NOTE in api.messages(peer.id)[-1].body

    await peer.send("/nudge")
    await peer.press(CLIENT)
    await peer.press("Now")
    await peer.send(NUDGE)
    await peer.press("Send")
    scheduler = services(app).scheduler
    assert scheduler is not None
    await scheduler.tick()
    assert NUDGE in client.last().body
    await client.press(f"Reply to {PEER}")
    await client.send(REPLY)
    await client.press(f"Send to {PEER}")
    assert REPLY in api.messages(peer.id)[-1].body
    await peer.send("/clients")
    await peer.press(CLIENT)

    await client.send(f"I can't go on, {NOTE}")  # words of crisis: the card
    await client.send("/team")
    await client.send("/mydata")
    await client.send("/delete")
    await client.press("Erase everything")
    assert await services(app).db.get_user(client.id) is None


async def test_a_whole_round_at_debug_logs_no_name_words_or_id(
    logs: Captured, app: App, api: FakeBotAPI, clock: ManualClock
) -> None:
    logging.getLogger("bot.tests").debug("the round starts")  # DEBUG reaches the capture
    await _round(app, api, clock)
    assert logs.leaks(app) == []
    # The capture works: DEBUG came through, and so did the stack's own start-up lines.
    assert any(r.levelno == logging.DEBUG for r in logs.records)
    assert any(r.name == "telegram.ext.Application" for r in logs.records)
    assert any(r.name == "bot.storage.db" for r in logs.records)


async def test_a_failed_send_and_a_failed_reply_log_no_id_or_words(
    logs: Captured, app: App, api: FakeBotAPI
) -> None:
    peer = await make_staff(app, api, PEER_ID, PEER, "peer")
    client = Person(app, api, CLIENT_ID, CLIENT)
    await client.send(f"/start {link_code(await peer.send('/invite'))}")
    await client.press(f"Accept {PEER}")
    await client.send(NOTE)
    # The peer has blocked the bot: the share does not reach them.
    api.fail("sendMessage", chat_id=PEER_ID, kind="blocked")
    await client.send("/share")
    await _press_starting(client, "Note")
    await client.press("See what would be sent")
    await client.press(f"{PEER} (peer supporter)")
    await client.press(f"Share with {PEER}")
    # The network fails under the client's own reply: the error handler logs and apologises.
    api.fail(None, chat_id=CLIENT_ID, kind="network")
    await client.send(ANSWER)
    assert any(r.name == "bot.tg.handlers" for r in logs.records)
    assert logs.leaks(app) == []


def test_a_traceback_keeps_its_frames_and_types_but_not_its_words(logs: Captured) -> None:
    def read_answer(words: str) -> int:
        try:
            return int(words)
        except ValueError as error:
            raise KeyError(CLIENT) from error

    try:
        read_answer(NOTE)
    except KeyError:
        logging.getLogger("bot.tests").exception("could not read an answer")
    written = logs.written.getvalue()
    assert "could not read an answer" in written
    assert "in read_answer" in written  # the frames stay
    assert f"ValueError: {WITHHELD}" in written and f"KeyError: {WITHHELD}" in written
    assert "direct cause" in written
    assert NOTE not in written and "Canaryalex" not in written
    assert NOTE in logs.texts[-1]  # a plain formatter would have written the words


def test_a_library_error_keeps_its_first_line_but_not_the_values_in_it(
    logs: Captured,
) -> None:
    update = {"message": {"from": {"id": CLIENT_ID, "first_name": CLIENT}, "text": NOTE}}
    logging.getLogger("telegram.ext.Application").critical(
        "Error while building CallbackContext for update %s. Update will not be processed.",
        update,
    )
    logging.getLogger("asyncio").error(
        "Task exception was never retrieved\nfuture: <Task exception=ValueError(%r)>", NOTE
    )
    logging.getLogger("apscheduler.scheduler").error(ValueError(NOTE))
    logging.getLogger("bot.tests").warning("ours keep their values: %s", "share 7")
    written = logs.written.getvalue()
    assert (
        "telegram.ext.Application: Error while building CallbackContext for update %s. "
        f"Update will not be processed. {WITHHELD}"
    ) in written
    assert f"asyncio: Task exception was never retrieved {WITHHELD}" in written
    assert f"apscheduler.scheduler: ValueError {WITHHELD}" in written
    assert "ours keep their values: share 7" in written
    assert not any(c in written for c in CANARIES)


@pytest.mark.parametrize(
    "name", [*QUIET, "telegram.ext.ExtBot", "aiosqlite.core", "httpx._client"]
)
def test_libraries_that_could_log_personal_data_stay_quiet_at_debug(
    logs: Captured, name: str
) -> None:
    logger = logging.getLogger(name)
    assert not logger.isEnabledFor(logging.DEBUG)
    # Warnings are heard, except where a library's warnings carry words (the PDF's fonts).
    assert logger.isEnabledFor(max(logging.WARNING, QUIET.get(name, logging.NOTSET)))
    assert logging.getLogger("bot.tg.handlers").isEnabledFor(logging.DEBUG)


def test_a_quieter_level_quiets_the_libraries_too(logs: Captured) -> None:
    configure_logging("WARNING", stream=logs.written)  # as `between sandbox` does
    assert not logging.getLogger("telegram.ext.Application").isEnabledFor(logging.INFO)
    assert not logging.getLogger("bot.app").isEnabledFor(logging.INFO)


def test_a_library_logger_set_lower_by_hand_is_held_again(logs: Captured) -> None:
    logging.getLogger("telegram.ext.Updater").setLevel(logging.DEBUG)
    configure_logging("DEBUG", stream=logs.written)
    assert not logging.getLogger("telegram.ext.Updater").isEnabledFor(logging.DEBUG)
    # Configured twice, still one handler of ours.
    ours = [h for h in logging.getLogger().handlers if isinstance(h.formatter, PrivateFormatter)]
    assert len(ours) == 1


def test_who_stands_in_for_an_id_the_same_within_a_run() -> None:
    assert who(CLIENT_ID) == who(CLIENT_ID) != who(PEER_ID)
    assert str(CLIENT_ID) not in who(CLIENT_ID)
    assert who(None) == "nobody"

"""``between sandbox`` in-process: the commands a person uses to play the others.

``transcript`` runs a script as ``printf '…' | between sandbox`` would, on the README's clock.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, Settings
from bot.core.i18n import Catalog
from bot.sandbox import (
    README_START,
    SANDBOX_START,
    open_sandbox,
    run_sandbox,
    sandbox_start,
    transcript,
)

TUESDAY = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)  # the computer's clock, in these tests


async def test_open_takes_the_newest_link_shown_in_any_chat(
    settings: Settings, catalog: Catalog
) -> None:
    # Dr Kim's chat is older than Sam's, but Dr Kim's link is the newest one shown.
    out = await transcript(
        settings,
        catalog,
        ":as clinician\n:as peer\n/invite\n:as clinician\n/invite\n:as client\n:open\n",
    )
    opened = out.split("(You open the link.)", 1)[1]
    assert "Dr Kim (clinician, Riverside Open Dialogue Team) would like to be in your team" in (
        opened
    )
    assert "Sam (peer supporter" not in opened


async def test_open_without_a_link_says_how_to_get_one(
    settings: Settings, catalog: Catalog
) -> None:
    out = await transcript(settings, catalog, ":open\n")
    assert "(No invite link has been shown yet. As Dr Kim, try /invite.)" in out


async def test_someone_who_blocked_the_bot_is_told_so_and_unblocks(
    settings: Settings, catalog: Catalog, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    out = await transcript(settings, catalog, "/start\n:block\n/start\n1\n:unblock\n/start\n")
    assert "(Alex blocks Between." in out
    assert out.count("(Alex has blocked Between, so nothing reaches it. :unblock first.)") == 2
    assert "(Alex unblocks Between.)" in out
    assert out.rstrip().endswith("[5] I need help now")  # the menu after "Welcome back"
    assert "Welcome back, Alex" in out
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_the_bot_writing_to_someone_who_blocked_it_is_said_plainly(
    settings: Settings, catalog: Catalog, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    out = await transcript(
        settings,
        catalog,
        ":as clinician\n/invite\n:block\n:as client\n:open\n1\n1\nSlept badly\n"
        "/share\n1\n2\n1\n2\n",
    )
    assert "(Between tried to write to Dr Kim, who has blocked it.)" in out
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_show_prints_the_last_file_the_bot_sent(
    settings: Settings, catalog: Catalog
) -> None:
    out = await transcript(settings, catalog, ":show\n/start\nA quiet day\n/mydata\n:show\n")
    assert "(Between has sent you no file yet. /mydata sends some.)" in out
    shown = out.split("Alex › :show", 2)[2]
    assert re.search(r"\(between-my-data\.json, \d+ bytes:\)", shown)
    assert '\n          {\n            "person": {\n' in shown  # JSON, one field a line
    assert '"text": "A quiet day"' in shown


async def test_show_describes_a_picture(settings: Settings, catalog: Catalog) -> None:
    out = await transcript(settings, catalog, ":as peer\n/invite\n:show\n")
    assert re.search(r"Sam › :show\n  \(\[picture: \d+x\d+, \d+ bytes\]\)", out)


async def test_wait_prints_when_each_message_came(settings: Settings, catalog: Catalog) -> None:
    # README_START is a Thursday, 09:00; the default check-ins are on Thursday at 18:00.
    out = await transcript(settings, catalog, "/start\n1\n:wait 10h\n")
    assert "(Time passes. It is now Thursday, 26 November 2026, 19:00, London time.)" in out
    assert "Between › [Thu 18:00] A short check-in" in out
    assert "Between › A short check-in" not in out


async def test_news_in_another_chat_is_mentioned_once(
    settings: Settings, catalog: Catalog
) -> None:
    out = await transcript(settings, catalog, ":as clinician\n/invite\n:as client\n:open\n1\n1\n")
    assert out.count("(Dr Kim has something new. Type :as clinician to see it.)") == 1


@pytest.mark.parametrize("language", ["en", "nl", "de"])
async def test_help_lists_every_sandbox_command(
    settings: Settings, catalog: Catalog, language: str
) -> None:
    commands = re.findall(r"(?<![\w:]):[a-z]+", catalog.get(language, "sandbox.help"))
    assert set(commands) >= {
        ":as", ":open", ":wait", ":time", ":show", ":sticker", ":photo", ":voice", ":block",
        ":unblock", ":help", ":quit", ":lang",
    }  # fmt: skip
    out = io.StringIO()
    async with open_sandbox(settings, catalog, out, README_START) as sandbox:
        for command in commands:
            if command != ":quit":
                await sandbox.handle(command)
        assert not await sandbox.handle(":quit")
    assert "Unknown sandbox command" not in out.getvalue()


async def _started(settings: Settings, catalog: Catalog, env: dict[str, str]) -> list[str]:
    """What ``between sandbox`` prints for ``:time`` with the computer's clock on a Tuesday."""
    out = io.StringIO()
    stdin = io.StringIO(":time\n")
    assert await run_sandbox(settings, catalog, stdin, out, env=env, real_now=lambda: TUESDAY) == 0
    return out.getvalue().splitlines()


async def test_the_clock_starts_where_the_readme_starts_whatever_the_day(
    settings: Settings, catalog: Catalog
) -> None:
    assert sandbox_start(settings, None, TUESDAY) == README_START
    assert README_START.replace(tzinfo=None) == SANDBOX_START  # London in November: GMT
    lines = await _started(settings, catalog, {})
    assert lines[1].startswith(
        "The sandbox's clock starts at Thursday, 26 November 2026, 09:00, London time, "
    )
    assert "BOT_SANDBOX_CLOCK=today" in lines[1]  # how to start today instead is said
    assert "  (It is Thursday, 26 November 2026, 09:00, London time.)" in lines


async def test_the_clock_can_start_today_now_or_at_a_moment(
    settings: Settings, catalog: Catalog
) -> None:
    today = await _started(settings, catalog, {"BOT_SANDBOX_CLOCK": "today"})
    assert today[1].startswith("The sandbox's clock starts at Tuesday, 8 December 2026, 09:00,")
    assert sandbox_start(settings, "now", TUESDAY) == TUESDAY
    moment = await _started(settings, catalog, {"BOT_SANDBOX_CLOCK": "2026-12-07 17:55"})
    assert moment[1].startswith(
        "The sandbox's clock starts at Monday, 7 December 2026, 17:55, London time"
    )
    with pytest.raises(ConfigError, match=r"^BOT_SANDBOX_CLOCK: 'someday' is not today, now"):
        sandbox_start(settings, "someday", TUESDAY)


def test_a_wrong_clock_stops_the_sandbox_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_SANDBOX_CLOCK", "tomorrow-ish")
    assert main(["sandbox"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "between: BOT_SANDBOX_CLOCK: 'tomorrow-ish' is not today, now, or a day and time like "
        "2026-12-07 17:55 (on the service's clock)"
    ]


LATER = {  # an hour after the README's start, as each reads it
    "nl": "(De tijd gaat voorbij. Het is nu donderdag 26 november 2026, 10:00, tijd in Londen.)",
    "de": "(Die Zeit vergeht. Jetzt ist es Donnerstag, 26. November 2026, 10:00, Zeit in London.)",
}


@pytest.mark.parametrize("language", ["nl", "de"])
async def test_the_sandbox_speaks_the_language_of_the_person_played(
    settings: Settings, catalog: Catalog, language: str
) -> None:
    """After :lang, the sandbox's own lines follow the bot into that language: a Dutch or
    German tester reads no English line from either."""
    out = await transcript(settings, catalog, f":lang {language}\n/start\n:wait 1h\n:as doctor\n")
    after = out.split(f":lang {language}", 1)[1]
    english = {
        value.strip()[:25]
        for key, value in catalog.texts["en"].items()
        if key.startswith("sandbox.") and isinstance(value, str) and "{" not in value[:25]
    }
    assert not [line for line in after.splitlines() if line.strip()[:25] in english]
    assert LATER[language] in after
    assert (
        catalog.get(language, "sandbox.choose_persona", personas="client, clinician, peer, friend")
        in after
    )


def _names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


async def test_files_and_pictures_the_bot_sends_are_saved_where_a_person_can_open_them(
    settings: Settings, catalog: Catalog, tmp_path: Path
) -> None:
    out = io.StringIO()
    async with open_sandbox(settings, catalog, out, README_START, tmp_path) as sandbox:
        for line in ("/start", "1", "/mydata", ":as clinician", "/invite"):
            await sandbox.handle(line)
    printed = out.getvalue()
    saved = _names(tmp_path)
    assert saved == ["1-between-my-data.txt", "2-between-my-data.json", "3-picture.png"]
    text = (tmp_path / "1-between-my-data.txt").read_text(encoding="utf-8")
    assert text.startswith("Everything Between keeps about you")
    assert f"saved as {tmp_path / '1-between-my-data.txt'}]" in printed
    assert (tmp_path / "3-picture.png").read_bytes().startswith(b"\x89PNG")
    assert f"saved as {tmp_path / '3-picture.png'}]" in printed


async def test_a_closed_sandbox_says_where_its_files_stay(
    settings: Settings, catalog: Catalog
) -> None:
    out = io.StringIO()
    await run_sandbox(
        settings, catalog, io.StringIO("/start\n/mydata\n"), out, start=README_START, env={}
    )
    last = out.getvalue().rstrip().splitlines()[-1]
    assert last.startswith("(The files and pictures it sent stay in ")
    folder = Path(last.removeprefix("(The files and pictures it sent stay in ").rstrip(".)"))
    assert _names(folder)[0] == "1-between-my-data.txt"
    shutil.rmtree(folder)

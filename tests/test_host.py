"""The bot's threads kept on one CPU core (``[process] one_core``)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.core.i18n import Catalog
from bot.host import keep_to_one_core

pytestmark = pytest.mark.skipif(
    not hasattr(os, "sched_setaffinity"), reason="only Linux lets a process choose its cores"
)


def test_the_thread_and_every_thread_it_starts_stay_on_one_core() -> None:
    allowed = os.sched_getaffinity(0)
    seen: dict[str, object] = {}

    def run() -> None:  # a thread of its own: the test process itself stays free
        seen["core"] = keep_to_one_core()
        seen["own"] = os.sched_getaffinity(0)
        later = threading.Thread(target=lambda: seen.setdefault("later", os.sched_getaffinity(0)))
        later.start()
        later.join()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert seen["core"] in allowed
    assert seen["own"] == {seen["core"]} == seen["later"]
    assert os.sched_getaffinity(0) == allowed


def _config(tmp_path: Path, process: str) -> dict[str, str]:
    example = Path("bot/service.example.toml").read_text("utf-8")
    text = example.replace("one_core = true", process)
    path = tmp_path / "service.toml"
    path.write_text(text, encoding="utf-8")
    return {"BOT_CONFIG": str(path), "BOT_DATA_DIR": str(tmp_path / "data")}


def test_one_core_is_the_default_and_can_be_turned_off(tmp_path: Path) -> None:
    catalog = Catalog.load()
    on = load_settings(_config(tmp_path, "one_core = true"), catalog=catalog)
    off = load_settings(_config(tmp_path, "one_core = false"), catalog=catalog)
    assert (on.service.process.one_core, off.service.process.one_core) == (True, False)
    with pytest.raises(ConfigError, match="one_core"):
        load_settings(_config(tmp_path, 'one_core = "sometimes"'), catalog=catalog)

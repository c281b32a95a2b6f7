"""``between doctor``: one line per check, and exit 1 when anything would hurt."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.cli import main
from bot.core.i18n import Catalog
from bot.doctor import doctor
from bot.storage.crypto import KeySource
from bot.storage.safekeeping import open_store
from tests.test_config import HARMFUL, HARMFUL_IDS, harmful_config

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TESTS = Path(__file__).parent


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "BOT_DATA_DIR": str(tmp_path / "data"),
        "BOT_KEY_FILE": str(tmp_path / "keys" / "between.key"),
    }


async def _with_alex(env: dict[str, str]) -> Path:
    path = Path(env["BOT_DATA_DIR"]) / "between.sqlite3"
    store = await open_store(path, KeySource(None, Path(env["BOT_KEY_FILE"])))
    await store.add_client(7, 7, "Alex", "en", NOW)
    await store.add_note(7, "a hard week", NOW)
    await store.close()
    return path


def _verdicts(findings: list) -> dict[str, bool]:  # type: ignore[type-arg]
    return {finding.name: finding.ok for finding in findings}


async def test_a_healthy_installation_passes_every_check(
    env: dict[str, str], catalog: Catalog
) -> None:
    await _with_alex(env)
    findings = await doctor(env, catalog, NOW)
    assert [f.name for f in findings] == [
        "configuration",
        "dialogs",
        "key",
        "key location",
        "database",
        "migrations",
        "clock",
        "permissions",
        "intake",
    ]
    assert all(f.ok for f in findings), [f.line() for f in findings]


async def test_a_fresh_machine_is_fine_and_nothing_is_made(
    env: dict[str, str], catalog: Catalog, tmp_path: Path
) -> None:
    findings = await doctor(env, catalog, NOW)
    assert all(f.ok for f in findings)
    assert not (tmp_path / "data").exists() and not (tmp_path / "keys").exists()


async def test_another_key_fails_by_name(env: dict[str, str], catalog: Catalog) -> None:
    await _with_alex(env)
    findings = await doctor(
        {**env, "BOT_ENCRYPTION_KEY": Fernet.generate_key().decode()}, catalog, NOW
    )
    key = next(f for f in findings if f.name == "key")
    assert key.line() == (
        "FAIL  key: BOT_ENCRYPTION_KEY does not open the database: it belongs to other data"
    )


async def test_a_missing_key_fails(env: dict[str, str], catalog: Catalog) -> None:
    await _with_alex(env)
    source = KeySource(None, Path(env["BOT_KEY_FILE"]))
    source.key_file.unlink()
    key = next(f for f in await doctor(env, catalog, NOW) if f.name == "key")
    assert not key.ok and "is missing, but the database holds data" in key.detail
    assert not source.exists()


async def test_a_database_others_may_read_fails_with_the_fix(
    env: dict[str, str], catalog: Catalog
) -> None:
    path = await _with_alex(env)
    path.chmod(0o644)
    permissions = next(f for f in await doctor(env, catalog, NOW) if f.name == "permissions")
    assert not permissions.ok
    assert f"chmod 600 {path}" in permissions.detail


async def test_a_key_beside_the_database_fails(
    env: dict[str, str], catalog: Catalog, tmp_path: Path
) -> None:
    beside = {**env, "BOT_KEY_FILE": str(tmp_path / "data" / "between.key")}
    await _with_alex(beside)
    location = next(f for f in await doctor(beside, catalog, NOW) if f.name == "key location")
    assert not location.ok and "one copy holds both" in location.detail


async def test_a_clock_behind_the_data_fails(env: dict[str, str], catalog: Catalog) -> None:
    await _with_alex(env)
    behind = datetime(2026, 2, 20, 9, 0, tzinfo=UTC)
    clock = next(f for f in await doctor(env, catalog, behind) if f.name == "clock")
    assert not clock.ok
    assert "the data holds times up to 2026-03-02 09:00 UTC" in clock.detail
    fine = next(f for f in await doctor(env, catalog, NOW) if f.name == "clock")
    assert fine.ok


async def test_a_damaged_database_fails(env: dict[str, str], catalog: Catalog) -> None:
    path = await _with_alex(env)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
    data = bytearray(path.read_bytes())
    data[4096 : 4096 + 8] = b"\xff" * 8  # scribble over the second page's header
    path.write_bytes(bytes(data))
    database = next(f for f in await doctor(env, catalog, NOW) if f.name == "database")
    assert not database.ok


async def test_broken_dialogs_and_wrong_configuration_fail(
    env: dict[str, str], catalog: Catalog, tmp_path: Path
) -> None:
    dialogs = next(
        f
        for f in await doctor(
            {**env, "BOT_DIALOGS_DIR": str(TESTS / "dialogs_broken")}, catalog, NOW
        )
        if f.name == "dialogs"
    )
    assert not dialogs.ok and dialogs.detail.endswith("see: between dialogs check")

    config = tmp_path / "service.toml"
    config.write_text("[organisation]\nname = 'X'\n[defaults]\nlanguage = 'en'\ntypo = 1\n")
    findings = await doctor({**env, "BOT_CONFIG": str(config)}, catalog, NOW)
    assert len(findings) == 1 and not findings[0].ok
    assert findings[0].line().startswith(f"FAIL  configuration: {config}")


def test_the_command_prints_one_line_each_and_exits_1_on_a_problem(
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in ("BOT_CONFIG", "BOT_ENCRYPTION_KEY", "BOT_DIALOGS_DIR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["doctor"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 7 and all(line.startswith("ok    ") for line in lines)

    monkeypatch.setenv("BOT_DIALOGS_DIR", str(TESTS / "dialogs_broken"))
    assert main(["doctor"]) == 1
    assert "FAIL  dialogs:" in capsys.readouterr().out


@pytest.mark.parametrize(("edit", "expected"), HARMFUL, ids=HARMFUL_IDS)
async def test_a_harmful_setting_fails_the_configuration_in_the_same_words(
    env: dict[str, str],
    catalog: Catalog,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    edit: tuple[str, str],
    expected: str,
) -> None:
    config = harmful_config(tmp_path, edit)
    findings = await doctor({**env, "BOT_CONFIG": str(config)}, catalog, NOW)
    assert [f.line() for f in findings] == [f"FAIL  configuration: {config}: {expected}"]

    for name in ("BOT_ENCRYPTION_KEY", "BOT_DIALOGS_DIR", "BOT_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {**env, "BOT_CONFIG": str(config)}.items():
        monkeypatch.setenv(name, value)
    # main() runs its own event loop: off this test's loop, in a thread.
    assert await asyncio.to_thread(main, ["doctor"]) == 1
    assert capsys.readouterr().out.splitlines() == [f"FAIL  configuration: {config}: {expected}"]

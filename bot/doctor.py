"""``between doctor``: is this installation fit to run? One line per check; exit 1 on a problem.

It only reads: it never makes a database, a key or a folder, and never changes a permission.
"""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import aiosqlite

from bot.config import ConfigError, Settings, load_settings
from bot.core.dialog_loader import DialogErrors, load_dialogs
from bot.core.i18n import Catalog
from bot.storage.crypto import Cipher, KeyProblem, KeySource
from bot.storage.db import COMPANIONS, Database
from bot.storage.migrations import MIGRATIONS
from bot.storage.safekeeping import holds_data, key_matches, key_source, lock_file
from bot.tg.watch import QUIET_LIMIT, read_status

#: A status the running bot wrote longer ago than this (it writes every 15 s) means it hangs.
STATUS_STALE = timedelta(minutes=2)

#: A clock this far behind the newest time the data holds is wrong.
CLOCK_SLACK = timedelta(days=1)


@dataclass(frozen=True)
class Finding:
    """One check's verdict."""

    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        """How ``between doctor`` prints it."""
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.name}: {self.detail}"


def _loose(path: Path, allowed: int) -> bool:
    """True if the file or folder grants more than ``allowed`` (group or others may read)."""
    return bool(stat.S_IMODE(path.stat().st_mode) & ~allowed)


def _permissions(settings: Settings) -> Finding:
    database = settings.database_path
    wanted: list[tuple[Path, int]] = [(settings.data_dir, 0o700)]
    wanted += [(database.with_name(database.name + end), 0o600) for end in ("", *COMPANIONS)]
    if settings.encryption_key is None:
        wanted += [(settings.key_file, 0o600), (settings.key_file.parent, 0o700)]
    loose = [
        f"chmod {oct(mode)[2:]} {path}"
        for path, mode in wanted
        if path.exists() and _loose(path, mode)
    ]
    if loose:
        return Finding("permissions", False, "others may read the data; run: " + "; ".join(loose))
    return Finding("permissions", True, "the data and the key are readable by their owner only")


def _dialogs(settings: Settings) -> Finding:
    try:
        dialogs = load_dialogs(settings.dialogs_dir)
    except DialogErrors as exc:
        first = exc.errors[0]
        more = f" (and {len(exc.errors) - 1} more)" if len(exc.errors) > 1 else ""
        return Finding("dialogs", False, f"{first}{more}; see: between dialogs check")
    return Finding("dialogs", True, f"{len(dialogs)} valid in {settings.dialogs_dir}")


async def _newest_time(db: Database, tables: set[str]) -> datetime | None:
    """The latest moment the data says has already happened."""
    columns = [
        ("users", "created_at"),
        ("notes", "created_at"),
        ("checkins", "started_at"),
        ("answers", "answered_at"),
    ]
    newest: datetime | None = None
    for table, column in columns:
        if table not in tables:
            continue
        row = await db.fetchone(f"SELECT MAX({column}) AS t FROM {table}")
        if row is not None and row["t"]:
            moment = datetime.fromisoformat(row["t"])
            newest = moment if newest is None or moment > newest else newest
    return newest


async def _data(settings: Settings, now: datetime) -> list[Finding]:
    """Key, integrity, migrations and clock, from the database opened read-only."""
    source = key_source(settings)
    path = settings.database_path
    findings: list[Finding] = []
    if settings.key_beside_database:
        findings.append(
            Finding(
                "key location",
                False,
                f"the key file {settings.key_file} is in the database's folder, so one copy "
                "holds both; move it elsewhere and set BOT_KEY_FILE",
            )
        )
    else:
        findings.append(Finding("key location", True, f"{source.name}, apart from the database"))
    if not path.exists():
        if source.env_key is None and source.key_file.exists():
            return [
                Finding(
                    "key",
                    False,
                    f"the key file exists, but there is no database at {path}: is the data "
                    "folder mounted?",
                ),
                *findings,
            ]
        key = "exists" if source.exists() else "will be made at the first start"
        return [
            Finding("key", True, f"no database yet at {path}; the key {key}"),
            *findings,
            Finding("database", True, "none yet; made at the first start"),
        ]
    conn = await aiosqlite.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = aiosqlite.Row
    db = Database(conn, path)
    try:
        (verdict,) = tuple(await db.fetchone("PRAGMA integrity_check") or ("no answer",))
        rows = await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = {row["name"] for row in rows}
        findings.insert(0, await _key(db, source))
        findings.append(Finding("database", verdict == "ok", f"integrity {verdict}, {path}"))
        findings.append(await _migrations(db, tables))
        newest = await _newest_time(db, tables)
        watch = (
            await db.fetchone("SELECT seen_at, jumped_to FROM clock_watch WHERE id = 1")
            if "clock_watch" in tables
            else None
        )
    except sqlite3.DatabaseError as exc:
        return [*findings, Finding("database", False, f"cannot be read ({exc}): {path}")]
    finally:
        await conn.close()
    if watch is not None and watch["jumped_to"] is not None:
        seen = datetime.fromisoformat(watch["seen_at"])
        jumped = datetime.fromisoformat(watch["jumped_to"])
        findings.append(
            Finding(
                "clock",
                False,
                f"it jumped from {seen:%Y-%m-%d %H:%M} to {jumped:%Y-%m-%d %H:%M} UTC, so nothing "
                "is purged. Set the clock right; if the new time is right (the bot was off), "
                "confirm it with: between doctor --accept-clock",
            )
        )
    elif newest is not None and newest > now + CLOCK_SLACK:
        findings.append(
            Finding(
                "clock",
                False,
                f"it reads {now:%Y-%m-%d %H:%M} UTC, but the data holds times up to "
                f"{newest:%Y-%m-%d %H:%M} UTC: set the clock right before starting",
            )
        )
    else:
        findings.append(Finding("clock", True, f"{now:%Y-%m-%d %H:%M} UTC"))
    return findings


async def _key(db: Database, source: KeySource) -> Finding:
    if not source.exists():
        if await holds_data(db):
            return Finding(
                "key", False, f"{source.name} is missing, but the database holds data: restore it"
            )
        return Finding("key", True, "none yet; made at the first start")
    try:
        cipher = Cipher(source.read())
    except KeyProblem as exc:
        return Finding("key", False, str(exc))
    if not await key_matches(db, cipher):
        return Finding(
            "key", False, f"{source.name} does not open the database: it belongs to other data"
        )
    if len(cipher.keys) > 1:
        return Finding(
            "key", False, f"{source.name} holds {len(cipher.keys)} keys: run between keys rotate"
        )
    return Finding("key", True, f"{source.name} opens the database")


async def _migrations(db: Database, tables: set[str]) -> Finding:
    known = [name for name, _ in MIGRATIONS]
    done = (
        {row["name"] for row in await db.fetchall("SELECT name FROM migrations")}
        if "migrations" in tables
        else set()
    )
    if done - set(known):
        return Finding(
            "migrations", False, "the database was written by a newer Between: upgrade first"
        )
    pending = len(set(known) - done)
    if pending:
        return Finding("migrations", True, f"{pending} to apply at the next start")
    return Finding("migrations", True, f"all {len(known)} applied")


async def doctor(env: Mapping[str, str], catalog: Catalog, now: datetime) -> list[Finding]:
    """Every check, in the order the administrator would fix them."""
    try:
        settings = load_settings(env, catalog=catalog)
    except ConfigError as exc:
        return [Finding("configuration", False, str(exc))]
    findings = [
        Finding("configuration", True, f"{settings.config_path}"),
        _dialogs(settings),
    ]
    findings += await _data(settings, now)
    findings.append(_permissions(settings))
    findings.append(_intake(settings, now))
    return findings


def _intake(settings: Settings, now: datetime) -> Finding:
    """Whether a running bot still hears people: asks Telegram for updates, and keeps them."""
    status = read_status(lock_file(settings.database_path))
    if status is None:
        return Finding("intake", True, "no bot is running on this database")
    if status.stuck_since is not None:
        minutes = max(1, round((now - status.stuck_since).total_seconds() / 60))
        return Finding(
            "intake",
            False,
            f"the running bot (pid {status.pid}) cannot keep incoming updates since "
            f"{status.stuck_since:%H:%M} UTC ({minutes} min): is the database locked by another "
            "program, the disk full, or the file read-only? Its log says which; it goes on by "
            "itself once the cause is gone",
        )
    if now - status.written_at > STATUS_STALE:
        return Finding(
            "intake",
            False,
            f"the running bot (pid {status.pid}) has written no status since "
            f"{status.written_at:%H:%M} UTC: it may hang; see its log",
        )
    if status.mode == "webhook":
        return Finding("intake", True, "the running bot takes updates by webhook")
    if status.polled_at is None or now - status.polled_at > QUIET_LIMIT:
        since = f"since {status.polled_at:%H:%M} UTC" if status.polled_at else "since it started"
        return Finding(
            "intake",
            False,
            f"the running bot (pid {status.pid}) has not asked Telegram for updates {since}: "
            "nobody is heard; see its log",
        )
    seconds = round((now - status.polled_at).total_seconds())
    return Finding("intake", True, f"the running bot asked Telegram for updates {seconds} s ago")


async def accept_clock(env: Mapping[str, str], catalog: Catalog, now: datetime) -> str:
    """``between doctor --accept-clock``: the clock's time now is right; purging goes on."""
    from bot.storage.safekeeping import open_data

    settings = load_settings(env, catalog=catalog)
    if not settings.database_path.exists():
        return "clock: no database yet, nothing to confirm"
    store = await open_data(settings)
    try:
        await store.see_clock(now)
    finally:
        await store.close()
    return f"clock: {now:%Y-%m-%d %H:%M} UTC is confirmed as the right time"

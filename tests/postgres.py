"""A real PostgreSQL for the tests, started by the tests themselves (issue 23); no mock database.

``postgres_server`` (once a session) is the URL of a server we may create databases on: the one
``BOT_TEST_DATABASE_URL`` names, as it is, or else a throwaway cluster in a temporary folder,
made with the machine's own binaries (``pg_config --bindir``, else the newest
``/usr/lib/postgresql/*/bin``), as the ``postgres`` system user when we run as root (``initdb``
refuses root), listening only on a Unix socket in that folder (no TCP port to collide on), with
nothing synced to disk; it is stopped and the folder removed when the session ends.

``postgres_url`` (each test) is a fresh, empty database on that server, dropped after the test.

Where PostgreSQL is not installed, the tests that use them are skipped, and the terminal summary
says so in one line; where they ran, it says against which PostgreSQL.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import stat
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

ENV = "BOT_TEST_DATABASE_URL"
HOW = f"apt-get install postgresql, or set {ENV}=postgresql://…"
NOT_INSTALLED = f"PostgreSQL is not installed: {HOW}"
PORT = 5432  # only names the socket file: the server listens on no TCP port
SUPERUSER = "postgres"
SETTINGS = {  # a throwaway cluster: nothing needs to survive a crash
    "listen_addresses": "",
    "port": str(PORT),
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


@dataclass
class _Session:
    """What the terminal summary says: which tests wanted PostgreSQL and what became of them."""

    wanting: set[str] = field(default_factory=set)
    ran: int = 0
    skipped: int = 0
    errors: int = 0
    server: str = ""  # "PostgreSQL 15.14 (a throwaway cluster)", once one answered
    why_not: str = ""  # "not installed", when the tests were skipped


_session = _Session()


def pytest_configure(config: pytest.Config) -> None:
    global _session
    _session = _Session()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    _session.wanting = {item.nodeid for item in items if _wants_postgres(item)}


def _wants_postgres(item: pytest.Item) -> bool:
    """A test that uses the server, directly or as the "postgresql" case of a store fixture
    parametrized over the databases (which asks for it only in that case)."""
    if "postgres_server" in getattr(item, "fixturenames", ()):
        return True
    callspec = getattr(item, "callspec", None)
    return callspec is not None and "postgresql" in callspec.params.values()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.nodeid not in _session.wanting:
        return
    if report.when == "setup" and report.skipped:
        _session.skipped += 1
    elif report.when == "setup" and report.failed:
        _session.errors += 1
    elif report.when == "call" and not report.skipped:
        _session.ran += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    line = summary(_session)
    if line:
        terminalreporter.write_line(line, green=bool(_session.ran), yellow=not _session.ran)


def summary(session: _Session) -> str:
    """One line about PostgreSQL, or nothing when no test asked for it."""
    if session.ran:
        return f"PostgreSQL: {_count(session.ran, 'test')} ran against {session.server}"
    if session.skipped:
        tests = _the_tests(session.skipped)
        return f"PostgreSQL: {session.why_not}, {tests} skipped ({HOW})"
    if session.errors:
        return "PostgreSQL: no server to test against (see the errors above)"
    return ""


def _count(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


def _the_tests(number: int) -> str:
    return "the PostgreSQL test was" if number == 1 else f"the {number} PostgreSQL tests were"


# --- the fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a running PostgreSQL we may create databases on (see the module's words)."""
    named = os.environ.get(ENV, "").strip()
    if named:
        if urlsplit(named).scheme not in ("postgresql", "postgres"):
            pytest.fail(f"{ENV} must be a postgresql:// URL", pytrace=False)
        try:
            version = server_version(named)
        except psycopg.Error as error:
            problem = f"{ENV} names a server we cannot reach: {error}"
            raise pytest.fail.Exception(problem, pytrace=False) from None
        _session.server = f"PostgreSQL {version} ({ENV})"
        yield named
        return
    bindir = find_bindir()
    if bindir is None:
        _skip("not installed", NOT_INSTALLED)
    owner = None
    if os.geteuid() == 0:  # initdb refuses root: the cluster is the postgres user's
        try:
            owner = pwd.getpwnam(SUPERUSER)
        except KeyError:
            why = f"no {SUPERUSER} user to run initdb as (we run as root)"
            _skip(why, f"PostgreSQL: {why}: {HOW}")
    with throwaway_cluster(bindir, owner) as url:
        _session.server = f"PostgreSQL {server_version(url)} (a throwaway cluster)"
        yield url


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database of its own for one test, dropped after it."""
    name = f"between_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield with_database(postgres_server, name)
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            force = " WITH (FORCE)" if admin.info.server_version >= 130000 else ""
            drop = sql.SQL("DROP DATABASE IF EXISTS {}" + force).format(sql.Identifier(name))
            admin.execute(drop)


def _skip(why_not: str, reason: str) -> NoReturn:
    _session.why_not = why_not
    pytest.skip(reason)


# --- the throwaway cluster ------------------------------------------------------------------


def find_bindir() -> Path | None:
    """The folder of ``initdb``, ``pg_ctl`` and ``postgres``: ``pg_config --bindir``, else the
    newest ``/usr/lib/postgresql/*/bin`` (Debian), else wherever ``initdb`` is on the PATH.
    ``pg_config`` alone (libpq-dev) names a folder without a server: it is checked, not trusted.
    """
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            answer = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=30, check=True
            )
            candidates.append(Path(answer.stdout.strip()))
        except (OSError, subprocess.SubprocessError):
            pass
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version, reverse=True)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    for folder in candidates:
        if all(os.access(folder / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def _version(bindir: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", bindir.parent.name))


class _Cluster:
    """Runs the binaries as the cluster's owner, with no PG* variable of ours in the way."""

    def __init__(self, bindir: Path, owner: pwd.struct_passwd | None, folder: Path) -> None:
        self.bindir = bindir
        self.owner = owner
        self.folder = folder
        self.data = folder / "data"
        self.log = folder / "server.log"

    def run(self, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        env["LC_ALL"] = "C"  # the server's messages in English, whatever the machine's locale
        as_owner: dict[str, Any] = {}
        if self.owner is not None:
            env.update(HOME=self.owner.pw_dir, USER=SUPERUSER, LOGNAME=SUPERUSER)
            as_owner = {"user": self.owner.pw_uid, "group": self.owner.pw_gid, "extra_groups": []}
        return subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=self.folder,  # the owner may not enter our working directory
            **as_owner,
        )

    def must(self, *args: str, timeout: float = 120) -> None:
        done = self.run(*args, timeout=timeout)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            pytest.fail(
                f"{' '.join(args[:2])} failed ({done.returncode}) for the throwaway PostgreSQL "
                f"in {self.folder}:\n{done.stdout}{done.stderr}{log}",
                pytrace=False,
            )


@contextmanager
def throwaway_cluster(bindir: Path, owner: pwd.struct_passwd | None) -> Iterator[str]:
    """A cluster of its own in a new folder, running while in the ``with`` (its URL); stopped at
    once and its folder removed after."""
    cluster = _Cluster(bindir, owner, _folder(owner))
    started = False
    try:
        cluster.must(
            "initdb",
            f"--pgdata={cluster.data}",
            f"--username={SUPERUSER}",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        settings = {**SETTINGS, "unix_socket_directories": str(cluster.folder)}
        with (cluster.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# the tests' throwaway cluster (tests/postgres.py)\n")
            for name, value in settings.items():
                quoted = value.replace("'", "''")
                conf.write(f"{name} = '{quoted}'\n")
        started = True
        cluster.must(
            "pg_ctl",
            "start",
            "--wait",
            "--timeout=60",
            "-D",
            str(cluster.data),
            "-l",
            str(cluster.log),
        )
        yield f"postgresql://{SUPERUSER}@/postgres?host={quote(str(cluster.folder))}&port={PORT}"
    finally:
        if started:
            cluster.run(
                "pg_ctl", "stop", "--wait", "-m", "immediate", "-D", str(cluster.data), timeout=60
            )
        shutil.rmtree(cluster.folder, ignore_errors=True)


def _folder(owner: pwd.struct_passwd | None) -> Path:
    """A new folder for the cluster and its socket, the owner's. A Unix socket's path holds at
    most 107 bytes, and the postgres user must reach the folder: else it is made in /tmp."""
    base = Path(tempfile.gettempdir())
    reachable = owner is None or all(
        os.stat(folder).st_mode & stat.S_IXOTH for folder in (base, *base.parents)
    )
    if len(str(base)) > 60 or not reachable:
        base = Path("/tmp")
    folder = Path(tempfile.mkdtemp(prefix="between-pg-", dir=base))
    if owner is not None:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    return folder


def server_version(url: str) -> str:
    """The server's version as people write it: "15.14", "9.6.24"."""
    with psycopg.connect(url, connect_timeout=10) as connection:
        number = connection.info.server_version
    if number >= 100000:
        return f"{number // 10000}.{number % 10000}"
    return f"{number // 10000}.{number // 100 % 100}.{number % 100}"


def with_database(url: str, name: str) -> str:
    """``url`` naming the database ``name`` instead of its own."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "dbname"]
    return urlunsplit(
        parts._replace(path=f"/{name}", query=urlencode(query, safe="/", quote_via=quote))
    )

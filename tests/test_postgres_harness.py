"""The PostgreSQL the tests start themselves (tests/postgres.py): a real server, a fresh empty
database for each test, dropped after it; and the one line the summary says about it."""

from __future__ import annotations

import os

import psycopg
import pytest

from tests.postgres import ENV, _Session, summary, with_database

SEEN: list[str] = []  # the databases the tests below were given, in order


async def test_a_row_written_is_read_back(postgres_url: str) -> None:
    async with await psycopg.AsyncConnection.connect(postgres_url) as connection:
        await connection.execute("CREATE TABLE notes (id bigserial PRIMARY KEY, body text)")
        await connection.execute("INSERT INTO notes (body) VALUES (%s)", ("Saved. Only you.",))
        await connection.commit()
    async with await psycopg.AsyncConnection.connect(postgres_url) as connection:
        cursor = await connection.execute("SELECT id, body FROM notes")
        assert await cursor.fetchall() == [(1, "Saved. Only you.")]


@pytest.mark.parametrize("turn", [1, 2])
def test_each_test_gets_a_fresh_empty_database(postgres_url: str, turn: int) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        name = connection.execute("SELECT current_database()").fetchone()
        tables = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
        left = connection.execute(
            "SELECT datname FROM pg_database WHERE datname = ANY(%s)", (SEEN,)
        ).fetchall()
        connection.execute("CREATE TABLE left_behind (id int)")  # the next test must not see it
    assert name is not None
    assert name[0] not in SEEN
    assert tables == []
    assert left == []  # the databases of the tests before are dropped
    SEEN.append(name[0])


def test_the_throwaway_cluster_listens_on_its_socket_only(postgres_server: str) -> None:
    if os.environ.get(ENV):
        pytest.skip(f"{ENV} names the server: it is as it was set up")
    with psycopg.connect(postgres_server) as connection:
        settings = connection.execute(
            "SELECT current_user, current_setting('listen_addresses'), current_setting('fsync')"
        ).fetchone()
    assert settings == ("postgres", "", "off")


def test_a_database_url_names_the_new_database() -> None:
    socket = "postgresql://postgres@/postgres?host=/tmp/between-pg-ab_1&port=5432"
    assert with_database(socket, "t1") == (
        "postgresql://postgres@/t1?host=/tmp/between-pg-ab_1&port=5432"
    )
    tcp = "postgresql://bot:s%40cret@db.example:6543/between?sslmode=require&dbname=other"
    assert with_database(tcp, "t2") == (
        "postgresql://bot:s%40cret@db.example:6543/t2?sslmode=require"
    )


def test_the_summary_says_in_one_line_what_became_of_the_postgresql_tests() -> None:
    assert summary(_Session()) == ""  # no test asked for PostgreSQL: nothing said
    ran = _Session(ran=3, server="PostgreSQL 15.14 (a throwaway cluster)")
    assert summary(ran) == "PostgreSQL: 3 tests ran against PostgreSQL 15.14 (a throwaway cluster)"
    skipped = _Session(skipped=2, why_not="not installed")
    assert summary(skipped) == (
        "PostgreSQL: not installed, the 2 PostgreSQL tests were skipped "
        "(apt-get install postgresql, or set BOT_TEST_DATABASE_URL=postgresql://…)"
    )
    assert summary(_Session(skipped=1, why_not="not installed")).startswith(
        "PostgreSQL: not installed, the PostgreSQL test was skipped ("
    )
    failed = _Session(errors=4)
    assert summary(failed) == "PostgreSQL: no server to test against (see the errors above)"

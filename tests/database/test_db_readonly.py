"""Proof that ormdoctor's connection cannot write: the write raises and the data is unchanged."""

import hashlib

import pytest
import sqlalchemy as sa
from dbhelpers import query, run_sql

from ormdoctor.database import open_readonly

WRITES = [
    "INSERT INTO accounts (id, name) VALUES (2, 'mallory')",
    "UPDATE accounts SET name = 'changed'",
    "DELETE FROM accounts",
    "CREATE TABLE intruder (id INTEGER)",
    "DROP TABLE accounts",
]


@pytest.fixture
def pg_accounts(postgres_url) -> str:
    run_sql(postgres_url, "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT);"
                          "INSERT INTO accounts VALUES (1, 'alice')")
    return postgres_url


def pg_state(url):
    return (query(url, "SELECT * FROM accounts ORDER BY id"),
            query(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))


@pytest.mark.postgres
@pytest.mark.parametrize("statement", WRITES)
def test_postgres_write_fails_and_changes_nothing(pg_accounts, statement):
    before = pg_state(pg_accounts)
    with open_readonly(pg_accounts) as conn:
        with pytest.raises(sa.exc.DBAPIError, match="read-only transaction"):
            conn.exec_driver_sql(statement)
        conn.rollback()
        conn.commit()  # a fresh transaction after a commit is read-only too
        with pytest.raises(sa.exc.DBAPIError, match="read-only transaction"):
            conn.exec_driver_sql(statement)
    assert pg_state(pg_accounts) == before == ([(1, "alice")], [("accounts",)])


@pytest.mark.postgres
def test_postgres_autocommit_cannot_write_either(pg_accounts):
    with open_readonly(pg_accounts) as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        with pytest.raises(sa.exc.DBAPIError, match="read-only transaction"):
            conn.exec_driver_sql(WRITES[0])
    assert pg_state(pg_accounts)[0] == [(1, "alice")]


@pytest.mark.postgres
def test_postgres_session_settings(pg_accounts):
    with open_readonly(pg_accounts, statement_timeout_ms=1500) as conn:
        assert conn.exec_driver_sql("SHOW default_transaction_read_only").scalar() == "on"
        assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "1500ms"
        assert conn.exec_driver_sql("SELECT name FROM accounts").scalar() == "alice"
        with pytest.raises(sa.exc.OperationalError, match="statement timeout"):
            conn.exec_driver_sql("SELECT pg_sleep(3)")


@pytest.fixture
def sqlite_accounts(tmp_path):
    path = tmp_path / "accounts.db"
    run_sql(f"sqlite:///{path}", "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)")
    run_sql(f"sqlite:///{path}", "INSERT INTO accounts VALUES (1, 'alice')")
    return path


@pytest.mark.parametrize("statement", WRITES + ["CREATE TEMP TABLE scratch (id INTEGER)"])
def test_sqlite_write_fails_and_changes_nothing(sqlite_accounts, statement):
    digest = hashlib.sha256(sqlite_accounts.read_bytes()).hexdigest()
    mtime = sqlite_accounts.stat().st_mtime_ns
    with open_readonly(f"sqlite:///{sqlite_accounts}") as conn:
        assert conn.exec_driver_sql("SELECT name FROM accounts").scalar() == "alice"
        with pytest.raises(sa.exc.OperationalError, match="readonly database"):
            conn.exec_driver_sql(statement)
            conn.commit()
    assert hashlib.sha256(sqlite_accounts.read_bytes()).hexdigest() == digest
    assert sqlite_accounts.stat().st_mtime_ns == mtime
    assert query(f"sqlite:///{sqlite_accounts}", "SELECT * FROM accounts") == [(1, "alice")]

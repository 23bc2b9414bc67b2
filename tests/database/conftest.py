"""Fixtures for the database layer: seeded PostgreSQL databases and SQLite files, all real."""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
import time
import uuid
from pathlib import Path

import pytest

if importlib.util.find_spec("ormdoctor") is None:  # the package is not installed in the venv
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from dbhelpers import SEED_DDL, SQLITE_DDL, query, run_sql  # noqa: E402


@pytest.fixture
def seeded_postgres(postgres_url) -> str:
    run_sql(postgres_url, SEED_DDL)
    return postgres_url


@pytest.fixture
def sqlite_file(tmp_path) -> Path:
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(SQLITE_DDL)
    conn.close()
    return path


@pytest.fixture(scope="session")
def password_role(postgres_server):
    """(user, password) of a role that must authenticate with scram-sha-256.

    pgserver trusts every local connection; one hba line for this role only, added in front of
    the others and reloaded, makes a wrong password fail without affecting any other test.
    """
    user, password = f"pw_{uuid.uuid4().hex[:8]}", "Corr3ct-Horse!"
    admin_url = postgres_server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
    run_sql(admin_url, f"CREATE ROLE {user} LOGIN PASSWORD '{password}'")
    hba = Path(query(admin_url, "SHOW hba_file")[0][0])
    hba.write_text(f"local all {user} scram-sha-256\n" + hba.read_text())
    query(admin_url, "SELECT pg_reload_conf()")
    _wait_until_password_is_required(admin_url, user)
    return user, password


def _wait_until_password_is_required(admin_url: str, user: str, seconds: float = 10.0) -> None:
    """pg_reload_conf() only signals the server; new connections use the new hba file a moment
    later. Wait (bounded) until a wrong password is really refused."""
    import sqlalchemy as sa

    prefix, _, rest = admin_url.partition("://")
    probe = f"{prefix}://{user}:wrong@{rest.split('@', 1)[1]}"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        engine = sa.create_engine(probe)
        try:
            with engine.connect():
                pass
        except sa.exc.OperationalError:
            return
        finally:
            engine.dispose()
        time.sleep(0.05)
    raise AssertionError("PostgreSQL did not start requiring the password after pg_reload_conf()")

"""`verify --db` on the real PostgreSQL leaves the database as it found it, whatever the models say;
`--db sqlite:///x.db` leaves no -wal/-shm files beside a WAL-mode database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
import sqlalchemy as sa
from support.projects import write_project

ENUM_MODELS = """
import enum
from sqlalchemy import Enum, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column
from app.db import Base


class Status(enum.Enum):
    open = "open"
    closed = "closed"


class Ticket(Base):
    __tablename__ = "tickets"
    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[Status] = mapped_column(Enum(Status, name="ticket_status"))


class Event(Base):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    status: Mapped[Status] = mapped_column(Enum(Status, name="ticket_status"))
    kind: Mapped[str] = mapped_column(Enum("a", "b", name="event_kind", schema="audit"))
"""

# The text completes CREATE TABLE, commits, and opens a statement that the rest of SQLAlchemy's DDL
# (",\n\tPRIMARY KEY (id)\n)") closes: a valid script of three statements. "aardvarks" sorts first:
# were the COMMIT to run, it and "injected" would stay in the database.
COMMIT_MODELS = """
from typing import Optional
from sqlalchemy import String, text
from sqlalchemy.orm import Mapped, mapped_column
from app.db import Base


class Aardvark(Base):
    __tablename__ = "aardvarks"
    id: Mapped[int] = mapped_column(primary_key=True)


class Injected(Base):
    __tablename__ = "injected"
    id: Mapped[int] = mapped_column(primary_key=True)
    raw: Mapped[Optional[str]] = mapped_column(
        String, server_default=text("'x'); COMMIT; CREATE TABLE pwned (id int, raw text DEFAULT 'y'"))


class Quoted(Base):
    __tablename__ = "quoted"
    id: Mapped[int] = mapped_column(primary_key=True)
    note: Mapped[str] = mapped_column(String, server_default="x'; COMMIT; --", default="y'; COMMIT; --")
"""


def run_cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("ORMDOCTOR_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "ormdoctor", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


def database_state(url: str) -> dict:
    """Everything verify could leave behind: schemas, tables, types."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = lambda sql: sorted(tuple(r) for r in conn.exec_driver_sql(sql))  # noqa: E731
            return {
                "schemas": rows("SELECT nspname FROM pg_namespace WHERE nspname !~ '^pg_'"),
                "tables": rows("SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN "
                               "('pg_catalog', 'information_schema')"),
                "types": rows("SELECT n.nspname, t.typname FROM pg_type t JOIN pg_namespace n "
                              "ON n.oid = t.typnamespace WHERE t.typtype IN ('e', 'd')"),
            }
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_named_enums_are_created_before_their_tables(tmp_path, postgres_url):
    project = write_project(tmp_path / "p", {"app/models.py": ENUM_MODELS})
    before = database_state(postgres_url)
    proc = run_cli("verify", str(project), "--db", postgres_url, "--no-cache")
    assert "does not exist" not in proc.stdout, proc.stdout
    assert proc.stdout.splitlines()[-1].startswith("2 tables on 1 metadata created on postgresql in ")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert database_state(postgres_url) == before


@pytest.mark.postgres
def test_an_existing_enum_type_is_reused_not_a_failure(tmp_path, postgres_url):
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE SCHEMA audit")
        conn.exec_driver_sql("CREATE TYPE ticket_status AS ENUM ('open', 'closed')")
    engine.dispose()
    project = write_project(tmp_path / "p", {"app/models.py": ENUM_MODELS})
    before = database_state(postgres_url)
    proc = run_cli("verify", str(project), "--db", postgres_url, "--no-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert database_state(postgres_url) == before


@pytest.mark.postgres
def test_a_default_holding_commit_cannot_commit_the_ddl(tmp_path, postgres_url):
    project = write_project(tmp_path / "p", {"app/models.py": COMMIT_MODELS})
    before = database_state(postgres_url)
    proc = run_cli("verify", str(project), "--db", postgres_url, "--no-cache")
    assert database_state(postgres_url) == before, proc.stdout
    # The injected text fails its own table; the quoted default is a plain, escaped literal.
    lines = proc.stdout.splitlines()
    assert lines[-3:-1] == ["  app.db:Base.metadata: 2 of 3 tables created",
                            "    table injected: NotSupportedError: its DDL holds COMMIT or ROLLBACK (raw SQL such as "
                            "a text() default); refused, nothing was committed"]
    assert lines[-1].startswith("2 of 3 tables on 1 metadata created on postgresql in ")
    assert proc.returncode == 1


def _wal_database(path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()  # the last connection checkpoints and removes -wal/-shm
    assert sorted(os.listdir(path.parent)) == [path.name]


@pytest.mark.parametrize("command", [["check"], ["tables"], ["check", "--import"]])
def test_sqlite_wal_database_is_read_without_leaving_files(tmp_path, command):
    project = write_project(tmp_path / "p", {"app/models.py": """
        from sqlalchemy.orm import Mapped, mapped_column
        from app.db import Base


        class Customer(Base):
            __tablename__ = "customers"
            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str]
        """})
    data = tmp_path / "data"
    data.mkdir()
    database = data / "app.db"
    _wal_database(database)
    proc = run_cli(*command, str(project), "--db", f"sqlite:///{database}", "--no-cache")
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    assert sorted(os.listdir(data)) == ["app.db"]

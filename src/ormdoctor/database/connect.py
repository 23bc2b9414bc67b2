"""A database connection that cannot write, and one-line errors when there is none.

SQLAlchemy is imported inside the functions: `ormdoctor check` without `--db` must not pay for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from .opening import drivername, readonly_sqlite_query
from .url import mask_url, scrub

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection, Engine

# Statements run once per new DBAPI connection, before SQLAlchemy uses it. On PostgreSQL the
# session default makes every later transaction read-only too, even after a commit.
_SESSION_SQL = {
    "postgresql": (
        "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
        "SET statement_timeout = {statement_timeout_ms:d}",
    ),
    "sqlite": ("PRAGMA query_only = ON",),  # on top of mode=ro: also blocks TEMP tables
    "mysql": ("SET SESSION TRANSACTION READ ONLY",),
}

# Import name of a driver -> what to pip install when it is missing.
_PIP_NAME = {
    "sqlalchemy": "'ormdoctor[db]'",
    "psycopg": "'psycopg[binary]'",
    "psycopg2": "psycopg2-binary",
    "MySQLdb": "mysqlclient",
}

_URL_SHAPE = "dialect+driver://user:password@host:port/database"
_MAX_CAUSE = 300


class DatabaseUnavailable(Exception):
    """The database cannot be opened or read. `str()` is one line and never holds the password."""

    def __init__(self, url_masked: str, cause: str, action: str = "cannot connect to"):
        self.url_masked = url_masked
        self.cause = cause
        super().__init__(f"{action} {url_masked}: {cause}")


@contextmanager
def open_readonly(
    url: str, *, connect_timeout: int = 10, statement_timeout_ms: int = 30000
) -> Iterator[Connection]:
    """A SQLAlchemy Connection on which INSERT/UPDATE/DDL fail (PostgreSQL, SQLite, MySQL).

    Raises DatabaseUnavailable when the database cannot be reached. Errors raised by the
    caller's own statements inside the `with` block pass through unchanged.
    """
    with unavailable_on_error(url):
        engine = _readonly_engine(url, connect_timeout, statement_timeout_ms)
        connection = engine.connect()
    try:
        yield connection
    finally:
        connection.close()
        engine.dispose()


@contextmanager
def unavailable_on_error(url: str, action: str = "cannot connect to") -> Iterator[None]:
    """Turn any failure inside the block into a one-line, password-free DatabaseUnavailable."""
    try:
        yield
    except DatabaseUnavailable:
        raise
    except Exception as exc:
        # `from None`: a chained traceback could print the URL with its password.
        raise DatabaseUnavailable(mask_url(url), scrub(describe_failure(exc), url), action) from None


def readonly_note(dialect: str) -> str | None:
    """What the user should know about how read-only the connection is, if anything."""
    if dialect in ("postgresql", "sqlite"):
        return None
    if dialect in ("mysql", "mariadb"):
        return f"{dialect}: the session is READ ONLY but has no statement timeout"
    return f"{dialect}: read-only is not enforced by ormdoctor; it only runs reflection queries"


def describe_failure(exc: BaseException) -> str:
    """The cause of a connection failure as one short line (not yet scrubbed)."""
    if isinstance(exc, ImportError):
        return _missing_driver(exc)
    text = str(getattr(exc, "orig", None) or exc)
    plugin = re.search(r"Can't load plugin: sqlalchemy\.dialects:(\S+)", text)
    if plugin:
        return f"unknown dialect or driver {plugin.group(1).replace('.', '+')!r}"
    line = " ".join(text.split()) or type(exc).__name__
    return line if len(line) <= _MAX_CAUSE else line[: _MAX_CAUSE - 3] + "..."


def _missing_driver(exc: ImportError) -> str:
    name = (exc.name or "").split(".")[0] or "?"
    what = "SQLAlchemy" if name == "sqlalchemy" else f"the database driver {name!r}"
    return f"{what} is not installed (pip install {_PIP_NAME.get(name, name)})"


def _readonly_engine(url: str, connect_timeout: int, statement_timeout_ms: int) -> Engine:
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    target, connect_args = _target_and_args(url, _parse(url), connect_timeout)
    engine = sa.create_engine(target, poolclass=NullPool, connect_args=connect_args)
    backend = "mysql" if target.get_backend_name() == "mariadb" else target.get_backend_name()
    statements = [s.format(statement_timeout_ms=int(statement_timeout_ms))
                  for s in _SESSION_SQL.get(backend, ())]
    sa.event.listen(engine, "connect", _session_setup(statements), insert=True)
    return engine


def _parse(url: str) -> URL:
    import sqlalchemy
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:
        raise DatabaseUnavailable(
            mask_url(str(url)), f"malformed database URL (expected {_URL_SHAPE})"
        ) from None
    return parsed.set(drivername=drivername(parsed.drivername, sqlalchemy.__version__))


def _target_and_args(url: str, target: URL, timeout: int) -> tuple[URL, dict]:
    """Per dialect: SQLite becomes a read-only file URI; servers get a connect timeout."""
    backend = target.get_backend_name()
    if backend == "sqlite":
        return _sqlite_readonly(url, target), {"timeout": timeout}
    if backend == "postgresql":
        return target, _postgres_args(target, timeout)
    if backend in ("mysql", "mariadb"):  # pymysql, mysqlclient and mariadb all take it
        return target, {"connect_timeout": timeout}
    return target, {}


def _postgres_args(target: URL, timeout: int) -> dict:
    driver = target.get_driver_name()
    if driver in ("psycopg", "psycopg2"):
        args = {"connect_timeout": timeout, "application_name": "ormdoctor"}
        return {k: v for k, v in args.items() if k not in target.query}
    return {"timeout": timeout} if driver == "pg8000" else {}


def _sqlite_readonly(url: str, target: URL) -> URL:
    """`file:<path>?mode=ro&uri=true`; a missing file is an error, never a new empty database."""
    path = _sqlite_path(target)
    if path is None:
        raise DatabaseUnavailable(
            mask_url(url), "an in-memory SQLite database is always empty; give a database file"
        )
    if not path.is_file():
        raise DatabaseUnavailable(
            mask_url(url), f"no SQLite database file at {path} (ormdoctor never creates one)"
        )
    return target.set(database="file:" + quote(str(path)), query=readonly_sqlite_query(path))


def _sqlite_path(target: URL) -> Path | None:
    database = target.database or ""
    if target.query.get("uri") and database.startswith("file:"):
        if target.query.get("mode") == "memory":
            return None
        database = unquote(database[len("file:"):])
    if database in ("", ":memory:"):
        return None
    return Path(database).expanduser().resolve()


def _session_setup(statements: list[str]):
    """A `connect` listener running `statements` outside any transaction, so they persist."""

    def setup(dbapi_connection, _record) -> None:
        if not statements:
            return
        # Only psycopg/psycopg2 expose a boolean `autocommit`: a SET inside the implicit
        # transaction would be undone by SQLAlchemy's first rollback.
        toggle = getattr(dbapi_connection, "autocommit", None) is False
        if toggle:
            dbapi_connection.autocommit = True
        cursor = dbapi_connection.cursor()
        try:
            for statement in statements:
                cursor.execute(statement)
        finally:
            cursor.close()
            if toggle:
                dbapi_connection.autocommit = False

    return setup

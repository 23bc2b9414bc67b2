"""How a database URL is opened, decided without SQLAlchemy: shared by ormdoctor and the scripts it runs
in the project's interpreter (alembic_probe.py and the tracer load this file by path). Standard
library only, valid on Python 3.8.
"""

import importlib.util
import os
import re

# Async drivers cannot serve a plain Connection; reflection and DDL run on their sync siblings.
SYNC_DRIVER = {
    "postgresql+asyncpg": "postgresql+psycopg",
    "postgresql+psycopg_async": "postgresql+psycopg",
    "sqlite+aiosqlite": "sqlite+pysqlite",
    "mysql+aiomysql": "mysql+pymysql",
    "mysql+asyncmy": "mysql+pymysql",
}

_SQLITE_HEADER = b"SQLite format 3\x00"
_WAL_VERSION = 2  # the file format versions at offsets 18 and 19


def drivername(name, sqlalchemy_version):
    """The dialect+driver to use for `name`: sync instead of async, and for a bare ``postgresql`` the
    driver that is installed. SQLAlchemy 2.1 defaults to psycopg (3), 2.0 and 1.4 to psycopg2; when the
    default is missing and the other one is there (1.4 knows only psycopg2), use that."""
    name = SYNC_DRIVER.get(name, name)
    if name != "postgresql":
        return name
    version = tuple(int(part) for part in re.findall(r"\d+", sqlalchemy_version)[:2])
    if version >= (2, 1):
        candidates = ("psycopg", "psycopg2")
    else:
        candidates = ("psycopg2", "psycopg") if version >= (2, 0) else ("psycopg2",)
    installed = [driver for driver in candidates if importlib.util.find_spec(driver) is not None]
    return "postgresql+" + installed[0] if installed else name


def readonly_sqlite_query(path):
    """The URI query that opens the SQLite file `path` read-only, creating nothing beside it.

    A WAL-mode database opened with ``mode=ro`` still gets ``-wal`` and ``-shm`` files, which stay
    behind because a read-only connection cannot checkpoint them away. When no ``-wal`` file exists,
    everything is in the main file and ``immutable=1`` reads it without creating any; when one
    exists, another process has the database open and its files are used as they are."""
    query = {"mode": "ro", "uri": "true"}
    if _in_wal_mode(path) and not os.path.exists(str(path) + "-wal"):
        query["immutable"] = "1"
    return query


def _in_wal_mode(path):
    try:
        with open(path, "rb") as handle:
            header = handle.read(20)
    except OSError:
        return False
    return len(header) == 20 and header[:16] == _SQLITE_HEADER and header[18] == header[19] == _WAL_VERSION

"""Opening a SQLite file read-only without leaving files beside it.

Standard library only and valid on Python 3.8: alembic_probe.py loads it by path in the project's
interpreter. A WAL-mode database opened with ``mode=ro`` still gets ``-wal`` and ``-shm`` files,
which stay behind because a read-only connection cannot checkpoint them away. When no ``-wal``
file exists, everything is in the main file and ``immutable=1`` reads it without creating any;
when one exists, another process has the database open and its files are used as they are.
"""

import os

_HEADER = b"SQLite format 3\x00"
_WAL_VERSION = 2  # file format versions at offsets 18 and 19


def readonly_query(path):
    """The URI query parameters that open `path` read-only, creating nothing."""
    query = {"mode": "ro", "uri": "true"}
    if in_wal_mode(path) and not os.path.exists(str(path) + "-wal"):
        query["immutable"] = "1"
    return query


def in_wal_mode(path):
    try:
        with open(path, "rb") as handle:
            header = handle.read(20)
    except OSError:
        return False
    return header[:16] == _HEADER and header[18] == _WAL_VERSION and header[19] == _WAL_VERSION

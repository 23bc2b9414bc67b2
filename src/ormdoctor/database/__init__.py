"""Database truth: read-only connections, reflection into plain data, masked URLs.

Importing this package does not import SQLAlchemy; connecting and reflecting do.
"""

from .connect import DatabaseUnavailable, open_readonly, readonly_note
from .reflect import reflect, reflect_connection
from .schema import DbColumn, DbForeignKey, DbIndex, DbSchema, DbTable, DbUnique
from .url import from_env, mask_url, scrub

__all__ = [
    "DatabaseUnavailable",
    "DbColumn",
    "DbForeignKey",
    "DbIndex",
    "DbSchema",
    "DbTable",
    "DbUnique",
    "from_env",
    "mask_url",
    "open_readonly",
    "readonly_note",
    "reflect",
    "reflect_connection",
    "scrub",
]

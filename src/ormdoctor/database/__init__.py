"""Database truth: read-only connections, reflection into plain data, masked URLs.

Importing this package imports nothing else (not SQLAlchemy, not its own modules): every
command imports ``ormdoctor.database.url`` for ``--db``, and most never connect. The names
below load their module when first used.
"""

from __future__ import annotations

import importlib

_HOMES = {
    "DatabaseUnavailable": "connect", "open_readonly": "connect", "readonly_note": "connect",
    "reflect": "reflection", "reflect_connection": "reflection",
    "DbColumn": "schema", "DbForeignKey": "schema", "DbIndex": "schema", "DbSchema": "schema",
    "DbTable": "schema", "DbUnique": "schema",
    "from_env": "url", "mask_url": "url", "scrub": "url",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value

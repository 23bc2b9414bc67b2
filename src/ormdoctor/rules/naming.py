"""The names SQLAlchemy gives indexes and constraints: explicit names and naming conventions."""

from __future__ import annotations

import re

DEFAULT_CONVENTION = {"ix": "ix_%(column_0_label)s"}
_TOKEN = re.compile(r"%\((\w+)\)s")


def final_name(kind: str, explicit: str | None, table: str, schema: str | None, columns: list[str],
               convention: dict[str, str] | None, referred: str | None = None) -> str | None:
    """The name the database gets, or None when the database chooses it."""
    conventions = dict(DEFAULT_CONVENTION)
    conventions.update(convention or {})
    template = conventions.get(kind)
    if template is not None and not isinstance(template, str):
        return None  # a constant that is not text (`"ix": b"x"`): SQLAlchemy cannot use it either
    if template is None or (explicit and "%(constraint_name)s" not in template):
        return explicit
    if "%(constraint_name)s" in template and not explicit:
        return None  # SQLAlchemy raises at DDL time; not a naming collision
    return _format(template, explicit, table, schema, columns, referred)


def _format(template, explicit, table, schema, columns, referred) -> str | None:
    label_prefix = f"{schema.replace('.', '_')}_{table}" if schema else table
    values = {
        "table_name": table,
        "constraint_name": explicit or "",
        "referred_table_name": referred or "",
    }
    if columns and all(isinstance(c, str) for c in columns):  # a computed name is unknown: so is the index's
        values.update({
            "column_0_name": columns[0], "column_0_key": columns[0],
            "column_0_label": f"{label_prefix}_{columns[0]}",
            "column_0N_name": "".join(columns), "column_0_N_name": "_".join(columns),
            "column_0N_label": "".join(f"{label_prefix}_{c}" for c in columns),
            "column_0_N_label": "_".join(f"{label_prefix}_{c}" for c in columns),
            "column_0N_key": "".join(columns), "column_0_N_key": "_".join(columns),
        })
    try:
        return _TOKEN.sub(lambda m: values[m.group(1)], template)
    except KeyError:
        return None

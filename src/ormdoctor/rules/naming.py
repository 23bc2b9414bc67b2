"""The names SQLAlchemy gives indexes and constraints: explicit names and naming conventions."""

from __future__ import annotations

import re
from functools import lru_cache

DEFAULT_CONVENTION = {"ix": "ix_%(column_0_label)s"}
_TOKEN = re.compile(r"%\((\w+)\)s")


def final_name(kind: str, explicit: str | None, table: str, schema: str | None, columns: list[str],
               convention: dict[str, str] | None, referred: str | None = None) -> str | None:
    """The name the database gets, or None when the database chooses it."""
    template = convention.get(kind) if convention and kind in convention else DEFAULT_CONVENTION.get(kind)
    if template is not None and not isinstance(template, str):
        return None  # a constant that is not text (`"ix": b"x"`): SQLAlchemy cannot use it either
    if template is None or (explicit and "%(constraint_name)s" not in template):
        return explicit
    if "%(constraint_name)s" in template and not explicit:
        return None  # SQLAlchemy raises at DDL time; not a naming collision
    return _format(template, explicit, table, schema, columns, referred)


def written_name(inventory, table, constraint) -> tuple[str | None, bool]:
    """(the name written for ``constraint`` of ``table``, whether it is known): a computed name
    (`"ix_%s_code" % __tablename__`, an f-string, a constant) is evaluated where it can be. None
    and known: no name is written, and the convention or the database chooses one."""
    if constraint.name_expr is None:
        return constraint.name, True
    declarative = inventory.declarative
    value = declarative.constraint_name(table, constraint) if declarative is not None else None
    return value, value is not None


@lru_cache(maxsize=None)
def _tokens(template: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_TOKEN.findall(template)))


def _format(template, explicit, table, schema, columns, referred) -> str | None:
    """The template's tokens filled in; only those it uses are computed (this runs for every
    index of every table)."""
    label_prefix = f"{schema.replace('.', '_')}_{table}" if schema else table
    # A computed column name is unknown: so is any name made from the columns.
    known = bool(columns) and all(isinstance(c, str) for c in columns)
    values = {}
    for token in _tokens(template):
        if token == "table_name":
            values[token] = table
        elif token == "constraint_name":
            values[token] = explicit or ""
        elif token == "referred_table_name":
            values[token] = referred or ""
        elif not known:
            return None
        elif token in ("column_0_name", "column_0_key"):
            values[token] = columns[0]
        elif token == "column_0_label":
            values[token] = f"{label_prefix}_{columns[0]}"
        elif token in ("column_0N_name", "column_0N_key"):
            values[token] = "".join(columns)
        elif token in ("column_0_N_name", "column_0_N_key"):
            values[token] = "_".join(columns)
        elif token == "column_0N_label":
            values[token] = "".join(f"{label_prefix}_{c}" for c in columns)
        elif token == "column_0_N_label":
            values[token] = "_".join(f"{label_prefix}_{c}" for c in columns)
        else:
            return None  # a token SQLAlchemy computes from a callable in the convention, or a typo
    return _TOKEN.sub(lambda m: values[m.group(1)], template)

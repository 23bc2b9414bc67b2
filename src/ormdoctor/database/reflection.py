"""Read every user schema of a live database into a DbSchema, through a read-only connection.

SQLAlchemy 2.x reflects a whole schema in a handful of queries (`get_multi_*`); 1.4 has only
the per-table calls, which cost several queries per table, so they are the fallback.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple

from ..typefamily import type_family
from .connect import open_readonly, readonly_note, unavailable_on_error
from .schema import DbColumn, DbForeignKey, DbIndex, DbSchema, DbTable, DbUnique
from .url import mask_url

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Inspector

# Catalogs of the database itself, never the application's tables.
SYSTEM_SCHEMAS = frozenset({
    "information_schema", "INFORMATION_SCHEMA", "pg_catalog", "pg_toast",  # PostgreSQL
    "mysql", "performance_schema", "sys",  # MySQL / MariaDB
    "guest", "db_owner", "db_accessadmin", "db_securityadmin", "db_ddladmin",  # SQL Server
    "db_backupoperator", "db_datareader", "db_datawriter", "db_denydatareader",
    "db_denydatawriter", "temp",
})

_Key = tuple[str, str]  # (schema as the database names it, table)
_Resolver = Callable[[str | None, str], str | None]


class _RawTable(NamedTuple):
    """One table as the Inspector returns it: dicts, before conversion."""

    columns: list
    pk: dict | None
    foreign_keys: list
    indexes: list
    uniques: list
    comment: dict | None
    kind: str


def reflect(url: str, *, schemas: Iterable[str] | None = None) -> DbSchema:
    """Reflect all user schemas (or only `schemas`) of the database at `url`.

    Raises DatabaseUnavailable (one line, no password) when it cannot connect or read.
    """
    started = time.perf_counter()
    with open_readonly(url) as connection, unavailable_on_error(url, "cannot read"):
        return reflect_connection(connection, schemas=schemas, url_masked=mask_url(url),
                                  started=started)


def reflect_connection(
    connection: Connection,
    *,
    schemas: Iterable[str] | None = None,
    url_masked: str = "",
    started: float | None = None,
) -> DbSchema:
    """Reflect through an open connection (e.g. a SQLite one with databases ATTACHed)."""
    import sqlalchemy as sa

    started = time.perf_counter() if started is None else started
    with warnings.catch_warnings():
        # "Did not recognize type ..." and friends: the type then shows as NullType.
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        inspector = sa.inspect(connection)
        default = inspector.default_schema_name
        raw = _reflect_raw(inspector, _schema_names(inspector, schemas, default))
        resolve = _ref_resolver(set(raw), _search_path(connection, default), default)
        tables = [_table(key, r, default, resolve, connection.dialect) for key, r in raw.items()]
    return DbSchema(
        dialect=connection.dialect.name,
        default_schema=default,
        url_masked=url_masked,
        tables=tuple(sorted(tables, key=lambda t: (t.schema is not None, t.schema or "", t.name))),
        seconds=time.perf_counter() - started,
        notes=tuple(filter(None, [readonly_note(connection.dialect.name)])),
    )


def user_schemas(inspector: Inspector) -> list[str]:
    """Every schema but the database's own catalogs (and PostgreSQL's pg_* internals)."""
    return [s for s in inspector.get_schema_names()
            if s not in SYSTEM_SCHEMAS and not s.startswith("pg_")]


def _schema_names(inspector: Inspector, wanted: Iterable[str] | None, default: str | None):
    if wanted is None:
        return user_schemas(inspector)
    return [default if s is None else s for s in wanted]


def _reflect_raw(inspector: Inspector, schemas: list[str]) -> dict[_Key, _RawTable]:
    reflect_schema = _multi if hasattr(inspector, "get_multi_columns") else _per_table
    raw: dict[_Key, _RawTable] = {}
    for schema in schemas:
        raw.update({(schema, name): t for name, t in reflect_schema(inspector, schema).items()})
    return raw


def _multi(inspector: Inspector, schema: str) -> dict[str, _RawTable]:
    """SQLAlchemy 2.x: one query per kind of fact for the whole schema."""
    from sqlalchemy.engine.reflection import ObjectKind

    kw = {"schema": schema, "kind": ObjectKind.ANY}
    columns = inspector.get_multi_columns(**kw)
    pks = inspector.get_multi_pk_constraint(**kw)
    fks = inspector.get_multi_foreign_keys(**kw)
    indexes = inspector.get_multi_indexes(**kw)
    uniques = _optional(lambda: inspector.get_multi_unique_constraints(**kw), {})
    comments = _optional(lambda: inspector.get_multi_table_comment(**kw), {})
    kinds = _kinds(inspector, schema)
    return {
        key[1]: _RawTable(cols, pks.get(key), fks.get(key, []), indexes.get(key, []),
                          uniques.get(key, []), comments.get(key), kinds.get(key[1], "table"))
        for key, cols in columns.items()
    }


def _per_table(inspector: Inspector, schema: str) -> dict[str, _RawTable]:
    """SQLAlchemy 1.4: the same facts, table by table."""
    kinds = _kinds(inspector, schema)
    names = [*inspector.get_table_names(schema), *kinds]
    return {name: _one_table(inspector, schema, name, kinds.get(name, "table")) for name in names}


def _one_table(inspector: Inspector, schema: str, name: str, kind: str) -> _RawTable:
    return _RawTable(
        # A copy: SQLAlchemy 1.4's SQLite get_pk_constraint sorts the cached list in place.
        list(inspector.get_columns(name, schema)),
        inspector.get_pk_constraint(name, schema),
        inspector.get_foreign_keys(name, schema),
        inspector.get_indexes(name, schema),
        _optional(lambda: inspector.get_unique_constraints(name, schema), []),
        _optional(lambda: inspector.get_table_comment(name, schema), None),
        kind,
    )


def _kinds(inspector: Inspector, schema: str) -> dict[str, str]:
    """Views and materialized views by name; everything else reflected is a table."""
    materialized = getattr(inspector, "get_materialized_view_names", None)  # 2.0+
    names = {name: "view" for name in inspector.get_view_names(schema)}
    if materialized:
        names.update({n: "materialized view" for n in _optional(lambda: materialized(schema), [])})
    return names


def _optional(call: Callable, fallback):
    """Dialects without a feature (SQLite has no table comments) raise NotImplementedError."""
    try:
        return call()
    except NotImplementedError:
        return fallback


def _search_path(connection: Connection, default: str | None) -> list[str]:
    """PostgreSQL resolves unqualified names (and prints FK targets) along its search_path."""
    if connection.dialect.name != "postgresql":
        return [default] if default else []
    return list(connection.exec_driver_sql("SELECT current_schemas(false)").scalar() or [])


def _ref_resolver(known: set[_Key], search_path: list[str], default: str | None) -> _Resolver:
    """Maps a reflected FK target schema to the DbTable convention (None = default schema).

    PostgreSQL leaves the schema out when the target is on the search_path, which need not be
    the default schema: take the first search_path schema that has the table.
    """

    def resolve(ref_schema: str | None, ref_table: str) -> str | None:
        if ref_schema is None:
            found = (s for s in search_path if (s, ref_table) in known)
            ref_schema = next(found, default)
        return None if ref_schema == default else ref_schema

    return resolve


def _table(key: _Key, raw: _RawTable, default, resolve: _Resolver, dialect) -> DbTable:
    schema, name = key
    pk = tuple((raw.pk or {}).get("constrained_columns") or ())
    indexes = [_index(i) for i in raw.indexes if not i.get("duplicates_constraint")]
    return DbTable(
        schema=None if schema == default else schema,
        name=name,
        columns=tuple(_column(c, pk, dialect) for c in raw.columns),
        primary_key=pk,
        foreign_keys=_by_name(_foreign_key(fk, resolve) for fk in raw.foreign_keys),
        uniques=_by_name(DbUnique(u.get("name"), tuple(u["column_names"])) for u in raw.uniques),
        indexes=_by_name(indexes),
        comment=(raw.comment or {}).get("text"),
        kind=raw.kind,
    )


def _by_name(items) -> tuple:
    """Stable order whatever the dialect returned: by name, unnamed ones by columns."""
    return tuple(sorted(items, key=lambda i: (i.name or "", i.columns)))


def _column(raw: dict, pk: tuple[str, ...], dialect) -> DbColumn:
    family = type_family(type(raw["type"]).__name__) or None
    text = _type_text(raw["type"], dialect, family)
    return DbColumn(
        name=raw["name"],
        type=text,
        family=family or type_family(text),
        nullable=bool(raw.get("nullable", True)),
        default=_text_or_none(raw.get("default")),
        primary_key=raw["name"] in pk,
        comment=raw.get("comment"),
    )


def _type_text(type_, dialect, family: str | None) -> str:
    """The type as this database spells it; enums with their values, which the name hides."""
    if family == "enum":
        return repr(type_)
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:  # NullType (a type SQLAlchemy did not recognise) cannot compile
        return repr(type_)


def _text_or_none(value) -> str | None:
    return None if value is None else str(value)


def _foreign_key(raw: dict, resolve: _Resolver) -> DbForeignKey:
    options = raw.get("options") or {}
    return DbForeignKey(
        name=raw.get("name"),
        columns=tuple(raw["constrained_columns"]),
        ref_schema=resolve(raw.get("referred_schema"), raw["referred_table"]),
        ref_table=raw["referred_table"],
        ref_columns=tuple(raw["referred_columns"]),
        ondelete=options.get("ondelete"),
        onupdate=options.get("onupdate"),
    )


def _index(raw: dict) -> DbIndex:
    """Expression parts (column_names None) keep their SQL text from `expressions`."""
    names = raw.get("column_names") or []
    expressions = raw.get("expressions") or [None] * len(names)
    pairs = zip(names, expressions, strict=False)
    columns = tuple(name if name is not None else (expr or "?") for name, expr in pairs)
    return DbIndex(name=raw.get("name"), columns=columns, unique=bool(raw.get("unique")))

"""The reflected database as plain frozen data: what drift rules compare the models against.

Schema convention, as in SQLAlchemy's MetaData: `schema=None` means the database's default
schema (`public`, `main`); any other schema is named. So `DbTable.key` equals `Table.key` of a
model declared without a schema, and `DbSchema.qualified()` spells the full name for messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class DbColumn:
    name: str
    type: str  # as the database dialect compiles it: "VARCHAR(255)", "TIMESTAMP WITHOUT TIME ZONE"
    family: str | None  # typefamily.type_family(); None when unknown
    nullable: bool
    default: str | None  # the server default as SQL text, e.g. "gen_random_uuid()"
    primary_key: bool
    comment: str | None = None


@dataclass(frozen=True)
class DbForeignKey:
    name: str | None
    columns: tuple[str, ...]
    ref_schema: str | None  # None: the default schema
    ref_table: str
    ref_columns: tuple[str, ...]
    ondelete: str | None = None
    onupdate: str | None = None


@dataclass(frozen=True)
class DbUnique:
    name: str | None
    columns: tuple[str, ...]


@dataclass(frozen=True)
class DbIndex:
    """An index that does not merely back a unique constraint. Expression parts are SQL text."""

    name: str | None
    columns: tuple[str, ...]
    unique: bool


@dataclass(frozen=True)
class DbTable:
    schema: str | None  # None: the default schema
    name: str
    columns: tuple[DbColumn, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[DbForeignKey, ...] = ()
    uniques: tuple[DbUnique, ...] = ()
    indexes: tuple[DbIndex, ...] = ()
    comment: str | None = None
    kind: str = "table"  # "table", "view" or "materialized view"

    @property
    def key(self) -> str:
        return self.name if self.schema is None else f"{self.schema}.{self.name}"

    def column(self, name: str) -> DbColumn | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class DbSchema:
    dialect: str
    default_schema: str | None
    url_masked: str
    tables: tuple[DbTable, ...]
    seconds: float
    notes: tuple[str, ...] = ()  # e.g. how far read-only is enforced on this dialect

    def table(self, schema: str | None, name: str) -> DbTable | None:
        """The table `name` in `schema`; None or the default schema's name mean the default."""
        return self._by_key.get((self._normal(schema), name))

    def find_by_name(self, name: str, *, ignore_case: bool = False) -> list[DbTable]:
        """Every table called `name`, whatever its schema: default schema first, then by schema."""
        wanted = name.casefold() if ignore_case else name
        found = [t for t in self.tables
                 if (t.name.casefold() if ignore_case else t.name) == wanted]
        return sorted(found, key=lambda t: (t.schema is not None, t.schema or "", t.name))

    def qualified(self, table: DbTable) -> str:
        """`schema.name` with the default schema spelled out: "public.customers"."""
        schema = table.schema or self.default_schema
        return f"{schema}.{table.name}" if schema else table.name

    @property
    def schemas(self) -> tuple[str, ...]:
        """The schema names holding at least one table, the default one spelled out."""
        return tuple(sorted({t.schema or self.default_schema or "" for t in self.tables}))

    @cached_property
    def _by_key(self) -> dict[tuple[str | None, str], DbTable]:
        return {(t.schema, t.name): t for t in self.tables}

    def _normal(self, schema: str | None) -> str | None:
        return None if schema == self.default_schema else schema

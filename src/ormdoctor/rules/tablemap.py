"""The tables each MetaData holds, found the way SQLAlchemy finds them by string.

`ForeignKey("customers.id")` and `secondary="tags"` look the table up on the referencing
table's MetaData: an unqualified name means the MetaData's default schema (`MetaData(schema=)`),
not the referencing table's schema. `Table("x", metadata, autoload_with=engine)` and other
lookups put a table there that the source does not define.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ormdoctor.inventory.model import TableDef
from ormdoctor.rules.spelling import NameBook


def qualified_name(schema: str | None, name: str) -> str:
    """``schema.name``, or the bare name on the default schema (as ``TableDef.key`` writes it)."""
    return f"{schema}.{name}" if schema else name


@dataclass
class TableMap:
    inventory: object
    by_key: dict[tuple, list[TableDef]]
    reflected: set[tuple]  # (metadata_id, schema, name) of lookups / autoloaded tables
    opaque: set[str]  # metadata with a model or a Table() whose table name could not be resolved
    extra_columns: dict[tuple, set[str]] = field(default_factory=dict)  # single-table subclasses' columns
    _columns: dict[tuple, set[str]] = field(default_factory=dict)
    _names: dict[tuple, NameBook] = field(default_factory=dict)
    _by_name: dict[str, list[TableDef]] = field(default_factory=dict)

    def default_schema(self, metadata_id: str) -> str | None:
        info = self.inventory.metadatas.get(metadata_id)
        return info.schema if info else None

    def key(self, metadata_id: str, schema: str | None, name: str) -> tuple:
        return (metadata_id, schema if schema is not None else self.default_schema(metadata_id), name)

    def find(self, metadata_id: str, schema: str | None, name: str) -> list[TableDef]:
        return self.by_key.get(self.key(metadata_id, schema, name), [])

    def is_reflected(self, metadata_id: str, schema: str | None, name: str) -> bool:
        return self.key(metadata_id, schema, name) in self.reflected

    def named(self, name: str) -> list[TableDef]:
        """The first definition of every table with this name, on any MetaData and schema."""
        if not self._by_name:
            for key, defs in sorted(self.by_key.items(), key=_sort_key):
                self._by_name.setdefault(key[2], []).append(defs[0])
        return self._by_name.get(name, [])

    def close_names(self, metadata_id: str, name: str, schema: str | None = None) -> list[str]:
        """Table names close to ``name`` in one schema of one MetaData (a name in another schema
        is another table, never a spelling of this one)."""
        key = (metadata_id, schema)
        if key not in self._names:
            self._names[key] = NameBook(n for (m, s, n) in self.by_key if m == metadata_id and s == schema)
        return self._names[key].close(name, n=2, cutoff=0.75)

    def has_column(self, defs: list[TableDef], column: str) -> bool:
        key = (defs[0].metadata_id, defs[0].schema, defs[0].name)
        if key not in self._columns:
            self._columns[key] = self._column_names(defs)
        return column in self._columns[key] or self._open(defs)

    def _open(self, defs: list[TableDef]) -> bool:
        """A class with a third-party mixin (coaster's BaseMixin adds `id`) has columns we cannot see."""
        declarative = self.inventory.declarative
        return any(d.model is not None and declarative.open_ancestry(d.model.path, d.model.fact) for d in defs)

    def _column_names(self, defs: list[TableDef]) -> set[str]:
        key = (defs[0].metadata_id, defs[0].schema, defs[0].name)
        names = set(self.extra_columns.get(key, set()))
        for table in defs:
            names |= {c.name for c in table.columns} | {c.attr for c in table.columns if c.attr}
            if table.model is not None:  # declared_attr columns (own or a mixin's): not ours to judge
                for _, cls in self.inventory.declarative.ancestry(table.model.path, table.model.fact):
                    names |= set(cls.attributes)
        return names


def table_map(inventory) -> TableMap:
    return inventory.derived("table_map", lambda: _compute(inventory))


def _compute(inventory) -> TableMap:
    by_key = inventory.tables_by_key()
    opaque = {c.metadata_id for c in inventory.classes if c.kind == "unknown" and c.metadata_id}
    opaque |= {m.id for m in inventory.metadatas.values() if m.opaque or m.computed_tables}
    found = TableMap(inventory, by_key, _reflected(inventory), opaque)
    for model in inventory.classes:
        if model.kind == "sti" and model.table_name and model.metadata_id:
            key = (model.metadata_id, model.schema, model.table_name)
            found.extra_columns.setdefault(key, set()).update(
                {c.name for c in model.columns if c.name} | set(model.fact.attributes))
    return found


def _reflected(inventory) -> set[tuple]:
    declarative = inventory.declarative
    found = set()
    for path, module in inventory.modules.items():
        for table in module.facts.tables:
            if not table.is_lookup or table.name is None or table.metadata_ref is None:
                continue
            lineage = declarative.expr_lineage(path, table.metadata_ref)
            if lineage is not None:
                info = inventory.metadatas.get(lineage.metadata_id)
                found.add((lineage.metadata_id, table.schema or (info.schema if info else None), table.name))
    return found


def _sort_key(item):
    (metadata_id, schema, name), _ = item
    return (metadata_id, schema or "", name)

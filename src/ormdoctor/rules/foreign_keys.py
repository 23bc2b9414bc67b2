"""Every foreign key in the model layer and the table and column it references.

`ForeignKey("t.c")` / `ForeignKey("schema.t.c")` and `ForeignKeyConstraint` targets are
strings resolved on the referencing table's MetaData when `create_all` or `sorted_tables`
runs (see ``tablemap``). `ForeignKey(Customer.id)` / `ForeignKey(users.c.id)` are objects:
they exist or the module fails at import, so they are never missing; they still point at
a table (joined inheritance, type comparison), found through the module's imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ormdoctor.inventory.installed import is_installed
from ormdoctor.inventory.model import TableDef
from ormdoctor.rules.tablemap import TableMap
from ormdoctor.rules.targets import class_model, table_item_written_in, written_in
from ormdoctor.static.facts import ColumnFact, Pos


@dataclass
class FkRef:
    table: TableDef  # the referencing table
    column: str  # the local column's name
    column_fact: ColumnFact | None
    target: str  # as written: "customers.id", "Customer.id"
    is_expr: bool
    pos: Pos
    path: str  # the file it is written in
    owner: str = ""  # the module whose class statement puts the column on the table

    @property
    def subject(self) -> str:
        return f"{self.table.key}.{self.column}"


@dataclass
class FkTarget:
    status: str  # found | missing-table | missing-column | reflected | unknown
    schema: str | None = None
    name: str | None = None
    column: str | None = None
    defs: list[TableDef] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else (self.name or "?")

    def referenced_column(self, defs: list | None = None) -> ColumnFact | None:
        """The target column, in ``defs`` (default: every definition of the target table)."""
        for table in self.defs if defs is None else defs:
            for column in table.columns:
                if self.column in (column.name, column.attr):
                    return column
        return None


def foreign_key_refs(inventory, tables: TableMap) -> list[FkRef]:
    refs: list[FkRef] = []
    for table in inventory.tables:
        refs += _column_refs(inventory, table, table.columns, table.model)
        refs += _constraint_refs(inventory, table)
    for model in inventory.classes:
        if model.kind == "sti" and model.table_name and model.metadata_id:
            defs = tables.find(model.metadata_id, model.schema, model.table_name)
            if defs:
                refs += _column_refs(inventory, defs[0], model.fact.columns, model)
    return refs


def _column_refs(inventory, table: TableDef, columns, model) -> list[FkRef]:
    refs = []
    for column in columns:
        for fk in column.foreign_keys:
            path = written_in(inventory, model, column, "columns") if model is not None else table.path
            refs.append(FkRef(table, column.name or column.attr or "?", column, fk.target, fk.target_is_expr,
                              fk.pos or column.pos, path, model.path if model is not None else table.path))
    return refs


def _constraint_refs(inventory, table: TableDef) -> list[FkRef]:
    refs = []
    for constraint in table.constraints:
        if constraint.kind != "foreign_key":
            continue
        path = table_item_written_in(inventory, table, constraint)
        for local, target in zip(constraint.columns, constraint.fk_target):
            if isinstance(local, str) and isinstance(target, str):
                refs.append(FkRef(table, local, table.column(local), target, False, constraint.pos, path, table.path))
    return refs


def resolve_foreign_key(inventory, tables: TableMap, ref: FkRef) -> FkTarget:
    if ref.is_expr:
        return _object_target(inventory, tables, ref)
    parts = ref.target.split(".")
    if len(parts) < 2:
        return FkTarget("unknown")
    schema, name, column = ".".join(parts[:-2]) or None, parts[-2], parts[-1]
    metadata_id = ref.table.metadata_id
    effective = schema if schema is not None else tables.default_schema(metadata_id)
    defs = tables.find(metadata_id, schema, name)
    if defs:
        status = "found" if tables.has_column(defs, column) else "missing-column"
        return FkTarget(status, effective, name, column, defs)
    if tables.is_reflected(metadata_id, schema, name):
        return FkTarget("reflected", effective, name, column)
    if metadata_id in tables.opaque:
        return FkTarget("unknown", effective, name, column)
    return FkTarget("missing-table", effective, name, column)


def _object_target(inventory, tables: TableMap, ref: FkRef) -> FkTarget:
    """`Customer.id`, `Customer.__table__.c.id`, `users.c.id`: objects, so they exist or the
    module fails at import; resolved for the type comparison and the table they point at."""
    return object_target(inventory, tables, ref.path, ref.target, ref.table.metadata_id)


def object_target(inventory, tables: TableMap, path: str, target: str, metadata_id: str | None) -> FkTarget:
    """The table and column an attribute-form foreign key written in ``path`` refers to: the
    class or Table the name is bound to there (through imports), else the one mapped class of
    that name on the same MetaData, as SQLAlchemy's string lookup would find it."""
    if ".c." in target:
        owner, column = target.rsplit(".c.", 1)
        owner = owner.removesuffix(".__table__")
    elif "." in target:
        owner, column = target.rsplit(".", 1)
    else:
        return FkTarget("unknown")
    # written in an installed mixin (neutron-lib's `ForeignKey(StandardAttribute.id)`): its names are the package's
    resolver = inventory.declarative.resolver if is_installed(path) and inventory.declarative is not None \
        else inventory.resolver
    symbol = resolver.resolve(path, owner)
    table = _symbol_table(inventory, tables, symbol) or _named_class_table(inventory, tables, owner, metadata_id)
    if table is None:
        return FkTarget("unknown")
    found = FkTarget("found", table.schema, table.name, column, [table])
    return found if found.referenced_column() is not None else FkTarget("unknown", table.schema, table.name, column)


def referenced_table(inventory, tables: TableMap, path: str, target: str, is_expr: bool,
                     metadata_id: str | None) -> str | None:
    """The name of the table a foreign key written in ``path`` points at, in any form."""
    if is_expr:
        return object_target(inventory, tables, path, target, metadata_id).name
    parts = target.split(".")
    return parts[-2] if len(parts) >= 2 else None


def _named_class_table(inventory, tables: TableMap, owner: str, metadata_id: str | None) -> TableDef | None:
    name = owner.rsplit(".", 1)[-1]
    models = [m for m in inventory.classes if m.name == name and m.metadata_id == metadata_id and m.table_name]
    if len(models) != 1:
        return None
    defs = tables.find(models[0].metadata_id, models[0].schema, models[0].table_name)
    return next((d for d in defs if d.model is models[0]), defs[0] if defs else None)


def _symbol_table(inventory, tables: TableMap, symbol) -> TableDef | None:
    model = class_model(inventory, symbol)
    if model is not None and model.table_name and model.metadata_id:
        defs = tables.find(model.metadata_id, model.schema, model.table_name)
        return next((d for d in defs if d.model is model), defs[0] if defs else None)
    if symbol is not None and symbol.kind == "table" and symbol.attr is None:
        for table in inventory.tables:
            if table.table is not None and table.path == symbol.module and table.table.var == symbol.name:
                return table
    return None

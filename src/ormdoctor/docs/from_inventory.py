"""The static inventory → table descriptions for ``build_schema``.

One description per table (metadata + schema + name). A table defined several times (ORM101)
is described from its first definition and lists every definition; single-table subclasses add
their columns and relationships to the table they share.
"""

from __future__ import annotations

import ast

from ormdoctor.docs.model import (
    ColumnDoc, ConstraintDoc, Definition, FindingDoc, ForeignKeyDoc, IndexDoc, MetadataDoc, RelationshipDoc,
    TableDoc,
)
from ormdoctor.inventory.model import Inventory, ModelClass, TableDef
from ormdoctor.rules.naming import final_name, written_name
from ormdoctor.static.facts import ColumnFact, ConstraintFact, ForeignKeyFact

TableKey = tuple  # (metadata_id, schema, name)

# SQLAlchemy's default type_annotation_map: Mapped[int] is an Integer column.
ANNOTATION_TYPES = {
    "int": "Integer", "str": "String", "float": "Float", "bool": "Boolean", "Decimal": "Numeric",
    "decimal.Decimal": "Numeric", "datetime": "DateTime", "datetime.datetime": "DateTime", "date": "Date",
    "datetime.date": "Date", "time": "Time", "datetime.time": "Time", "timedelta": "Interval",
    "datetime.timedelta": "Interval", "bytes": "LargeBinary", "uuid.UUID": "Uuid",
}


def table_id(key: TableKey) -> str:
    metadata_id, schema, name = key
    return f"{metadata_id}|{schema}.{name}" if schema else f"{metadata_id}|{name}"


def describe_inventory(inventory: Inventory) -> tuple[list[TableDoc], list[MetadataDoc]]:
    return _Describer(inventory).run()


def finding_docs(findings) -> list[FindingDoc]:
    return [FindingDoc(f.code, f.rule, f.severity.value, f.subject, f.message,
                       f.location.path if f.location else None, f.location.line if f.location else None,
                       tuple((r.location.path, r.location.line) for r in f.related), hint=f.hint)
            for f in findings]


class _Describer:
    def __init__(self, inventory: Inventory):
        self.inv = inventory
        self.defs: dict[TableKey, list[TableDef]] = {}
        for key, found in inventory.tables_by_key().items():
            self.defs[key] = sorted(found, key=lambda t: (t.path, t.pos.line))
        self.classes: dict[str, list[ModelClass]] = {}
        # Classes that map a table they do not define, indexed once: looking them up per table
        # by scanning every class made `docs` quadratic (minutes for 30,000 classes).
        self.sharers: dict[tuple, list[tuple[int, ModelClass]]] = {}
        for order, model in enumerate(inventory.mapped_classes()):
            self.classes.setdefault(model.name, []).append(model)
            if model.kind == "sti":
                key = (model.metadata_id, "sti", _root(model).schema, model.table_name)
            elif model.kind == "imperative":
                key = (model.metadata_id, "imperative", model.fact.table_assign)
            else:
                continue
            self.sharers.setdefault(key, []).append((order, model))

    def run(self) -> tuple[list[TableDoc], list[MetadataDoc]]:
        tables = [self._table(key, defs) for key, defs in self.defs.items()]
        metadata = []
        for metadata_id in sorted({key[0] for key in self.defs}):
            info = self.inv.metadatas.get(metadata_id)
            metadata.append(MetadataDoc(metadata_id, self.inv.metadata_label(metadata_id), info.path if info else None))
        return tables, metadata

    # One table ----------------------------------------------------------------------------------
    def _table(self, key: TableKey, defs: list[TableDef]) -> TableDoc:
        first = defs[0]
        models = self._models(key, defs)
        columns = list(first.columns)
        names = {_column_name(c) for c in columns}
        for model in models:
            if model.kind == "sti":
                for column in model.columns:
                    if _column_name(column) not in names:
                        names.add(_column_name(column))
                        columns.append(column)
        constraints = list(first.constraints) + self.inv.module_indexes(first)
        convention = self._convention(first.metadata_id)
        pk_columns = _pk_columns(columns, constraints)
        return TableDoc(
            id=table_id(key), name=first.name, schema=first.schema, metadata=first.metadata_id,
            definitions=tuple(self._definitions(defs, models)),
            description=_description(first, models),
            columns=tuple(self._column(first, c, pk_columns) for c in columns),
            foreign_keys=tuple(self._foreign_keys(first, columns, constraints, convention)),
            constraints=tuple(_constraints(first, columns, constraints, pk_columns, convention, self._named(first))),
            indexes=tuple(_indexes(first, columns, constraints, convention, self._named(first))),
            relationships=tuple(self._relationship(m, r) for m in models for r in m.relationships),
        )

    def _models(self, key: TableKey, defs: list[TableDef]) -> list[ModelClass]:
        """Every class that maps this table: its own, single-table subclasses, imperative ones."""
        found = [d.model for d in defs if d.model is not None][:1]
        metadata_id, schema, name = key
        owners = {d.owner for d in defs} | {d.table.var for d in defs if d.table and d.table.var}
        candidates = list(self.sharers.get((metadata_id, "sti", schema, name), []))
        for owner in owners | {f"<Table {name}>"}:
            candidates += self.sharers.get((metadata_id, "imperative", owner), [])
        return found + [model for _, model in sorted(candidates, key=lambda c: c[0]) if model not in found]

    def _definitions(self, defs: list[TableDef], models: list[ModelClass]) -> list[Definition]:
        out = []
        for table in defs:
            if table.model is not None:
                model = table.model
                out.append(Definition("class", model.name, model.path, model.pos.line, model.fact.end_line))
            else:
                out.append(Definition("table", table.owner, table.path, table.pos.line, table.pos.line))
        owners = {d.owner for d in defs}
        for model in models:
            if model.kind == "sti" or (model.kind == "imperative" and model.name not in owners):
                out.append(Definition(model.kind, model.name, model.path, model.pos.line, model.fact.end_line))
        return out

    def _convention(self, metadata_id: str):
        info = self.inv.metadatas.get(metadata_id)
        return info.naming_convention if info else None

    def _named(self, table: TableDef):
        """constraint → its final name under ``convention``, None when the database chooses it
        or it is computed in a way we cannot evaluate."""
        def name(kind: str, constraint, columns, convention) -> str | None:
            explicit, known = written_name(self.inv, table, constraint)
            return final_name(kind, explicit, table.name, table.schema, columns, convention) if known else None
        return name

    # Columns and foreign keys -------------------------------------------------------------------
    def _column(self, table: TableDef, column: ColumnFact, pk_columns: set[str]) -> ColumnDoc:
        name = _column_name(column)
        primary = name in pk_columns
        fk = column.foreign_keys[0] if column.foreign_keys else None
        target, type_ = None, _db_type(column)
        if fk is not None:
            key, col = self._fk_target(table, fk)
            target = f"{_key_text(key)}.{col}" if key else fk.target
            if type_ is None and key is not None:  # Column("x", ForeignKey(...)) takes the target's type
                referenced = next((c for c in self.defs[key][0].columns if _column_name(c) == col), None)
                type_ = _db_type(referenced) if referenced is not None and not referenced.foreign_keys else None
        return ColumnDoc(
            name=name, type=type_, nullable=column.nullable if column.nullable is not None else not primary,
            primary_key=primary, unique=column.unique, index=column.index, foreign_key=target,
            default=column.default, server_default=column.server_default, comment=column.comment,
        )

    def _foreign_keys(self, table, columns, constraints, convention) -> list[ForeignKeyDoc]:
        out = []
        for column in columns:
            for fk in column.foreign_keys:
                out.append(self._fk_doc(table, (_column_name(column),), [fk], fk.ondelete, fk.onupdate, None,
                                        convention))
        for constraint in constraints:
            if constraint.kind == "foreign_key" and constraint.fk_target:
                fks = [ForeignKeyFact(t) for t in constraint.fk_target]
                out.append(self._fk_doc(table, tuple(constraint.columns), fks, constraint.ondelete,
                                        constraint.onupdate, constraint.name, convention))
        return out

    def _fk_doc(self, table, columns, fks, ondelete, onupdate, name, convention) -> ForeignKeyDoc:
        resolved = [self._fk_target(table, fk) for fk in fks]
        key = resolved[0][0]
        target_table = _key_text(key) if key else _written_table(fks[0].target)
        final = final_name("fk", name, table.name, table.schema, list(columns), convention,
                           referred=key[2] if key else target_table.rsplit(".", 1)[-1])
        return ForeignKeyDoc(columns, target_table, tuple(c for _, c in resolved),
                             table_id(key) if key else None, final, ondelete, onupdate)

    def _fk_target(self, table: TableDef, fk: ForeignKeyFact) -> tuple[TableKey | None, str]:
        """``ForeignKey("products.id")`` / ``("core.products.id")`` / ``(Product.id)`` → (key, column)."""
        parts = fk.target.split(".")
        if len(parts) < 2:
            return None, fk.target
        if fk.target_is_expr:
            return self._expr_target(table, parts)
        column, name = parts[-1], parts[-2]
        schema = ".".join(parts[:-2]) or self._default_schema(table.metadata_id)
        key = (table.metadata_id, schema, name)
        if key in self.defs:
            return key, column
        if len(parts) == 2 and (table.metadata_id, None, name) in self.defs:
            return (table.metadata_id, None, name), column
        return None, column

    def _default_schema(self, metadata_id: str) -> str | None:
        info = self.inv.metadatas.get(metadata_id)
        return info.schema if info else None

    def _expr_target(self, table: TableDef, parts: list[str]) -> tuple[TableKey | None, str]:
        attr = parts[-1]
        if len(parts) >= 3 and parts[-2] == "c":  # users_table.c.id
            for key, defs in self.defs.items():
                if key[0] == table.metadata_id and any(d.table and d.table.var == parts[-3] for d in defs):
                    return key, attr
            return None, attr
        model = self._class(parts[-2], table.metadata_id)
        key = self._model_key(model) if model else None
        if key is None:
            return None, attr
        column = next((c for c in self.defs[key][0].columns if c.attr == attr), None)
        return key, _column_name(column) if column else attr

    # Relationships ------------------------------------------------------------------------------
    def _class(self, written: str | None, metadata_id: str | None) -> ModelClass | None:
        if not written:
            return None
        found = self.classes.get(written.rsplit(".", 1)[-1], [])
        same = [m for m in found if m.metadata_id == metadata_id]
        return (same or found or [None])[0]

    def _model_key(self, model: ModelClass) -> TableKey | None:
        if model.kind == "sti":
            root = _root(model)
            key = (model.metadata_id, root.schema, root.table_name)
        elif model.kind == "imperative":
            key = next((k for k, defs in self.defs.items() if k[0] == model.metadata_id and any(
                (d.table and d.table.var == model.fact.table_assign) or d.owner == model.name for d in defs)), None)
        else:
            key = (model.metadata_id, model.schema, model.table_name)
        return key if key in self.defs else None

    def _secondary(self, written: str | None, metadata_id: str) -> TableKey | None:
        if not written:
            return None
        name = written.rsplit(".", 1)[-1]
        schema = written.rsplit(".", 1)[0] if "." in written else None
        for key, defs in sorted(self.defs.items(), key=lambda kv: str(kv[0])):
            if key[0] != metadata_id:
                continue
            if (key[2] == name and (schema is None or key[1] == schema)) or \
                    any(d.table and d.table.var == name for d in defs):
                return key
        return None

    def _relationship(self, model: ModelClass, rel) -> RelationshipDoc:
        target = self._class(rel.target, model.metadata_id)
        key = self._model_key(target) if target else None
        secondary = self._secondary(rel.secondary, model.metadata_id) if rel.secondary else None
        return RelationshipDoc(
            owner=model.name, attr=rel.attr, target=rel.target, target_id=table_id(key) if key else None,
            secondary=rel.secondary, secondary_id=table_id(secondary) if secondary else None,
            uselist=rel.uselist, collection=rel.collection, cascade=rel.cascade,
            back_populates=rel.back_populates, backref=rel.backref, passive_deletes=rel.passive_deletes,
            viewonly=rel.viewonly,
        )


# Helpers ----------------------------------------------------------------------------------------
def _root(model: ModelClass) -> ModelClass:
    while model.kind == "sti" and model.parent is not None:
        model = model.parent
    return model


def _column_name(column: ColumnFact | None) -> str:
    if column is None:
        return "?"
    return column.name or column.attr or "?"


def _db_type(column: ColumnFact) -> str | None:
    if column.type is None:
        return None
    if column.style in ("Mapped", "mapped_column", "Field", "annotation"):
        return ANNOTATION_TYPES.get(column.type, column.type)
    return column.type


def _key_text(key: TableKey) -> str:
    return f"{key[1]}.{key[2]}" if key[1] else key[2]


def _written_table(target: str) -> str:
    return target.rsplit(".", 1)[0] if "." in target else target


def _description(table: TableDef, models: list[ModelClass]) -> str | None:
    if table.docstring:
        return table.docstring
    return next((m.fact.docstring for m in models if m.fact.docstring), None)


def _pk_columns(columns: list[ColumnFact], constraints: list[ConstraintFact]) -> set[str]:
    explicit = [c for c in constraints if c.kind == "primary_key"]
    if explicit:
        return set(explicit[0].columns)
    return {_column_name(c) for c in columns if c.primary_key}


def _constraints(table: TableDef, columns, constraints, pk_columns, convention, named) -> list[ConstraintDoc]:
    out = []
    explicit_pk = next((c for c in constraints if c.kind == "primary_key"), None)
    if pk_columns:
        ordered = tuple(explicit_pk.columns) if explicit_pk else tuple(
            _column_name(c) for c in columns if _column_name(c) in pk_columns)
        name = named("pk", explicit_pk, list(ordered), convention) if explicit_pk else final_name(
            "pk", None, table.name, table.schema, list(ordered), convention)
        out.append(ConstraintDoc("primary_key", name, ordered))
    for column in columns:
        if column.unique and not column.index and not column.primary_key:
            name = final_name("uq", None, table.name, table.schema, [_column_name(column)], convention)
            out.append(ConstraintDoc("unique", name, (_column_name(column),)))
    for constraint in constraints:
        if constraint.kind == "unique":
            name = named("uq", constraint, constraint.columns, convention)
            out.append(ConstraintDoc("unique", name, tuple(constraint.columns)))
        elif constraint.kind == "check":
            name = named("ck", constraint, [], convention)
            out.append(ConstraintDoc("check", name, (), _sql_text(constraint.sqltext)))
    return out


def _indexes(table: TableDef, columns, constraints, convention, named) -> list[IndexDoc]:
    out = []
    for column in columns:
        if column.index:
            name = final_name("ix", None, table.name, table.schema, [_column_name(column)], convention)
            origin = "unique=True, index=True" if column.unique else "index=True"
            out.append(IndexDoc(name, (_column_name(column),), column.unique, origin))
    for constraint in constraints:
        if constraint.kind != "index":
            continue
        if constraint.object_ref:
            out.append(IndexDoc(None, (), False, f"shared Index object {constraint.object_ref}"))
            continue
        name = named("ix", constraint, constraint.columns, convention)
        out.append(IndexDoc(name, tuple(constraint.columns), constraint.unique, "Index()"))
    return out


def _sql_text(text: str | None) -> str | None:
    """``'price >= 0'`` as written in source → ``price >= 0``."""
    if text is None:
        return None
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return value if isinstance(value, str) else text

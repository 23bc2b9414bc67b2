"""The real MetaData (``ormdoctor docs --import``) → table descriptions for ``build_schema``.

The tracer describes every table of the project's MetaData from the live objects (``describe``
requests); this turns that description into the same ``TableDoc`` / ``MetadataDoc`` values that
``from_inventory`` makes from the static inventory, so the rest of the pipeline is shared.
"""

from __future__ import annotations

import re

from ormdoctor.docs.from_inventory import table_id
from ormdoctor.docs.model import MANY_TO_MANY, MANY_TO_ONE, ONE_TO_MANY, ONE_TO_ONE
from ormdoctor.docs.model import (
    ColumnDoc, ConstraintDoc, Definition, ForeignKeyDoc, IndexDoc, MetadataDoc, RelationshipDoc, TableDoc,
)
from ormdoctor.runtime.report import DescribedClass, DescribedRelationship, DescribedTable, RuntimeReport

DEFAULT_CASCADE = frozenset({"save-update", "merge"})
ALL_CASCADE = frozenset({"save-update", "merge", "refresh-expire", "expunge", "delete"})
_MODULE_PREFIX = re.compile(r"^[\w.]+:")  # the tracer's "app.db:Base.metadata"


def describe_runtime(report: RuntimeReport) -> tuple[list[TableDoc], list[MetadataDoc]]:
    ids = {(t.metadata, t.key): table_id((t.metadata, t.schema, t.name)) for t in report.described}
    tables = [_Table(t, ids).doc() for t in report.described]
    used = {t.metadata for t in report.described}
    metadata = [MetadataDoc(m.id, _MODULE_PREFIX.sub("", m.label), m.created_in)
                for m in report.metadata if m.id in used]
    return tables, metadata


class _Table:
    def __init__(self, table: DescribedTable, ids: dict[tuple[str, str], str]):
        self.table = table
        self.ids = ids

    def doc(self) -> TableDoc:
        t = self.table
        return TableDoc(
            id=self.ids[(t.metadata, t.key)], name=t.name, schema=t.schema, metadata=t.metadata,
            definitions=tuple(self._definitions()), description=_description(t),
            columns=tuple(_column(c) for c in t.columns),
            foreign_keys=tuple(self._foreign_key(fk) for fk in t.foreign_keys),
            constraints=tuple(_constraints(t)), indexes=tuple(_indexes(t)),
            relationships=tuple(self._relationship(cls, rel) for cls in t.classes for rel in cls.relationships),
        )

    def _definitions(self) -> list[Definition]:
        """Each Table() run for the key (a class or a ``Table()``), then the classes that map the
        table without defining it: single-table subclasses, imperative mappings."""
        out = [Definition(d.kind, d.name, d.path or d.module or "?", d.line or 0, d.end_line or d.line or 0)
               for d in self.table.definitions]
        named = {d.name for d in out}
        for cls in self.table.classes:
            if cls.name not in named:
                out.append(Definition(cls.kind, cls.name, cls.path or cls.module, cls.line or 0,
                                      cls.end_line or cls.line or 0))
        return out

    def _id(self, metadata: str | None, key: str | None) -> str | None:
        return self.ids.get((metadata, key)) if metadata and key else None

    def _foreign_key(self, fk) -> ForeignKeyDoc:
        return ForeignKeyDoc(fk.columns, fk.target, fk.target_columns, self._id(self.table.metadata, fk.target),
                             fk.name, fk.ondelete, fk.onupdate)

    def _relationship(self, cls: DescribedClass, rel: DescribedRelationship) -> RelationshipDoc:
        return RelationshipDoc(
            owner=cls.name, attr=rel.key, target=rel.target_class,
            target_id=self._id(rel.target_metadata, rel.target_table),
            secondary=rel.secondary, secondary_id=self._id(rel.secondary_metadata, rel.secondary),
            uselist=rel.uselist, cascade=None if rel.viewonly else cascade_text(rel.cascade),
            # SQLAlchemy sets back_populates on both sides of a backref; say it the way it was written.
            back_populates=None if rel.backref else rel.back_populates, backref=rel.backref,
            passive_deletes=rel.passive_deletes, viewonly=rel.viewonly,
            direction=_direction(rel.direction, rel.uselist),
        )


def _direction(mapper_direction: str | None, uselist: bool | None) -> str:
    """The mapper's own direction; a scalar one-to-many is SQLAlchemy's one-to-one."""
    if mapper_direction == "MANYTOMANY":
        return MANY_TO_MANY
    if mapper_direction == "MANYTOONE":
        return MANY_TO_ONE
    if mapper_direction == "ONETOMANY":
        return ONE_TO_ONE if uselist is False else ONE_TO_MANY
    return ""


def cascade_text(options: str) -> str | None:
    """SQLAlchemy's expanded options, said as one writes them: None for the default
    (``save-update, merge``), ``all, delete-orphan`` for the five of ``all`` and one more."""
    tokens = {t.strip() for t in options.split(",") if t.strip()}
    if tokens == DEFAULT_CASCADE:
        return None
    if ALL_CASCADE <= tokens:
        return ", ".join(["all"] + sorted(tokens - ALL_CASCADE))
    return ", ".join(sorted(tokens)) or "none"


def _description(table: DescribedTable) -> str | None:
    if table.error:
        return f"The imported table could not be described ({table.error})."
    return next((c.doc for c in table.classes if c.doc), None) or table.comment


def _column(column) -> ColumnDoc:
    return ColumnDoc(
        name=column.name, type=column.type, nullable=column.nullable, primary_key=column.primary_key,
        unique=column.unique, index=column.index,
        foreign_key=column.foreign_keys[0].target if column.foreign_keys else None,
        default=column.default, server_default=column.server_default, comment=column.comment,
    )


def _constraints(table: DescribedTable) -> list[ConstraintDoc]:
    out = [ConstraintDoc("primary_key", table.primary_key.name, table.primary_key.columns)] \
        if table.primary_key else []
    out += [ConstraintDoc("unique", u.name, u.columns) for u in table.unique]
    out += [ConstraintDoc("check", c.name, (), c.sqltext) for c in table.checks]
    return out


def _indexes(table: DescribedTable) -> list[IndexDoc]:
    out = []
    for index in table.indexes:
        origin = ("unique=True, index=True" if index.unique else "index=True") if index.flag else "Index()"
        out.append(IndexDoc(index.name, index.columns, index.unique, origin))
    return out

"""The schema documentation as plain data: tables, keys, relationships, what a delete does.

Two steps, so that any source can feed it. An adapter describes each table as a ``TableDoc``
whose relationships have no direction yet (``from_inventory`` does it from the static
inventory; a runtime adapter can do it from the real MetaData). ``build_schema`` — the seam —
derives the rest: relationship directions, association tables, delete effects, diagram edges,
anchors and the findings that concern each table. Nothing here renders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from functools import cached_property

# Relationship directions.
ONE_TO_MANY, MANY_TO_ONE, ONE_TO_ONE, MANY_TO_MANY, UNKNOWN = (
    "one-to-many", "many-to-one", "one-to-one", "many-to-many", "?")


@dataclass(frozen=True)
class Definition:
    """Where a table is defined or mapped: a class, a ``Table()`` call, or a subclass sharing it."""

    kind: str  # class | table | sti | imperative
    name: str
    path: str
    line: int
    end_line: int


@dataclass(frozen=True)
class ColumnDoc:
    name: str
    type: str | None
    nullable: bool
    primary_key: bool = False
    unique: bool = False
    index: bool = False
    foreign_key: str | None = None  # "products.id", as the foreign key resolves
    default: str | None = None
    server_default: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class ForeignKeyDoc:
    columns: tuple[str, ...]
    target_table: str  # the referenced table's key: "products", "core.customers"
    target_columns: tuple[str, ...]
    target_id: str | None = None  # TableDoc.id when the referenced table is known
    name: str | None = None
    ondelete: str | None = None
    onupdate: str | None = None


@dataclass(frozen=True)
class ConstraintDoc:
    kind: str  # primary_key | unique | check
    name: str | None  # the final name (naming conventions applied); None: the database picks one
    columns: tuple[str, ...] = ()
    sqltext: str | None = None


@dataclass(frozen=True)
class IndexDoc:
    name: str | None
    columns: tuple[str, ...]
    unique: bool = False
    origin: str = ""  # index=True | Index() | unique=True, index=True


@dataclass(frozen=True)
class RelationshipDoc:
    owner: str  # the class that declares it
    attr: str
    target: str | None  # the target class as written
    target_id: str | None = None
    secondary: str | None = None  # the association table as written
    secondary_id: str | None = None
    uselist: bool | None = None
    collection: bool | None = None  # Mapped[list[X]]
    cascade: str | None = None
    back_populates: str | None = None
    backref: str | None = None
    passive_deletes: bool = False
    viewonly: bool = False
    direction: str = ""  # set by build_schema

    @property
    def deletes(self) -> bool:
        tokens = {t.strip() for t in (self.cascade or "").split(",")}
        return bool(tokens & {"all", "delete"}) and "-delete" not in tokens


@dataclass(frozen=True)
class DeleteEffect:
    """What deleting a row of one table does to the rows of another.

    ``action``: delete (the rows go too), set-null / set-default (the database rewrites the key),
    orm-null (the ORM sets the key to NULL on the rows it loads; plain SQL is refused), refuse
    (the database refuses while rows reference it)."""

    action: str
    table_id: str  # the affected table
    table: str  # its key
    columns: tuple[str, ...]  # its foreign-key columns (empty: an ORM cascade on a many-to-one)
    database: str | None  # ON DELETE as written, None when there is no rule
    orm: str | None  # delete | unlink | null | None
    relationships: tuple[str, ...] = ()  # "Product.alerts"
    not_null: bool = False  # the key columns are NOT NULL (an ORM null-out fails)


@dataclass(frozen=True)
class TableDoc:
    id: str  # unique across metadata: "app/db.py:Base.metadata|core.customers"
    name: str
    schema: str | None
    metadata: str  # MetadataDoc.id
    definitions: tuple[Definition, ...]
    description: str | None = None
    columns: tuple[ColumnDoc, ...] = ()
    foreign_keys: tuple[ForeignKeyDoc, ...] = ()
    constraints: tuple[ConstraintDoc, ...] = ()
    indexes: tuple[IndexDoc, ...] = ()
    relationships: tuple[RelationshipDoc, ...] = ()
    # Set by build_schema:
    anchor: str = ""
    association: bool = False  # only foreign-key columns: a many-to-many link table
    on_delete: tuple[DeleteEffect, ...] = ()
    findings: tuple[str, ...] = ()  # FindingDoc.anchor

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.definitions if d.kind != "table")

    def column(self, name: str) -> ColumnDoc | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class MetadataDoc:
    id: str
    label: str  # "Base.metadata"
    path: str | None = None


@dataclass(frozen=True)
class FindingDoc:
    code: str
    rule: str
    severity: str
    subject: str
    message: str
    path: str | None = None
    line: int | None = None
    related: tuple[tuple[str, int], ...] = ()  # (path, line) of the other places it names
    anchor: str = ""
    tables: tuple[str, ...] = ()  # TableDoc.id, set by build_schema
    hint: str = ""


@dataclass(frozen=True)
class Group:
    """The tables of one metadata in one schema: one summary table and one diagram each."""

    metadata: str
    schema: str | None
    tables: tuple[str, ...]
    anchor: str


@dataclass(frozen=True)
class Edge:
    """A line of the ER diagram. ``parent`` is the referenced ("one") side."""

    parent: str
    child: str
    kind: str  # one-to-many | one-to-one | many-to-many
    optional: bool  # the parent side may be missing: a nullable foreign key
    label: str
    detail: str


@dataclass(frozen=True)
class Diagram:
    group: Group
    entities: tuple[str, ...]  # drawn with their columns
    stubs: tuple[str, ...]  # tables of other groups that an edge reaches: drawn by name only
    edges: tuple[Edge, ...]


@dataclass(frozen=True)
class SchemaDoc:
    title: str
    source: str  # static | import
    metadata: tuple[MetadataDoc, ...]
    groups: tuple[Group, ...]
    tables: tuple[TableDoc, ...]
    diagrams: tuple[Diagram, ...]
    findings: tuple[FindingDoc, ...]
    filtered: bool = False

    @cached_property
    def by_id(self) -> dict[str, TableDoc]:
        return {t.id: t for t in self.tables}

    @cached_property
    def metadata_by_id(self) -> dict[str, MetadataDoc]:
        return {m.id: m for m in self.metadata}

    @cached_property
    def finding_by_anchor(self) -> dict[str, FindingDoc]:
        return {f.anchor: f for f in self.findings}

    def table(self, table_id: str | None) -> TableDoc | None:
        return self.by_id.get(table_id or "")


# The seam ------------------------------------------------------------------------------------
def build_schema(tables: list[TableDoc], metadata: list[MetadataDoc], findings: list[FindingDoc],
                 title: str = "Database schema", source: str = "static",
                 include: list[str] | None = None, exclude: list[str] | None = None) -> SchemaDoc:
    """Described tables → the full documentation model. ``include``/``exclude`` are globs on the
    table name or key; every table still counts for directions and delete effects."""
    by_id = {t.id: t for t in tables}
    derived = [_derive(t, by_id) for t in tables]
    by_id = {t.id: t for t in derived}
    incoming = _incoming(derived)
    derived = [replace(t, on_delete=_delete_effects(t, by_id, incoming.get(t.id, []))) for t in derived]
    documented = [t for t in derived if _selected(t, include, exclude)]
    documented = _with_anchors(sorted(documented, key=lambda t: _table_order(t, metadata)))
    findings = _link_findings(findings, documented, filtered=bool(include or exclude))
    links: dict[str, list[str]] = {}
    for finding in findings:
        for table_id in finding.tables:
            links.setdefault(table_id, []).append(finding.anchor)
    documented = [replace(t, findings=tuple(links.get(t.id, ()))) for t in documented]
    used = {t.metadata for t in documented}
    metas = tuple(sorted((m for m in metadata if m.id in used), key=lambda m: (m.label, m.path or "", m.id)))
    groups = _groups(documented, metas)
    doc_ids = {t.id for t in documented}
    by_id = {t.id: t for t in documented}
    diagrams = tuple(_diagram(g, by_id, doc_ids) for g in groups)
    return SchemaDoc(title, source, metas, groups, tuple(documented), diagrams, tuple(findings),
                     filtered=bool(include or exclude))


def _selected(table: TableDoc, include, exclude) -> bool:
    names = (table.name, table.key)
    if include and not any(fnmatchcase(n, p) for p in include for n in names):
        return False
    return not (exclude and any(fnmatchcase(n, p) for p in exclude for n in names))


def _table_order(table: TableDoc, metadata: list[MetadataDoc]) -> tuple:
    meta = next((m for m in metadata if m.id == table.metadata), None)
    return (meta.label if meta else table.metadata, meta.path or "" if meta else "", table.metadata,
            table.schema or "", table.name)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "-", text.lower()).strip("-") or "x"


def _with_anchors(tables: list[TableDoc]) -> list[TableDoc]:
    seen: dict[str, int] = {}
    out = []
    for table in tables:
        base = f"table-{slug(table.key)}"
        seen[base] = seen.get(base, 0) + 1
        out.append(replace(table, anchor=base if seen[base] == 1 else f"{base}-{seen[base]}"))
    return out


# Directions and association tables -----------------------------------------------------------
def _derive(table: TableDoc, by_id: dict[str, TableDoc]) -> TableDoc:
    # A direction the source already knows (the configured mapper, with --import) is kept.
    rels = tuple(r if r.direction else replace(r, direction=direction(table, r, by_id)) for r in table.relationships)
    return replace(table, relationships=rels, association=is_association(table))


def is_association(table: TableDoc) -> bool:
    """A many-to-many link table: two or more foreign keys and no column outside them."""
    if len(table.foreign_keys) < 2 or not table.columns:
        return False
    fk_columns = {c for fk in table.foreign_keys for c in fk.columns}
    return all(c.name in fk_columns for c in table.columns)


def _unique_columns(table: TableDoc, columns: tuple[str, ...]) -> bool:
    """The columns hold one row each: a one-to-one when they are a foreign key."""
    wanted = set(columns)
    if len(columns) == 1:
        column = table.column(columns[0])
        if column and column.unique:
            return True
    sets = [set(c.columns) for c in table.constraints if c.kind in ("unique", "primary_key")]
    sets += [set(i.columns) for i in table.indexes if i.unique]
    pk = {c.name for c in table.columns if c.primary_key}
    if pk and not any(c.kind == "primary_key" for c in table.constraints):
        sets.append(pk)
    return any(s and s == wanted for s in sets)


def direction(table: TableDoc, rel: RelationshipDoc, by_id: dict[str, TableDoc]) -> str:
    if rel.secondary is not None:
        return MANY_TO_MANY
    target = by_id.get(rel.target_id or "")
    scalar = rel.uselist is False or rel.collection is False
    many = rel.uselist is True or rel.collection is True
    if target is None:
        return ONE_TO_MANY if many else UNKNOWN
    outgoing = [fk for fk in table.foreign_keys if fk.target_id == target.id]
    incoming = [fk for fk in target.foreign_keys if fk.target_id == table.id]
    if target.id == table.id:  # adjacency list: only the annotation or uselist tells
        return ONE_TO_MANY if many else MANY_TO_ONE if scalar else UNKNOWN
    if outgoing and not incoming:
        return ONE_TO_ONE if any(_unique_columns(table, fk.columns) for fk in outgoing) else MANY_TO_ONE
    if incoming and not outgoing:
        if scalar or any(_unique_columns(target, fk.columns) for fk in incoming):
            return ONE_TO_ONE
        return ONE_TO_MANY
    if many:
        return ONE_TO_MANY
    return UNKNOWN


# What a delete does --------------------------------------------------------------------------
def _incoming(tables: list[TableDoc]) -> dict[str, list[tuple[TableDoc, ForeignKeyDoc]]]:
    """Referenced table id → the (table, foreign key) pairs pointing at it, children by key."""
    found: dict[str, list[tuple[TableDoc, ForeignKeyDoc]]] = {}
    for child in sorted(tables, key=lambda t: (t.key, t.id)):
        for fk in child.foreign_keys:
            if fk.target_id:
                found.setdefault(fk.target_id, []).append((child, fk))
    return found


def _delete_effects(table: TableDoc, by_id: dict[str, TableDoc],
                    incoming: list[tuple[TableDoc, ForeignKeyDoc]]) -> tuple[DeleteEffect, ...]:
    effects = [_effect(table, child, fk) for child, fk in incoming]
    for rel in table.relationships:
        target = by_id.get(rel.target_id or "")
        if rel.direction == MANY_TO_ONE and rel.deletes and target is not None and not rel.viewonly:
            effects.append(DeleteEffect("delete", target.id, target.key, (), None, "delete",
                                        (f"{rel.owner}.{rel.attr}",)))
    return tuple(effects)


def _effect(table: TableDoc, child: TableDoc, fk: ForeignKeyDoc) -> DeleteEffect:
    rels = [r for r in table.relationships if not r.viewonly and (
        (r.secondary_id == child.id and r.direction == MANY_TO_MANY)
        or (r.target_id == child.id and r.secondary is None and r.direction in (ONE_TO_MANY, ONE_TO_ONE)))]
    orm = None
    if any(r.secondary_id == child.id for r in rels):
        orm = "unlink"
    elif any(r.deletes for r in rels):
        orm = "delete"
    elif any(not r.passive_deletes for r in rels):
        orm = "null"
    rule = (fk.ondelete or "").upper() or None
    if rule == "CASCADE" or orm in ("delete", "unlink"):
        action = "delete"
    elif rule == "SET NULL":
        action = "set-null"
    elif rule == "SET DEFAULT":
        action = "set-default"
    elif orm == "null":
        action = "orm-null"
    else:
        action = "refuse"
    not_null = any(c is not None and not c.nullable for c in map(child.column, fk.columns))
    names = tuple(f"{r.owner}.{r.attr}" for r in rels)
    return DeleteEffect(action, child.id, child.key, fk.columns, rule, orm, names, not_null)


# Findings ------------------------------------------------------------------------------------
def _link_findings(findings: list[FindingDoc], tables: list[TableDoc], filtered: bool) -> list[FindingDoc]:
    out, counts = [], {}
    for finding in findings:
        linked = tuple(t.id for t in tables if concerns(finding, t))
        if filtered and not linked:
            continue
        counts[finding.code] = counts.get(finding.code, 0) + 1
        anchor = f"finding-{slug(finding.code)}-{counts[finding.code]}"
        out.append(replace(finding, anchor=anchor, tables=linked))
    return out


def concerns(finding: FindingDoc, table: TableDoc) -> bool:
    """The finding is about this table: named by its subject, or pointing into its definition."""
    subject = finding.subject
    names = {table.key} | ({table.name} if table.schema is None else set())
    if subject in names:
        return True
    head = subject.rsplit(".", 1)[0] if "." in subject else None
    if head is not None and (head in names or head in table.classes):
        return True
    if subject in table.classes:
        return True
    own_names = {i.name for i in table.indexes} | {c.name for c in table.constraints} | \
                {f.name for f in table.foreign_keys}
    if subject in own_names - {None}:
        return True
    places = ([(finding.path, finding.line)] if finding.path and finding.line else []) + list(finding.related)
    return any(d.path == path and d.line <= line <= d.end_line for path, line in places for d in table.definitions)


# Groups and diagrams -------------------------------------------------------------------------
def _groups(tables: list[TableDoc], metadata: tuple[MetadataDoc, ...]) -> tuple[Group, ...]:
    order = {m.id: i for i, m in enumerate(metadata)}
    keyed: dict[tuple, list[str]] = {}
    for table in tables:
        keyed.setdefault((order.get(table.metadata, len(order)), table.metadata, table.schema or ""), []) \
            .append(table.id)
    groups, seen = [], set()
    for (_, meta, schema), ids in sorted(keyed.items()):
        label = next((m.label for m in metadata if m.id == meta), meta)
        base = f"diagram-{slug(label)}" + (f"-{slug(schema)}" if schema else "")
        anchor, n = base, 1
        while anchor in seen:
            n += 1
            anchor = f"{base}-{n}"
        seen.add(anchor)
        groups.append(Group(meta, schema or None, tuple(ids), anchor))
    return tuple(groups)


def _diagram(group: Group, by_id: dict[str, TableDoc], documented: set[str]) -> Diagram:
    members = [by_id[i] for i in group.tables]
    links = {t.id for t in members if t.association and len(_link_targets(t)) == 2
             and all(x in documented for x in _link_targets(t))}
    entities = [t.id for t in members if t.id not in links]
    edges, stubs = [], []
    for table in members:
        if table.id in links:
            a, b = sorted(_link_targets(table))
            edges.append(Edge(a, b, MANY_TO_MANY, True, table.key,
                              f"{by_id[a].key} and {by_id[b].key} through {table.key}"))
            continue
        for fk in table.foreign_keys:
            if fk.target_id not in documented:
                continue
            parent = by_id[fk.target_id]
            if parent.id not in group.tables and parent.id not in stubs:
                stubs.append(parent.id)
            edges.append(_fk_edge(table, parent, fk))
    for table_id in list(stubs):
        if table_id in links:
            stubs.remove(table_id)
    return Diagram(group, tuple(entities), tuple(stubs), tuple(edges))


def _link_targets(table: TableDoc) -> list[str]:
    return sorted({fk.target_id for fk in table.foreign_keys if fk.target_id})


def _fk_edge(child: TableDoc, parent: TableDoc, fk: ForeignKeyDoc) -> Edge:
    kind = ONE_TO_ONE if _unique_columns(child, fk.columns) else ONE_TO_MANY
    optional = any(c is None or c.nullable for c in map(child.column, fk.columns))
    detail = f"{child.key}.{', '.join(fk.columns)} → {fk.target_table}.{', '.join(fk.target_columns)}"
    if fk.ondelete:
        detail += f" ON DELETE {fk.ondelete.upper()}"
    return Edge(parent.id, child.id, kind, optional, ", ".join(fk.columns), detail)

"""Relationships that write one foreign key without being linked to each other (ORM307).

Every relationship between two classes joined by one foreign-key column copies a value into
that column when it flushes: `Parent.children` (one-to-many) and `Child.parent` (many-to-one)
both write `child.parent_id`. SQLAlchemy expects such relationships to be one pair, linked by
`back_populates` (or created together by `backref`); at mapper configuration it warns for each
one that is not: `relationship 'Child.parent' will copy column parent.id to column
child.parent_id, which conflicts with relationship(s): 'Parent.children'`.

Only what can be read for certain is judged: two mapped classes outside any inheritance
hierarchy, joined by exactly one foreign-key column, whose relationships name no join,
`foreign_keys`, `secondary` or `overlaps` of their own, nor take options from `**kwargs`.
Relationships through one association table (`secondary=`) are judged the same way, per
column of that table: each writes the foreign keys to its two sides.
"""

from __future__ import annotations

from dataclasses import dataclass

from ormdoctor.rules.context import loc, related
from ormdoctor.rules.foreign_key_checks import resolved_foreign_keys
from ormdoctor.rules.loading import is_dead
from ormdoctor.rules.relationship_checks import resolved_relationships

# What a backref() call may say that changes what its relationship writes.
_BACKREF_WRITES = {"viewonly", "overlaps", "primaryjoin", "secondaryjoin", "foreign_keys", "sync_backref"}


@dataclass(frozen=True)
class Side:
    """One relationship: declared (``declared``) or added by another's ``backref``."""

    owner: object  # ModelClass
    attr: str
    path: str
    pos: object
    declared: bool = True

    @property
    def name(self) -> str:
        return f"{self.owner.name}.{self.attr}"


def unlinked_relationships(ctx):
    inventory = ctx.inventory
    in_hierarchy = {id(m.parent) for m in inventory.classes if m.parent is not None}
    pairs: dict[frozenset, list] = {}
    for item in resolved_relationships(inventory):
        target = item.target.candidates[0] if len(item.target.candidates) == 1 else None
        owner = item.ref.model
        if target is None or target is owner:
            continue
        pairs.setdefault(frozenset((id(owner), id(target))), []).append((item.ref, target))
    foreign_keys = _foreign_keys_between(inventory)
    for refs in pairs.values():
        found = _conflict(refs, in_hierarchy, foreign_keys)
        if found is not None and not all(is_dead(ctx.graph, s.path) for group in found[1] for s in group):
            (holder, name), groups = found  # (a module no program loads, a typing fixture: nothing warns)
            yield _finding(ctx, f"{holder.table_name}.{name}", groups)


def unlinked_through_secondary(ctx):
    """Relationships through one association table that are not linked to each other and
    write the same column of it: viper's `Malware.tag`, `Malware.note` and `Malware.analysis`,
    all through `association`, all write `association.malware_id`. An association table with a
    relationship that cannot be read (its own join, a self-referential pair, a class in an
    inheritance hierarchy) is left alone: that one may be what links the others."""
    inventory = ctx.inventory
    in_hierarchy = {id(m.parent) for m in inventory.classes if m.parent is not None}
    by_var = {(t.path, t.table.var): t for t in inventory.tables if t.table is not None and t.table.var}
    by_name: dict[tuple, list] = {}
    for table in inventory.tables:
        by_name.setdefault((table.metadata_id, table.name), []).append(table)
    writers: dict[tuple, list] = {}  # (id of the association table, column) → [(ref, target)]
    tables: dict[int, object] = {}
    unreadable: set[int] = set()
    for item in resolved_relationships(inventory):
        ref = item.ref
        if not ref.rel.secondary:
            continue
        table = _association_table(inventory, ref, by_var, by_name)
        if table is None:
            continue
        tables[id(table)] = table
        target = item.target.candidates[0] if len(item.target.candidates) == 1 else None
        models = (ref.model, target)
        written = _association_columns(table, ref.model, target) if target is not None else None
        if written is None or _own_options(ref.rel) or (ref.rel.viewonly and ref.rel.backref) \
                or any(m.parent is not None or id(m) in in_hierarchy or not m.table_name for m in models):
            unreadable.add(id(table))
            continue
        if ref.rel.viewonly:
            continue  # writes nothing
        for column in written:
            writers.setdefault((id(table), column), []).append((ref, target))
    # Two many-to-many relationships over one table both write both of its columns: one finding
    # for the columns the same relationships write.
    conflicts: dict[tuple, tuple[list, list[str]]] = {}
    for (table_id, column), refs in sorted(writers.items(), key=lambda kv: (tables[kv[0][0]].name, kv[0][1])):
        groups = _groups_of(refs)
        if table_id in unreadable or len(groups) < 2 or all(is_dead(ctx.graph, s.path) for g in groups for s in g):
            continue
        key = (table_id, tuple(tuple((id(s.owner), s.attr) for s in group) for group in groups))
        conflicts.setdefault(key, (groups, []))[1].append(column)
    for (table_id, _), (groups, columns) in conflicts.items():
        name = tables[table_id].name
        first = groups[0][0]
        hint = (f"give each its own association table, or list the others in `overlaps=\"{first.attr}\"` "
                f"if sharing {name} is meant, or mark a read-only one `viewonly=True`")
        yield _finding(ctx, " and ".join(f"{name}.{column}" for column in columns), groups, hint,
                       subject=f"{name}.{columns[0]}")


def _association_table(inventory, ref, by_var: dict, by_name: dict):
    """The `Table()` a `secondary=` names: a variable bound to it, or its name as a string."""
    rel = ref.rel
    if rel.secondary_form == "string":
        found = by_name.get((ref.model.metadata_id, rel.secondary), [])
        return found[0] if len(found) == 1 and found[0].origin == "table" else None
    symbol = inventory.resolver.resolve(ref.path, rel.secondary) if inventory.resolver is not None else None
    if symbol is None or symbol.kind != "table" or symbol.attr is not None:
        return None
    return by_var.get((symbol.module, symbol.name))


def _association_columns(table, owner, target) -> tuple[str, ...] | None:
    """The association table's columns a relationship between ``owner`` and ``target`` writes:
    the one foreign key to each side's table; None when either has no single one."""
    written = []
    for model in (owner, target):
        keys = [c.name for c in table.columns if c.name and any(
            fk.target.rsplit(".", 1)[0] in (model.table_name, f"{model.schema}.{model.table_name}")
            for fk in c.foreign_keys)]
        if len(keys) != 1:
            return None
        written.append(keys[0])
    return tuple(written)


def _own_options(rel) -> bool:
    return bool(rel.custom_join or rel.foreign_keys or rel.overlaps or rel.spread_options
                or set(rel.backref_options) & _BACKREF_WRITES)


def _groups_of(refs: list) -> list[list[Side]]:
    """The relationships writing one column, and the backrefs they add, linked into groups."""
    sides: dict[tuple[int, str], Side] = {}
    links: list[tuple[Side, tuple[int, str]]] = []
    for ref, other in refs:
        side = sides.setdefault((id(ref.model), ref.rel.attr), Side(ref.model, ref.rel.attr, ref.path, ref.rel.pos))
        if ref.rel.back_populates:
            links.append((side, (id(other), ref.rel.back_populates)))
        if ref.rel.backref:
            sides.setdefault((id(other), ref.rel.backref), Side(other, ref.rel.backref, ref.path, ref.rel.pos,
                                                                declared=False))
            links.append((side, (id(other), ref.rel.backref)))
    return _linked_groups(list(sides.values()), links)


def _conflict(refs: list, in_hierarchy: set, foreign_keys: tuple[dict, set]):
    first, target = refs[0][0].model, refs[0][1]
    models = (first, target)
    if any(m.parent is not None or id(m) in in_hierarchy or not m.table_name for m in models):
        return None
    between, unknown = foreign_keys
    columns = between.get(frozenset((id(first), id(target))), [])
    if len(columns) != 1 or any(id(m) in unknown for m in models):
        return None  # several need `foreign_keys` (SQLAlchemy asks for it); an unknown one may be another
    column = columns[0]
    for ref, _ in refs:
        rel = ref.rel
        if rel.secondary or rel.custom_join or rel.foreign_keys or rel.overlaps or rel.spread_options \
                or (rel.viewonly and rel.backref) or set(rel.backref_options) & _BACKREF_WRITES:
            return None
    declared = {(id(ref.model), ref.rel.attr) for ref, _ in refs}
    if any(ref.rel.backref and (id(other), ref.rel.backref) in declared for ref, other in refs):
        return None  # a backref onto an existing property fails outright: ORM306
    groups = _groups_of([(ref, other) for ref, other in refs if not ref.rel.viewonly])  # viewonly writes nothing
    if len(groups) < 2:
        return None
    return column, groups


def _foreign_keys_between(inventory) -> tuple[dict[frozenset, list], set[int]]:
    """Per pair of mapped classes, the foreign-key columns joining their tables, from the
    resolution every foreign-key rule shares; and the classes with a foreign key whose target
    is not known (it may join them too)."""
    between: dict[frozenset, list] = {}
    unknown: set[int] = set()
    for item in resolved_foreign_keys(inventory):
        holder = item.ref.table.model
        if holder is None:
            continue
        if item.target.status == "unknown":
            unknown.add(id(holder))
        for referenced in item.target.defs:
            if referenced.model is not None and referenced.model is not holder:
                between.setdefault(frozenset((id(holder), id(referenced.model))), []).append((holder, item.ref.column))
    return between, unknown


def _linked_groups(sides: list[Side], links) -> list[list[Side]]:
    """The sides joined by back_populates or backref, as groups; a link to a name no side has
    joins nothing (ORM306 reports it)."""
    by_name = {(id(s.owner), s.attr): s for s in sides}
    group = {id(s): i for i, s in enumerate(sides)}
    for side, key in links:
        other = by_name.get(key)
        if other is not None and group[id(other)] != group[id(side)]:
            old, new = group[id(other)], group[id(side)]
            group = {k: new if g == old else g for k, g in group.items()}
    groups: dict[int, list[Side]] = {}
    for side in sides:
        groups.setdefault(group[id(side)], []).append(side)
    return sorted(groups.values(), key=lambda g: (g[0].path, g[0].pos.line))


def _finding(ctx, written: str, groups: list[list[Side]], hint: str | None = None, subject: str | None = None):
    shown = [" and ".join(_label(s) for s in group) for group in groups]
    later = groups[-1][0]
    first = groups[0][0]
    message = (f"{' / '.join(shown)} all write {written} and are not linked to each other "
               f"(back_populates or one backref): at mapper configuration SQLAlchemy warns that relationship "
               f"'{later.name}' will copy into column {written}, which conflicts with relationship(s): "
               f"'{first.name}'; changes made through one are not seen through the other until a flush and reload")
    rel = [related(s.path, s.pos, f"{_label(s)} writes {written} too") for g in groups for s in g if s is not later]
    hint = hint or (f"make them one pair: `back_populates` on both sides (and drop the duplicate), or mark a "
                    f"read-only one `viewonly=True`, or list the other in `overlaps=\"{first.attr}\"` if both are meant")
    return ctx.finding("ORM307", subject or written, message, loc(later.path, later.pos), rel, hint)


def _label(side: Side) -> str:
    return side.name if side.declared else f"{side.name} (a backref)"

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
"""

from __future__ import annotations

from dataclasses import dataclass

from ormdoctor.rules.context import loc, related
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
    for refs in pairs.values():
        found = _conflict(inventory, refs, in_hierarchy)
        if found is not None and not all(is_dead(ctx.graph, s.path) for group in found[1] for s in group):
            yield _finding(ctx, *found)  # (a module no program loads, a typing fixture: nothing warns)


def _conflict(inventory, refs: list, in_hierarchy: set):
    first, target = refs[0][0].model, refs[0][1]
    models = (first, target)
    if any(m.parent is not None or id(m) in in_hierarchy or not m.table_name for m in models):
        return None
    for ref, _ in refs:
        rel = ref.rel
        if rel.secondary or rel.custom_join or rel.foreign_keys or rel.overlaps or rel.spread_options \
                or (rel.viewonly and rel.backref) or set(rel.backref_options) & _BACKREF_WRITES:
            return None
    column = _single_foreign_key(first, target)
    if column is None:
        return None
    declared = {(id(ref.model), ref.rel.attr) for ref, _ in refs}
    if any(ref.rel.backref and (id(other), ref.rel.backref) in declared for ref, other in refs):
        return None  # a backref onto an existing property fails outright: ORM306
    sides: list[Side] = []
    links: list[tuple[Side, tuple[int, str]]] = []
    for ref, other in refs:
        if ref.rel.viewonly:
            continue  # writes nothing
        side = Side(ref.model, ref.rel.attr, ref.path, ref.rel.pos)
        sides.append(side)
        if ref.rel.back_populates:
            links.append((side, (id(other), ref.rel.back_populates)))
        if ref.rel.backref:
            added = Side(other, ref.rel.backref, ref.path, ref.rel.pos, declared=False)
            sides.append(added)
            links.append((side, (id(other), ref.rel.backref)))
    groups = _linked_groups(sides, links)
    if len(groups) < 2:
        return None
    return column, groups


def _single_foreign_key(a, b) -> tuple[object, str] | None:
    """(the model holding it, its column name) when exactly one foreign-key column joins the two
    tables, in either direction; else None (several need `foreign_keys`, which SQLAlchemy asks for)."""
    found = []
    for holder, referenced in ((a, b), (b, a)):
        for column in holder.columns:
            for fk in column.foreign_keys:
                if _references(fk.target, referenced):
                    found.append((holder, column.name))
        args = holder.fact.table_args
        if args is not None and any(c.kind == "foreign_key" for c in args.constraints):
            return None  # a ForeignKeyConstraint: its columns are not read here
    return found[0] if len(found) == 1 else None


def _references(target: str, model) -> bool:
    """`"parent.id"`, `"core.parent.id"` or `Parent.id` naming ``model``'s table."""
    parts = target.split(".")
    if len(parts) < 2:
        return False
    owner = parts[-2]
    if owner == model.name:
        return True
    if owner != model.table_name:
        return False
    return len(parts) == 2 or parts[-3] == (model.schema or "")


def _linked_groups(sides: list[Side], links) -> list[list[Side]]:
    """The sides joined by back_populates or backref, as groups; a link to a name no side has
    joins nothing (ORM306 reports it)."""
    group_of = {id(s): i for i, s in enumerate(sides)}
    by_name = {(id(s.owner), s.attr): s for s in sides}

    def root(i: int) -> int:
        while group_of_list[i] != i:
            i = group_of_list[i]
        return i

    group_of_list = list(range(len(sides)))
    for side, (owner_id, attr) in links:
        other = by_name.get((owner_id, attr))
        if other is not None:
            group_of_list[root(group_of[id(side)])] = root(group_of[id(other)])
    groups: dict[int, list[Side]] = {}
    for i, side in enumerate(sides):
        groups.setdefault(root(i), []).append(side)
    return sorted(groups.values(), key=lambda g: (g[0].path, g[0].pos.line))


def _finding(ctx, column: tuple, groups: list[list[Side]]):
    holder, name = column
    written = f"{holder.table_name}.{name}"
    shown = [" and ".join(_label(s) for s in group) for group in groups]
    later = groups[-1][0]
    first = groups[0][0]
    message = (f"{' / '.join(shown)} all write {written} and are not linked to each other "
               f"(back_populates or one backref): at mapper configuration SQLAlchemy warns that relationship "
               f"'{later.name}' will copy into column {written}, which conflicts with relationship(s): "
               f"'{first.name}'; changes made through one are not seen through the other until a flush and reload")
    rel = [related(s.path, s.pos, f"{_label(s)} writes {written} too") for g in groups for s in g if s is not later]
    hint = (f"make them one pair: `back_populates` on both sides (and drop the duplicate), or mark a read-only "
            f"one `viewonly=True`, or list the other in `overlaps=\"{first.attr}\"` if both are meant")
    return ctx.finding("ORM307", written, message, loc(later.path, later.pos), rel, hint)


def _label(side: Side) -> str:
    return side.name if side.declared else f"{side.name} (a backref)"

"""`back_populates` and `backref` against what the target class really has (ORM306).

SQLAlchemy checks them at mapper configuration: `back_populates="x"` needs a relationship `x`
on the target (`Mapper ... has no property 'x'`), one that is a relationship (not a column) and
that targets the referencing class's hierarchy (`... which does not reference mapper`);
`backref="x"` must not collide with an existing property of the target (`Error creating
backref`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ormdoctor.findings import Severity
from ormdoctor.rules.context import loc, related
from ormdoctor.rules.loading import is_dead, not_run_note
from ormdoctor.rules.relationship_checks import Resolved, resolved_relationships


@dataclass
class Members:
    """What one mapped class exposes: relationships, backrefs other classes add, and (read only
    when a name is not among those) its columns and any other attribute, mixins included."""

    relationships: dict[str, Resolved] = field(default_factory=dict)
    backrefs: dict[str, Resolved] = field(default_factory=dict)
    declared: object = None  # () -> ({attribute: (path, pos)} of the columns, attribute names)
    open: bool = False  # inherits from code the tool cannot read: more attributes may exist
    _declared: tuple | None = None

    @property
    def columns(self) -> dict:
        return self._read()[0]

    @property
    def attributes(self) -> set[str]:
        return self._read()[1]

    def _read(self) -> tuple:
        if self._declared is None:
            self._declared = self.declared()
        return self._declared


class MemberIndex:
    def __init__(self, inventory):
        self.inventory = inventory
        self.resolved = resolved_relationships(inventory)
        self.own: dict[int, dict[str, Resolved]] = {}
        self.added: dict[int, dict[str, Resolved]] = {}
        self._members: dict[int, Members] = {}
        for item in self.resolved:
            self.own.setdefault(id(item.ref.model), {}).setdefault(item.ref.rel.attr, item)
            target = single(item)
            if item.ref.rel.backref and target is not None:
                self.added.setdefault(id(target), {}).setdefault(item.ref.rel.backref, item)

    def members(self, model) -> Members:
        if id(model) not in self._members:
            self._members[id(model)] = self._collect(model)
        return self._members[id(model)]

    def _collect(self, model) -> Members:
        found = Members(declared=lambda: self._declared(model),
                        open=self.inventory.declarative.open_ancestry(model.path, model.fact))
        for current in chain(model):
            for name, item in self.own.get(id(current), {}).items():
                found.relationships.setdefault(name, item)
            for name, item in self.added.get(id(current), {}).items():
                found.backrefs.setdefault(name, item)
        return found

    def _declared(self, model) -> tuple[dict, set[str]]:
        columns, attributes = {}, set()
        for path, cls in self.inventory.declarative.ancestry(model.path, model.fact):
            attributes |= set(cls.attributes)
            for column in cls.columns:
                columns.setdefault(column.attr, (path, column.pos))
        return columns, attributes


def single(item: Resolved):
    return item.target.candidates[0] if len(item.target.candidates) == 1 else None


def chain(model) -> list:
    found = []
    while model is not None and not any(m is model for m in found):
        found.append(model)
        model = model.parent
    return found


def base_of(model):
    return chain(model)[-1]


def back_populates_problems(ctx):
    index = MemberIndex(ctx.inventory)
    for item in index.resolved:
        target = single(item)
        if target is None:
            continue
        members = index.members(target)
        if item.ref.rel.back_populates:
            problem = _back_populates(item, target, members)
            if problem:
                yield _finding(ctx, item, target, *problem)
        if item.ref.rel.backref:
            problem = _backref(item, target, members)
            if problem:
                yield _finding(ctx, item, target, *problem)


def _back_populates(item: Resolved, target, members: Members):
    name, source = item.ref.rel.back_populates, item.ref.model
    other = members.relationships.get(name) or members.backrefs.get(name)
    if other is not None:
        pointed = single(other) if other is members.relationships.get(name) else other.ref.model
        if pointed is None or base_of(pointed) is base_of(source):
            return None
        return (f"back_populates='{name}', but {target.name}.{name} targets {pointed.name}, not {source.name}: "
                f"mapper configuration fails with `... which does not reference mapper`",
                other.ref.path, other.ref.rel.pos, f"{target.name}.{name} points at {pointed.name}",
                f"point {target.name}.{name} at {source.name}, or fix back_populates")
    if name in members.columns:
        path, pos = members.columns[name]
        return (f"back_populates='{name}', but {target.name}.{name} is a column, not a relationship: mapper "
                f"configuration fails", path, pos, f"{target.name}.{name} is a column",
                f"name the relationship on {target.name} that points back to {source.name}")
    if name in members.attributes or members.open:
        return None  # a declared_attr, a dynamic or a third-party mixin's attribute: cannot judge statically
    known = sorted(set(members.relationships) | set(members.backrefs))
    back = [n for n in known if _points_to(members, n, source)]
    hint = f"did you mean back_populates='{back[0]}'?" if back else \
        f"add a relationship on {target.name} with back_populates='{item.ref.rel.attr}'"
    return (f"back_populates='{name}', but {target.name} has no attribute '{name}': mapper configuration fails with "
            f"`Mapper[{target.name}({target.table_name})] has no property '{name}'`",
            target.path, target.pos, f"{target.name} is defined here", hint)


def _points_to(members: Members, name: str, source) -> bool:
    item = members.relationships.get(name)
    pointed = single(item) if item is not None else None
    return pointed is not None and base_of(pointed) is base_of(source)


def _backref(item: Resolved, target, members: Members):
    name = item.ref.rel.backref
    clash = members.relationships.get(name)
    where = (clash.ref.path, clash.ref.rel.pos) if clash else None
    other = members.backrefs.get(name)
    if where is None and name in members.columns:
        where = members.columns[name]
    if where is None and other is not None and other is not item:
        where = (other.ref.path, other.ref.rel.pos)
    if where is None:
        return None
    return (f"backref='{name}', but {target.name} already has a property '{name}': mapper configuration fails "
            f"with `Error creating backref '{name}'`", where[0], where[1], f"{target.name}.{name} exists here",
            "use back_populates on both sides, or choose another backref name")


def _finding(ctx, item: Resolved, target, message, path, pos, note, hint):
    ref = item.ref
    text = f"{ref.subject} has {message}"
    # A model module no program imports (left out of the package's __init__, kept beside a
    # migration that drops its table): its class is never mapped, nothing fails yet.
    dead = is_dead(ctx.graph, ref.model.path)
    if dead:
        text += not_run_note(ref.model.path)
    return ctx.finding("ORM306", ref.subject, text, loc(ref.path, ref.rel.pos), [related(path, pos, note)], hint,
                       severity=Severity.WARNING if dead else None)

"""What each `relationship()` points at, resolved the way SQLAlchemy resolves it.

A string target (`relationship("Customer")`, `Mapped["Customer"]`, any annotation in a module
with `from __future__ import annotations`) is looked up in the referencing class's registry
when mappers are configured: by class name, or by a dotted path whose leading parts match the
end of the class's module name (`"customer.Customer"`, `"app.models.customer.Customer"`). A
class object, an unquoted annotation naming a class bound above the class statement, or a
lambda is the class itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ormdoctor.inventory.model import ModelClass
from ormdoctor.inventory.symbols import Symbol
from ormdoctor.rules.bindings import binding_line, has_future_annotations
from ormdoctor.rules.entry_points import MAPPED
from ormdoctor.rules.spelling import NameBook
from ormdoctor.static.facts import ColumnFact, RelationshipFact

UNMAPPED = ("abstract", "mixin", "base")


@dataclass
class RelRef:
    """One relationship of one mapped class; ``path`` is the file it is written in (a mixin's)."""

    model: ModelClass
    rel: RelationshipFact
    path: str

    @property
    def subject(self) -> str:
        return f"{self.model.name}.{self.rel.attr}"


@dataclass
class Target:
    way: str  # registry | direct | unknown
    written: str | None
    candidates: list[ModelClass] = field(default_factory=list)
    unmapped: list[ModelClass] = field(default_factory=list)  # same name, not mapped


class ClassIndex:
    """Classes per (registry, class name)."""

    def __init__(self, inventory):
        self.inventory = inventory
        self.mapped: dict[tuple[str, str], list[ModelClass]] = {}
        self.unmapped: dict[tuple[str, str], list[ModelClass]] = {}
        self._names: dict[str, NameBook] = {}
        # Classes mapped where the inventory cannot follow: inside functions, map_imperatively().
        self.opaque = {c.name for m in inventory.modules.values() for c in m.facts.classes if c.nested}
        self.opaque |= {i.class_name.rsplit(".", 1)[-1] for m in inventory.modules.values()
                        for i in m.facts.imperative_maps}
        # Registries of bases the tool cannot read: their other classes are unknown.
        self.opaque_registries = {r.id for r in inventory.registries.values()
                                  if getattr(inventory.metadatas.get(r.metadata_id), "opaque", False)}
        for model in inventory.classes:
            if model.registry_id is None:
                continue
            bucket = self.mapped if model.kind in MAPPED or model.kind == "unknown" else self.unmapped
            bucket.setdefault((model.registry_id, model.name), []).append(model)

    def lookup(self, registry_id: str, written: str) -> Target:
        *prefix, name = written.split(".")
        found = [m for m in self.mapped.get((registry_id, name), []) if self._module_matches(m, prefix)]
        if not found and (name in self.opaque or registry_id in self.opaque_registries):
            return Target("unknown", written)
        unmapped = [m for m in self.unmapped.get((registry_id, name), []) if self._module_matches(m, prefix)]
        return Target("registry", written, found, unmapped)

    def _module_matches(self, model: ModelClass, prefix: list[str]) -> bool:
        if not prefix:
            return True
        module = self.inventory.modules[model.path]
        names = [n for n, _ in module.names] or [module.name]
        return any(n.split(".")[-len(prefix):] == prefix for n in names)

    def names(self, registry_id: str) -> NameBook:
        """The mapped class names of one registry, for "did you mean"."""
        if registry_id not in self._names:
            self._names[registry_id] = NameBook(n for (r, n) in self.mapped if r == registry_id)
        return self._names[registry_id]


def relationship_refs(inventory) -> list[RelRef]:
    refs = []
    for model in inventory.classes:
        if model.kind not in MAPPED and model.kind != "unknown" or model.registry_id is None:
            continue  # unknown: mapped, only its table name is not known statically
        for rel in model.relationships:
            refs.append(RelRef(model, rel, written_in(inventory, model, rel, "relationships")))
    return refs


def written_in(inventory, model: ModelClass, item, collection: str) -> str:
    """The file whose class body holds ``item`` (a column or relationship fact)."""
    return _places(inventory, model).get(id(item), model.path)


def table_item_written_in(inventory, table, item) -> str:
    """The file that writes ``item``, a column or a ``__table_args__`` constraint of ``table``:
    the mixin's or abstract base's file for what the table inherits from another module."""
    model = table.model
    if model is None:
        return table.path
    if isinstance(item, ColumnFact):
        return written_in(inventory, model, item, "columns")
    return _places(inventory, model).get(id(item), table.path)


def _places(inventory, model: ModelClass) -> dict[int, str]:
    """id of each column, relationship and ``__table_args__`` constraint the model's class or an
    ancestor writes → the file of the first class (in resolution order) that writes it. Built
    once per model: the index rules ask for every column of every table."""
    every = inventory.derived("written-in", dict)
    found = every.get(id(model))
    if found is None:
        found = every[id(model)] = {}
        for path, cls in inventory.declarative.ancestry(model.path, model.fact):
            items = [*cls.columns, *cls.relationships, *(cls.table_args.constraints if cls.table_args else ())]
            for item in items:
                found.setdefault(id(item), path)
    return found


def resolve_target(inventory, index: ClassIndex, ref: RelRef) -> Target:
    rel = ref.rel
    if rel.target is None or rel.target_form == "unknown":
        return Target("unknown", rel.target)
    if rel.target_form == "string":
        return index.lookup(ref.model.registry_id, rel.target)
    if rel.target_form == "annotation" and not _bound_as_object(inventory, ref):
        return index.lookup(ref.model.registry_id, rel.target)
    return _direct(inventory, ref)


def _bound_as_object(inventory, ref: RelRef) -> bool:
    """An unquoted annotation whose name exists when the class body runs is the class itself."""
    facts = inventory.modules[ref.path].facts
    if has_future_annotations(facts):
        return False
    line = binding_line(facts, ref.rel.target.split(".")[0])
    return line is not None and line < _class_line(facts, ref)


def _class_line(facts, ref: RelRef) -> int:
    for cls in facts.classes:
        if any(r is ref.rel for r in cls.relationships):
            return cls.pos.line
    return ref.rel.pos.line


def _direct(inventory, ref: RelRef) -> Target:
    facts = inventory.modules[ref.path].facts
    if binding_line(facts, ref.rel.target.split(".")[0]) is None:
        return Target("unknown", ref.rel.target)  # only under TYPE_CHECKING, or from nowhere we can see
    symbol = inventory.resolver.resolve(ref.path, ref.rel.target)
    model = class_model(inventory, symbol)
    if model is None or model.kind not in MAPPED and model.kind != "unknown":
        return Target("unknown", ref.rel.target)
    return Target("direct", ref.rel.target, [model])


def class_model(inventory, symbol: Symbol | None) -> ModelClass | None:
    if symbol is None or symbol.kind != "class" or symbol.module is None or symbol.attr is not None:
        return None
    return inventory.declarative.model_for(symbol)

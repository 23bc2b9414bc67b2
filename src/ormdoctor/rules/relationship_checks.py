"""Findings about relationship targets: missing, ambiguous, or never imported (ORM301/302/304)."""

from __future__ import annotations

from dataclasses import dataclass

from ormdoctor.findings import Applicability, Edit, Fix, Severity
from ormdoctor.rules.context import loc, related
from ormdoctor.rules.entry_points import entry_label, entry_points
from ormdoctor.rules.import_fix import fix_related, import_fix
from ormdoctor.rules.reach import ambiguous_in, missing_in
from ormdoctor.rules.tablemap import qualified_name, table_map
from ormdoctor.rules.targets import ClassIndex, RelRef, Target, relationship_refs, resolve_target
from ormdoctor.static.facts import TYPE_CHECKING


@dataclass
class Resolved:
    ref: RelRef
    target: Target


def resolved_relationships(inventory) -> list[Resolved]:
    def compute():
        index = class_index(inventory)
        return [Resolved(ref, resolve_target(inventory, index, ref)) for ref in relationship_refs(inventory)]
    return inventory.derived("relationship_targets", compute)


def class_index(inventory) -> ClassIndex:
    return inventory.derived("class_index", lambda: ClassIndex(inventory))


def registry_label(ctx, registry_id: str) -> str:
    found = ctx.inventory.registries.get(registry_id)
    return found.label if found else registry_id


# ORM301 ----------------------------------------------------------------------------------------
def missing_targets(ctx):
    for item in resolved_relationships(ctx.inventory):
        target, ref = item.target, item.ref
        if target.way == "registry" and not target.candidates:
            yield _missing_class(ctx, ref, target)
    yield from _missing_secondaries(ctx)


def _missing_class(ctx, ref: RelRef, target: Target):
    registry = registry_label(ctx, ref.model.registry_id)
    name = target.written.rsplit(".", 1)[-1]
    message = f"{ref.subject} targets '{target.written}', but no class of that name is mapped in registry {registry}"
    rel = []
    if target.unmapped:
        other = target.unmapped[0]
        message += f" ({other.name} at {other.path}:{other.pos.line} is {other.kind}, not mapped)"
        rel.append(related(other.path, other.pos, f"{other.name} is {other.kind}, not mapped"))
    index = class_index(ctx.inventory)
    elsewhere = _mapped_in_other_registries(index, ref.model.registry_id, name)
    close = index.names(ref.model.registry_id).close(name)
    if elsewhere:
        other = elsewhere[0]
        message += f" ({other.name} at {other.path}:{other.pos.line} is mapped in registry " \
                   f"{registry_label(ctx, other.registry_id)})"
        rel.append(related(other.path, other.pos, f"{other.name} is mapped in another registry"))
    elif close:
        meant = index.mapped[(ref.model.registry_id, close[0])][0]
        rel.append(related(meant.path, meant.pos, f"{meant.name} is mapped here"))
    rel += _type_checking_import(ctx, ref, name)
    message += f": mapper configuration fails with `failed to locate a name ('{target.written}')`"
    if elsewhere:
        hint = f"map both classes on one declarative base: a string target is looked up in {registry} only"
    else:
        hint = (f"point it at the mapped class, e.g. '{close[0]}'" if close else "point it at a mapped class") + \
            ", or write the missing model"
    return ctx.finding("ORM301", ref.subject, message, loc(ref.path, ref.rel.pos), rel, hint)


def _mapped_in_other_registries(index, registry_id: str, name: str) -> list:
    return [model for (other, found), models in sorted(index.mapped.items())
            if found == name and other != registry_id for model in models]


def _type_checking_import(ctx, ref: RelRef, name: str):
    for fact in ctx.inventory.modules[ref.path].facts.imports:
        if fact.context == TYPE_CHECKING and any((a or n) == name for n, a in fact.names):
            where = "." * fact.level + fact.module
            exists = any(t for t, _ in ctx.inventory.resolver.import_targets(ref.path, fact))
            note = f"imported from {where} only for type checkers" + ("" if exists else f"; {where} is not in the project")
            return [related(ref.path, fact.pos, note)]
    return []


def _missing_secondaries(ctx):
    tables = table_map(ctx.inventory)
    for item in resolved_relationships(ctx.inventory):
        ref = item.ref
        if ref.rel.secondary is None or ref.rel.secondary_form != "string" or ref.model.metadata_id is None:
            continue
        if not _names_a_table(ref.rel.secondary):
            yield _secondary_expression(ctx, ref)
            continue
        schema, name = _split_table(ref.rel.secondary)
        metadata_id = ref.model.metadata_id
        if tables.find(metadata_id, schema, name) or tables.is_reflected(metadata_id, schema, name) \
                or metadata_id in tables.opaque or _names_class(ctx, ref, schema):
            continue
        label = ctx.metadata_label(metadata_id)
        searched = tables.key(metadata_id, schema, name)[1]
        close = [qualified_name(schema, n) for n in tables.close_names(metadata_id, name, searched)]
        message = (f"{ref.subject} has secondary='{ref.rel.secondary}', but no table of that name is on {label}: "
                   f"mapper configuration fails with `failed to locate a name ('{ref.rel.secondary}')`")
        hint = f"name the association table as defined, e.g. '{close[0]}'" if close else \
            "define the association table on the same MetaData, or pass the Table object"
        yield ctx.finding("ORM301", ref.subject, message, loc(ref.path, ref.rel.pos), hint=hint)


def _names_a_table(written: str) -> bool:
    """Whether a `secondary` string is a table name (`"tags"`, `"core.tags"`), not an expression
    (a composite join: `secondary="join(UsersEventsRoles, Role, and_(...))"`, open-event-server)."""
    return all(part.isidentifier() for part in written.split("."))


def _secondary_expression(ctx, ref: RelRef):
    """SQLAlchemy 1.x evaluates a `secondary` string with eval(); 2.0 and later only look it up
    as a table name, so an expression there works until the upgrade, then fails."""
    message = (f"{ref.subject} has secondary='{ref.rel.secondary}', an expression in a string: SQLAlchemy 1.x "
               f"evaluates it, 2.0 and later read it only as a table name and fail mapper configuration with "
               f"`failed to locate a name`")
    return ctx.finding("ORM301", ref.subject, message, loc(ref.path, ref.rel.pos), severity=Severity.WARNING,
                       hint="pass it as a lambda, which every version calls: `secondary=lambda: join(...)`")


def _split_table(written: str) -> tuple[str | None, str]:
    schema, _, name = written.rpartition(".")
    return schema or None, name


def _names_class(ctx, ref: RelRef, schema: str | None) -> bool:
    """`secondary="Association.__table__"` and similar: a class expression, not a table name."""
    if schema is None:
        return False
    head = schema.split(".")[0]
    return bool(class_index(ctx.inventory).lookup(ref.model.registry_id, head).candidates)


# ORM302 ----------------------------------------------------------------------------------------
def ambiguous_targets(ctx):
    entries = entry_points(ctx.inventory)
    for item in resolved_relationships(ctx.inventory):
        target, ref = item.target, item.ref
        if target.way != "registry":
            continue
        process, loaded = ambiguous_in(entries, ref.model.path, target.candidates)
        if loaded:
            yield _ambiguous(ctx, ref, target, process, loaded)


def _ambiguous(ctx, ref: RelRef, target: Target, process, loaded):
    registry = registry_label(ctx, ref.model.registry_id)
    places = ", ".join(f"{c.path}:{c.pos.line}" for c in loaded)
    where = f" loaded together by {entry_label(process)}" if process else ""
    message = (f"{ref.subject} targets '{target.written}', which matches {len(loaded)} classes in registry "
               f"{registry}{where} ({places}): mapper configuration fails with `Multiple classes found for "
               f"path \"{target.written}\"`")
    rel = [related(c.path, c.pos, f"{c.name} in {ctx.inventory.modules[c.path].name}") for c in loaded]
    meant = likely_meant(ref, loaded)
    full = f"{ctx.inventory.modules[meant.path].name}.{meant.name}"
    if len({c.path for c in loaded}) < len(loaded):
        # Two of the classes live in one module: no module path tells them apart.
        hint = f"rename one of the {meant.name} classes in {meant.path} (or keep one): no module path tells them apart"
        fix = None
    else:
        hint = f"refer to one class by its full module path (\"{full}\") or a lambda; better, keep one class of that name"
        fix = Fix(Applicability.UNSAFE, f"point {ref.subject} at \"{full}\"",
                  (Edit("qualify-target", ref.path, ref.rel.pos.line, (ref.rel.attr, target.written, full)),))
    return ctx.finding("ORM302", ref.subject, message, loc(ref.path, ref.rel.pos), rel, hint, fix=fix)


def likely_meant(ref: RelRef, candidates: list):
    """The candidate the reference probably means: the one its foreign keys point at, else the
    nearest in the package tree."""
    referenced = {fk.target.split(".")[-2] for c in ref.model.columns for fk in c.foreign_keys
                  if not fk.target_is_expr and fk.target.count(".") >= 1}
    here = ref.model.path.split("/")

    def closeness(candidate):
        there = candidate.path.split("/")
        shared = next((i for i, (a, b) in enumerate(zip(here, there)) if a != b), min(len(here), len(there)))
        return (candidate.table_name not in referenced, -shared, candidate.path)
    return min(candidates, key=closeness)


# ORM304 ----------------------------------------------------------------------------------------
def unloaded_targets(ctx):
    entries = entry_points(ctx.inventory)
    for item in resolved_relationships(ctx.inventory):
        target, ref = item.target, item.ref
        if target.way != "registry" or not target.candidates:
            continue
        if ambiguous_in(entries, ref.model.path, target.candidates)[1]:
            continue
        missing = missing_in(entries, ref.model.path, [c.path for c in target.candidates])
        if missing:
            yield _unloaded_class(ctx, ref, target, missing)
    yield from _unloaded_secondaries(ctx, entries)


def _unloaded_class(ctx, ref: RelRef, target: Target, missing):
    model = target.candidates[0]
    process = missing.first
    entry = process.entries[0]
    fix = import_fix(ctx.inventory, process.members, model.path, [model.name], entry)
    others = f" (and {_count(len(missing.processes) - 1, 'other entry point')})" if len(missing.processes) > 1 else ""
    registry = registry_label(ctx, ref.model.registry_id)
    message = (f"{ref.subject} targets {model.name} (registry {registry}), defined in {model.path}, which "
               f"{entry_label(process)}{others} "
               f"never loads: mapper configuration fails with `failed to locate a name ('{target.written}')`")
    rel = [related(model.path, model.pos, f"{model.name} is defined here"),
           related(entry, None, f"entry point: never imports {model.path}")]
    rel += [r for r in [fix_related(fix, ctx.inventory.modules[model.path].name, entry)] if r]
    return ctx.finding("ORM304", ref.subject, message, loc(ref.path, ref.rel.pos), rel, fix.text,
                       fix=fix.as_fix(Applicability.UNSAFE))


def _unloaded_secondaries(ctx, entries):
    tables = table_map(ctx.inventory)
    for item in resolved_relationships(ctx.inventory):
        ref = item.ref
        if ref.rel.secondary is None or ref.rel.secondary_form != "string" or ref.model.metadata_id is None \
                or not _names_a_table(ref.rel.secondary):
            continue
        defs = tables.find(ref.model.metadata_id, *_split_table(ref.rel.secondary))
        missing = missing_in(entries, ref.model.path, [d.path for d in defs]) if defs else None
        if missing:
            yield _unloaded_table(ctx, ref, defs[0], missing)


def _unloaded_table(ctx, ref: RelRef, table, missing):
    process = missing.first
    entry = process.entries[0]
    fix = import_fix(ctx.inventory, process.members, table.path, [table.owner], entry)
    message = (f"{ref.subject} has secondary='{ref.rel.secondary}', defined in {table.path}, which "
               f"{entry_label(process)} never loads: mapper configuration fails with `failed to locate a name`")
    rel = [related(table.path, table.pos, f"table '{table.key}' is defined here"),
           related(entry, None, f"entry point: never imports {table.path}")]
    return ctx.finding("ORM304", ref.subject, message, loc(ref.path, ref.rel.pos), rel, fix.text,
                       fix=fix.as_fix(Applicability.UNSAFE))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")

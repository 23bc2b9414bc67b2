"""Findings about foreign keys: targets missing, never imported, or of another type (ORM303/304/305)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ormdoctor.findings import Applicability, Severity
from ormdoctor.rules.context import loc, related
from ormdoctor.rules.entry_points import entry_label, entry_points
from ormdoctor.rules.foreign_keys import FkRef, FkTarget, foreign_key_refs, resolve_foreign_key
from ormdoctor.rules.import_fix import fix_related, import_fix
from ormdoctor.rules.loading import is_dead, meeting, not_run_note
from ormdoctor.rules.reach import Missing, missing_in
from ormdoctor.rules.tablemap import qualified_name, table_map
from ormdoctor.rules.targets import written_in
from ormdoctor.typefamily import type_family, type_head


@dataclass
class ResolvedFk:
    ref: FkRef
    target: FkTarget


def resolved_foreign_keys(inventory) -> list[ResolvedFk]:
    def compute():
        tables = table_map(inventory)
        return [ResolvedFk(ref, resolve_foreign_key(inventory, tables, ref)) for ref in foreign_key_refs(inventory, tables)]
    return inventory.derived("foreign_key_targets", compute)


def once_per_site(findings):
    """A column written once in a mixin or abstract base is on every subclass's table: one
    finding at the line where it is written, naming the tables that get it."""
    groups: dict[tuple, list] = {}
    for finding in findings:
        where = finding.location
        groups.setdefault((finding.code, where.path, where.line, where.column), []).append(finding)
    for group in groups.values():
        first = group[0]
        if len(group) > 1:
            tables = ", ".join(f.subject.rsplit(".", 1)[0] for f in group)
            first = replace(first, message=f"{first.message} (written once at {first.location.path}:"
                                           f"{first.location.line}, on {len(group)} tables: {tables})")
        yield first


# ORM303 ----------------------------------------------------------------------------------------
def missing_fk_targets(ctx):
    yield from once_per_site(_missing_fk_targets(ctx))


def _missing_fk_targets(ctx):
    for item in resolved_foreign_keys(ctx.inventory):
        if item.target.status == "missing-table":
            yield _unless_dead(ctx, item.ref, _missing_table(ctx, item.ref, item.target))
        elif item.target.status == "missing-column":
            yield _unless_dead(ctx, item.ref, _missing_column(ctx, item.ref, item.target))


def _unless_dead(ctx, ref: FkRef, finding):
    """In a module no program imports (fastcrud's documentation snippets, each on a base of its
    own) nothing fails yet: a warning that says so."""
    if not is_dead(ctx.graph, ref.path):
        return finding
    return replace(finding, severity=Severity.WARNING, message=finding.message + not_run_note(ref.path))


def _missing_table(ctx, ref: FkRef, target: FkTarget):
    tables = table_map(ctx.inventory)
    label = metadata_phrase(ctx.metadata_label(ref.table.metadata_id))
    message = (f"foreign key '{ref.target}' on {ref.subject}: no table '{target.key}' on {label}; "
               f"create_all fails with NoReferencedTableError")
    others = [d for d in tables.named(target.name) if (d.metadata_id, d.schema) != (ref.table.metadata_id, target.schema)]
    rel = [related(d.path, d.pos, f"'{d.key}' on {ctx.metadata_label(d.metadata_id)}") for d in others]
    return ctx.finding("ORM303", ref.subject, message, loc(ref.path, ref.pos), rel, _table_hint(ctx, ref, target, others))


def _table_hint(ctx, ref: FkRef, target: FkTarget, others) -> str:
    """Never re-points the key to a table in another schema than its own table's: a table of
    the same name there (`attachments.files` for `event_abstracts.files`) is usually another
    entity, and the key would silently join the wrong rows."""
    same_metadata = [d for d in others if d.metadata_id == ref.table.metadata_id]
    own_schema = [d for d in same_metadata if d.schema == ref.table.schema and d.schema != target.schema]
    if own_schema:
        return f"qualify the schema: ForeignKey(\"{own_schema[0].key}.{target.column}\")"
    if same_metadata:
        schemas = ", ".join(sorted({d.schema or "default" for d in same_metadata}))
        return (f"define '{target.key}', or write the schema of the table meant: '{target.name}' in schema "
                f"{schemas} may be another table")
    if others:
        return (f"'{target.name}' is on {ctx.metadata_label(others[0].metadata_id)}: a foreign key only reaches "
                f"tables of its own MetaData; use one declarative base for both")
    close = table_map(ctx.inventory).close_names(ref.table.metadata_id, target.name, target.schema)
    if close:
        return f"did you mean ForeignKey(\"{qualified_name(target.schema, close[0])}.{target.column}\")?"
    return "reference an existing table, or define the missing one on the same MetaData"


def _missing_column(ctx, ref: FkRef, target: FkTarget):
    table = target.defs[0]
    label = ctx.metadata_label(table.metadata_id)
    message = (f"foreign key '{ref.target}' on {ref.subject}: table '{table.key}' ({label}) has no column "
               f"'{target.column}'; create_all fails with NoReferencedColumnError")
    rel = [related(table.path, table.pos, f"'{table.key}' is defined here")]
    keys = [c.name for c in table.columns if c.primary_key and c.name]
    hint = f"reference an existing column, e.g. '{table.key}.{keys[0]}'" if keys else "reference an existing column"
    return ctx.finding("ORM303", ref.subject, message, loc(ref.path, ref.pos), rel, hint)


def metadata_phrase(label: str) -> str:
    """`Base.metadata` reads as a name; a bare variable (`metadata`) needs a noun."""
    return label if "." in label else f"MetaData '{label}'"


# ORM304 ----------------------------------------------------------------------------------------
def unloaded_fk_targets(ctx):
    entries = entry_points(ctx.inventory)
    for item in resolved_foreign_keys(ctx.inventory):
        if item.target.status != "found" or item.ref.is_expr:
            continue
        missing = missing_in(entries, item.ref.owner, [d.path for d in item.target.defs])
        if missing:
            missing = Missing([p for p in missing.processes if _reaches_a_database(ctx, p)])
        if missing and missing.processes:
            yield _unloaded(ctx, item.ref, item.target, missing)


def _reaches_a_database(ctx, process) -> bool:
    """A foreign key is resolved when its table is created or a session flushes, which needs an
    engine: a process whose modules create none, call no create_all and configure no database
    (LangBot's manual smoke script, every service mocked) never resolves it."""
    return process.meets(*_database_modules(ctx.inventory))


def _database_modules(inventory) -> tuple[int, set[int]]:
    """The modules that create an engine, call create_all or configure a database, as a bitset
    and as graph positions (what ``Process.meets`` takes)."""
    def compute():
        graph = inventory.graph
        wanted = {graph.index[path] for path, module in inventory.modules.items() if path in graph.index and (
            module.facts.calls_create_all or module.facts.engine_urls or module.facts.database_configs
            or any(o.kind == "flask_sqlalchemy" for o in module.facts.objects))}
        return sum(1 << i for i in wanted), wanted
    return inventory.derived("database_modules", compute)


def _unloaded(ctx, ref: FkRef, target: FkTarget, missing):
    table = target.defs[0]
    process = missing.first
    entry = process.entries[0]
    fix = import_fix(ctx.inventory, process.members, table.path, [table.owner], entry)
    label = ctx.metadata_label(table.metadata_id)
    message = (f"foreign key '{ref.target}' on {ref.subject}: table '{table.key}' ({label}) is defined in "
               f"{table.path}, which {entry_label(process)} never loads; create_all fails with NoReferencedTableError")
    rel = [related(table.path, table.pos, f"'{table.key}' is defined here"),
           related(entry, None, f"entry point: never imports {table.path}")]
    rel += [r for r in [fix_related(fix, ctx.inventory.modules[table.path].name, entry)] if r]
    return ctx.finding("ORM304", ref.subject, message, loc(ref.path, ref.pos), rel, fix.text,
                       fix=fix.as_fix(Applicability.UNSAFE))


# ORM305 ----------------------------------------------------------------------------------------
def fk_type_mismatches(ctx):
    yield from once_per_site(_fk_type_mismatches(ctx))


def _fk_type_mismatches(ctx):
    for item in resolved_foreign_keys(ctx.inventory):
        if item.target.status != "found" or item.ref.column_fact is None:
            continue
        table = _definition_loaded_with(ctx, item.target.defs, item.ref.path)
        referenced = item.target.referenced_column([table])
        if referenced is None:
            table, referenced = item.target.defs[0], item.target.referenced_column()
        mine = item.ref.column_fact.type
        theirs = referenced.type if referenced else None
        if not mine or not theirs:
            continue
        theirs_path = written_in(ctx.inventory, table.model, referenced, "columns") if table.model else table.path
        family, other = project_type_family(ctx.inventory, mine, item.ref.path), \
            project_type_family(ctx.inventory, theirs, theirs_path)
        if family and other and family != other:
            yield _mismatch(ctx, item.ref, item.target, table, referenced, (mine, family), (theirs, other))


def _definition_loaded_with(ctx, defs: list, path: str):
    """Of several definitions of the referenced table, the one a process loads together with
    the referencing module: two apps of one repository may each define `user` on the global
    SQLModel.metadata (Open-Assistant's backend and inference server), and each app's foreign
    keys reference its own."""
    if len(defs) > 1:
        for table in defs:
            if meeting(ctx.graph, [path, table.path]).together:
                return table
    return defs[0]


def project_type_family(inventory, type_text: str, path: str, depth: int = 0) -> str | None:
    """The family of a column type written in module ``path``. A name that denotes a project
    class is a TypeDecorator (or another own type): its ``impl`` decides (tacker's
    `class Uuid(TypeDecorator): impl = String(36)` is a string, whatever its name says), and
    without one the family is unknown. Other names are SQLAlchemy's or a library's: by name."""
    head = type_head(type_text)
    resolver = inventory.resolver
    if head is None or resolver is None or depth > 5 or path not in inventory.modules:
        return type_family(type_text)
    symbol = resolver.resolve(path, head)
    if symbol is None or symbol.kind != "class" or symbol.module is None or symbol.attr is not None:
        return type_family(type_text)
    own = inventory.declarative.module_class(symbol.module, symbol.name) if inventory.declarative else None
    if own is None or not own.impl or "load_dialect_impl" in own.attributes:
        return None  # no impl, or one chosen per database (the GUID recipe): unknown
    return project_type_family(inventory, own.impl, symbol.module, depth + 1)


def _mismatch(ctx, ref: FkRef, target: FkTarget, table, referenced, mine, theirs):
    message = (f"{ref.subject} is {mine[0]} ({mine[1]}) but references {table.key}.{target.column}, which is "
               f"{theirs[0]} ({theirs[1]}): PostgreSQL refuses the constraint and joins compare different types")
    path = written_in(ctx.inventory, table.model, referenced, "columns") if table.model else table.path
    rel = [related(path, referenced.pos, f"{table.key}.{target.column} is {theirs[0]}")]
    hint = f"give {ref.column} the referenced column's type ({theirs[0]})"
    return ctx.finding("ORM305", ref.subject, message, loc(ref.path, ref.column_fact.pos), rel, hint)

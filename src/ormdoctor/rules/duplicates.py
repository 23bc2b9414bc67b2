"""One entity defined more than once: tables, class names, modules, and the flags that hide it."""

from __future__ import annotations

import re
from collections import defaultdict

from ormdoctor.findings import Applicability, Edit, Fix, Severity
from ormdoctor.inventory.model import TableDef
from ormdoctor.rules.canonical import choose
from ormdoctor.rules.consolidate import consolidation_fix, flag_removals, same_columns
from ormdoctor.rules.context import definition_label, loc, related, table_loc
from ormdoctor.rules.databases import collision_note, shared_database
from ormdoctor.rules.entry_points import model_modules
from ormdoctor.rules.loading import meeting, process_phrase
from ormdoctor.rules.module_names import double_imports
from ormdoctor.rules.registry import rule
from ormdoctor.static.facts import Pos, is_test_file

MAPPED = ("table", "sti", "joined", "concrete", "imperative")


def _groups(ctx):
    """Duplicated (metadata, schema, name) groups, each in load order, with how they meet."""
    for key, defs in sorted(ctx.inventory.tables_by_key().items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2])):
        if len(defs) < 2 or _from_abstract_name(ctx, defs):
            continue
        defs = [d for d in defs if not _extends_parent_table(d, defs)]
        if len(defs) < 2:
            continue
        meet = meeting(ctx.graph, [(d.path, d.main_only) for d in defs])
        if meet.status == "separate":
            continue
        ordered = sorted(defs, key=lambda d: (meet.order.index(d.path), d.pos.line))
        yield key, ordered, meet


def _subclass_of(table: TableDef, other: TableDef) -> bool:
    parent = table.model.parent if table.model is not None else None
    while parent is not None:
        if parent is other.model:
            return True
        parent = parent.parent
    return False


def _extends_parent_table(table: TableDef, defs: list[TableDef]) -> bool:
    """A mapped subclass naming its parent's table with extend_existing in effect adds columns to
    that one Table (Flask-AppBuilder's documented `class MyUser(User): __tablename__ = "ab_user"`):
    one table, one class hierarchy, nothing duplicated. Without the flag it crashes: ORM101."""
    return table.extend_existing and any(_subclass_of(table, d) for d in defs if d is not table)


def _from_abstract_name(ctx, defs: list[TableDef]) -> bool:
    """Subclasses that inherit a constant __tablename__ from one abstract base: ORM403's root cause.
    (A default name, SQLModel's `hero` or Flask-SQLAlchemy's `user`, is not inherited: ORM101.)"""
    return all(_inherited_name(ctx, d) is not None for d in defs)


def _listing(defs: list[TableDef], limit: int = 3) -> str:
    shown = ", ".join(definition_label(d) for d in defs[:limit])
    return shown + (", ..." if len(defs) > limit else "")


def _import_hint(ctx, keep: TableDef) -> str:
    module = ctx.inventory.modules[keep.path].name
    return f"from {module} import {keep.owner}"


@rule("ORM101", "duplicate-table", Severity.ERROR, fix=Applicability.UNSAFE)
def duplicate_table(ctx):
    """## What it does
    Finds one table (schema + name) defined by two or more classes or `Table()` calls on one
    MetaData, in modules that one process loads together (an app, a script, the pytest session).

    ## Why is this bad?
    The second class statement raises `InvalidRequestError: Table 'customers' is already defined
    for this MetaData instance` when its module is imported, so the application does not start.
    With `extend_existing=True` on the later one it no longer raises; the definitions are merged
    silently instead (see ORM105). A copy in a module that nothing imports (a dead
    `models_old.py`) is reported as a warning: it crashes the day something imports it. So is a
    copy in generated code, a reflection snapshot of the database (a sqlacodegen header, "DO NOT
    EDIT" / "@generated", or a `generated/` / `models_generated/` folder): it is meant to repeat
    the live models, and the message says which file is generated and why.
    Standalone scripts that never run together (tutorials, examples) are not reported.

    ## Example
    ```python
    # models/customer.py
    class Customer(Base):
        __tablename__ = "customers"

    # models/models.py
    class Customer(Base):            # ORM101
        __tablename__ = "customers"
    ```

    ## Use instead
    Keep one definition (the one that matches the database: `ormdoctor compare customers --db
    URL` shows it) and import it everywhere else:
    ```python
    # models/models.py
    from .customer import Customer
    ```
    The tempting fix, `__table_args__ = {"extend_existing": True}`, does not remove the
    duplicate: it merges two different column sets into one Table behind both classes.

    ## Fix safety
    Safe when the definitions are identical, unsafe when they differ in columns: code that used
    the removed one now reads and writes the kept one's columns.

    ## Fix
    `ormdoctor fix` keeps the canonical definition (the one named in
    `[tool.ormdoctor.canonical]`, else `ormdoctor plan`'s recommendation: the version without a
    legacy-looking name, imported by more modules, with more columns) and replaces every other
    class statement with a re-export, `from .customer import Customer` (aliased when the class
    name differs), placed after the module's imports with `# noqa: F401`, so modules that
    import the old name keep working. A definition that is a `Table()` call, or a second class
    in the canonical module, is left to you.
    """
    for key, defs, meet in _groups(ctx):
        first, second = defs[0], defs[1]
        metadata = ctx.metadata_label(key[0])
        masked = [d for d in defs[1:] if d.extend_existing or d.keep_existing]
        if len(masked) == len(defs) - 1:
            continue  # nothing raises: ORM105 reports the silent merge at the flag
        message = f"table '{first.key}' is defined {len(defs)} times on metadata {metadata} ({_listing(defs)})"
        severity = None
        if meet.status == "dead":
            message += meet.dead_note()
            severity = Severity.WARNING
        elif masked:
            flag = "extend_existing" if masked[0].extend_existing else "keep_existing"
            message += f"; {flag}=True at {masked[0].flag_path}:{masked[0].flag_pos.line} hides the error"
        rel = [related(first.path, first.pos, "first definition")]
        rel += [related(d.path, d.pos, "also defined here") for d in defs[2:]]
        if meet.process is not None:
            entry = meet.process.entries[0]
            rel.append(related(entry, ctx.inventory.modules[entry].facts.imports[0].pos
                               if ctx.inventory.modules[entry].facts.imports else None,
                               f"loads both ({process_phrase(meet)})"))
        fix = consolidation_fix(ctx, defs)
        keep = choose(ctx.inventory, defs, ctx.config.canonical).keep
        if _subclass_of(second, first):
            fix = None  # the subclass is meant to extend the table: replacing it would drop its columns
            hint = (f"drop __tablename__ from {second.owner}: a single-table subclass adds its columns to "
                    f"'{first.key}' (or give it a table of its own joined to {first.owner})")
        elif first.path == second.path:  # importing from the file itself would fix nothing
            hint = f"keep one of the classes in {first.path}; `ormdoctor compare {first.key}` shows how they differ"
        elif sum(d.path == keep.path for d in defs) > 1:
            # The kept class's file still defines another copy: importing from it would run both.
            hint = (f"keep one of the classes in {keep.path}, then import it elsewhere; "
                    f"`ormdoctor compare {first.key}` shows how they differ")
        else:
            hint = (f"keep one definition and import it elsewhere (`{_import_hint(ctx, keep)}`); "
                    f"`ormdoctor compare {first.key}` shows how they differ")
        yield ctx.finding("ORM101", first.key, message, table_loc(second), rel, hint, severity=severity, fix=fix)


@rule("ORM102", "table-collision-across-metadata", Severity.ERROR, fix=Applicability.UNSAFE)
def table_collision_across_metadata(ctx):
    """## What it does
    Finds the same schema + table defined on two or more MetaData objects (two declarative
    bases) that target the same database, in modules one process loads together.

    ## Why is this bad?
    SQLAlchemy raises nothing: each MetaData thinks it owns the table. `create_all` on the
    second MetaData sends no DDL because the table exists, so the database keeps whichever
    version was created first, and the other code reads and writes columns that are not there
    (`no such column` / `UndefinedColumn` at the first query). Not reported when the MetaData
    target different databases (Flask-SQLAlchemy bind keys, a separate engine), nor for a
    base or MetaData that a test module declares for itself: that is test data, whose tables
    its tests create and drop (or only compile) on their own; nor for one a module beside an
    Alembic env.py declares (`migrations/shared/catalogs.py`): a data migration's trimmed copy
    of live tables, which Alembic creates; nor for copies identical column for column and
    constraint for constraint (a `Table()` each storage's MetaData carries): whichever is
    created first is the same table. When the project configures several
    databases (two engine URLs, oslo.db contexts per config group, `Session(binds=...)`) and
    nothing ties both MetaData to one of them (an Alembic env.py migrating both, one engine URL),
    the collision is unproven and reported as a warning. So is a definition in generated code
    (a sqlacodegen snapshot on its own MetaData, loaded next to the live models to compare
    them): the message says which file is generated.

    ## Example
    ```python
    # legacy_stripe_models.py
    LegacyBase = declarative_base()
    class StripeCustomer(LegacyBase):
        __tablename__ = "customers"      # ORM102: also Customer on Base.metadata
    ```

    ## Use instead
    One declarative base for one database, one class per table. If the two really are separate
    databases, give them separate engines (Flask: `__bind_key__`).

    ## Fix safety
    Unsafe, and offered only once the choice is written down: which version is alive is a
    decision about the data, not the code.

    ## Fix
    When `[tool.ormdoctor.canonical]` (or a plan file, `ormdoctor fix --plan FILE`) names the
    definition to keep, `ormdoctor fix --unsafe-fixes` replaces the other classes with re-exports
    of it, as for ORM101. `ormdoctor plan --db URL` recommends the version (the one the database
    holds) and writes the decisions file and the migration for the database side.
    """
    by_table: dict[tuple, list[TableDef]] = defaultdict(list)
    for table in ctx.inventory.tables:
        metadata = ctx.inventory.metadatas.get(table.metadata_id)
        by_table[(metadata.database if metadata else None, table.schema, table.name)].append(table)
    for (_, _, _), defs in sorted(by_table.items(), key=lambda kv: (str(kv[0][0]), kv[0][1] or "", kv[0][2])):
        metadata_ids = sorted({d.metadata_id for d in defs})
        if len(metadata_ids) < 2:
            continue
        meet = meeting(ctx.graph, [(d.path, d.main_only) for d in defs])
        if not meet.together and not (meet.generated and meet.process is not None):
            # Two MetaData only collide when one process creates both: a copy in a module no
            # program runs (an example, a type-checker input) crashes nothing, even if imported.
            continue
        firsts = [min((d for d in defs if d.metadata_id == m), key=lambda d: (d.path, d.pos.line)) for m in metadata_ids]
        if _identical(firsts):
            continue  # whichever MetaData creates it first, it is the same table
        ordered = sorted(firsts, key=lambda d: (meet.order.index(d.path), d.pos.line))
        labels = ", ".join(f"{ctx.metadata_label(d.metadata_id)} ({definition_label(d)})" for d in ordered)
        message = f"table '{ordered[0].key}' is defined on {len(ordered)} metadata: {labels}"
        rel = [related(d.path, d.pos, f"on {ctx.metadata_label(d.metadata_id)}") for d in ordered if d is not ordered[1]]
        hint = "use one declarative base per database; create_all keeps whichever version exists first"
        verdict = collision_note(ctx, shared_database(ctx, metadata_ids), meet)
        if verdict is None:
            continue  # separate databases
        message += verdict[0]
        severity = verdict[1]
        yield ctx.finding("ORM102", ordered[0].key, message, table_loc(ordered[1]), rel, hint, severity=severity,
                          fix=consolidation_fix(ctx, defs, decided_only=True))


def _identical(defs: list[TableDef]) -> bool:
    """Copies that are the same column for column and constraint for constraint (dagster's
    `secondary_indexes`, one per storage's MetaData): no version can be the wrong one."""
    first = defs[0]
    return all(d.constraints_known for d in defs) and all(
        same_columns(first, d) and _constraint_shape(first) == _constraint_shape(d) for d in defs[1:])


def _constraint_shape(table: TableDef):
    return sorted((k.kind, k.name or "", tuple(k.columns), k.unique, tuple(k.fk_target), k.sqltext or "")
                  for k in table.constraints)


@rule("ORM103", "table-in-several-schemas", Severity.WARNING, fix=Applicability.UNSAFE)
def table_in_several_schemas(ctx):
    """## What it does
    Finds one table name mapped in several schemas by different classes, such as
    `core.customers` (a legacy model) and `customers` (a modern one).

    ## Why is this bad?
    These are parallel versions of one entity. Each class reads and writes its own table, the
    data drifts apart, and it is rarely clear which one production uses. `ormdoctor compare
    customers --db URL` shows which one the database holds. Subclasses that inherit the name
    from one abstract base and each choose a schema are not reported: that is deliberate. Nor
    are unrelated classes sharing a short name in per-module schemas (`attachments.files`,
    `event_abstracts.files`): only definitions that look like versions of one entity (one
    class name, or one extending the other with mostly the same columns of their own, or one
    left in the default schema while another moved to a named one) are.

    ## Example
    ```python
    class Customer(BaseModel):                      # customers
        __tablename__ = "customers"

    class Customer(Base):                           # core.customers — ORM103
        __tablename__ = "customers"
        __table_args__ = {"schema": "core"}
    ```

    ## Use instead
    Choose the version that matches the database, migrate the data if needed, and delete the
    other (`ormdoctor plan` writes the steps).

    ## Fix safety
    Unsafe, and offered only once the choice is written down: the rows live in one of the
    schemas, and moving them is a migration.

    ## Fix
    When `[tool.ormdoctor.canonical]` (or a plan file, `ormdoctor fix --plan FILE`) names the
    definition to keep, `ormdoctor fix --unsafe-fixes` replaces the other classes with re-exports
    of it. `ormdoctor plan --db URL --migration DIR` writes the Alembic revision that moves the
    table (`ALTER TABLE core.customers SET SCHEMA public` on PostgreSQL).
    """
    by_name: dict[str, list[TableDef]] = defaultdict(list)
    for table in ctx.inventory.tables:
        by_name[table.name].append(table)
    for name, defs in sorted(by_name.items()):
        schemas = sorted({d.schema or "" for d in defs})
        if len(schemas) < 2 or set(schemas) == {"", "public"}:
            continue
        if len({_inherited_name(ctx, d) for d in defs}) == 1 and _inherited_name(ctx, defs[0]):
            continue  # one abstract base names them all, each subclass picks its schema: by design
        firsts = [min((d for d in defs if (d.schema or "") == s), key=lambda d: (d.path, d.pos.line)) for s in schemas]
        if not any(_versions_of_one_entity(a, b) for i, a in enumerate(firsts) for b in firsts[i + 1:]):
            continue  # attachments.files and event_abstracts.files: a short name in per-module schemas
        if _apart(ctx, firsts):
            continue
        listing = ", ".join(f"{d.key} ({definition_label(d)})" for d in firsts)
        message = f"table name '{name}' is mapped in {len(firsts)} schemas: {listing}"
        rel = [related(d.path, d.pos, f"{d.key} ({d.owner})") for d in sorted(defs, key=lambda d: (d.path, d.pos.line))
               if d is not firsts[0]]
        hint = f"keep one version; `ormdoctor compare {name} --db URL` shows which one the database holds"
        yield ctx.finding("ORM103", name, message, table_loc(firsts[0]), rel, hint,
                          fix=consolidation_fix(ctx, defs, decided_only=True))


def _never_run(meet, defs: list[TableDef]) -> bool:
    """Every definition sits in a module no program runs, each with its own MetaData (standalone
    examples, type-checker fixtures): they would only collide in a program that does not exist."""
    return meet.status == "dead" and set(meet.dead) == {d.path for d in defs}


def _apart(ctx, defs: list[TableDef]) -> bool:
    """Definitions that never meet: run by separate programs only, all in modules nothing runs, or
    all on MetaData a test module declares for itself (test data)."""
    meet = meeting(ctx.graph, [(d.path, d.main_only) for d in defs])
    databases = {getattr(ctx.inventory.metadatas.get(d.metadata_id), "database", None) or "" for d in defs}
    return meet.status == "separate" or _never_run(meet, defs) or all(db.startswith("test-local:") for db in databases)


def _versions_of_one_entity(a: TableDef, b: TableDef) -> bool:
    """One class name, one class name extending the other with mostly the same columns of their
    own (a shared mixin's columns are no evidence), as ORM108 judges, or the legacy-schema split:
    one in the default schema, one moved to a named one (`customers` and `core.customers`)."""
    if (a.schema is None) != (b.schema is None):
        return True
    if a.origin != "class" or b.origin != "class":
        return False  # a Table() variable is named after its table: no evidence either way
    if a.owner == b.owner:
        return True
    if not (a.owner.endswith(b.owner) or b.owner.endswith(a.owner) or a.owner.startswith(b.owner)
            or b.owner.startswith(a.owner)):
        return False  # CategoryRole and EventRole: the same shape, two entities
    shared = {id(c) for c in a.columns} & {id(c) for c in b.columns}
    names_a = {c.name for c in a.columns if not c.primary_key and id(c) not in shared}
    names_b = {c.name for c in b.columns if not c.primary_key and id(c) not in shared}
    return len(names_a) >= 2 and len(names_b) >= 2 and len(names_a & names_b) / len(names_a | names_b) >= 0.6


def _inherited_name(ctx, table: TableDef):
    """The ancestor whose literal ``__tablename__`` the class inherits, or None."""
    if table.model is None or table.model.fact.tablename is not None:
        return None
    for path, cls in ctx.inventory.declarative.ancestry(table.model.path, table.model.fact)[1:]:
        if cls.tablename is not None:
            return (path, cls.name) if cls.abstract and cls.tablename.kind == "literal" else None
    return None


@rule("ORM104", "duplicate-class-name", Severity.WARNING)
def duplicate_class_name(ctx):
    """## What it does
    Finds two or more mapped classes with one name in one registry (one declarative base), in
    different modules. It is an error when some `relationship("Customer")` or
    `Mapped["Customer"]` refers to the name as a string. Without such a reference, two test
    modules' classes of one name (a fixture written twice on purpose) are left alone.

    ## Why is this bad?
    Defining and configuring them works while nothing names the class as a string. Once a
    string does, the first mapper configuration (the first query, instantiation or
    `configure_mappers()`) fails with `Multiple classes found for path "Customer" in the registry
    of this declarative base. Please use a fully module-qualified path.`, and every later use
    with `One or more mappers failed to initialize`: any new `relationship("Customer")` anywhere
    on that base breaks the application.

    ## Example
    ```python
    # customer.py
    class Customer(Base): ...
    # enhanced_models.py
    class Customer(Base): ...          # ORM104
    # invoice.py
    customer = relationship("Customer")
    ```

    ## Use instead
    One class per entity. While both must exist, refer to them by full module path
    (`relationship("app.models.customer.Customer")`) or with a lambda.

    ## Fix safety
    No automatic fix.
    """
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for model in ctx.inventory.classes:
        if model.kind in MAPPED and model.registry_id:
            groups[(model.registry_id, model.name)].append(model)
    references = _string_references(ctx)
    for (registry_id, name), models in sorted(groups.items()):
        if len({m.path for m in models}) < 2 or _same_table(ctx, models):
            continue
        meet = meeting(ctx.graph, [(m.path, m.main_only) for m in models])
        if meet.status == "separate":
            continue
        ordered = sorted(models, key=lambda m: (meet.order.index(m.path), m.pos.line))
        refs = [r for r in references.get((registry_id, name), [])]
        if not refs and all(_in_test_folder(m.path) for m in models):
            continue  # test fixtures written twice, which nothing names as a string
        registry = ctx.inventory.registries[registry_id].label if registry_id in ctx.inventory.registries else registry_id
        places = ", ".join(f"{m.path}:{m.pos.line}" for m in ordered)
        message = f"class name '{name}' is mapped {len(ordered)} times in registry {registry} ({places})"
        severity = None
        if refs and meet.together:
            path, pos, attr = refs[0]
            message += f"; the string reference in {attr} ({path}:{pos.line}) is ambiguous"
            severity = Severity.ERROR
        rel = [related(m.path, m.pos, "first definition" if i == 0 else "also defined here")
               for i, m in enumerate(ordered) if i != 1]
        rel += [related(path, pos, f"string reference in {attr}") for path, pos, attr in refs]
        hint = f"keep one {name} class; meanwhile refer to it by full module path or with a lambda"
        yield ctx.finding("ORM104", name, message, loc(ordered[1].path, ordered[1].pos), rel, hint, severity=severity)


def _same_table(ctx, models) -> bool:
    """Same name AND same table, unmasked: the second class statement raises 'already defined'
    (ORM101) before its name can ever be ambiguous. With extend_existing both classes live."""
    keys = {(m.metadata_id, m.schema, m.table_name) for m in models}
    if len(keys) != 1 or not all(m.kind in ("table", "joined", "concrete") for m in models):
        return False
    return True


def _string_references(ctx):
    found = defaultdict(list)
    for model in ctx.inventory.classes:
        for rel in model.fact.relationships:
            if rel.target and rel.target_form in ("string", "annotation") and "." not in rel.target:
                found[(model.registry_id, rel.target)].append((model.path, rel.pos, f"{model.name}.{rel.attr}"))
    return found


@rule("ORM105", "extend-existing-masks-duplicate", Severity.ERROR, fix=Applicability.UNSAFE)
def extend_existing_masks_duplicate(ctx):
    """## What it does
    Finds `extend_existing=True` or `keep_existing=True` on a table that is defined more than
    once: twice in the source, or once in a module that is imported under two names.

    ## Why is this bad?
    The flag silences `Table 'x' is already defined for this MetaData instance` without removing
    the duplicate. With `extend_existing` both classes share one Table: a redeclared column
    replaces the earlier one, new columns are appended, and the earlier class's mapper keeps a
    stale column; columns with `index=True` get their index twice, so `create_all` fails with
    `index ix_users_name already exists`. With `keep_existing` the later class's columns are
    ignored: its constructor accepts them and the values are never saved.

    ## Example
    ```python
    class RulePerformance(SQLModel, table=True):
        __table_args__ = {"extend_existing": True}   # ORM105: models.py is imported twice
    ```

    ## Use instead
    Remove the flag and the cause: delete the second definition (ORM101) or import the module
    under one name only (ORM107).

    ## Fix safety
    Removing the flag alone would turn the silent merge back into a crash, so the fix removes
    the duplicate with it: unsafe when the definitions differ in columns, safe when identical.

    ## Fix
    For a table defined twice in the source, `ormdoctor fix` does what it does for ORM101 (keeps
    the canonical class, replaces the others with a re-export) and removes the flag from the
    class it keeps. For a module imported under two names there is no fix here: ORM107's fix
    rewrites the imports, after which the flag is needless and ORM106's fix removes it (one
    `ormdoctor fix --unsafe-fixes` run does both).
    """
    groups = {key: (defs, meet) for key, defs, meet in _groups(ctx)}
    twice = {d.path: d for d in double_imports(ctx)}
    reported: set = set()
    for table in ctx.inventory.tables:
        if not (table.extend_existing or table.keep_existing):
            continue
        if (table.metadata_id, table.schema, table.name) in reported:
            continue
        flag = "extend_existing" if table.extend_existing else "keep_existing"
        key = (table.metadata_id, table.schema, table.name)
        where = _flag_loc(table)
        if key in groups:
            reported.add(key)
            defs, meet = groups[key]
            flagged = [d for d in defs[1:] if d.extend_existing or d.keep_existing] or [table]
            table = flagged[0]
            flag = "extend_existing" if table.extend_existing else "keep_existing"
            where = _flag_loc(table)
            others = [d for d in defs if d is not table]
            effect = _effect(flag, table, defs)
            message = (f"{flag}=True hides that table '{table.key}' is defined {len(defs)} times "
                       f"({_listing(defs)}): {effect}")
            rel = [related(d.path, d.pos, "other definition") for d in others]
            if table.flag_inherited:  # the finding sits at the base's flag: name the class it applies to
                rel.insert(0, related(table.path, table.pos, f"{table.owner} inherits the flag from {table.flag_owner}"))
            yield ctx.finding("ORM105", table.key, message, where, rel,
                              "remove the flag and keep one definition (see ORM101)",
                              severity=Severity.WARNING if meet.status == "dead" else None,
                              fix=consolidation_fix(ctx, defs))
        elif table.path in twice:
            double = twice[table.path]
            names = " and ".join(f"'{n}'" for n in double.names)
            message = (f"{flag}=True hides that {table.path} is imported as {names}: "
                       f"table '{table.key}' is defined again by the second import")
            rel = [related(s.path, s.pos, f"imports it as '{s.name}'") for s in double.sites[:4]]
            yield ctx.finding("ORM105", table.key, message, where, rel,
                              "remove the flag and import the module under one name only (see ORM107)",
                              severity=None if double.together else Severity.WARNING)


def _effect(flag: str, table: TableDef, defs: list[TableDef]) -> str:
    if flag == "keep_existing":
        return "this definition's columns are silently ignored"
    indexed = {c.name for d in defs for c in d.columns if c.index} & {c.name for c in table.columns if c.index}
    if indexed and table is not defs[0]:
        return f"the columns are merged silently and index=True on {sorted(indexed)[0]} makes create_all create its index twice"
    return "the column sets are merged silently into one Table"


@rule("ORM106", "needless-extend-existing", Severity.WARNING, fix=Applicability.UNSAFE)
def needless_extend_existing(ctx):
    """## What it does
    Finds `extend_existing=True` / `keep_existing=True` on a table that is defined once and
    whose module is imported under one name.

    ## Why is this bad?
    It does nothing today, and tomorrow it silently merges (or ignores) an accidental second
    definition instead of failing loudly. It is usually cargo-culted from an answer to "Table
    is already defined" (seed 001 had it in 28 files).

    ## Example
    ```python
    class Supplier(db.Model):
        __table_args__ = {"extend_existing": True}   # ORM106
    ```

    ## Use instead
    ```python
    class Supplier(db.Model):
        ...
    ```

    ## Fix safety
    Removing the flag is unsafe: if the table is defined again at runtime in a way static
    analysis cannot see, the error it hid comes back (`ormdoctor check --import` confirms).

    ## Fix
    `ormdoctor fix --unsafe-fixes` removes the `extend_existing`/`keep_existing` entry from
    `__table_args__` (or the keyword from `Table()`), and the whole `__table_args__` when
    nothing else is left in it. It is not offered while the module is imported under two names
    (that is ORM105 and ORM107).
    """
    counts = defaultdict(int)
    for table in ctx.inventory.tables:
        counts[(table.metadata_id, table.schema, table.name)] += 1
    twice = {d.path for d in double_imports(ctx)}
    inherited: dict[tuple, list[TableDef]] = defaultdict(list)
    for table in ctx.inventory.tables:
        if not (table.extend_existing or table.keep_existing) or table.path in twice \
                or counts[(table.metadata_id, table.schema, table.name)] != 1:
            continue
        flag = "extend_existing" if table.extend_existing else "keep_existing"
        if table.flag_inherited:
            inherited[(table.flag_path, table.flag_owner, flag)].append(table)
            continue
        yield ctx.finding("ORM106", table.key, f"{flag}=True on table '{table.key}', which is defined once",
                          _flag_loc(table),
                          hint=f"remove {flag}: it would only hide a future duplicate",
                          fix=Fix(Applicability.UNSAFE, f"remove `{flag}=True`", tuple(flag_removals([table]))))
    for (path, owner, flag), tables in sorted(inherited.items()):
        # One flag on a shared base: one finding there, not one per table that inherits it.
        names = ", ".join(f"'{t.key}'" for t in tables[:3]) + (", ..." if len(tables) > 3 else "")
        message = (f"{flag}=True on {owner} applies to {len(tables)} table{'s' * (len(tables) != 1)} "
                   f"({names}), each defined once")
        rel = [related(t.path, t.pos, f"'{t.key}' ({t.owner}) inherits it") for t in tables[:5]]
        yield ctx.finding("ORM106", owner, message, _flag_loc(tables[0]), rel,
                          hint=f"remove {flag} from {owner} unless a subclass is meant to extend a table "
                               f"(then keep it there, and only there)")


def _flag_loc(table: TableDef):
    """Where the flag is written: the class, or the mixin / base it inherits `__table_args__` from."""
    return loc(table.flag_path or table.path, table.flag_pos or table.pos)


@rule("ORM107", "module-imported-twice", Severity.ERROR, fix=Applicability.UNSAFE)
def module_imported_twice(ctx):
    """## What it does
    Finds one file that the project imports under two module names, such as
    `src.prompt_improver.database.models` and `prompt_improver.database.models`, because two
    import roots that contain it are both on `sys.path` (pytest `pythonpath = ["src", "."]`,
    a `sys.path.insert` in conftest.py, running from another folder). It is an error when one
    process imports both names, a warning when no process does: a folder a module's
    `sys.path.insert` adds is on the path only in processes that run that module (never for a
    script's own `if __name__ == "__main__":` block), and a relative import inside a function
    does not count. The name most files use is the one to keep.

    ## Why is this bad?
    Python runs the file once per name, so every class in it is defined twice. When the models
    import their Base absolutely, the second run raises `Table 'x' is already defined for this
    MetaData instance`; when they import it relatively, it is silent: two Bases, two MetaData,
    two `User` classes that are not the same type (`isinstance` and identity checks fail).

    ## Example
    ```python
    # tests/test_a.py
    from src.prompt_improver.database.models import RulePerformance
    # tests/test_b.py
    from prompt_improver.database.models import RulePerformance    # ORM107
    ```

    ## Use instead
    Import it under one name everywhere (the one under the package root, without `src.`) and
    remove the extra import root. `extend_existing=True` hides the crash but keeps two
    definitions (ORM105).

    ## Fix safety
    Rewriting the imports is unsafe only in that code comparing module names changes.

    ## Fix
    `ormdoctor fix --unsafe-fixes` rewrites every `from <other name> import ...` (and
    `import <other name> as x`) to the canonical module name, and removes the import root that
    creates the other name where ormdoctor can edit it: its entry in pytest's `pythonpath` in
    pyproject.toml, or the `sys.path.insert`/`append` of that folder in a conftest.py or env.py.
    The root is kept when other imports still need it. Plain `import src.pkg.models` statements
    are left alone (rewriting them would change the names the code uses); the diff shows every
    change.
    """
    models = model_modules(ctx.inventory)
    for double in double_imports(ctx):
        if not _defines_models(double, models):
            continue  # a helper module run twice costs time, not tables: not a model-layer finding
        canonical = double.names[0]
        wrong = [s for s in double.sites if s.name != canonical]
        first_wrong = wrong[0] if wrong else double.sites[0]
        roots = "; ".join(f"'{n}' via root '{r.path or '.'}' ({r.reason})" for n, r in double.roots)
        where = process_phrase_for(double)
        message = (f"{double.path} is imported as " + " and as ".join(f"'{n}'" for n in double.names)
                   + f"{where}: {_consequence(ctx, double)} ({roots})")
        rel = [related(s.path, s.pos, f"imports it as '{s.name}'") for s in double.sites if s is not first_wrong][:6]
        rel += [related(r.source[0], Pos(r.source[1], 1), f"puts '{r.path or '.'}' on sys.path ({r.reason})")
                for _, r in {r.source: (n, r) for n, r in double.roots if r.source}.values()]
        rel.append(related(double.path, _first_model_pos(ctx, double.path), "runs once per module name"))
        hint = f"import it as '{canonical}' everywhere and drop the import root that allows the other name"
        yield ctx.finding("ORM107", canonical, message, loc(first_wrong.path, first_wrong.pos), rel, hint,
                          severity=None if double.together else Severity.WARNING,
                          fix=_module_name_fix(ctx, double, wrong))


def _module_name_fix(ctx, double, wrong) -> Fix | None:
    canonical = double.names[0]
    edits = []
    for site in wrong:
        fact = next((f for f in ctx.inventory.modules[site.path].facts.imports if f.pos.line == site.pos.line), None)
        prefix = site.name[: -len(canonical)] if site.name.endswith("." + canonical) else None
        if site.relative or fact is None or prefix is None or not fact.module.startswith(prefix):
            continue
        if not fact.is_from and not fact.asname:
            continue  # `import src.pkg.models` binds `src`: rewriting it changes the names the code uses
        edits.append(Edit("rewrite-import", site.path, site.pos.line, (fact.module, fact.module[len(prefix):])))
    if not edits:
        return None
    edits += _root_removals(ctx, double, wrong)
    roots = [f"{e.args[0]!r} from {e.path}" for e in edits if e.kind != "rewrite-import"]
    description = f"rewrite {len(wrong)} import(s) of `{wrong[0].name}` to `{canonical}`"
    if roots:
        description += "; remove import root " + ", ".join(roots)
    return Fix(Applicability.UNSAFE, description, tuple(edits))


def _root_removals(ctx, double, wrong) -> list[Edit]:
    """The settings that create the wrong name, when no import left after the rewrite needs them."""
    canonical = double.names[0]
    rewritten = {(s.path, s.pos.line) for s in wrong}
    edits = []
    for name, root in double.roots:
        if name == canonical or not root.source:
            continue
        prefix = name[: -len(canonical)]
        still_used = any(f.module.startswith(prefix) and (path, f.pos.line) not in rewritten
                         for path, module in ctx.inventory.modules.items() for f in module.facts.imports if not f.level)
        if still_used:
            continue
        if root.reason.startswith("pytest pythonpath"):
            edits.append(Edit("drop-pythonpath", root.source[0], root.source[1], (root.path or ".",)))
        elif root.reason.startswith("sys.path change in"):
            edits.append(Edit("drop-sys-path", root.source[0], root.source[1], (root.path,)))
    return edits


def _defines_models(double, models: set[str]) -> bool:
    """The file, or one it drags in twice, defines mapped classes, tables, a base or a MetaData."""
    return double.path in models or any(_defines_models(d, models) for d in double.dragged)


def _first_model_pos(ctx, path: str):
    classes = [c for c in ctx.inventory.classes if c.path == path and c.kind in MAPPED]
    return min((c.pos for c in classes), key=lambda p: p.line) if classes else Pos(1, 1)


def _consequence(ctx, double) -> str:
    dragged = [d.path for d in double.dragged]
    bases = [d.path for d in double.dragged if _defines_base(ctx, d.path)]
    if bases:
        return (f"every model in it is defined twice, silently: its relative import loads {', '.join(bases)} twice too, "
                f"so there are two Bases and two MetaData")
    if dragged:
        return f"every model in it is defined twice (and {', '.join(dragged)} with it)"
    tables = [t for t in ctx.inventory.tables if t.path == double.path]
    if tables and all(t.extend_existing or t.keep_existing for t in tables):
        if any(c.index for t in tables for c in t.columns):
            return ("every model in it is defined twice, silently: extend_existing=True merges each table with "
                    "its copy, so every index=True column gets its index twice and create_all fails")
        return "every model in it is defined twice, silently: extend_existing=True merges each table with its copy"
    return "every model in it is defined twice: the second import raises 'Table ... is already defined'"


def _defines_base(ctx, path: str) -> bool:
    return any(m.path == path and m.kind == "base" for m in ctx.inventory.classes) or \
        any(o.kind in ("declarative_base", "metadata", "registry") for o in ctx.inventory.modules[path].facts.objects)


def process_phrase_for(double) -> str:
    if double.process is None:
        return ""
    return " in one process (the pytest session)" if double.process == "pytest session" else f" in one process ({double.process})"


_AFFIXES = re.compile(r"^(legacy|old|new|tmp|temp|backup|bak|copy|deprecated|v\d+)_|_(legacy|old|new|tmp|temp|backup|bak|copy|deprecated|v\d+|\d+)$")


@rule("ORM108", "parallel-model", Severity.INFO)
def parallel_model(ctx):
    """## What it does
    Points at two tables that look like two versions of one entity: names that differ by a
    legacy/old/new/v2/backup affix (`bookings` and `bookings_legacy`), or classes whose names
    share a stem (`Customer`, `StripeCustomer`) with mostly the same columns (same name and
    declared type: `Geometry("POINT")` and `Geometry("MULTIPOINT")` differ). Columns both get
    from one mixin do not count (shared by design), nor do the ones most tables carry (`name`,
    `description`, `created_at`, `user_id`, `is_public`, ...), and two tables one of which has a foreign
    key to the other (a group and its members) are never paired, nor is an entity and the table
    kept beside it by design, whose class name adds a role: `NotificationHistory`, `OrderAudit`,
    `ArchivedOrder`, `DeletedOrder`, `GraphCache`, `EnvironmentTemplate`, `QueuedSample` (staged rows promoted
    into `Sample` once approved), `NotificationAllTimeView`, `RuleHistoryRecent` (and two
    tables of one role, `RuleHistory` and `RuleHistoryRecent`). Nor are two children of one shape whose class
    name adds another model's name, or whose names are two models' names with one suffix, and
    that each have a parent the other lacks (`Executable` of a submission, `UserTestExecutable` of
    a user test; `AgentExecution` and `CloudAgentExecution`) or are each referenced by a table
    the other is not (`FolderModel` of workflows, `CredentialFolderModel` of credentials), or two
    tables of a test module (fixture variants made on purpose).

    ## Why is this bad?
    Nothing crashes, but the data of one entity is split over two tables and two code paths,
    which is how the three Customer models of seed 002 came about.

    ## Example
    ```python
    class Booking(Base):
        __tablename__ = "bookings"
    class BookingLegacy(Base):
        __tablename__ = "bookings_legacy"     # ORM108
    ```

    ## Use instead
    Decide which version is alive, migrate, delete the other (`ormdoctor plan`).

    ## Fix safety
    No automatic fix.
    """
    tables = sorted({(t.schema, t.name): t for t in ctx.inventory.tables}.values(), key=lambda t: (t.path, t.pos.line))
    classes = {c.name for c in ctx.inventory.mapped_classes()}
    reported = set()
    referrers = None
    for a, b in _candidate_pairs(tables):
        if a is b or (b.key, a.key) in reported or a.name == b.name or _inherits(a, b):
            continue
        reason = _parallel_reason(a, b)
        # the cheaper test first: few candidates have a reason
        if reason and referrers is None:
            referrers = _referrers(tables)
        if reason and not _related(a, b) and not _in_tests(a, b) \
                and not _variants_of_other_owners(a, b, classes, referrers):
            reported.add((a.key, b.key))
            message = f"tables '{a.key}' ({definition_label(a)}) and '{b.key}' ({definition_label(b)}) look like two versions of one entity: {reason}"
            yield ctx.finding("ORM108", b.key, message, table_loc(b), [related(a.path, a.pos, f"'{a.key}' ({a.owner})")],
                              "decide which one is alive and consolidate (`ormdoctor plan`)")


def _candidate_pairs(tables: list[TableDef]):
    """Pairs sharing an affix-free table name, or whose class names end/start with each other."""
    by_stem: dict[str, list[TableDef]] = defaultdict(list)
    for table in tables:
        by_stem[_AFFIXES.sub("", table.name)].append(table)
    for group in by_stem.values():
        for a in group:
            for b in group:
                yield a, b
    owners: dict[str, list[TableDef]] = defaultdict(list)
    for table in tables:
        if table.origin == "class":
            owners[table.owner].append(table)
    for b in tables:
        if b.origin != "class":
            continue
        name = b.owner
        for cut in range(1, len(name)):
            for a in owners.get(name[cut:], []) + owners.get(name[:cut], []):
                if a is not b:
                    yield a, b


def _in_tests(a: TableDef, b: TableDef) -> bool:
    """A test module's tables, or a test-support module's in a tests/ folder (graphene-sqlalchemy's
    `tests/models.py`), are fixtures (a plain and a polymorphic variant of one model, on purpose),
    not a project's second version of an entity."""
    return any(_in_test_folder(t.path) for t in (a, b))


def _in_test_folder(path: str) -> bool:
    return is_test_file(path) or "/tests/" in f"/{path}" or "/test/" in f"/{path}"


def _variants_of_other_owners(a: TableDef, b: TableDef, classes: set[str], referrers: dict[str, set[str]]) -> bool:
    """``Executable`` (a submission's) and ``UserTestExecutable`` (a user test's): the class name
    adds the name of another mapped class, and each table has a parent the other does not (a
    foreign key to a table the other never references): two children of one shape, not two
    versions of one entity, which reference the same parents. Likewise ``FolderModel`` and
    ``CredentialFolderModel`` (skyvern), folders of workflows and folders of credentials: each is
    referenced by a table that never references the other."""
    if a.origin != "class" or b.origin != "class" or any(_AFFIXES.sub("", t.name) != t.name for t in (a, b)):
        return False  # `bookings_legacy` may well point at `users_legacy`: still a copy
    short, long = (a, b) if len(a.owner) < len(b.owner) else (b, a)
    added = long.owner[len(short.owner):] if long.owner.startswith(short.owner) else long.owner[:-len(short.owner)]
    if not _names_a_model(added, short.owner, classes) and not _one_suffix_on_two_models(short.owner, long.owner, classes):
        return False
    parents_a, parents_b = _parents(a), _parents(b)
    if parents_a - parents_b and parents_b - parents_a:
        return True
    users_a, users_b = referrers.get(a.name, set()), referrers.get(b.name, set())
    return bool(users_a - users_b) and bool(users_b - users_a)


def _names_a_model(added: str, short: str, classes: set[str]) -> bool:
    """Whether what a class name adds is another model's name, also when the project's class
    names share an ending (`Credential` of `CredentialModel`, beside `FolderModel`)."""
    if added in classes:
        return True
    endings = [short[i:] for i in range(1, len(short)) if short[i].isupper()]
    return any(added + ending in classes for ending in endings)


def _referrers(tables: list[TableDef]) -> dict[str, set[str]]:
    """Table name → the names of the tables whose foreign keys point at it."""
    found: dict[str, set[str]] = defaultdict(set)
    for table in tables:
        for target in _parents(table):
            found[target.rpartition(".")[2]].add(table.name)
    return found


def _one_suffix_on_two_models(short: str, long: str, classes: set[str]) -> bool:
    """`AgentExecution` and `CloudAgentExecution` (faraday): each name is another mapped class's
    (`Agent`, `CloudAgent`) followed by one suffix, the executions of two kinds of agent."""
    for cut in range(1, len(short)):
        suffix = short[cut:]
        if long.endswith(suffix) and short[:cut] in classes and long[:-len(suffix)] in classes:
            return True
    return False


def _parents(table: TableDef) -> set[str]:
    found = {fk.target.rpartition(".")[0] for c in table.columns for fk in c.foreign_keys}
    found |= {k.fk_target[0].rpartition(".")[0] for k in table.constraints if k.kind == "foreign_key" and k.fk_target}
    return found


def _inherits(a: TableDef, b: TableDef) -> bool:
    for x, y in ((a, b), (b, a)):
        if x.model is not None and x.model.parent is not None and x.model.parent.table_name == y.name:
            return True
    return False


def _related(a: TableDef, b: TableDef) -> bool:
    """One has a foreign key to the other: a group and its members (timesketch's
    `Aggregation.aggregationgroup_id`), two entities, not two versions of one."""
    for x, y in ((a, b), (b, a)):
        targets = {y.name, y.key}
        if any(fk.target.rpartition(".")[0] in targets for c in x.columns for fk in c.foreign_keys):
            return True
    return False


# What a class name adds to another's for a table kept beside the entity by design: its history,
# audit trail, archive, deleted rows, a cache or a read view (`NotificationHistory`, `OrderAudit`, `GraphCache`,
# `DeletedDidMeta`), or rows staged before they become the entity (`QueuedSample`, `PendingUser`,
# `PostDraft`), not a second version. The role is one word of what is added, CamelCase
# (`AllTimeView`, `HistoryRecent`) or snake_case; a table that already has a role (`RuleHistory`)
# extended again (`RuleHistoryRecent`) is a second table of that role, by design too.
_ROLES = ("History|Histories|Audit|Archive|Archived|Deleted|Snapshot|Revision|Version|View|Log|Changelog|Cache|Cached"
          "|Template|Queue|Queued|Pending|Staging|Staged|Draft")
_ROLE_WORDS = re.compile(rf"(?:[A-Z][a-z0-9]*)*(?:{_ROLES})s?(?:[A-Z][a-z0-9]*)*"
                         rf"|_?(?:[a-z0-9]+_)*(?:{_ROLES.lower()})s?(?:_[a-z0-9]+)*_?")
_HAS_ROLE = re.compile(rf"(?:{_ROLES})s?(?=[A-Z]|$)")


# Columns most named tables carry whatever they hold (phoenix's `Dataset` and `DatasetSplit`), and
# the flags every table of an OpenStack service has (is_public, is_protected, deleted, version):
# sharing them says nothing about two tables being one entity.
_BOOKKEEPING = {"name", "title", "description", "metadata", "metadata_", "created_at", "updated_at", "deleted_at",
                "created", "updated", "modified", "created_by", "updated_by", "user_id", "owner_id",
                "is_public", "is_protected", "deleted", "version"}


def _parallel_reason(a: TableDef, b: TableDef) -> str | None:
    stem_b = _AFFIXES.sub("", b.name)
    if stem_b != b.name and stem_b == a.name:
        return f"'{b.name}' is '{a.name}' with an affix"
    if a.origin == b.origin == "class" and a.owner != b.owner and (b.owner.endswith(a.owner) or b.owner.startswith(a.owner)):
        added = b.owner[len(a.owner):] if b.owner.startswith(a.owner) else b.owner[:-len(a.owner)]
        if _ROLE_WORDS.fullmatch(added) or _HAS_ROLE.search(a.owner):
            return None
        # A column both get from one mixin or base class (`created_at` of a TimestampMixin) is the
        # same definition in both: shared by design, no sign of a copy.
        inherited = {id(c) for c in a.columns} & {id(c) for c in b.columns}
        names_a = {c.name for c in a.columns if not c.primary_key and id(c) not in inherited and c.name not in _BOOKKEEPING}
        names_b = {c.name for c in b.columns if not c.primary_key and id(c) not in inherited and c.name not in _BOOKKEEPING}
        if len(names_a) >= 2 and len(names_b) >= 2:
            # A column of one name but another type (`Geometry("POINT")` and `"MULTIPOINT"`) is
            # not shared: the two tables hold different things.
            types_a = {c.name: c.type for c in a.columns}
            types_b = {c.name: c.type for c in b.columns}
            shared = {n for n in names_a & names_b
                      if types_a.get(n) is None or types_b.get(n) is None or types_a[n] == types_b[n]}
            overlap = len(shared) / len(names_a | names_b)
            if overlap >= 0.6:
                return f"class {b.owner} extends the name {a.owner} and {overlap:.0%} of the columns are shared"
    return None


@rule("ORM109", "table-names-differ-in-case", Severity.WARNING)
def table_names_differ_in_case(ctx):
    """## What it does
    Finds table keys that SQLAlchemy treats as two tables but the database treats as one:
    names differing only in case (`users` / `Users`), or `schema="public"` on one definition and
    no schema on another.

    ## Why is this bad?
    No SQLAlchemy error. On SQLite `create_all` fails with `table "Users" already exists`;
    PostgreSQL creates two tables for quoted mixed-case names. With `public` vs no schema,
    PostgreSQL has one table: `DuplicateTable` on a fresh database, or a silent skip and later
    `UndefinedColumn` when it exists.

    ## Example
    ```python
    class User(Base):
        __tablename__ = "users"
    class LegacyUser(Base):
        __tablename__ = "Users"       # ORM109
    ```

    ## Use instead
    One lowercase table name, one way of naming its schema.

    ## Fix safety
    No automatic fix.
    """
    groups: dict[tuple, list[TableDef]] = defaultdict(list)
    for table in ctx.inventory.tables:
        metadata = ctx.inventory.metadatas.get(table.metadata_id)
        schema = (table.schema or "public").lower()
        groups[(metadata.database if metadata else None, schema, table.name.lower())].append(table)
    for key, defs in sorted(groups.items(), key=lambda kv: (str(kv[0][0]), kv[0][1], kv[0][2])):
        keys = sorted({d.key for d in defs})
        if len(keys) < 2:
            continue
        firsts = [min((d for d in defs if d.key == k), key=lambda d: (d.path, d.pos.line)) for k in keys]
        if _apart(ctx, firsts):
            continue
        firsts.sort(key=lambda d: (d.name != d.name.lower(), d.schema is not None, d.path, d.pos.line))
        listing = ", ".join(f"'{d.key}' ({definition_label(d)})" for d in firsts)
        message = f"{listing} are different tables for SQLAlchemy but one table for the database"
        rel = [related(d.path, d.pos, f"'{d.key}'") for d in firsts[:-1]]
        yield ctx.finding("ORM109", firsts[-1].key, message, table_loc(firsts[-1]), rel,
                          "spell the table name and schema the same way everywhere")

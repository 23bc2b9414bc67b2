"""Alembic's env.py against the model layer: tables autogenerate cannot see."""

from __future__ import annotations

from pathlib import PurePosixPath

from ormdoctor.findings import Applicability, Edit, Fix, Severity
from ormdoctor.rules.alembic_env import AlembicEnv, alembic_envs, env_files, importers_outside_load
from ormdoctor.rules.context import loc, related
from ormdoctor.rules.foreign_key_checks import resolved_foreign_keys
from ormdoctor.rules.import_fix import fix_related, import_fix
from ormdoctor.rules.registry import rule


@rule("ORM503", "alembic-metadata-incomplete", Severity.ERROR, fix=Applicability.SAFE)
def alembic_metadata_incomplete(ctx):
    """## What it does
    Finds Alembic environments (an `env.py` that sets `target_metadata`) whose import closure
    misses a module that defines tables on that MetaData: one finding per module, listing the
    tables `alembic revision --autogenerate` cannot see. `target_metadata` may be one MetaData, a list,
    `Base.metadata`, `db.metadata` or `SQLModel.metadata`, or Flask-Migrate's
    `current_app.extensions['migrate'].db.metadata` / `get_metadata()` (also passed only to
    `context.configure(target_metadata=...)`, as its template does): the project's
    `SQLAlchemy()` object's MetaData, seen with what the application (every program creating
    it) loads; so is any env.py that imports Flask's `current_app` (it only runs inside the
    application, through `flask db`), and one the project's own command runs through
    `alembic.command.revision(...)` sees what that command loads. Imports inside env.py's functions
    count (they run before autogenerate compares), imports under `TYPE_CHECKING` do not, and so
    does an import by a literal name (`importlib.import_module("app.models")`, oslo's
    `importutils.try_import`). An env.py that reads `config.<x>_config`, which the project's own
    migration command sets before it calls Alembic in its process (OpenStack's `cli.py`:
    `config.tacker_config = CONF`), sees what that command loads too. When
    env.py passes an `include_object` / `include_name` hook to `context.configure`, a table the
    hook names as a string is left to it, and the others are reported as a warning (the hook
    may filter them out).

    ## Why is this bad?
    Autogenerate compares the database with the MetaData as env.py loaded it. A table whose
    module never ran is not on it, so the new revision contains `op.drop_table("ml_predictions")`,
    and `alembic upgrade head` deletes the table and its data. When the missing table is the
    target of a foreign key of a loaded table, autogenerate crashes with
    `NoReferencedTableError` instead. The import that loaded the module often disappears
    because it looked unused: ruff's F401 autofix deletes `import app.models.ml_prediction`.

    ## Example
    ```python
    # alembic/env.py
    from app.db import Base
    import app.models.product      # app.models.ml_prediction is never imported
    target_metadata = Base.metadata           # ORM503: app.models.ml_prediction
    ```

    ## Use instead
    Import every model module where env.py will load it, and protect the import:
    ```python
    # app/models/__init__.py
    from app.models.ml_prediction import MLPrediction
    from app.models.product import Product
    __all__ = ["MLPrediction", "Product"]

    # alembic/env.py
    import app.models  # noqa: F401
    ```

    ## Fix safety
    Safe: the import only changes what env.py (autogenerate) sees. Still review the next
    generated revision: a `drop_table` you did not intend was this finding.

    ## Fix
    `ormdoctor fix` adds the import the message names, in the file it names, with
    `# noqa: F401` so ruff's F401 autofix does not delete it again: it extends an import that
    already loads sibling modules (`from app.models import customer, order` gains `invoice`), or
    adds `from .ml_prediction import MLPrediction` to the models package, or adds
    `import app.models.ml_prediction` after the imports of the entry point. An import found only
    under `if TYPE_CHECKING:` or in a function gets a module-level copy.
    """
    referencing = _referencing(ctx)
    for env in alembic_envs(ctx.inventory):
        by_module: dict[str, list] = {}
        for table in env.missing_tables():
            if not _named_by_include_hook(env, table):
                by_module.setdefault(table.path, []).append(table)
        gathering = _gathering_module(ctx, env, set(by_module))
        for path, tables in by_module.items():
            yield _unseen_module(ctx, env, path, tables, referencing, gathering, len(by_module))


def _named_by_include_hook(env: AlembicEnv, table) -> bool:
    """env.py's include_object / include_name names the table, or compares only tables with a
    prefix this one lacks: the hook decides what autogenerate does with it (ckan's plugin env.py
    files compare only their plugin's tables)."""
    literals = env.fact.include_literals
    if table.name in literals or table.key in literals:
        return True
    folder = PurePosixPath(env.path).parent.name
    prefixes = [folder if p == "@folder" else p for p in env.fact.include_prefixes]
    return bool(prefixes) and not any(table.name.startswith(p) for p in prefixes)


def _gathering_module(ctx, env: AlembicEnv, missing: set[str]):
    """(path, the missing modules it imports) for the project module that imports the most of
    the modules env.py misses, at module level, when it imports two or more and at least half
    of them: group-based-policy's `all_models.py`, networking-l2gw's `head.py`. One import of it
    in env.py loads them all. None when there is no such module."""
    if len(missing) < 2:
        return None
    counts: dict[str, set[str]] = {}
    for target in missing:
        for edge in ctx.graph.importers.get(target, ()):  # module-level imports only
            if edge.source != env.path and edge.source not in missing:
                counts.setdefault(edge.source, set()).add(target)
    if not counts:
        return None
    best = min(counts, key=lambda p: (-len(counts[p]), "model" not in p and "head" not in p, len(p), p))
    gathered = counts[best]
    return (best, gathered) if len(gathered) >= 2 and 2 * len(gathered) >= len(missing) else None


def _unseen_module(ctx, env: AlembicEnv, path: str, tables: list, referencing: dict[int, list], gathering=None,
                   missing: int = 1):
    module = ctx.inventory.modules[path]
    fix = import_fix(ctx.inventory, env.loaded, path, sorted({t.owner for t in tables}), env.path)
    names = ", ".join(f"'{t.key}'" for t in tables)
    labels = sorted({ctx.metadata_label(t.metadata_id) for t in tables})
    who = (f"neither {env.path} nor " + " nor ".join(f"{c} (which runs it)" for c in env.commands) + " imports"
           if env.commands else f"{env.path} never imports")
    message = (f"{who} {module.name} ({path}), which defines {names} on "
               f"{' and '.join(labels)}, its target_metadata: " + _consequence(ctx, env, tables, referencing))
    rel = [related(t.path, t.pos, f"'{t.key}' ({t.owner}) is defined here") for t in tables]
    rel += [related(e.source, e.pos, f"imports it only {_context(e.context)}")
            for e in importers_outside_load(ctx.inventory, env.loaded, path)]
    if fix.move is None:
        rel += [r for r in [fix_related(fix, module.name, env.path)] if r]
    severity = None
    duplicates = _defined_where_loaded(ctx, env, path)
    if duplicates:
        # Importing it would define these tables a second time on the MetaData: Alembic would
        # crash on "already defined" instead of dropping anything. The copy is the problem.
        message += (f"; it also redefines {', '.join(repr(t) for t in duplicates)}, which env.py already loads, "
                    f"so importing it would crash")
        rel = [r for r in rel if r.message.startswith("'")]
        return ctx.finding("ORM503", module.name, message, loc(env.path, env.fact.pos), rel,
                           f"remove the copies from {path} (ORM101) before making env.py load it",
                           severity=Severity.WARNING)
    if env.fact.include_hooks:
        # A filter we cannot evaluate may exclude these tables from the comparison.
        message += f", unless its {' / '.join(env.fact.include_hooks)} filter leaves them out"
        severity = Severity.WARNING
    hint = fix.text
    if gathering is not None and path in gathering[1]:
        gatherer, count = ctx.inventory.modules[gathering[0]], len(gathering[1])
        which = "both" if count == missing == 2 else f"all {count}" if count == missing else f"{count} of the {missing}"
        hint += (f"; or, for {which} modules env.py misses at once: `import {gatherer.name or gathering[0]}  "
                 f"# noqa: F401` ({gathering[0]} imports them)")
    return ctx.finding("ORM503", module.name, message, loc(env.path, env.fact.pos), rel, hint, severity=severity,
                       fix=fix.as_fix(Applicability.SAFE))


def _defined_where_loaded(ctx, env: AlembicEnv, path: str) -> list[str]:
    """Tables ``path`` defines on env.py's MetaData that env.py already loads from elsewhere."""
    graph = ctx.graph
    found = []
    for key, defs in ctx.inventory.tables_by_key().items():
        if key[0] in env.metadata_ids and any(d.path == path for d in defs) \
                and any(d.path != path and graph.contains(env.loaded, d.path) for d in defs):
            found.append(defs[0].key)
    return sorted(found)


def _consequence(ctx, env: AlembicEnv, tables: list, referencing: dict[int, list]) -> str:
    drops = ", ".join(f"op.drop_table('{t.name}')" for t in tables)
    for table in tables:
        for item in referencing.get(id(table), []):
            if ctx.graph.contains(env.loaded, item.ref.owner):
                return (f"autogenerate fails with NoReferencedTableError ({item.ref.subject} references "
                        f"'{item.target.key}')")
    return f"`alembic revision --autogenerate` writes {drops}"


def _referencing(ctx) -> dict[int, list]:
    """Resolved foreign keys by the id of each table definition they reference."""
    found: dict[int, list] = {}
    for item in resolved_foreign_keys(ctx.inventory):
        for table in item.target.defs:
            found.setdefault(id(table), []).append(item)
    return found


def _context(context: str) -> str:
    return "under TYPE_CHECKING" if context == "type_checking" else "inside a function"


@rule("ORM504", "alembic-metadata-empty", Severity.ERROR)
def alembic_metadata_empty(ctx):
    """## What it does
    Finds an Alembic `env.py` whose `target_metadata` holds none of the project's tables while
    the models map tables on another MetaData (another declarative base, `db.metadata` of
    another `SQLAlchemy()` object).

    ## Why is this bad?
    Autogenerate compares the database with an empty MetaData: the next
    `alembic revision --autogenerate` writes `op.drop_table(...)` for every table, and
    `alembic upgrade head` deletes them with their data. It happens when a second base is
    added (`Base = declarative_base()` in a new module) and env.py keeps importing the old one,
    or when a Flask-Migrate project (env.py targets `db.metadata`) maps its models on a
    separate `DeclarativeBase`.

    ## Example
    ```python
    # app/db.py
    class Base(DeclarativeBase): ...        # every model uses this one
    # alembic/env.py
    from sqlalchemy import MetaData
    target_metadata = MetaData()            # ORM504
    ```

    ## Use instead
    ```python
    from app.db import Base
    import app.models  # noqa: F401
    target_metadata = Base.metadata
    ```

    ## Fix safety
    No automatic fix: which MetaData env.py should target is the project's decision.
    """
    owners: dict[str, list] = {}
    for table in ctx.inventory.tables:
        if not ctx.inventory.modules[table.path].is_test:
            owners.setdefault(table.metadata_id, []).append(table)
    for env in alembic_envs(ctx.inventory):
        if any(m in owners for m in env.metadata_ids) or not owners:
            continue
        elsewhere = sorted(owners, key=lambda m: -len(owners[m]))
        labels = ", ".join(f"{_placed(ctx, m)} ({len(owners[m])} tables)" for m in elsewhere[:3])
        targets = " and ".join(_placed(ctx, m) for m in env.metadata_ids)
        message = (f"target_metadata {targets} holds none of the models' tables, which are on {labels}: "
                   f"`alembic revision --autogenerate` writes op.drop_table() for every table")
        first = owners[elsewhere[0]][0]
        rel = [related(first.path, first.pos, f"'{first.key}' is on {ctx.metadata_label(first.metadata_id)}")]
        yield ctx.finding("ORM504", " and ".join(ctx.metadata_label(m) for m in env.metadata_ids), message,
                          loc(env.path, env.fact.pos), rel, f"point target_metadata at {_placed(ctx, elsewhere[0])}")


def _placed(ctx, metadata_id: str) -> str:
    """`Base.metadata (app/db.py)`: two bases are often both called Base."""
    info = ctx.inventory.metadatas.get(metadata_id)
    return f"{ctx.metadata_label(metadata_id)} ({info.path})" if info is not None and info.path else \
        ctx.metadata_label(metadata_id)


@rule("ORM505", "alembic-schemas-not-included", Severity.WARNING)
def alembic_schemas_not_included(ctx):
    """## What it does
    Finds an Alembic `env.py` whose `target_metadata` has tables in a named schema
    (`__table_args__ = {"schema": "billing"}`) while `context.configure()` does not pass
    `include_schemas=True`.

    ## Why is this bad?
    Without `include_schemas=True` autogenerate reflects only the database's default schema,
    but compares every table of the MetaData: the tables in other schemas are never found in
    the database, so each `alembic revision --autogenerate` proposes `op.create_table()` for
    them again, and applying it fails with "relation already exists".

    ## Example
    ```python
    class Invoice(Base):
        __tablename__ = "invoices"
        __table_args__ = {"schema": "billing"}

    # alembic/env.py
    context.configure(connection=connection, target_metadata=target_metadata)   # ORM505
    ```

    ## Use instead
    ```python
    context.configure(connection=connection, target_metadata=target_metadata, include_schemas=True)
    ```
    With `include_schemas=True`, add an `include_name` hook when the database has schemas
    the models do not own. An env.py that passes its own `include_object` / `include_name`
    hook is not reported: the hook decides what is compared, and such projects usually set the
    connection's `search_path` to the schema (Alembic then treats it as the default one).

    ## Fix safety
    No automatic fix.
    """
    for env in alembic_envs(ctx.inventory):
        if env.fact.include_schemas or env.fact.include_hooks:
            continue  # a hook decides what is compared (and usually comes with a search_path)
        schemas: dict[str, list] = {}
        for table in ctx.inventory.tables:
            if table.metadata_id in env.metadata_ids and table.schema and table.schema != "public" \
                    and not ctx.inventory.modules[table.path].is_test:
                schemas.setdefault(table.schema, []).append(table)
        if not schemas:
            continue
        names = sorted(schemas)
        shown = ", ".join(f"{s} ({len(schemas[s])} tables)" for s in names[:4]) + (", ..." if len(names) > 4 else "")
        first = schemas[names[0]][0]
        message = (f"{env.path} does not pass include_schemas=True, but its target_metadata has tables in "
                   f"schema {shown}: autogenerate proposes op.create_table('{first.key}') on every run")
        yield ctx.finding("ORM505", env.path, message, loc(env.path, env.fact.pos),
                          [related(first.path, first.pos, f"'{first.key}' is in schema {first.schema}")],
                          "pass include_schemas=True to context.configure() (and filter foreign schemas "
                          "with include_name)")


@rule("ORM506", "alembic-target-not-metadata", Severity.ERROR, fix=Applicability.SAFE)
def alembic_target_not_metadata(ctx):
    """## What it does
    Finds an Alembic `env.py` whose `target_metadata` is a declarative base class, a model base
    (`db.Model`, `SQLModel`), a `SQLAlchemy()` object or a registry instead of its MetaData: the
    `.metadata` left out. Also `Mixin.metadata` where the class is no declarative base and its
    body sets `metadata = None` (a mixin listed beside the base, which the models work with).

    ## Why is this bad?
    Alembic reads `target_metadata.sorted_tables`, which only a MetaData has: `alembic revision
    --autogenerate` and `alembic check` stop with `AttributeError: type object 'Base' has no
    attribute 'sorted_tables'`. `alembic upgrade` does not read it, so the mistake hides until
    the next migration is generated (fedora-infra/elections). A target that is None stops them
    with "environment script ... does not provide a MetaData object" (openstack/refstack).

    ## Example
    ```python
    # alembic/env.py
    import app.models
    target_metadata = app.models.Base          # ORM506
    ```

    ## Use instead
    ```python
    target_metadata = app.models.Base.metadata
    ```

    ## Fix safety
    Safe: `ormdoctor fix` appends `.metadata` to the expression where it is written; only
    autogenerate reads it, and it could not run before. A mixin's `metadata = None` has no fix:
    which base's MetaData was meant is for you to say.
    """
    for env in alembic_envs(ctx.inventory):
        for expr in env.fact.target_metadata:
            what = _not_a_metadata(ctx.inventory, env.path, expr)
            if what is None:
                continue
            message = (f"target_metadata is {what}, not a MetaData: `alembic revision --autogenerate` and "
                       f"`alembic check` fail with AttributeError (no attribute 'sorted_tables')")
            fix = Fix(Applicability.SAFE, f"write {expr}.metadata",
                      (Edit("metadata-of-target", env.path, env.fact.pos.line, (expr,)),))
            yield ctx.finding("ORM506", expr, message, loc(env.path, env.fact.pos), (),
                              f"write `{expr}.metadata`", fix=fix)
    # A target that resolves to no MetaData leaves env.py out of alembic_envs: read those apart.
    for path, fact in env_files(ctx.inventory):
        for expr in fact.target_metadata:
            none_from = _metadata_set_to_none(ctx.inventory, path, expr)
            if none_from is None:
                continue
            cls_path, cls = none_from
            message = (f"target_metadata is {expr}, which is None: {cls.name} ({cls_path}:{cls.pos.line}) is no "
                       f"declarative base and its body sets `metadata = None`; `alembic revision --autogenerate` "
                       f"and `alembic check` stop with \"environment script ... does not provide a MetaData "
                       f"object\"")
            yield ctx.finding("ORM506", expr, message, loc(path, fact.pos),
                              (related(cls_path, cls.metadata_value.pos, "sets metadata = None"),),
                              "point target_metadata at the MetaData of the declarative base the models use")


def _metadata_set_to_none(inventory, path: str, expr: str):
    """(module, class) when ``expr`` is ``X.metadata`` and ``X`` is a plain class (no declarative
    base, no model) whose own body or a project ancestor's sets ``metadata = None``, else None."""
    owner, dot, attr = expr.rpartition(".")
    if not dot or attr != "metadata" or "(" in owner or "[" in owner:
        return None
    declarative = inventory.declarative
    symbol = declarative.denoted(path, owner)
    if symbol is None or symbol.kind != "class" or not symbol.module or symbol.attr is not None:
        return None
    cls = declarative.module_class(symbol.module, symbol.name)
    if cls is None or declarative.lineage(symbol.module, cls) is not None:
        return None
    for ancestor_path, ancestor in declarative.ancestry(symbol.module, cls):
        if "metadata" in ancestor.attributes:
            value = ancestor.metadata_value
            return (ancestor_path, ancestor) if value is not None and value.kind == "none" else None
    return None


def _not_a_metadata(inventory, path: str, expr: str, depth: int = 0) -> str | None:
    """What ``expr`` (a target_metadata written in module ``path``) denotes when it is a model
    base or a database object rather than a MetaData, else None (a MetaData, or unknown)."""
    if depth > 5 or expr.endswith(".metadata") or "(" in expr or "[" in expr:
        return None
    declarative = inventory.declarative
    symbol = declarative.denoted(path, expr)
    if symbol is None:
        return None
    if symbol.kind == "external":
        return f"the {symbol.name.rsplit('.', 1)[-1]} class" if symbol.name.rsplit(".", 1)[-1] == "SQLModel" \
            else None
    if symbol.kind == "class" and symbol.module and symbol.attr is None:
        cls = declarative.module_class(symbol.module, symbol.name)
        lineage = declarative.lineage(symbol.module, cls) if cls is not None else None
        if lineage is None:
            return None
        kind = "declarative base class" if lineage.is_root else "model class"
        return f"the {kind} {symbol.name} ({symbol.module})"
    if symbol.kind != "object" or not symbol.module:
        return None
    obj = declarative.object_fact(symbol.module, symbol.name)
    if obj is None:
        return None
    if symbol.attr == "Model" and obj.kind == "flask_sqlalchemy":
        return f"the model base class {symbol.name}.Model ({symbol.module})"
    if symbol.attr is not None:
        return None
    if obj.kind == "alias" and obj.ref:
        return _not_a_metadata(inventory, symbol.module, obj.ref, depth + 1)
    kinds = {"declarative_base": "the declarative base", "generate_base": "the declarative base",
             "flask_sqlalchemy": "the SQLAlchemy() object", "registry": "the registry"}
    return f"{kinds[obj.kind]} {symbol.name} ({symbol.module})" if obj.kind in kinds else None

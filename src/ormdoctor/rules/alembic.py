"""Alembic's env.py against the model layer: tables autogenerate cannot see."""

from __future__ import annotations

from ormdoctor.findings import Applicability, Severity
from ormdoctor.rules.alembic_env import AlembicEnv, alembic_envs, importers_outside_load
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
    `Base.metadata`, `db.metadata` or `SQLModel.metadata`; imports inside env.py's functions
    count (they run before autogenerate compares), imports under `TYPE_CHECKING` do not. When
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
        for path, tables in by_module.items():
            yield _unseen_module(ctx, env, path, tables, referencing)


def _named_by_include_hook(env: AlembicEnv, table) -> bool:
    """env.py's include_object / include_name names the table: it decides what autogenerate does
    with it (ckan skips plugin tables unless the plugin is loaded)."""
    literals = env.fact.include_literals
    return table.name in literals or table.key in literals


def _unseen_module(ctx, env: AlembicEnv, path: str, tables: list, referencing: dict[int, list]):
    module = ctx.inventory.modules[path]
    fix = import_fix(ctx.inventory, env.loaded, path, sorted({t.owner for t in tables}), env.path)
    names = ", ".join(f"'{t.key}'" for t in tables)
    labels = sorted({ctx.metadata_label(t.metadata_id) for t in tables})
    message = (f"{env.path} never imports {module.name} ({path}), which defines {names} on "
               f"{' and '.join(labels)}, its target_metadata: " + _consequence(ctx, env, tables, referencing))
    rel = [related(t.path, t.pos, f"'{t.key}' ({t.owner}) is defined here") for t in tables]
    rel += [related(e.source, e.pos, f"imports it only {_context(e.context)}")
            for e in importers_outside_load(ctx.inventory, env.loaded, path)]
    if fix.move is None:
        rel += [r for r in [fix_related(fix, module.name, env.path)] if r]
    severity = None
    if env.fact.include_hooks:
        # A filter we cannot evaluate may exclude these tables from the comparison.
        message += f", unless its {' / '.join(env.fact.include_hooks)} filter leaves them out"
        severity = Severity.WARNING
    return ctx.finding("ORM503", module.name, message, loc(env.path, env.fact.pos), rel, fix.text, severity=severity,
                       fix=fix.as_fix(Applicability.SAFE))


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

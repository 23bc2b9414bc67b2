"""Whether several MetaData share one database: what ORM102, ORM201 and ORM502 need to know.

Two MetaData only collide in one database. Static evidence that they do: the project configures
a single database (one `create_engine` URL, no second engine, oslo.db context or
`Session(binds=...)`), one Alembic env.py migrates them together (`target_metadata = [a, b]`), or
the same engine URL in their own modules. A project that configures several databases (nova's
API and main databases, each with its own oslo.db context and migration tree) without saying
which MetaData goes where leaves the question open: a collision there is a warning, not an error.
"""

from __future__ import annotations

from ormdoctor.findings import Severity
from ormdoctor.rules.alembic_env import alembic_envs

SAME, SEPARATE, UNKNOWN = "same", "separate", "unknown"


def shared_database(ctx, metadata_ids) -> str:
    """SAME when the evidence puts every one of ``metadata_ids`` in one database, SEPARATE when
    each has its own migration tree (an Alembic env.py per MetaData, none migrating two of them),
    else UNKNOWN."""
    ids = set(metadata_ids)
    if len(ids) < 2:
        return SAME
    envs = [env for env in alembic_envs(ctx.inventory) if set(env.metadata_ids) & ids]
    one_tree_migrates_several = any(len(set(env.metadata_ids) & ids) >= 2 for env in envs)
    each_has_a_tree = ids <= {m for env in envs for m in env.metadata_ids}
    if each_has_a_tree and not one_tree_migrates_several and _one_version_table(envs):
        return SEPARATE
    if len(_configured_databases(ctx.inventory)) <= 1:
        return SAME
    databases = {ctx.inventory.metadatas[m].database for m in ids if m in ctx.inventory.metadatas}
    if len(databases) == 1 and None not in databases:
        return SAME
    if one_tree_migrates_several:
        return SAME
    return SEPARATE if each_has_a_tree else UNKNOWN


def _one_version_table(envs) -> bool:
    """Whether the migration trees, one per MetaData, all record their revision in one version
    table: two trees would overwrite each other's revision there, so they cannot run on one
    database (murano's API and its cfapi service), however few engines the code configures.
    Trees with version tables of their own (neutron's subprojects) may share one."""
    tables = {env.fact.version_table for env in envs}
    return len(envs) >= 2 and len(tables) == 1 and None not in tables


def _configured_databases(inventory) -> set[str]:
    """The database configurations of the project's own code (tests make their own)."""
    def compute():
        found: set[str] = set()
        for module in inventory.modules.values():
            if module.is_test or "/tests/" in f"/{module.path}":
                continue
            found.update(module.facts.engine_urls)
            found.update(f"{module.path}:{config}" for config in module.facts.database_configs)
        return found
    return inventory.derived("configured_databases", compute)


_DRIVERS = {"psycopg2", "psycopg", "asyncpg", "pg8000"}


def uses_postgresql(inventory) -> bool:
    """Whether the project's code shows it runs on PostgreSQL: an engine URL that says so, a
    PostgreSQL driver, or the PostgreSQL dialect's types (`from sqlalchemy.dialects.postgresql
    import JSONB`)."""
    def compute():
        for module in inventory.modules.values():
            if any("postgres" in url.lower() for url in module.facts.engine_urls):
                return True
            for fact in module.facts.imports:
                if fact.level == 0 and fact.module.partition(".")[0] in _DRIVERS or \
                        fact.module.startswith("sqlalchemy.dialects.postgresql"):
                    return True
        return False
    return inventory.derived("uses_postgresql", compute)


def unknown_note(ctx) -> str:
    count = len(_configured_databases(ctx.inventory))
    return (f"; the project configures {count} databases and nothing says these metadata share one, "
            f"so this is only a warning")


def collision_note(ctx, shared: str, meet, verb: str = "crash"):
    """(text to add to the message, severity or None) for definitions that collide in one
    database, or None when they are in separate databases (no finding). Unknown databases and
    generated snapshots make it a warning."""
    if shared == SEPARATE:
        return None
    note, severity = "", None
    if shared == UNKNOWN:
        note += unknown_note(ctx)
        severity = Severity.WARNING
    if meet.generated:
        note += meet.dead_note(verb)
        severity = Severity.WARNING
    return note, severity

"""Alembic environments: the env.py, the MetaData it hands to autogenerate, what it loads.

An env.py is a module that assigns `target_metadata` and is named env.py or imports alembic.
Its functions (`run_migrations_online()`) are called while it loads, so imports inside them
count; imports under `TYPE_CHECKING` do not. An env.py that imports `importlib` or `pkgutil`,
or loads a package `__init__` that imports `pkgutil`, probably discovers model modules at run
time: its closure is not knowable statically and it is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from ormdoctor.inventory.model import TableDef
from ormdoctor.static.facts import FUNCTION, MODULE, AlembicEnvFact

DYNAMIC = ("importlib", "pkgutil")


@dataclass
class AlembicEnv:
    inventory: object
    path: str
    fact: AlembicEnvFact
    metadata_ids: list[str]
    loaded: int  # bitset of the modules env.py loads

    def missing_tables(self) -> list[TableDef]:
        """The first definition of each table on target_metadata that env.py never loads."""
        graph = self.inventory.graph
        found = []
        for key, defs in sorted(self.inventory.tables_by_key().items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2])):
            if key[0] not in self.metadata_ids or any(graph.contains(self.loaded, d.path) for d in defs):
                continue
            candidates = [d for d in defs if self._counts(d)]
            if candidates:
                found.append(min(candidates, key=lambda d: (d.path, d.pos.line)))
        return found

    def _counts(self, table: TableDef) -> bool:
        module = self.inventory.modules[table.path]
        versions = str(PurePosixPath(self.path).parent / "versions") + "/"
        return not module.is_test and not table.path.startswith(versions)


def alembic_envs(inventory) -> list[AlembicEnv]:
    envs = []
    for path in sorted(inventory.modules):
        fact = inventory.modules[path].facts.alembic_env
        if fact is None or fact.form not in ("single", "list") or not _is_env(inventory, path):
            continue
        metadata_ids = target_metadata_ids(inventory, path, fact)
        if metadata_ids and not _discovers_dynamically(inventory, path):
            envs.append(AlembicEnv(inventory, path, fact, metadata_ids, env_closure(inventory, path)))
    return envs


def _is_env(inventory, path: str) -> bool:
    facts = inventory.modules[path].facts
    return path.rsplit("/", 1)[-1] == "env.py" or any(f.module.split(".")[0] == "alembic" for f in facts.imports)


def target_metadata_ids(inventory, path: str, fact: AlembicEnvFact) -> list[str]:
    found = []
    for expr in fact.target_metadata:
        owner = expr[: -len(".metadata")] if expr.endswith(".metadata") else expr
        lineage = inventory.declarative.symbol_lineage(path, inventory.resolver.resolve(path, owner))
        if lineage is not None and lineage.metadata_id not in found:
            found.append(lineage.metadata_id)
    return found


def env_closure(inventory, path: str) -> int:
    graph = inventory.graph
    bits = graph.closure(path)
    for edge in graph.out.get(path, []):
        if edge.context == FUNCTION:
            bits |= graph.closure(edge.target)
    return bits


def _discovers_dynamically(inventory, path: str) -> bool:
    if _imports_any(inventory.modules[path].facts, DYNAMIC):
        return True
    graph = inventory.graph
    inits = [p for p in graph.members(env_closure(inventory, path)) if p.endswith("__init__.py")]
    return any(_imports_any(inventory.modules[p].facts, ("pkgutil",)) for p in inits)


def _imports_any(facts, names: tuple[str, ...]) -> bool:
    return any(f.module.split(".")[0] in names and f.level == 0 for f in facts.imports)


def importers_outside_load(inventory, loaded: int, target: str) -> list:
    """Imports of ``target`` from loaded modules that do not run at load time."""
    graph = inventory.graph
    return [e for e in _deferred_edges(inventory).get(target, []) if graph.contains(loaded, e.source)]


def _deferred_edges(inventory) -> dict[str, list]:
    def compute():
        found: dict[str, list] = {}
        for edge in inventory.graph.edges:
            if edge.context != MODULE:
                found.setdefault(edge.target, []).append(edge)
        return found
    return inventory.derived("deferred_edges", compute)

"""Which processes really run a module: the entry points a reference must work in.

A module that nothing imports is the root of a process, but an orphan model module (a file
of models that nothing imports) is not an entry point: it is the thing that is missing. The
processes that count are the programs (apps, scripts, Alembic, the pytest session) and the
other roots that define no models themselves (a `main.py` or a package `__init__` that
imports the models), unless some function imports them (a blueprint package that
`create_app()` imports runs inside the app's process), they only define routes (an
`APIRouter` or blueprint module nothing mounts yet is not a program of its own) or they sit
deep in a package (a library module nothing uses yet: dead code, or loaded by a registry).
"""

from __future__ import annotations

from dataclasses import dataclass

from ormdoctor.inventory.graph import Process, bit_indices, bits_of
from ormdoctor.static.facts import FUNCTION

MAPPED = ("table", "sti", "joined", "concrete", "imperative")


@dataclass
class EntryPoints:
    graph: object
    processes: list[Process]  # entry processes, programs first
    model_modules: set[str]
    alembic: set[str]  # labels of processes rooted at an Alembic env.py
    dynamic: int = 0  # bitset of the modules that import modules by computed name
    _loaders: dict[int, list[Process]] | None = None
    _holders: dict[int, list[Process]] | None = None
    _positions: dict[int, int] | None = None
    _bits: dict[str, int] | None = None
    _excluded: tuple[int, int] | None = None
    _dynamic_positions: set[int] | None = None

    def loaders(self, path: str) -> list[Process]:
        """The entry processes that load ``path``."""
        if self._loaders is None:
            self._loaders = self._by_member(self.processes)
        return self._lookup(self._loaders, self.processes, path)

    def holders(self, path: str) -> list[Process]:
        """Every process that loads ``path``, orphan roots included (for ambiguity checks)."""
        if self._holders is None:
            self._holders = self._by_member(self.graph.processes)
        return self._lookup(self._holders, self.graph.processes, path)

    def _by_member(self, processes: list[Process]) -> dict[int, list[Process]]:
        """Which processes load each model module: the modules references start from, indexed
        in one pass over the processes (a test per process and path is quadratic at scale)."""
        index = self.graph.index
        mask = bits_of([index[p] for p in self.model_modules if p in index], len(index))
        return self.graph.by_member(processes, mask)

    def _lookup(self, table: dict[int, list[Process]], processes: list[Process], path: str) -> list[Process]:
        i = self.graph.index.get(path)
        if i is None:
            return []
        if i not in table:  # not a model module: answered once, then kept
            table[i] = [p for p in processes if p.loads(i)]
        return table[i]

    def loader_bits(self, path: str) -> int:
        """``loaders(path)`` as a bitset over positions in ``processes``: set algebra over many
        references runs in C instead of a loop per process."""
        if self._positions is None:
            self._positions = {id(p): k for k, p in enumerate(self.processes)}
            self._bits = {}
        found = self._bits.get(path)
        if found is None:
            positions = [self._positions[id(p)] for p in self.loaders(path)]
            found = self._bits[path] = bits_of(positions, len(self.processes))
        return found

    def excluded_bits(self, alembic: bool) -> int:
        """The processes a missing import is not blamed on: those importing modules by computed
        name, and Alembic's unless ``alembic``."""
        if self._excluded is None:
            count = len(self.processes)
            self._excluded = (bits_of([k for k, p in enumerate(self.processes) if self.loads_dynamically(p)], count),
                              bits_of([k for k, p in enumerate(self.processes) if self.is_alembic(p)], count))
        dynamic, alembic_processes = self._excluded
        return dynamic if alembic else dynamic | alembic_processes

    def loads_dynamically(self, process: Process) -> bool:
        """Some module of the process imports modules by computed name: it may load any model."""
        if self._dynamic_positions is None:
            self._dynamic_positions = set(bit_indices(self.dynamic))
        return process.meets(self.dynamic, self._dynamic_positions)

    def is_alembic(self, process: Process) -> bool:
        return process.label in self.alembic


def entry_points(inventory) -> EntryPoints:
    return inventory.derived("entry_points", lambda: _compute(inventory))


def model_modules(inventory) -> set[str]:
    """Modules that define mapped classes, tables, declarative bases or MetaData."""
    found = {c.path for c in inventory.classes if c.kind in MAPPED or c.kind in ("base", "unknown")}
    found |= {t.path for t in inventory.tables}
    found |= {m.path for m in inventory.metadatas.values() if m.path}
    return found


def table_modules(inventory) -> set[str]:
    """Modules that define mapped classes or tables (not only a base or a MetaData)."""
    found = {c.path for c in inventory.classes if c.kind in MAPPED or c.kind == "unknown"}
    return found | {t.path for t in inventory.tables}


def _compute(inventory) -> EntryPoints:
    graph = inventory.graph
    models = model_modules(inventory)
    # A module imported inside a function (Flask's `create_app()` importing its blueprints) runs
    # in its importer's process once that function is called: it is not an entry point.
    deferred = {e.target for e in graph.edges if e.context == FUNCTION}
    chosen = [p for p in graph.processes if p.is_program or not _waits_to_be_run(inventory, p, models, deferred)
              and _starts_where_apps_start(inventory, p)]
    chosen.sort(key=lambda p: (not p.is_program, p.label == "pytest session", p.label))
    alembic = {p.label for p in chosen if len(p.entries) == 1 and _is_alembic_env(inventory, p.entries[0])}
    dynamic = 0
    for path, module in inventory.modules.items():
        if module.facts.imports_dynamically and path in graph.index:
            dynamic |= 1 << graph.index[path]
    return EntryPoints(graph, chosen, models, alembic, dynamic=dynamic)


def _waits_to_be_run(inventory, process: Process, models: set[str], deferred: set[str]) -> bool:
    """A root that is not a program but a part one is missing or loads later: a model module,
    a module some function imports, routes (an APIRouter or blueprint) waiting to be mounted."""
    if len(process.entries) != 1:
        return False
    entry = process.entries[0]
    module = inventory.modules.get(entry)
    return entry in models or entry in deferred or (module is not None and module.facts.defines_router)


# Module names that applications are started from (`uvicorn app.main:app`, `python -m app.run`).
_ENTRY_STEMS = frozenset({"main", "app", "application", "run", "server", "serve", "wsgi", "asgi", "cli", "worker",
                          "manage", "__main__"})


def _starts_where_apps_start(inventory, process: Process) -> bool:
    """A root that is not a program counts when it sits where applications are started from:
    the top of a package tree (`main`, `app.main`, a top-level package) or a module named like an
    entry (`server.py`). Deeper in a package, a module nothing imports is a library module that no
    program uses yet (dead code, or one a plugin registry loads): it starts no process whose
    missing imports could fail."""
    if len(process.entries) != 1:
        return True
    module = inventory.modules.get(process.entries[0])
    if module is None or not module.name:
        return True
    parts = module.name.split(".")
    return len(parts) <= 2 or parts[-1] in _ENTRY_STEMS


def _is_alembic_env(inventory, path: str) -> bool:
    module = inventory.modules.get(path)
    return module is not None and module.facts.alembic_env is not None


def entry_label(process: Process) -> str:
    return "the pytest session" if process.label == "pytest session" else process.label

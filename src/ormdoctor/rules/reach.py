"""Whether a reference's target is loaded, once, in the processes that load the reference.

SQLAlchemy only knows the classes and tables whose modules have run in this interpreter: a
string target or a foreign key to a module the process never imports fails exactly like a
missing one, and a name that two loaded modules define is ambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass

from ormdoctor.inventory.graph import Process, bit_indices
from ormdoctor.rules.entry_points import EntryPoints


@dataclass
class Missing:
    processes: list[Process]  # entry processes that load the source but not the target

    @property
    def first(self) -> Process:
        return self.processes[0]


def missing_in(entries: EntryPoints, source: str, targets: list[str], alembic: bool = False) -> Missing | None:
    """The entry processes that load ``source`` and none of ``targets``. Alembic env.py
    processes never configure mappers, so they only count when ``alembic`` is set; a process
    that imports modules by computed name (`importlib.import_module(name)`) may load the target
    that way, so it does not count either."""
    blamed = entries.loader_bits(source) & ~entries.excluded_bits(alembic)  # bitsets: not one test per pair
    for target in targets:
        blamed &= ~entries.loader_bits(target)
    found = [entries.processes[k] for k in bit_indices(blamed)]
    return Missing(found) if found else None


def ambiguous_in(entries: EntryPoints, source: str, candidates: list) -> tuple[Process | None, list]:
    """The first process loading ``source`` in which two or more ``candidates`` are loaded."""
    if len(candidates) < 2:
        return None, []
    processes = entries.loaders(source) or entries.holders(source)
    if not processes:
        return None, list(candidates)  # nothing loads it: judge the project as a whole
    graph = entries.graph
    for process in processes:
        loaded = [c for c in candidates if process.runs(graph, c.path, getattr(c, "main_only", False))]
        if len(loaded) >= 2:
            return process, loaded
    return None, []

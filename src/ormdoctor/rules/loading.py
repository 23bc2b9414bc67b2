"""Which definitions meet in one process, and in what order they run there.

Two definitions of one table only crash together when one process imports both: an entry
point (app, script, Alembic env.py) or the pytest session, whose test files all share one
interpreter. Separate programs (standalone scripts, tutorial files) never meet. A module that
no program imports is dead code: worth a warning, because the day something imports it, it
crashes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ormdoctor.inventory.graph import Process


@dataclass
class Meeting:
    status: str  # together | separate | dead
    process: Process | None
    order: list[str]  # paths in load order (together), else sorted
    dead: list[str]  # modules no program loads, or generated snapshots
    generated: dict[str, str] = field(default_factory=dict)  # the dead ones that are generated code: why

    @property
    def together(self) -> bool:
        return self.status == "together"

    def dead_note(self, verb: str = "crash") -> str:
        """Why a dead definition is only a warning: "; x.py is imported by no program, ..."."""
        if self.generated:
            shown = ", ".join(f"{path} ({why})" for path, why in sorted(self.generated.items()))
            verb_be = "is" if len(self.generated) == 1 else "are"
            return f"; {shown} {verb_be} generated code, a snapshot of the database, not a live model"
        return f"; {', '.join(self.dead)} is imported by no program, so it does not {verb} yet"


def meeting(graph, paths: list) -> Meeting:
    """``paths``: a file path per definition, or ``(path, main_only)`` for definitions that may sit
    under the file's `if __name__ == "__main__":` block (see ``Process.runs``).

    A definition in generated code (a reflection snapshot: sqlacodegen's output, `models_generated/`)
    makes the meeting "dead" like a module nothing runs: a copy of the live model by design,
    worth a warning, never an error against the live model."""
    found = _meeting(graph, paths)
    generated = getattr(graph, "generated", {})
    snapshots = {p: generated[p] for p in found.order if p in generated}
    if snapshots and found.status != "separate" and len(snapshots) < len(found.order):
        return Meeting("dead", found.process, found.order, sorted(snapshots), snapshots)
    return found


def _meeting(graph, paths: list) -> Meeting:
    sites = sorted({(p, False) if isinstance(p, str) else (p[0], bool(p[1])) for p in paths})
    unique = sorted({p for p, _ in sites})
    if len(sites) == 1 or (len(unique) == 1 and not any(main for _, main in sites)):
        if len(unique) == 1 and len(paths) > 1 and is_dead(graph, unique[0]):
            return Meeting("dead", None, unique, unique)
        return Meeting("together", None, unique, [])
    best, best_count = None, 1
    for process in graph.processes:
        count = sum(process.runs(graph, p, main) for p, main in sites)
        if count > best_count or (count == best_count and best is not None and process.is_program and not best.is_program):
            best, best_count = process, count
    if best is not None:
        order = [p for p in graph.load_order(best) if p in unique]
        order += [p for p in unique if p not in order]
        return Meeting("together", best, order, [])
    dead = [p for p, main in sites if not main
            and not any(pr.runs(graph, p) for pr in graph.processes if pr.is_program)]
    live = [p for p in unique if p not in dead]
    if dead and live and (all(not importable(p) for p in live) or _run_by_showcases_only(graph, live)):
        # The other copies are scripts no import statement can name (`demo/demo-model.py`), or
        # modules only example scripts run (sandman2's examples/user_models.py): only their own
        # processes run them, and a program that imports the dead module never will.
        return Meeting("separate", None, unique, [])
    return Meeting("dead" if dead else "separate", None, unique, sorted(set(dead)))


# Folders of scripts that show how to use a project (`examples/run_example.py`): programs of their own.
_SHOWCASE_FOLDERS = frozenset({"examples", "example", "tutorial", "tutorials", "demo", "demos", "samples", "sample",
                              "docs", "doc"})


def _run_by_showcases_only(graph, paths: list[str]) -> bool:
    """Every program that runs one of ``paths`` is an example script (all its entries under
    `examples/`, `demo/`, `docs/`...), and one runs each."""
    runners = [process for process in graph.processes if process.is_program
               and any(process.runs(graph, path) for path in paths)]
    return bool(runners) and all(any(part in _SHOWCASE_FOLDERS for part in entry.split("/")[:-1])
                                 for process in runners for entry in process.entries)


def importable(path: str) -> bool:
    """Whether an import statement can name the module: `demo-model.py` cannot."""
    return path.rpartition("/")[2].removesuffix(".py").isidentifier()


def is_dead(graph, path: str) -> bool:
    """The project has programs (or a test session) and none of them runs ``path``: a mypy-only
    typing fixture, an example nothing imports, a module left behind. What is wrong in it crashes
    nothing yet. A project with no program at all (a library) has no dead modules."""
    programs = [process for process in graph.processes if process.is_program]
    return bool(programs) and not any(process.runs(graph, path) for process in programs)


def not_run_note(path: str) -> str:
    """Why a finding in a module no program runs (``is_dead``) is only a warning."""
    return f"; {path} is imported by no program, so it does not fail yet"


def process_phrase(meet: Meeting) -> str:
    if meet.process is None:
        return "in the same module"
    if meet.process.label == "pytest session":
        return "by the pytest session"
    return f"by {meet.process.label}"

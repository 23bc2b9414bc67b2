"""Which processes the project runs, and what each one loads: programs, scripts, Alembic, the
pytest sessions. The import graph says what loads what at import time; this module says where
a process starts and what else it runs once started:

- a module nothing imports is a process root; it is a *program* when it runs as one (a
  `__main__` block, an app it creates, module-level code: a script without a guard is still a
  script), or when it is configured as an entry;
- an application factory (`create_app()`, `lifespan`, `init_app`...) runs in every program that
  loads its module, so the imports inside it (the models Flask's `create_app()` imports) load
  in that program too;
- a module nothing imports that only defines an `APIRouter`/blueprint is routes waiting to be
  mounted, not a program (see rules/entry_points.py).
"""

from __future__ import annotations

from ormdoctor.config import Config
from ormdoctor.inventory.graph import ImportGraph, Process, bit_indices, bits_of
from ormdoctor.inventory.model import Module
from ormdoctor.project.roots import section
from ormdoctor.static.facts import FUNCTION, FileFacts

# Functions a program calls while starting: what they import is loaded in that program.
FACTORIES = frozenset({
    "create_app", "make_app", "build_app", "get_app", "app_factory", "create_application", "get_application",
    "init_app", "setup_app", "configure_app", "lifespan", "register_blueprints", "register_extensions",
    "register_models", "init_db", "init_models", "configure_models", "setup_db", "create_api",
})
ENTRY_NAMES = ("env.py", "__main__.py", "manage.py", "wsgi.py", "asgi.py")


def processes(graph: ImportGraph, modules: dict[str, Module], index, resolver, config: Config) -> list[Process]:
    found: list[Process] = []
    tests = [p for p, m in modules.items() if m.is_test]
    test_set = set(tests)
    entries = {index.find(e) or e for e in config.entry}
    for path in graph.nodes:
        if path in test_set:
            continue
        facts = modules[path].facts
        if path in entries or not graph.importers.get(path):
            program = path in entries or program_reason(facts, path) is not None
            found.append(Process(path, [path], graph.compact_closure(path), is_program=program,
                                 main=path if facts.has_main_block else None))
        elif facts.has_main_block and not modules[path].is_test:
            # Imported by others (a seed script importing the app), but also run as a script
            # (`python app.py`): a program of its own, whose `__main__` block may define models
            # that exist in that process only.
            found.append(Process(path, [path], graph.closure(path), is_program=True, main=path))
    sessions = []
    for label, files in _pytest_sessions(tests, config):
        closures = [graph.compact_closure(path) for path in files]
        sessions.append(Process(label, sorted(files, key=_test_order), _union_of(closures), True))
    _run_factories(graph, modules, resolver, [p for p in found + sessions if p.is_program])
    covered = _union(found + sessions)  # a module only tests import runs in a pytest session, not on its own
    everything = (1 << len(graph.nodes)) - 1
    for i in bit_indices(everything & ~covered):  # modules that only import each other in a cycle nothing else imports
        path = graph.nodes[i]
        if path not in test_set and not covered >> i & 1:
            process = Process(path, [path], graph.compact_closure(path), is_program=False)
            found.append(process)
            covered |= process.members
    return found + sessions


def _union(processes: list[Process]) -> int:
    """Every module some process loads, as a bitset."""
    return _union_of(process.compact for process in processes)


def _union_of(closures) -> int:
    """The union of closures kept as bitsets or as arrays of positions: the positions are
    gathered and set at once instead of building one bitset per closure."""
    bits, positions = 0, []
    for found in closures:
        if isinstance(found, int):
            bits |= found
        else:
            positions.extend(found)
    return bits | bits_of(positions, max(positions) + 1) if positions else bits


def program_reason(facts: FileFacts, path: str) -> str | None:
    """Why a module nothing imports runs as a program, or None when it does not."""
    if facts.type_checks:
        return None  # reveal_type()/assert_type(): a type checker reads it, no program runs it
    if facts.has_main_block:
        return "has an `if __name__ == \"__main__\":` block"
    if facts.creates_app:
        return "creates an application (Flask(), FastAPI(), create_app...)"
    if facts.alembic_env is not None:
        return "is an Alembic env.py"
    if facts.calls_create_all:
        return "calls create_all()"
    if path.rpartition("/")[2] in ENTRY_NAMES:
        return "is named like an entry point"
    if facts.runs_code and not facts.defines_router:
        return "runs code at module level (a script without a `__main__` guard)"
    return None


def factory_imports(modules: dict[str, Module], resolver) -> dict[str, list[str]]:
    """Module → the project modules its application factories import when called, in order."""
    found: dict[str, list[str]] = {}
    for path, module in modules.items():
        for fact in sorted(module.facts.imports, key=lambda f: (f.pos.line, f.pos.column)):
            if fact.context == FUNCTION and fact.function in FACTORIES:
                for target, _ in resolver.import_targets(path, fact):
                    if target and target != path and target not in found.get(path, []):
                        found.setdefault(path, []).append(target)
    return found


def _run_factories(graph: ImportGraph, modules: dict[str, Module], resolver, programs: list[Process]) -> None:
    """A program that loads a module with an application factory runs it (that is why it loads
    it): the factory's imports join the program, and so do their own factories'."""
    factories = factory_imports(modules, resolver)
    if not factories:
        return
    for process in programs:
        done: set[str] = set()
        while True:
            pending = sorted(p for p in factories if p not in done and process.runs(graph, p))
            if not pending:
                break
            for path in pending:
                done.add(path)
                for target in factories[path]:
                    process.members |= graph.closure(target)
                    if target not in process.started:
                        process.started.append(target)


def _pytest_sessions(tests: list[str], config: Config) -> list[tuple[str, list[str]]]:
    """The test files pytest runs together. With `testpaths` (or, without it, a top-level tests/
    or test/ folder) the session is that tree plus the top-level conftest.py; a test file elsewhere
    (docs_src/tutorial/.../test_main.py, examples/x/test_x.py) belongs to a session of its own
    folder, the way such files are run: one `pytest <folder>` at a time."""
    if not tests:
        return []
    roots = _test_roots(tests, config)
    if roots is None:
        return [("pytest session", tests)]
    main, others = [], {}
    for path in tests:
        folder = path.rpartition("/")[0]
        if not folder or any(path.startswith(root + "/") for root in roots):
            main.append(path)
        else:
            others.setdefault(folder, []).append(path)
    top = [p for p in main if "/" not in p]  # the root conftest.py applies to every session
    sessions = [("pytest session", main)] if main else []
    return sessions + [(f"pytest {folder}", files + top) for folder, files in sorted(others.items())]


def _test_roots(tests: list[str], config: Config) -> list[str] | None:
    configured = section(config.pyproject, "tool", "pytest", "ini_options").get("testpaths")
    if isinstance(configured, str):
        configured = configured.split()
    if isinstance(configured, list) and configured:
        return [str(p).strip("./") for p in configured if isinstance(p, str) and str(p).strip("./")] or None
    found = [name for name in ("tests", "test") if any(t.startswith(name + "/") for t in tests)]
    return found or None


def _test_order(path: str) -> tuple:
    # conftest.py files load before the test modules next to and below them.
    return (path.count("/"), not path.endswith("conftest.py"), path)

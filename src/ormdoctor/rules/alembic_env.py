"""Alembic environments: the env.py, the MetaData it hands to autogenerate, what it loads.

An env.py is a module that assigns `target_metadata` (or passes it to `context.configure`, as
Flask-Migrate's template does) and is named env.py or imports alembic. Flask-Migrate's
`current_app.extensions['migrate'].db.metadata` is the project's one `SQLAlchemy()` object's
MetaData, and that env.py runs inside the application: what every program that creates the app
loads, it sees.
Its functions (`run_migrations_online()`) are called while it loads, so imports inside them
count; imports under `TYPE_CHECKING` do not. An env.py that reads `config.<x>_config`, which the
project's own migration command sets before it calls Alembic (OpenStack's `cli.py`), runs in
that command's process: what the command loads, env.py sees. An env.py that imports `importlib` or `pkgutil`,
or loads a package `__init__` that imports `pkgutil`, probably discovers model modules at run
time: its closure is not knowable statically and it is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from ormdoctor.inventory.model import TableDef
from ormdoctor.static.facts import FLASK_MIGRATE, FUNCTION, MODULE, AlembicEnvFact

DYNAMIC = ("importlib", "pkgutil")


@dataclass
class AlembicEnv:
    inventory: object
    path: str
    fact: AlembicEnvFact
    metadata_ids: list[str]
    loaded: int  # bitset of the modules env.py loads
    commands: tuple[str, ...] = ()  # the project's migration commands that run it in their process
    # Folders of the other apps' migration trees on the same MetaData (see _other_trees).
    other_trees: tuple[str, ...] = ()

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
        return not module.is_test and not table.path.startswith(versions) \
            and not any(table.path.startswith(tree + "/") for tree in self.other_trees)


def alembic_envs(inventory) -> list[AlembicEnv]:
    """Every env.py whose target_metadata is known, with what it loads (several rules ask)."""
    return inventory.derived("alembic_envs", lambda: _alembic_envs(inventory))


def env_files(inventory) -> list[tuple[str, AlembicEnvFact]]:
    """Every env.py that sets target_metadata, known or not: (path, its fact)."""
    found = []
    for path in sorted(inventory.modules):
        fact = inventory.modules[path].facts.alembic_env
        if fact is not None and fact.form in ("single", "list") and _is_env(inventory, path):
            found.append((path, fact))
    return found


def _alembic_envs(inventory) -> list[AlembicEnv]:
    envs = []
    for path, fact in env_files(inventory):
        metadata_ids = target_metadata_ids(inventory, path, fact)
        loaded = env_closure(inventory, path)
        commands = _commands_running(inventory, path)
        for command in commands:
            loaded |= env_closure(inventory, command)
        # A revision command that discovers its own modules by computed name (warehouse's click
        # commands, Pyramid's config.scan()) loads what cannot be listed: as unknown as env.py's.
        dynamic = _discovers_dynamically(inventory, path) or any(
            inventory.modules[command].facts.runs_alembic_revision and _discovers_dynamically(inventory, command)
            for command in commands)
        if FLASK_MIGRATE in fact.target_metadata or _reads_current_app(inventory, path):
            app = _flask_app_closure(inventory, path)
            if app is None:
                continue  # which application runs it is unknown: so is what it loads
            loaded |= app
        if metadata_ids and not dynamic:
            envs.append(AlembicEnv(inventory, path, fact, metadata_ids, loaded, tuple(commands)))
    for env in envs:
        env.other_trees = _other_trees(env, envs)
    return envs


def _tree(env_path: str) -> str:
    """The folder of the app an env.py migrates: the one holding its migrations folder
    (`backend/alembic/env.py` → `backend`)."""
    folder = PurePosixPath(env_path).parent.parent.as_posix()
    return "" if folder == "." else folder


def _other_trees(env: AlembicEnv, envs: list[AlembicEnv]) -> tuple[str, ...]:
    """The folders of other apps whose own env.py migrates the same MetaData, beside this
    env.py's app, neither inside the other: two apps of one repository on the global
    SQLModel.metadata (Open-Assistant's backend and inference server) each migrate their own
    tables, and neither env.py can import the other app's modules."""
    mine = _tree(env.path)
    found = set()
    for other in envs:
        theirs = _tree(other.path)
        if other is not env and set(other.metadata_ids) & set(env.metadata_ids) and mine and theirs \
                and not (mine + "/").startswith(theirs + "/") and not (theirs + "/").startswith(mine + "/"):
            found.add(theirs)
    return tuple(sorted(found))


def _commands_running(inventory, env_path: str) -> list[str]:
    """The project's migration commands that run this env.py in their own process: env.py reads
    `config.<x>_config` from the Alembic Config, which only such a command sets
    (`config.tacker_config = CONF` in tacker/db/migration/cli.py, before `alembic_command.upgrade`).
    What the command loads first (`from tacker.db.migration.models import head`), env.py sees.
    So does a command that calls `alembic.command.revision(...)` itself (warehouse's
    `warehouse db revision --autogenerate`): autogenerate runs in its process."""
    wanted = set(inventory.modules[env_path].facts.config_attrs_read)
    return [path for path, module in _alembic_commands(inventory)
            if path != env_path and (wanted & set(module.facts.config_attrs_set) or module.facts.runs_alembic_revision)]


def _alembic_commands(inventory) -> list[tuple[str, object]]:
    """The modules that could be a migration command: they import alembic, set an attribute of
    its Config or call its revision command, and are no test."""
    def compute():
        return [(path, module) for path, module in sorted(inventory.modules.items())
                if (module.facts.config_attrs_set or module.facts.runs_alembic_revision) and not module.is_test
                and any(f.module.split(".")[0] == "alembic" for f in module.facts.imports)]
    return inventory.derived("alembic_commands", compute)


def _flask_dbs(inventory) -> list[tuple[str, object]]:
    """(path, ObjectFact) of every Flask-SQLAlchemy `SQLAlchemy()` object outside the tests."""
    return [(path, obj) for path, module in sorted(inventory.modules.items()) if not module.is_test
            for obj in module.facts.objects if obj.kind == "flask_sqlalchemy" and not obj.main_only]


def _reads_current_app(inventory, env_path: str) -> bool:
    """An env.py that imports Flask's `current_app` (superset's reads its database URL from
    `current_app.config`) only works inside an application context: Flask-Migrate's `flask db`
    runs it in the application, whatever its target_metadata names."""
    return any(f.module == "flask" and f.context == MODULE and any(n == "current_app" for n, _ in f.names)
               for f in inventory.modules[env_path].facts.imports if f.is_from)


def _flask_app_closure(inventory, env_path: str) -> int | None:
    """Flask-Migrate runs env.py inside the application (`flask db migrate` loads FLASK_APP and
    its factory): what every program that creates the app with the `SQLAlchemy()` object loads,
    the application itself, env.py sees. A model module only a worker script adds is not there.
    Without a `SQLAlchemy()` object the tool reads (Flask-AppBuilder's `SQLA()`), every program
    that creates a Flask app counts."""
    graph = inventory.graph
    paths = {path for path, _ in _flask_dbs(inventory)}
    bits = None
    for process in graph.processes:
        if not process.is_program or env_path in process.entries:
            continue
        if (not paths or any(process.runs(graph, p) for p in paths)) and any(
                inventory.modules[m].facts.creates_app for m in graph.members(process.members) if m in inventory.modules):
            bits = process.members if bits is None else bits & process.members
    return bits or None


def _is_env(inventory, path: str) -> bool:
    facts = inventory.modules[path].facts
    return path.rsplit("/", 1)[-1] == "env.py" or any(f.module.split(".")[0] == "alembic" for f in facts.imports)


# The MetaData id of `target_metadata = MetaData()`: one env.py makes for itself, empty.
NEW_METADATA = "MetaData()"


def is_new_metadata(expr: str) -> bool:
    """`MetaData()`, `sa.MetaData(naming_convention=...)`: a call making a new MetaData."""
    callee, paren, _ = expr.partition("(")
    return bool(paren) and expr.endswith(")") and callee.rsplit(".", 1)[-1] == "MetaData"


def target_metadata_ids(inventory, path: str, fact: AlembicEnvFact) -> list[str]:
    found = []
    for expr in fact.target_metadata:
        if expr == FLASK_MIGRATE:
            found += [m for m in _flask_migrate_metadata(inventory) if m not in found]
            continue
        if is_new_metadata(expr):
            # `target_metadata = MetaData()`: a MetaData of env.py's own, which holds no table
            found += [NEW_METADATA] if NEW_METADATA not in found else []
            continue
        # The project's names, an installed package's when the environment is read (neutron-lib's
        # `model_base.BASEV2.metadata`), else the MetaData the classes on that unread base share.
        lineage = inventory.declarative.expr_lineage(path, expr)
        if lineage is not None and lineage.metadata_id not in found:
            found.append(lineage.metadata_id)
    return found


def _flask_migrate_metadata(inventory) -> list[str]:
    """`current_app.extensions['migrate'].db.metadata`: the default-bind MetaData of the project's
    `SQLAlchemy()` object, when there is exactly one."""
    found = set()
    for path, obj in _flask_dbs(inventory):
        lineage = inventory.declarative.symbol_lineage(path, inventory.resolver.resolve(path, obj.name))
        if lineage is not None:
            found.add(lineage.metadata_id)
    return sorted(found) if len(found) == 1 else []


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
    # the module's own package __init__ files run before it, whatever it imports
    members = graph.members(env_closure(inventory, path)) + inventory.resolver.index.package_inits(path)
    # indico's env.py calls `import_all_models()`, whose module imports by computed name.
    if any(inventory.modules[p].facts.imports_dynamically for p in members if p in inventory.modules):
        return True
    inits = [p for p in members if p.endswith("__init__.py")]
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

"""project files → facts → one Inventory (modules, import graph, metadata, classes, tables)."""

from __future__ import annotations

from pathlib import Path

from ormdoctor.config import Config
from ormdoctor.inventory.declarative import DeclarativeResolver
from ormdoctor.inventory.graph import Edge, ImportGraph, Process
from ormdoctor.inventory.model import Inventory, Module, TableDef
from ormdoctor.inventory.symbols import ModuleIndex, Resolver
from ormdoctor.project.discover import alembic_ini_files, discover
from ormdoctor.project.modules import module_names
from ormdoctor.project.roots import alembic_roots, declared_roots, sys_path_roots
from ormdoctor.static.exprs import CONVENTION_KEYS
from ormdoctor.static.facts import FileFacts
from ormdoctor.static.scan import scan


def build_inventory(root: Path, config: Config, use_cache: bool = True, paths: list[str] | None = None,
                    cache=None, progress=None) -> Inventory:
    if paths is None:
        paths = discover(root, config.include, config.exclude)
    facts = scan(root, paths, use_cache, cache, progress)
    if progress:
        progress("resolving models")
    return inventory_from_facts(root, config, facts)


def inventory_from_facts(root: Path, config: Config, facts: list[FileFacts]) -> Inventory:
    roots = _import_roots(root, config, facts)
    modules = {f.path: Module(f.path, f, module_names(f.path, roots)) for f in facts}
    index = ModuleIndex(modules)
    resolver = Resolver(index)
    inventory = Inventory(str(root), modules, roots)
    inventory.graph = _graph(modules, index, resolver, config)
    inventory.roots = roots + list(index.implicit.values())
    declarative = DeclarativeResolver(inventory, resolver)
    _classes(inventory, declarative)
    _imperative_tables(inventory, declarative, resolver)
    _imperative_mappings(inventory, resolver)
    _assigned_conventions(inventory, declarative, resolver)
    _tell_apart_labels(inventory)
    inventory.declarative = declarative
    inventory.resolver = resolver
    return inventory


def _tell_apart_labels(inventory: Inventory) -> None:
    """Two bases both named ``Base`` in two modules: every message names them with their module,
    ``Base.metadata (app.analytics.db)``, so they are never taken for one."""
    for items in (inventory.metadatas.values(), inventory.registries.values()):
        by_label: dict[str, list] = {}
        for item in items:
            by_label.setdefault(item.label, []).append(item)
        for same in by_label.values():
            if len(same) > 1:
                for item in same:
                    module = inventory.modules.get(item.path)
                    item.label = f"{item.label} ({module.name if module is not None and module.name else item.path})"


def _import_roots(root: Path, config: Config, facts: list[FileFacts]):
    roots = declared_roots(root, config.pyproject, config.roots)
    for fact in facts:
        name = fact.path.rsplit("/", 1)[-1]
        if fact.sys_path_adds and name in ("conftest.py", "env.py", "__init__.py", "manage.py", "main.py"):
            roots += sys_path_roots(fact.path, fact.sys_path_adds, root)
    inis = [p.relative_to(root).as_posix() for p in alembic_ini_files(root)]
    roots += alembic_roots(root, inis)
    seen, out = set(), []
    for item in roots:
        if item.path not in seen:
            seen.add(item.path)
            out.append(item)
    return out


def _graph(modules: dict[str, Module], index: ModuleIndex, resolver: Resolver, config: Config) -> ImportGraph:
    edges: list[Edge] = []
    for path, module in modules.items():
        for fact in module.facts.imports:
            written = "." * fact.level + fact.module
            targets = {t for t, _ in resolver.import_targets(path, fact) if t}
            for target in sorted(targets):
                for dep in index.package_inits(target) + [target]:
                    if dep != path:
                        edges.append(Edge(path, dep, fact.pos, fact.context, written))
    graph = ImportGraph(sorted(modules), edges)
    graph.processes = _processes(graph, modules, index, config)
    return graph


def _processes(graph: ImportGraph, modules: dict[str, Module], index: ModuleIndex, config: Config) -> list[Process]:
    processes: list[Process] = []
    tests = [p for p, m in modules.items() if m.is_test]
    entries = {index.find(e) or e for e in config.entry}
    for path in graph.nodes:
        if path in tests:
            continue
        if path in entries or not graph.importers.get(path):
            facts = modules[path].facts
            program = path in entries or facts.has_main_block or facts.creates_app or facts.calls_create_all \
                or facts.alembic_env is not None or path.endswith(("/env.py", "/__main__.py", "manage.py"))
            processes.append(Process(path, [path], graph.closure(path), is_program=program,
                                     main=path if facts.has_main_block else None))
        elif _defines_in_main_block(modules[path].facts):
            # Imported by others, but also run as a script: its `__main__` block defines models
            # that exist in that process only.
            processes.append(Process(path, [path], graph.closure(path), is_program=True, main=path))
    sessions = []
    for label, files in _pytest_sessions(tests, config):
        bits = 0
        for path in files:
            bits |= graph.closure(path)
        sessions.append(Process(label, sorted(files, key=_test_order), bits, True))
    covered = 0  # a module only tests import runs in a pytest session, not on its own
    for process in processes + sessions:
        covered |= process.members
    for path in graph.nodes:  # modules that only import each other in a cycle nothing else imports
        if path not in tests and not graph.contains(covered, path):
            process = Process(path, [path], graph.closure(path), is_program=False)
            processes.append(process)
            covered |= process.members
    return processes + sessions


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
    options = config.pyproject.get("tool", {}).get("pytest", {}).get("ini_options", {})
    configured = options.get("testpaths") if isinstance(options, dict) else None
    if isinstance(configured, str):
        configured = configured.split()
    if isinstance(configured, list) and configured:
        return [str(p).strip("./") for p in configured if isinstance(p, str) and str(p).strip("./")] or None
    found = [name for name in ("tests", "test") if any(t.startswith(name + "/") for t in tests)]
    return found or None


def _defines_in_main_block(facts: FileFacts) -> bool:
    return any(c.main_only for c in facts.classes) or any(t.main_only for t in facts.tables)


def _test_order(path: str) -> tuple:
    # conftest.py files load before the test modules next to and below them.
    return (path.count("/"), not path.endswith("conftest.py"), path)


def _classes(inventory: Inventory, declarative: DeclarativeResolver) -> None:
    for path in sorted(inventory.modules):
        for cls in inventory.modules[path].facts.classes:
            if cls.nested:
                continue
            model = declarative.classify(path, cls)
            if model is None:
                continue
            inventory.classes.append(model)
            if model.kind in ("table", "joined", "concrete") and model.table_name:
                inventory.tables.append(_class_table(model, declarative))


def _class_table(model, declarative: DeclarativeResolver) -> TableDef:
    args = declarative.effective_table_args(model)
    return TableDef(
        name=model.table_name, schema=model.schema, metadata_id=model.metadata_id, path=model.path,
        pos=model.fact.tablename.pos if model.fact.tablename and model.fact.tablename.pos else model.pos,
        origin="class", owner=model.name, columns=model.columns,
        constraints=list(args.constraints) if args else [],
        extend_existing=bool(args and args.extend_existing), keep_existing=bool(args and args.keep_existing),
        flag_pos=args.pos if args and (args.extend_existing or args.keep_existing) else None,
        model=model, docstring=model.fact.docstring, main_only=model.fact.main_only,
    )


def _imperative_mappings(inventory: Inventory, resolver: Resolver) -> None:
    """``registry.map_imperatively(AuditEntry, audit_entries)``: the Table gets its class."""
    by_var = {(t.path, t.table.var): t for t in inventory.tables if t.table is not None and t.table.var}
    for path, module in inventory.modules.items():
        for mapping in module.facts.imperative_maps:
            symbol = resolver.resolve(path, mapping.table)
            table = by_var.get((symbol.module, symbol.name)) if symbol and symbol.kind == "table" else None
            cls = resolver.resolve(path, mapping.class_name)
            if table is None or cls is None or cls.kind != "class":
                continue
            fact = next((c for c in inventory.modules[cls.module].facts.classes if c.name == cls.name), None)
            table.owner = cls.name
            table.docstring = fact.docstring if fact else table.docstring


def _assigned_conventions(inventory: Inventory, declarative: DeclarativeResolver, resolver: Resolver) -> None:
    """``Base.metadata.naming_convention = {...}`` replaces the convention of an existing MetaData.
    A value that cannot be read makes every generated name unknown (no collision is claimed)."""
    for path in sorted(inventory.modules):
        facts = inventory.modules[path].facts
        for obj in facts.objects:
            if obj.kind != "convention" or not obj.ref:
                continue
            owner = obj.ref[: -len(".metadata")] if obj.ref.endswith(".metadata") else obj.ref
            lineage = declarative.symbol_lineage(path, resolver.resolve(path, owner))
            info = inventory.metadatas.get(lineage.metadata_id) if lineage else None
            if info is None:
                continue
            found = obj.naming_convention
            if found is None and obj.naming_convention_ref:
                found = facts.constants.get(obj.naming_convention_ref)
            info.naming_convention = found if isinstance(found, dict) else dict.fromkeys(CONVENTION_KEYS, "%(unknown)s")


def _imperative_tables(inventory: Inventory, declarative: DeclarativeResolver, resolver: Resolver) -> None:
    for path in sorted(inventory.modules):
        for table in inventory.modules[path].facts.tables:
            if table.name is None or table.metadata_ref is None:
                continue
            lineage = declarative.symbol_lineage(path, resolver.resolve(path, table.metadata_ref))
            if lineage is None:
                continue
            metadata = inventory.metadatas.get(lineage.metadata_id)
            schema = table.schema or (metadata.schema if metadata else None)
            definition = TableDef(
                name=table.name, schema=schema, metadata_id=lineage.metadata_id, path=path, pos=table.pos,
                origin="table", owner=table.in_class or table.var or table.name, columns=table.columns,
                constraints=table.constraints, extend_existing=table.extend_existing,
                keep_existing=table.keep_existing,
                flag_pos=table.pos if table.extend_existing or table.keep_existing else None, table=table,
                main_only=table.main_only)
            if not table.is_lookup:
                inventory.tables.append(definition)

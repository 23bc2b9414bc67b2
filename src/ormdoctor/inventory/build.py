"""project files → facts → one Inventory (modules, import graph, metadata, classes, tables)."""

from __future__ import annotations

from pathlib import Path

from ormdoctor.config import Config
from ormdoctor.inventory.declarative import DeclarativeResolver
from ormdoctor.inventory.graph import Edge, ImportGraph
from ormdoctor.inventory.installed import InstalledModules, ProjectAndInstalled, is_installed
from ormdoctor.inventory.layout import ImportLayout, capture
from ormdoctor.inventory.processes import processes
from ormdoctor.inventory.model import Inventory, Module, TableDef, Unresolved
from ormdoctor.inventory.symbols import ModuleIndex, Resolver
from ormdoctor.project.discover import alembic_ini_files
from ormdoctor.project.environment import find_environment
from ormdoctor.project.evidence import docker_roots, script_roots, source_folders, subproject_roots
from ormdoctor.project.modules import module_names, shadowed, used_names
from ormdoctor.project.roots import alembic_roots, declared_roots, sys_path_roots
from ormdoctor.static.exprs import CONVENTION_KEYS
from ormdoctor.static.facts import FileFacts, base_templates, is_alternative


def inventory_from_facts(root: Path, config: Config, facts: list[FileFacts],
                         layout: ImportLayout | None = None, settings: tuple | None = None) -> Inventory:
    """``settings``: what besides the facts the import layout depends on (the configuration
    and settings files, see pipeline._config_state): given, the layout is kept on the inventory
    for the next run, and ``layout`` (the previous run's) is used when it still fits."""
    if layout is not None and settings is not None and layout.fits(settings, facts):
        inventory, resolver = _reused_layout(root, layout, facts)
    else:
        inventory, resolver = _new_layout(root, config, facts, settings)
    inventory.environment = find_environment(root, config.python)
    installed = InstalledModules(inventory.environment) if inventory.environment is not None else None
    inventory.installed = installed
    declarative = DeclarativeResolver(inventory, ProjectAndInstalled(resolver, installed))
    _classes(inventory, declarative)
    _imperative_tables(inventory, declarative, resolver)
    _imperative_mappings(inventory, resolver)
    _assigned_conventions(inventory, declarative, resolver)
    _tell_apart_labels(inventory)
    inventory.declarative = declarative
    inventory.resolver = resolver
    return inventory


def _new_layout(root: Path, config: Config, facts: list[FileFacts], settings: tuple | None):
    """(inventory with its modules, roots and import graph, resolver), built; the layout is
    captured for the next run when ``settings`` are given."""
    roots = _import_roots(root, config, facts)
    paths = {f.path for f in facts}
    modules = {f.path: Module(f.path, f, [] if shadowed(f.path, paths) else module_names(f.path, roots))
               for f in facts}
    index = ModuleIndex(modules)
    resolver = Resolver(index)  # kept for the classes: what it resolved for the graph is memoised
    inventory = Inventory(str(root), modules, roots)
    inventory.graph = _graph(modules, index, resolver, config)
    inventory.roots = roots + list(index.implicit.values())
    _name_modules_as_imported(modules, index)
    if settings is not None:
        inventory.layout = capture(settings, facts, modules, index, inventory.roots, inventory.graph)
        inventory.layout.resolved = resolver.memo()
    return inventory, resolver


def _reused_layout(root: Path, layout: ImportLayout, facts: list[FileFacts]):
    """The same, from the previous run's layout (``layout.fits`` said it holds)."""
    changed = layout.changed(facts)
    modules, index = layout.restore(facts)
    inventory = Inventory(str(root), modules, list(layout.roots))
    inventory.graph = layout.graph
    layout.facts = {f.path: f for f in facts}  # the same shape: the next run compares with these
    inventory.layout = layout
    resolver = Resolver(index)
    resolver.reuse(layout.resolved, changed)
    return inventory, resolver


def _name_modules_as_imported(modules: dict[str, Module], index: ModuleIndex) -> None:
    """Each module under the name the project's imports use for it; a module nothing imports
    by name, under the root those imports use most (`src.shop.x` when the code says `src.shop.y`)."""
    used = used_names(modules, index.find)
    votes: dict[str, int] = {}
    for path, name in used.items():
        root = next((r.path for n, r in modules[path].names if n == name), None)
        if root is not None:
            modules[path].used_name = name
            votes[root] = votes.get(root, 0) + 1
    if not votes:
        return
    favourite = max(sorted(votes), key=lambda r: votes[r])
    for module in modules.values():
        if module.used_name is None and len(module.names) > 1:
            module.used_name = next((n for n, r in module.names if r.path == favourite), None)


def _tell_apart_labels(inventory: Inventory) -> None:
    """Two bases both named ``Base`` in two modules: every message names them with their module,
    ``Base.metadata (app.analytics.db)``, so they are never taken for one."""
    for items in (inventory.metadatas.values(), inventory.registries.values()):
        by_label: dict[str, list] = {}
        for item in items:
            by_label.setdefault(item.label, []).append(item)
        for same in by_label.values():
            for item in same:
                if is_installed(item.path):  # a library's base: always named with its installed module
                    item.label = f"{item.label} ({inventory.installed[item.path].name}, installed)"
                elif len(same) > 1:
                    module = inventory.modules.get(item.path)
                    where = module.name if module is not None and module.name else item.path or _outside_path(item.id)
                    item.label = f"{item.label} ({where})"


def _outside_path(item_id: str) -> str:
    """`opaque:extlib.db.Model.registry` → `extlib.db.Model`: a base known only by its import path."""
    return item_id.removeprefix("opaque:").removesuffix(".registry").removesuffix(".metadata")


def _import_roots(root: Path, config: Config, facts: list[FileFacts]):
    roots = declared_roots(root, config.pyproject, config.roots)
    for fact in facts:
        if fact.sys_path_adds:
            roots += sys_path_roots(fact.path, fact.sys_path_adds, root)
    inis = [p.relative_to(root).as_posix() for p in alembic_ini_files(root)]
    roots += alembic_roots(root, inis)
    folders = source_folders(f.path for f in facts)
    roots += subproject_roots(root, folders) + docker_roots(root, folders)
    roots += script_roots(facts, {f.path for f in facts})
    seen, out = set(), []
    for item in roots:
        if item.path not in seen:
            seen.add(item.path)
            out.append(item)
    return out


def _graph(modules: dict[str, Module], index: ModuleIndex, resolver: Resolver, config: Config) -> ImportGraph:
    edges: list[Edge] = []
    loads: dict[str, list[str]] = {}  # target → the packages importing it runs, then itself
    for path, module in modules.items():
        for fact in module.facts.imports:
            written = "." * fact.level + fact.module
            targets = {t for t, _ in resolver.import_targets(path, fact) if t}
            for target in sorted(targets):
                chain = loads.get(target)
                if chain is None:
                    chain = loads[target] = index.package_inits(target) + [target]
                for dep in chain:
                    if dep != path:
                        edges.append(Edge(path, dep, fact.pos, fact.context, written))
    graph = ImportGraph(sorted(modules), edges)
    graph.processes = processes(graph, modules, index, resolver, config)
    graph.generated = {path: why for path, module in modules.items() if (why := generated_evidence(path, module.facts))}
    graph.forget_closures()  # the processes hold what they need; the rest is searched again if asked for
    return graph


GENERATED_FOLDERS = ("generated", "models_generated", "autogenerated", "auto_generated")


def generated_evidence(path: str, facts) -> str | None:
    """Why a module is generated code (a reflection snapshot such as sqlacodegen's output), not
    a live model: its header says so, or it sits in a folder named for generated code
    (`generated/`, `models_generated/`, `db_generated/`)."""
    if facts.generated:
        return f"its {facts.generated} header" if facts.generated == "sqlacodegen" else facts.generated
    for folder in path.split("/")[:-1]:
        name = folder.lower()
        if name in GENERATED_FOLDERS or name.endswith("_generated") or name.startswith("generated_"):
            return f"it is under {folder}/"
    return None


def _classes(inventory: Inventory, declarative: DeclarativeResolver) -> None:
    for path in sorted(inventory.modules):
        facts = inventory.modules[path].facts
        templates = base_templates(facts) if facts.objects else ()
        for cls in facts.classes:
            if cls.nested or is_alternative(cls, facts.classes) or cls.name in templates:
                continue
            model = declarative.classify(path, cls)
            if model is None:
                continue
            inventory.classes.append(model)
            if model.kind in ("table", "joined", "concrete") and model.table_name:
                inventory.tables.append(_class_table(model, declarative))


def _class_table(model, declarative: DeclarativeResolver) -> TableDef:
    supplier = declarative.table_args_owner(model)
    args = supplier[1].table_args if supplier else None
    flagged = bool(args and (args.extend_existing or args.keep_existing))
    return TableDef(
        name=model.table_name, schema=model.schema, metadata_id=model.metadata_id, path=model.path,
        pos=model.fact.tablename.pos if model.fact.tablename and model.fact.tablename.pos else model.pos,
        origin="class", owner=model.name, columns=model.columns,
        constraints=list(args.constraints) if args else [], constraints_known=not args or args.constraints_known,
        extend_existing=bool(args and args.extend_existing), keep_existing=bool(args and args.keep_existing),
        flag_pos=args.pos if flagged else None, flag_path=supplier[0] if flagged else None,
        flag_owner=supplier[1].name if flagged else None, model=model, docstring=model.fact.docstring, main_only=model.fact.main_only,
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


def _computed_table(inventory: Inventory, declarative: DeclarativeResolver, path: str, table) -> None:
    """A Table() whose name ormdoctor cannot compute: its MetaData has a table nobody can name,
    which is said (ORM002), and nothing is reported missing from that MetaData."""
    lineage = declarative.expr_lineage(path, table.metadata_ref)
    metadata = inventory.metadatas.get(lineage.metadata_id) if lineage else None
    if metadata is None or table.main_only:
        return
    metadata.computed_tables.append((path, table.pos))
    inventory.unresolved.append(Unresolved(
        path, table.pos, table.var or table.name_ref,
        f"Table name {table.name_ref} is computed, so ormdoctor cannot know this table of {metadata.label}: foreign keys "
        f"and secondary= names that point at {metadata.label} are not reported missing"))


def _imperative_tables(inventory: Inventory, declarative: DeclarativeResolver, resolver: Resolver) -> None:
    for path in sorted(inventory.modules):
        for table in inventory.modules[path].facts.tables:
            name = table.name
            if name is None and table.name_ref is not None and table.metadata_ref is not None:
                # `Table(get_prefixed_tablename("roles"), ...)`: the project's name helpers, as for __tablename__
                name = declarative.evaluate_name(path, table.name_ref, None)
                if name is None:
                    _computed_table(inventory, declarative, path, table)
            if name is None or table.metadata_ref is None:
                continue
            lineage = declarative.expr_lineage(path, table.metadata_ref)
            if lineage is None:
                continue
            metadata = inventory.metadatas.get(lineage.metadata_id)
            named = declarative.constant(path, table.schema_ref) if table.schema_ref else None
            schema = table.schema or (named if isinstance(named, str) else None) or (metadata.schema if metadata else None)
            owner = table.in_class or table.var or name
            flagged = table.extend_existing or table.keep_existing
            definition = TableDef(
                name=name, schema=schema, metadata_id=lineage.metadata_id, path=path, pos=table.pos,
                origin="table", owner=owner, columns=table.columns,
                constraints=table.constraints, extend_existing=table.extend_existing,
                keep_existing=table.keep_existing,
                flag_pos=table.pos if flagged else None, flag_path=path if flagged else None,
                flag_owner=owner if flagged else None, table=table,
                main_only=table.main_only)
            if not table.is_lookup:
                inventory.tables.append(definition)
    _drop_guarded_copies(inventory)


def _drop_guarded_copies(inventory: Inventory) -> None:
    """A `Table()` made only `if "user" not in Base.metadata.tables:` (bisheng's test stand-in)
    never exists beside another definition of that table: only the others count."""
    def guarded(table) -> bool:
        return table.table is not None and table.table.guarded

    if not any(guarded(t) for t in inventory.tables):
        return
    copies = {id(t) for defs in inventory.tables_by_key().values() if not all(guarded(d) for d in defs)
              for t in defs if guarded(t)}
    inventory.tables = [t for t in inventory.tables if id(t) not in copies]

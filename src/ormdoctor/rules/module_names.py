"""Under which module names each file is really imported (the seed-004 bug)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ormdoctor.static.facts import MODULE, Pos, exclusive


@dataclass(frozen=True)
class ImportSite:
    path: str  # the importing file
    pos: Pos
    name: str  # the module name it loads the target under
    relative: bool = False  # reached through a relative import of a module that has this name
    branch: tuple = ()  # the if/else, try/except arms of the import statement


@dataclass
class DoubleImport:
    path: str
    names: list[str]  # canonical (shortest) first
    sites: list[ImportSite]
    roots: list[tuple[str, object]] = field(default_factory=list)
    together: bool = False
    process: str | None = None
    dragged: list["DoubleImport"] = field(default_factory=list)  # loaded twice only because this one is


def double_imports(ctx) -> list[DoubleImport]:
    return ctx.inventory.derived("double_imports", lambda: _compute(ctx.inventory))


def _compute(inventory) -> list[DoubleImport]:
    # Which modules are imported under which names is decided by the imports alone (and the
    # lookups it makes were all made, and memoised, while the import graph was built).
    sites = inventory.derived_from_imports("double_import_sites", lambda: _sites(inventory))
    by_file: dict[str, list[ImportSite]] = {}
    for target, site in sites:
        by_file.setdefault(target, []).append(site)
    found = []
    for path, file_sites in sorted(by_file.items()):
        # The canonical name is the one most of the project's files use (chatchat's twelve
        # `chatchat.server.db.base` against one `server.db.base`), the shorter on a tie.
        importers = {name: len({s.path for s in file_sites if s.name == name}) for name in {s.name for s in file_sites}}
        names = sorted(importers, key=lambda n: (-importers[n], len(n), n))
        if len(names) < 2:
            continue
        double = DoubleImport(path, names, sorted(file_sites, key=lambda s: (s.path, s.pos.line)))
        module = inventory.modules[path]
        double.roots = [(n, r) for n in names for m, r in module.names if m == n]
        _meeting(inventory.graph, double)
        found.append(double)
    return _fold(found)


def _fold(found: list[DoubleImport]) -> list[DoubleImport]:
    """A module loaded twice only through relative imports of a double-loaded module is a
    consequence: report it with the module that drags it in."""
    by_path = {d.path: d for d in found}
    direct = []
    for double in found:
        extra = [s for s in double.sites if s.name != double.names[0]]
        parents = {s.path for s in extra if s.relative and s.path in by_path}
        if extra and all(s.relative for s in extra) and parents:
            by_path[sorted(parents)[0]].dragged.append(double)
        else:
            direct.append(double)
    return direct


def _sites(inventory) -> list[tuple[str, ImportSite]]:
    """Every import of a module that is loaded under two names or more. Imports of the other
    modules (nearly all of them) are counted as names only, never built into sites."""
    resolver = inventory.resolver
    index = resolver.index
    found: list[tuple] = []  # (target, importer, fact, name, relative)
    loaded_as: dict[str, set[str]] = {}
    pending_relative = []
    for path, module in sorted(inventory.modules.items()):
        for fact in module.facts.imports:
            if fact.level:
                # A relative import inside a function runs only if the function is called: it
                # cannot be said to load its target under the importer's second name.
                if fact.context == MODULE:
                    pending_relative.append((path, fact))
                continue
            for name in _absolute_names(fact, index):
                target = index.find(name, path)
                if target and target != path:
                    found.append((target, path, fact, name, False))
                    loaded_as.setdefault(target, set()).add(name)
    for _ in range(4):  # relative imports inherit their importer's names; a few rounds reach a fixpoint
        added = False
        for path, fact in pending_relative:
            for importer_name in sorted(loaded_as.get(path, ())):
                for name in _relative_names(importer_name, path, fact, index):
                    target = index.find(name)
                    if target and target != path and name not in loaded_as.get(target, set()):
                        found.append((target, path, fact, name, True))
                        loaded_as.setdefault(target, set()).add(name)
                        added = True
        if not added:
            break
    return _without_alternatives([(target, ImportSite(path, fact.pos, name, relative=relative, branch=fact.branch))
                                  for target, path, fact, name, relative in found if len(loaded_as[target]) > 1])


def _without_alternatives(sites: list[tuple[str, ImportSite]]) -> list[tuple[str, ImportSite]]:
    """``try: from app.models import X`` / ``except ImportError: from models import X`` loads
    the module under one name or the other, never both: the fallback arm is not a second import."""
    kept: list[tuple[str, ImportSite]] = []
    by_importer: dict[tuple[str, str], list[ImportSite]] = {}
    for target, site in sites:
        earlier = by_importer.setdefault((target, site.path), [])
        if site.branch and any(k.name != site.name and exclusive(k.branch, site.branch) for k in earlier):
            continue
        earlier.append(site)
        kept.append((target, site))
    return kept


def _absolute_names(fact, index) -> list[str]:
    if not fact.is_from:
        return [fact.module]
    names = [fact.module]
    names += [f"{fact.module}.{n}" for n, _ in fact.names if n != "*" and f"{fact.module}.{n}" in index.by_name]
    return names


def _relative_names(importer_name: str, importer_path: str, fact, index) -> list[str]:
    package = importer_name if importer_path.endswith("__init__.py") else importer_name.rpartition(".")[0]
    parts = package.split(".") if package else []
    if fact.level - 1 > len(parts):
        return []
    base_parts = parts[: len(parts) - (fact.level - 1)]
    base = ".".join(base_parts + ([fact.module] if fact.module else []))
    if not base:
        return []
    names = [base]
    names += [f"{base}.{n}" for n, _ in fact.names if n != "*" and f"{base}.{n}" in index.by_name]
    return names


def _meeting(graph, double: DoubleImport) -> None:
    roots_of: dict[str, list] = {}
    for name, root in double.roots:
        roots_of.setdefault(name, []).append(root)
    for process in graph.processes:
        names = {s.name for s in double.sites
                 if process.runs(graph, s.path) and _importable_in(graph, process, roots_of.get(s.name, ()))}
        if len(names) >= 2:
            double.together, double.process = True, process.label
            return


def _importable_in(graph, process, roots) -> bool:
    """Whether a process can import a module under a name: one of the roots giving that name is
    on its sys.path. A root that a module's `sys.path.insert` adds is there only in processes
    that run that module (a stale script's hack is not the server's); settings (pytest's
    pythonpath, a declared root) and the folders Python itself puts first always are."""
    return not roots or any(root.source is None or not root.source[0].endswith(".py")
                            or process.runs(graph, root.source[0]) for root in roots)


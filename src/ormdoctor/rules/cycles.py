"""Load-time import cycles, as chains of import statements (ORM501).

Only the imports a statement names count: `from app.models.b import B` inside
`app/models/a.py` also runs `app/__init__` and `app/models/__init__`, but those packages are
already being imported (they are a's own parents), so that edge takes nothing from them and
closes no cycle; nor does `import app` written there (it binds the package being imported and
takes nothing from it). Nor does `from app.models import db` inside `app/models/audit.py` when
`app/models/__init__.py` binds `db` before the first of its imports that loads `audit`: the
package always runs first (importing `app.models.audit` runs it), so the names are there,
whatever imports what first. Bound after that import, they are not: ImportError.
Components are found with one Tarjan pass over the whole graph, and one shortest cycle per
component with a breadth-first search inside it: linear overall.
"""

from __future__ import annotations

from collections import deque

from ormdoctor.inventory.graph import Edge, _tarjan
from ormdoctor.static.facts import MODULE, module_bindings


def cycle_edges(inventory, late: set[str] | None = None, sources: set[str] | None = None) -> dict[str, dict[str, Edge]]:
    """source → target → first load-time edge that imports target by name, for every module
    or only ``sources``. ``late`` collects the modules that take a name from their own package
    before the package binds it."""
    graph = inventory.graph
    direct = _direct_targets(inventory, sources)
    parents = _ParentPackages(inventory)
    found: dict[str, dict[str, Edge]] = {}
    for edge in graph.edges if sources is None else (e for s in sorted(sources) for e in graph.out.get(s, ())):
        if edge.context != MODULE:
            continue
        if _is_parent_package(edge.target, edge.source):
            if edge.target not in direct.get((edge.source, edge.pos.line, edge.pos.column), ()):
                continue  # a parent package of the importer: already being imported, nothing taken from it
            if not parents.takes_names(edge):
                continue  # `import app` inside app/utils.py: binds the half-made package, takes nothing from it
            if parents.bound_before_loading(edge):
                continue  # names the package holds before it loads the importer
            if late is not None:
                late.add(edge.source)
        current = found.setdefault(edge.source, {}).get(edge.target)
        if current is None or (edge.pos.line, edge.pos.column) < (current.pos.line, current.pos.column):
            found[edge.source][edge.target] = edge
    return found


def _direct_targets(inventory, sources: set[str] | None = None) -> dict[tuple[str, int, int], set[str]]:
    """The modules each load-time import statement names (not the packages it passes through)."""
    found = {}
    resolver = inventory.resolver
    for path in inventory.modules if sources is None else sources:
        for fact in inventory.modules[path].facts.imports:
            if fact.context == MODULE:
                key = (path, fact.pos.line, fact.pos.column)
                found.setdefault(key, set()).update(t for t, _ in resolver.import_targets(path, fact) if t)
    return found


class _ParentPackages:
    """What a package's ``__init__`` binds, and the line of its first import that loads each
    module, for the imports that take names from the importer's own package."""

    def __init__(self, inventory):
        self.inventory = inventory
        self._bindings: dict[str, dict[str, int]] = {}
        self._loads: dict[str, dict[str, int]] = {}

    def takes_names(self, edge: Edge) -> bool:
        """Whether the statement of ``edge`` takes names from its target (`from app import x`),
        which may not be bound yet, rather than binding the module itself (`import app`)."""
        facts = self.inventory.modules[edge.source].facts
        return any(f.context == MODULE and f.is_from and f.pos == edge.pos for f in facts.imports)

    def bound_before_loading(self, edge: Edge) -> bool:
        facts = self.inventory.modules[edge.source].facts
        statement = next((f for f in facts.imports if f.context == MODULE and f.is_from and f.pos == edge.pos), None)
        if statement is None:
            return False
        loaded = self._load_lines(edge.target).get(edge.source)
        if loaded is None:
            return False  # the package does not load the importer: not this cycle's way round
        taken = [name for target, name in self.inventory.resolver.import_targets(edge.source, statement)
                 if target == edge.target]
        bindings = self._binding_lines(edge.target)
        return all(name is not None and bindings.get(name, loaded) < loaded for name in taken)

    def _binding_lines(self, package: str) -> dict[str, int]:
        """Name → first line of the package's module level that binds it (an import, a class, an
        object, a table); names bound otherwise are not known and count as bound too late."""
        found = self._bindings.get(package)
        if found is None:
            found = self._bindings[package] = {}
            for name, line, _ in module_bindings(self.inventory.modules[package].facts):
                if line < found.get(name, line + 1):
                    found[name] = line
        return found

    def _load_lines(self, package: str) -> dict[str, int]:
        """Module → line of the package's first load-time import that loads it. The package
        and its parents are being imported meanwhile: an import that passes through them runs
        nothing (``import app.models.x`` inside a module the package loads), and a module an
        earlier line loaded is not run again."""
        found = self._loads.get(package)
        if found is None:
            found = self._loads[package] = {}
            graph, resolver = self.inventory.graph, self.inventory.resolver
            folders = package.split("/")[:-1]
            running = {"/".join(folders[:i] + ["__init__.py"]) for i in range(len(folders) + 1)}
            imports = sorted((f for f in self.inventory.modules[package].facts.imports if f.context == MODULE),
                             key=lambda f: (f.pos.line, f.pos.column))
            for fact in imports:
                todo = [t for t, _ in resolver.import_targets(package, fact) if t and t not in running]
                while todo:
                    module = todo.pop()
                    if module in found:
                        continue
                    found[module] = fact.pos.line
                    todo.extend(e.target for e in graph.load_edges(module)
                                if e.target not in running and e.target not in found)
        return found


def _is_parent_package(target: str, source: str) -> bool:
    if not target.endswith("__init__.py"):
        return False
    package = target[: -len("__init__.py")]  # "app/models/" ("" for a top-level __init__.py)
    return source.startswith(package)


def import_cycles(inventory, interesting: set[str]) -> list[tuple[list[Edge], int]]:
    """One shortest cycle per strongly connected component that holds two or more
    ``interesting`` modules, or one that takes a name from its own package before the package
    binds it (the package loads it first: ImportError), with the size of the component."""
    graph = inventory.graph
    folders = {m.rpartition("/")[0] for m in interesting}
    packages = {p for p in inventory.modules if p.endswith("__init__.py") and p.rpartition("/")[0] in folders}
    # Only the load-time components that hold two model modules, or one and its own package,
    # can hold a reported cycle: the edges are worked out for their modules alone.
    holders: dict[int, int] = {}
    for path in interesting | packages:
        i = graph.index.get(path)
        if i is not None:
            holders[graph.component[i]] = holders.get(graph.component[i], 0) + 1
    candidates = {c for c, count in holders.items() if count >= 2}
    if not candidates:
        return []
    late: set[str] = set()
    edges = cycle_edges(inventory, late, {n for n, c in zip(graph.nodes, graph.component) if c in candidates})
    nodes = graph.nodes
    index = graph.index
    adjacency = [[index[t] for t in edges.get(n, {}) if t in index] for n in nodes]
    components, _ = _tarjan(adjacency)
    cycles = []
    for component in components:
        members = {nodes[i] for i in component}
        starts = sorted(members & interesting)
        if len(starts) < 2 and not members & late & interesting:
            continue
        cycle = _shortest_cycle(edges, starts[0], members)
        if cycle:
            cycles.append((cycle, len(members)))
    return cycles


def _shortest_cycle(edges: dict[str, dict[str, Edge]], start: str, members: set[str]) -> list[Edge]:
    """Breadth-first from ``start`` back to itself, inside one component."""
    came: dict[str, Edge] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for target, edge in sorted(edges.get(node, {}).items()):
            if target not in members:
                continue
            if target == start:
                return _path(came, start, edge)
            if target not in came:
                came[target] = edge
                queue.append(target)
    return []


def _path(came: dict[str, Edge], start: str, last: Edge) -> list[Edge]:
    path = [last]
    node = last.source
    while node != start:
        edge = came[node]
        path.append(edge)
        node = edge.source
    return list(reversed(path))

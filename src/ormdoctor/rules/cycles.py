"""Load-time import cycles, as chains of import statements (ORM501).

Only the imports a statement names count: `from app.models.b import B` inside
`app/models/a.py` also runs `app/__init__` and `app/models/__init__`, but those packages are
already being imported (they are a's own parents), so that edge takes nothing from them and
closes no cycle. Components are found with one Tarjan pass over the whole graph, and one
shortest cycle per component with a breadth-first search inside it: linear overall.
"""

from __future__ import annotations

from collections import deque

from ormdoctor.inventory.graph import Edge, _tarjan
from ormdoctor.static.facts import MODULE


def cycle_edges(inventory) -> dict[str, dict[str, Edge]]:
    """source → target → first load-time edge that imports target by name."""
    graph = inventory.graph
    direct = _direct_targets(inventory)
    found: dict[str, dict[str, Edge]] = {}
    for edge in graph.edges:
        if edge.context != MODULE:
            continue
        if edge.target not in direct.get((edge.source, edge.pos.line, edge.pos.column), ()) \
                and _is_parent_package(edge.target, edge.source):
            continue  # a parent package of the importer: already being imported, nothing taken from it
        current = found.setdefault(edge.source, {}).get(edge.target)
        if current is None or (edge.pos.line, edge.pos.column) < (current.pos.line, current.pos.column):
            found[edge.source][edge.target] = edge
    return found


def _direct_targets(inventory) -> dict[tuple[str, int, int], set[str]]:
    """The modules each load-time import statement names (not the packages it passes through)."""
    found = {}
    resolver = inventory.resolver
    for path, module in inventory.modules.items():
        for fact in module.facts.imports:
            if fact.context == MODULE:
                key = (path, fact.pos.line, fact.pos.column)
                found.setdefault(key, set()).update(t for t, _ in resolver.import_targets(path, fact) if t)
    return found


def _is_parent_package(target: str, source: str) -> bool:
    if not target.endswith("__init__.py"):
        return False
    package = target[: -len("__init__.py")]  # "app/models/" ("" for a top-level __init__.py)
    return source.startswith(package)


def import_cycles(inventory, interesting: set[str]) -> list[tuple[list[Edge], int]]:
    """One shortest cycle per strongly connected component that holds two or more
    ``interesting`` modules, with the size of the component."""
    graph = inventory.graph
    if not graph.may_cycle(interesting):
        return []
    edges = cycle_edges(inventory)
    nodes = graph.nodes
    index = graph.index
    adjacency = [[index[t] for t in edges.get(n, {}) if t in index] for n in nodes]
    components, _ = _tarjan(adjacency)
    cycles = []
    for component in components:
        members = {nodes[i] for i in component}
        starts = sorted(members & interesting)
        if len(starts) < 2:
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

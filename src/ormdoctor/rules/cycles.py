"""Load-time import cycles, as chains of import statements (ORM501).

Only the imports a statement names count: `from app.models.b import B` inside
`app/models/a.py` also runs `app/__init__` and `app/models/__init__`, but those packages are
already being imported (they are a's own parents), so that edge takes nothing from them and
closes no cycle. Components are found with one Tarjan pass over the whole graph, and one
shortest cycle per component with a breadth-first search inside it: linear overall.
"""

from __future__ import annotations

from collections import deque
from pathlib import PurePosixPath

from ormdoctor.inventory.graph import Edge, _tarjan
from ormdoctor.static.facts import MODULE


def cycle_edges(graph) -> dict[str, dict[str, Edge]]:
    """source → target → first load-time edge that imports target by name."""
    found: dict[str, dict[str, Edge]] = {}
    groups: dict[tuple, list[Edge]] = {}
    for edge in graph.edges:
        if edge.context == MODULE:
            groups.setdefault((edge.source, edge.pos.line, edge.pos.column, edge.written), []).append(edge)
    for edges in groups.values():
        targets = {e.target for e in edges}
        for edge in edges:
            if _implicit_parent(edge, targets):
                continue
            current = found.setdefault(edge.source, {}).get(edge.target)
            if current is None or (edge.pos.line, edge.pos.column) < (current.pos.line, current.pos.column):
                found[edge.source][edge.target] = edge
    return found


def _implicit_parent(edge: Edge, targets: set[str]) -> bool:
    """A parent package's __init__ that the statement only passes through on its way down."""
    if not edge.target.endswith("__init__.py"):
        return False
    package = str(PurePosixPath(edge.target).parent)
    prefix = "" if package == "." else package + "/"
    passes_through = any(t != edge.target and t.startswith(prefix) for t in targets)
    return passes_through and edge.source.startswith(prefix)


def import_cycles(graph, interesting: set[str]) -> list[tuple[list[Edge], int]]:
    """One shortest cycle per strongly connected component that holds an ``interesting`` module,
    with the size of the component."""
    edges = cycle_edges(graph)
    nodes = graph.nodes
    index = graph.index
    adjacency = [[index[t] for t in edges.get(n, {}) if t in index] for n in nodes]
    components, _ = _tarjan(adjacency)
    cycles = []
    for component in components:
        members = {nodes[i] for i in component}
        starts = sorted(members & interesting)
        if len(members) < 2 or not starts:
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

"""The import graph: which modules load which at import time, and what each process loads.

Only module-level imports are load-time edges; imports under ``if TYPE_CHECKING:`` or inside
functions are kept apart. Importing ``a.b.c`` also runs ``a/__init__`` and ``a/b/__init__``.
Reachability is computed once for all nodes with bitsets over the condensed graph, so it stays
linear in practice even on tens of thousands of modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ormdoctor.static.facts import MODULE, Pos


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    pos: Pos
    context: str
    written: str  # the module name as written: "src.pkg.models", ".db"


@dataclass
class Process:
    """A set of modules loaded together: one entry point's closure, or a whole pytest session."""

    label: str  # "app/main.py", "pytest (tests/)", "alembic (migrations/env.py)"
    entries: list[str]
    members: int = 0  # bitset
    is_program: bool = True
    main: str | None = None  # the file that runs as `__main__`: its `if __name__ == "__main__":` block runs
    # Modules its application factories import once called (`create_app()` importing the models),
    # in the order they load: after the entries' own imports (see inventory/processes.py).
    started: list[str] = field(default_factory=list)

    def runs(self, graph: "ImportGraph", path: str, main_only: bool = False) -> bool:
        """Whether this process runs a definition of ``path``; one under the file's
        `if __name__ == "__main__":` block runs only where the file is the script."""
        return self.main == path if main_only else graph.contains(self.members, path)


@dataclass
class ImportGraph:
    nodes: list[str]
    edges: list[Edge]
    index: dict[str, int] = field(default_factory=dict)
    out: dict[str, list[Edge]] = field(default_factory=dict)
    importers: dict[str, list[Edge]] = field(default_factory=dict)
    reach: list[int] = field(default_factory=list)
    component: list[int] = field(default_factory=list)  # strongly connected component of each node
    processes: list[Process] = field(default_factory=list)

    def __post_init__(self):
        self.index = {n: i for i, n in enumerate(self.nodes)}
        for edge in self.edges:
            self.out.setdefault(edge.source, []).append(edge)
            if edge.context == MODULE:
                self.importers.setdefault(edge.target, []).append(edge)
        self.reach, self.component = _reachability(self.nodes, self.index, self.out)

    def may_cycle(self, paths: set[str]) -> bool:
        """Whether two of ``paths`` share a strongly connected component: a cheap test that
        rules out cycles before anything more precise is computed."""
        seen: set[int] = set()
        for path in paths:
            i = self.index.get(path)
            if i is not None:
                if self.component[i] in seen:
                    return True
                seen.add(self.component[i])
        return False

    def load_edges(self, path: str) -> list[Edge]:
        return [e for e in self.out.get(path, []) if e.context == MODULE]

    def closure(self, path: str) -> int:
        return self.reach[self.index[path]] if path in self.index else 0

    def contains(self, bits: int, path: str) -> bool:
        i = self.index.get(path)
        return i is not None and bool(bits >> i & 1)

    def members(self, bits: int) -> list[str]:
        return [n for i, n in enumerate(self.nodes) if bits >> i & 1]

    def loaders(self, *paths: str) -> list[Process]:
        """The processes that load every one of ``paths``."""
        return [p for p in self.processes if all(self.contains(p.members, x) for x in paths)]

    def load_order(self, process: Process) -> list[str]:
        """Depth-first, in source order: the order Python runs the modules' bodies."""
        seen: set[str] = set()
        order: list[str] = []
        for entry in process.entries + process.started:
            if entry not in seen:
                self._visit(entry, seen, order)
        return order

    def _visit(self, start: str, seen: set[str], order: list[str]) -> None:
        stack = [(start, iter(sorted(self.load_edges(start), key=lambda e: (e.pos.line, e.pos.column))))]
        seen.add(start)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                order.append(node)  # a module's body finishes after its imports
            elif child.target not in seen:
                seen.add(child.target)
                stack.append((child.target, iter(sorted(self.load_edges(child.target),
                                                        key=lambda e: (e.pos.line, e.pos.column)))))


def _reachability(nodes: list[str], index: dict[str, int], out: dict[str, list[Edge]]) -> tuple[list[int], list[int]]:
    adjacency = [[index[e.target] for e in out.get(n, []) if e.context == MODULE and e.target in index] for n in nodes]
    components, comp_of = _tarjan(adjacency)
    comp_reach = [0] * len(components)
    for c, members in enumerate(components):  # Tarjan yields sinks first: children are done
        bits = 0
        for v in members:
            bits |= 1 << v
            for w in adjacency[v]:
                if comp_of[w] != c:
                    bits |= comp_reach[comp_of[w]]
        comp_reach[c] = bits
    return [comp_reach[comp_of[v]] for v in range(len(nodes))], comp_of


def _tarjan(adjacency: list[list[int]]) -> tuple[list[list[int]], list[int]]:
    n = len(adjacency)
    index_of, low, on_stack = [-1] * n, [0] * n, [False] * n
    stack: list[int] = []
    components: list[list[int]] = []
    comp_of = [-1] * n
    counter = 0
    for root in range(n):
        if index_of[root] != -1:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index_of[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack[v] = True
            recurse = False
            for j in range(i, len(adjacency[v])):
                w = adjacency[v][j]
                if index_of[w] == -1:
                    work.append((v, j + 1))
                    work.append((w, 0))
                    recurse = True
                    break
                if on_stack[w]:
                    low[v] = min(low[v], index_of[w])
            if recurse:
                continue
            if low[v] == index_of[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp_of[w] = len(components)
                    component.append(w)
                    if w == v:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return components, comp_of

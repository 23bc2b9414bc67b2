"""The import graph: which modules load which at import time, and what each process loads.

Only module-level imports are load-time edges; imports under ``if TYPE_CHECKING:`` or inside
functions are kept apart. Importing ``a.b.c`` also runs ``a/__init__`` and ``a/b/__init__``.
Reachability is computed once with bitsets over the condensed graph, so it stays linear in
practice even on a hundred thousand modules; only the closures of modules nothing imports (the
roots processes start from) are kept, others are searched again when asked for, so memory does
not grow with the number of modules times their closures.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field

from ormdoctor.static.facts import MODULE, Pos


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    pos: Pos
    context: str
    written: str  # the module name as written: "src.pkg.models", ".db"


@dataclass(init=False, eq=False)  # a process is itself: two never compare equal by value
class Process:
    """A set of modules loaded together: one entry point's closure, or a whole pytest session.

    The modules are kept as a bitset over the graph's nodes, or, when the process loads few
    modules of a large tree (a script, a module nothing imports), as the sorted array of their
    positions: a bitset per process would grow with the number of processes times the tree
    (275 MB at 100k files). ``members`` always answers a bitset; ``loads`` tests one position
    without building it."""

    label: str  # "app/main.py", "pytest (tests/)", "alembic (migrations/env.py)"
    entries: list[str]
    is_program: bool
    main: str | None  # the file that runs as `__main__`: its `if __name__ == "__main__":` block runs
    # Modules its application factories import once called (`create_app()` importing the models),
    # in the order they load: after the entries' own imports (see inventory/processes.py).
    started: list[str]

    def __init__(self, label: str, entries: list[str], members: int | array = 0, is_program: bool = True,
                 main: str | None = None, started: list[str] | None = None):
        self.label, self.entries, self.is_program, self.main = label, entries, is_program, main
        self.started = started if started is not None else []
        self._members = members

    @property
    def members(self) -> int:
        return as_bits(self._members)

    @members.setter
    def members(self, bits: int) -> None:
        self._members = bits

    @property
    def compact(self) -> int | array:
        """The members as kept: a bitset, or the sorted array of positions."""
        return self._members

    def loads(self, i: int) -> bool:
        """Whether the module at position ``i`` is loaded."""
        found = self._members
        if isinstance(found, int):
            return bool(found >> i & 1)
        k = bisect_left(found, i)
        return k < len(found) and found[k] == i

    def positions(self, mask: int = -1, wanted: set[int] | None = None) -> list[int]:
        """The positions loaded that are in ``mask`` (a bitset; ``wanted`` is the same set of
        positions, for the array form), ascending."""
        found = self._members
        if isinstance(found, int):
            return bit_indices(found & mask)
        return [i for i in found if i in wanted] if wanted is not None else list(found)

    def meets(self, mask: int, wanted: set[int]) -> bool:
        """Whether a module of ``mask`` (a bitset; ``wanted`` is the same set of positions) is
        loaded: the array form is tested position by position, never turned into a bitset
        over the whole tree."""
        found = self._members
        if isinstance(found, int):
            return bool(found & mask)
        return any(i in wanted for i in found)

    def runs(self, graph: "ImportGraph", path: str, main_only: bool = False) -> bool:
        """Whether this process runs a definition of ``path``; one under the file's
        `if __name__ == "__main__":` block runs only where the file is the script."""
        if main_only:
            return self.main == path
        i = graph.index.get(path)
        return i is not None and self.loads(i)


@dataclass
class ImportGraph:
    nodes: list[str]
    edges: list[Edge]
    index: dict[str, int] = field(default_factory=dict)
    out: dict[str, list[Edge]] = field(default_factory=dict)
    importers: dict[str, list[Edge]] = field(default_factory=dict)
    component: list[int] = field(default_factory=list)  # strongly connected component of each node
    processes: list[Process] = field(default_factory=list)
    # Generated modules (reflection snapshots) and the evidence: "its sqlacodegen header".
    generated: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        self.index = {n: i for i, n in enumerate(self.nodes)}
        for edge in self.edges:
            self.out.setdefault(edge.source, []).append(edge)
            if edge.context == MODULE:
                self.importers.setdefault(edge.target, []).append(edge)
        self._adjacency = _load_adjacency(self.nodes, self.index, self.out)
        self._components, self.component = _tarjan(self._adjacency)
        self._reach = _root_closures(self._components, self.component, self._adjacency)
        self._orders: dict[int, tuple[Process, list[str], list[str]]] = {}

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
        """The modules loading ``path`` loads, as a bitset over ``nodes``."""
        return as_bits(self.compact_closure(path))

    def compact_closure(self, path: str) -> int | array:
        """``closure``, or the sorted array of its positions when the root keeps it that way
        (the same object, shared: a process started there holds no copy)."""
        i = self.index.get(path)
        if i is None:
            return 0
        component = self.component[i]
        found = self._reach.get(component)
        if found is None:
            found = self._reach[component] = self._search(component)
        return found

    def forget_closures(self) -> None:
        """Drop the closures computed so far (one bitset over every module per root: the
        memory that grows fastest with the tree); ``closure`` searches again when asked."""
        self._reach = {}

    def _search(self, component: int) -> int:
        seen, stack = {component}, [component]
        members: list[int] = []
        while stack:
            current = stack.pop()
            for v in self._components[current]:
                members.append(v)
                for w in self._adjacency[v]:
                    if self.component[w] not in seen:
                        seen.add(self.component[w])
                        stack.append(self.component[w])
        return bits_of(members, len(self.nodes))

    def contains(self, bits: int, path: str) -> bool:
        i = self.index.get(path)
        return i is not None and bool(bits >> i & 1)

    def members(self, bits: int) -> list[str]:
        return [self.nodes[i] for i in bit_indices(bits)]

    def by_member(self, processes: list[Process], mask: int = -1) -> dict[int, list[Process]]:
        """Node index → the ``processes`` (in their order) that load it, for the nodes of
        ``mask``: one pass over the processes instead of one membership test per pair."""
        found: dict[int, list[Process]] = {}
        wanted = None if mask == -1 else set(bit_indices(mask))
        for process in processes:
            for i in process.positions(mask, wanted):
                found.setdefault(i, []).append(process)
        return found

    def loaders(self, *paths: str) -> list[Process]:
        """The processes that load every one of ``paths``."""
        positions = [self.index.get(x) for x in paths]
        if None in positions:
            return []
        return [p for p in self.processes if all(p.loads(i) for i in positions)]

    def load_order(self, process: Process) -> list[str]:
        """Depth-first, in source order: the order Python runs the modules' bodies. Walked
        once per process: every duplicate a process loads asks for the same order."""
        known = self._orders.get(id(process))
        if known is not None and known[0] is process and known[1] == process.entries + process.started:
            return list(known[2])
        seen: set[str] = set()
        order: list[str] = []
        for entry in process.entries + process.started:
            if entry not in seen:
                self._visit(entry, seen, order)
        self._orders[id(process)] = (process, process.entries + process.started, order)
        return list(order)

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


_NONZERO = re.compile(rb"[^\x00]")
_BITS_OF_BYTE = [tuple(b for b in range(8) if byte >> b & 1) for byte in range(256)]


def bit_indices(bits: int) -> list[int]:
    """The positions of the set bits, ascending. The scan for non-zero bytes runs in C, so a
    sparse set over many modules costs its size, not the number of modules."""
    if bits <= 0:
        return []
    data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    found: list[int] = []
    for match in _NONZERO.finditer(data):
        start = match.start()
        base = start << 3
        found.extend(base + b for b in _BITS_OF_BYTE[data[start]])
    return found


def bits_of(indices: list[int], size: int) -> int:
    """The bitset of ``indices``: built as bytes, not by one big-integer OR per index."""
    data = bytearray((size + 7) // 8)
    for i in indices:
        data[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(data, "little")


def as_bits(members: int | array) -> int:
    """A bitset, or the sorted positions a root keeps instead, as a bitset (no larger than its
    highest position)."""
    if isinstance(members, int):
        return members
    return bits_of(members, members[-1] + 1) if members else 0


def _load_adjacency(nodes: list[str], index: dict[str, int], out: dict[str, list[Edge]]) -> list[list[int]]:
    return [[index[e.target] for e in out.get(n, ()) if e.context == MODULE and e.target in index] for n in nodes]


# A closure of at most max(FEW, modules // FEW_SHARE) modules is kept as a set of positions
# while the closures are built: a root loading a few hundred modules of a large tree is then
# never a bitset over the whole tree that must be scanned back into positions (that scan, once
# per root, was quadratic: 5 s of a 100k-file run, 0.8 s now). Above the limit a set would cost
# more memory than the bitset.
FEW = 64
FEW_SHARE = 256


def _root_closures(components: list[list[int]], comp_of: list[int],
                   adjacency: list[list[int]]) -> dict[int, int | array]:
    """The closure of every component nothing else imports (where processes start), as a
    bitset, or as an array of positions when that is smaller (a test or a script importing a few
    modules of a large tree). Each other component's closure lives only until the last
    component importing it has used it; a small one is a set of positions, a large one a bitset."""
    children: list[set[int]] = []
    importers = [0] * len(components)
    for c, members in enumerate(components):
        found = {comp_of[w] for v in members for w in adjacency[v]}
        found.discard(c)
        children.append(found)
        for child in found:
            importers[child] += 1
    waiting = list(importers)
    live: dict[int, int | frozenset | array] = {}
    few_max = max(FEW, len(comp_of) // FEW_SHARE)
    for c, members in enumerate(components):  # Tarjan yields sinks first: children are done
        few = set(members)
        bits = 0
        for child in children[c]:
            closure = live[child]
            if isinstance(closure, int):
                bits |= closure
            else:
                few |= closure
            waiting[child] -= 1
            if not waiting[child]:
                del live[child]
        if not bits and len(few) <= few_max:
            live[c] = frozenset(few) if importers[c] else array("I", sorted(few))  # a root's is final
            continue
        bits |= bits_of(few, max(few) + 1)
        live[c] = bits
        if not importers[c] and bits.bit_count() * 32 < bits.bit_length():
            live[c] = array("I", bit_indices(bits))  # a root loading few modules: their positions
    return {c: found for c, found in live.items() if not importers[c]}


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

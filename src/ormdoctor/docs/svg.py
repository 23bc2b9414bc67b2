"""An ER diagram drawn as inline SVG, in Python: no JavaScript, no network, same output every run.

Layout: tables that others reference sit above the tables that reference them (layers by the
longest foreign-key path, cycles broken), each layer ordered to put tables under their parents
(barycentre sweeps) and wrapped to keep the picture roughly square; tables with no relation are
packed at the bottom. Lines are curves from box edge to box edge with crow's-foot ends: a fork
for "many", a bar for "one", a circle for "zero".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

from ormdoctor.docs.mermaid import key_markers, short_type
from ormdoctor.docs.model import MANY_TO_MANY, ONE_TO_ONE, Diagram, Edge, SchemaDoc

CHAR = 7.3  # advance of a 12px monospace glyph
TITLE_CHAR = 8.0  # 13px bold
ROW_H = 18
HEAD_H = 26
PAD = 8
GAP_X = 56
GAP_Y = 90
MARGIN = 32
MAX_ROWS = 40


@dataclass
class Box:
    id: str
    title: str
    anchor: str
    rows: list[tuple[str, str, str]]  # (markers, name, type)
    stub: bool = False
    more: int = 0  # columns left out
    mark_w: float = 0.0
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0
    row: int = 0
    ports: dict = field(default_factory=dict)


def render_svg(schema: SchemaDoc, diagram: Diagram) -> str:
    boxes = {i: _box(schema, i, False) for i in diagram.entities}
    boxes.update({i: _box(schema, i, True) for i in diagram.stubs})
    edges = [e for e in diagram.edges if e.parent in boxes and e.child in boxes]
    width, height = _layout(boxes, edges)
    routes = _route(boxes, edges)
    label = f"Entity relationship diagram: {len(diagram.entities)} tables"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="er" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{escape(label)}">',
           f"<title>{escape(label)}</title>", _STYLE]
    out.append('<g class="edges">')
    for edge, route in zip(edges, routes):
        out.append(_edge(schema, edge, route))
    out.append("</g>")
    out.append('<g class="entities">')
    for box in sorted(boxes.values(), key=lambda b: (b.y, b.x)):
        out.append(_draw_box(box))
    out.append("</g></svg>")
    return "\n".join(out)


_STYLE = """<style>
.er text{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12px;
fill:#1f2933}
.er .box{fill:#fff;stroke:#5b6b82;stroke-width:1.2}
.er .stub .box{fill:#f5f7fa;stroke-dasharray:5 3}
.er .head{fill:#2f4a70}
.er .title{font-size:13px;font-weight:700;fill:#fff}
.er .stub .title{fill:#2f4a70}
.er .alt{fill:#f1f4f8}
.er .mark{font-size:10px;font-weight:700;fill:#9a5b00}
.er .type{fill:#66768a}
.er .more{fill:#66768a;font-style:italic}
.er .edge{fill:none;stroke:#4b5d78;stroke-width:1.4}
.er .m2m{stroke-dasharray:6 4}
.er .end{fill:none;stroke:#4b5d78;stroke-width:1.4}
.er .ring{fill:#fff;stroke:#4b5d78;stroke-width:1.4}
.er a:hover .box{stroke:#d9822b;stroke-width:2}
</style>"""


# Boxes ---------------------------------------------------------------------------------------
def _box(schema: SchemaDoc, table_id: str, stub: bool) -> Box:
    table = schema.by_id[table_id]
    rows = [] if stub else [(" ".join(key_markers(table, c)), c.name, short_type(c.type) or "?") for c in table.columns]
    more = max(0, len(rows) - MAX_ROWS)
    rows = rows[:MAX_ROWS] if more else rows
    box = Box(table_id, table.key, table.anchor, rows, stub, more)
    mark_w = max((len(m) for m, _, _ in rows), default=0) * CHAR
    name_w = max((len(n) for _, n, _ in rows), default=0) * CHAR
    type_w = max((len(t) for _, _, t in rows), default=0) * CHAR
    body_w = (mark_w + 8 if mark_w else 0) + name_w + (24 + type_w if rows else 0)
    box.w = max(120.0, len(table.key) * TITLE_CHAR + 2 * PAD, body_w + 2 * PAD)
    box.h = HEAD_H + (len(rows) + (1 if more else 0)) * ROW_H + (6 if rows else 0)
    box.mark_w = mark_w
    return box


def _draw_box(box: Box) -> str:
    x, y, w = box.x, box.y, box.w
    cls = "entity stub" if box.stub else "entity"
    parts = [f'<g class="{cls}"><a href="#{escape(box.anchor)}">',
             f'<title>{escape(box.title)}</title>',
             f'<rect class="box" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{box.h:.1f}" rx="4"/>']
    if not box.stub:
        parts.append(f'<path class="head" d="M{x:.1f},{y + HEAD_H:.1f}V{y + 4:.1f}q0,-4 4,-4H{x + w - 4:.1f}'
                     f'q4,0 4,4V{y + HEAD_H:.1f}Z"/>')
    parts.append(f'<text class="title" x="{x + PAD:.1f}" y="{y + 17:.1f}">{escape(box.title)}</text>')
    mark_w = box.mark_w
    for i, (marks, name, type_) in enumerate(box.rows):
        top = y + HEAD_H + i * ROW_H
        if i % 2:
            parts.append(f'<rect class="alt" x="{x + 1:.1f}" y="{top + 3:.1f}" width="{w - 2:.1f}" height="{ROW_H}"/>')
        base = top + 16
        if marks:
            parts.append(f'<text class="mark" x="{x + PAD:.1f}" y="{base:.1f}">{escape(marks)}</text>')
        name_x = x + PAD + (mark_w + 8 if mark_w else 0)
        parts.append(f'<text x="{name_x:.1f}" y="{base:.1f}">{escape(name)}</text>')
        parts.append(f'<text class="type" x="{x + w - PAD:.1f}" y="{base:.1f}" text-anchor="end">'
                     f'{escape(type_)}</text>')
    if box.more:
        base = y + HEAD_H + len(box.rows) * ROW_H + 16
        parts.append(f'<text class="more" x="{x + PAD:.1f}" y="{base:.1f}">… {box.more} more columns</text>')
    parts.append("</a></g>")
    return "".join(parts)


# Layout --------------------------------------------------------------------------------------
def _layout(boxes: dict[str, Box], edges: list[Edge]) -> tuple[float, float]:
    nodes = sorted(boxes, key=lambda i: (boxes[i].title, i))
    pairs = sorted({(e.parent, e.child) for e in edges if e.parent != e.child})
    linked = {n for pair in pairs for n in pair}
    rank = _ranks([n for n in nodes if n in linked], pairs)
    layers: dict[int, list[str]] = {}
    for node in nodes:
        if node in linked:
            layers.setdefault(rank[node], []).append(node)
    ordered = _order([layers[r] for r in sorted(layers)], pairs)
    area = sum((b.w + GAP_X) * (b.h + GAP_Y) for b in boxes.values())
    limit = max(1300.0, math.sqrt(area) * 1.5)
    rows: list[list[str]] = []
    for layer in ordered:
        rows += _wrap(layer, boxes, limit)
    rows += _wrap([n for n in nodes if n not in linked], boxes, limit)
    width = max((_row_width(r, boxes) for r in rows), default=0.0)
    y = MARGIN
    for index, row in enumerate(rows):
        x = MARGIN + (width - _row_width(row, boxes)) / 2
        for node in row:
            box = boxes[node]
            box.x, box.y, box.row = x, y, index
            x += box.w + GAP_X
        y += max(boxes[n].h for n in row) + GAP_Y
    return width + 2 * MARGIN + 40, y - GAP_Y + MARGIN


def _row_width(row: list[str], boxes: dict[str, Box]) -> float:
    return sum(boxes[n].w for n in row) + GAP_X * (len(row) - 1)


def _wrap(layer: list[str], boxes: dict[str, Box], limit: float) -> list[list[str]]:
    rows, current, width = [], [], 0.0
    for node in layer:
        w = boxes[node].w
        if current and width + GAP_X + w > limit:
            rows.append(current)
            current, width = [], 0.0
        width += (GAP_X if current else 0) + w
        current.append(node)
    if current:
        rows.append(current)
    return rows


def _ranks(nodes: list[str], pairs: list[tuple[str, str]]) -> dict[str, int]:
    """Longest path from the tables nobody references; edges that close a cycle are ignored."""
    parents: dict[str, list[str]] = {n: [] for n in nodes}
    for parent, child in pairs:
        parents[child].append(parent)
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()
    for start in nodes:
        if start in state:
            continue
        state[start] = 1
        stack = [(start, iter(sorted(parents[start])))]
        while stack:
            node, pending = stack[-1]
            nxt = next(pending, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                back.add((nxt, node))
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(sorted(parents[nxt]))))
    kept = [(p, c) for p, c in pairs if (p, c) not in back]
    children: dict[str, list[str]] = {n: [] for n in nodes}
    indegree = {n: 0 for n in nodes}
    for parent, child in kept:
        children[parent].append(child)
        indegree[child] += 1
    rank = {n: 0 for n in nodes}
    queue = [n for n in nodes if indegree[n] == 0]
    while queue:
        node = queue.pop()
        for child in children[node]:
            rank[child] = max(rank[child], rank[node] + 1)
            indegree[child] -= 1
            if indegree[child] == 0:
                queue.append(child)
    return rank


def _order(layers: list[list[str]], pairs: list[tuple[str, str]]) -> list[list[str]]:
    """Barycentre sweeps: each table moves towards the mean place of its neighbours."""
    neighbours: dict[str, set[str]] = {}
    for a, b in pairs:
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    level = {n: i for i, layer in enumerate(layers) for n in layer}
    layers = [list(layer) for layer in layers]
    for sweep in range(8):
        down = sweep % 2 == 0
        place = {n: (i + 0.5) / len(layer) for layer in layers for i, n in enumerate(layer)}
        for index in (range(1, len(layers)) if down else range(len(layers) - 2, -1, -1)):
            layer = layers[index]

            def key(node, layer=layer, index=index):
                near = [place[m] for m in neighbours.get(node, ())
                        if (level[m] < index if down else level[m] > index)]
                return (sum(near) / len(near)) if near else place[node]

            layer.sort(key=key)
            place.update({n: (i + 0.5) / len(layer) for i, n in enumerate(layer)})
    return layers


# Edges ---------------------------------------------------------------------------------------
@dataclass
class Route:
    start: tuple[float, float]
    start_normal: tuple[float, float]
    end: tuple[float, float]
    end_normal: tuple[float, float]
    self_loop: bool = False


def _sides(parent: Box, child: Box) -> tuple[str, str]:
    if parent.row < child.row:
        return "bottom", "top"
    if parent.row > child.row:
        return "top", "bottom"
    return ("right", "left") if parent.x < child.x else ("left", "right")


def _route(boxes: dict[str, Box], edges: list[Edge]) -> list[Route]:
    attach: dict[tuple[str, str], list[tuple[float, int, str]]] = {}
    plan = []
    for index, edge in enumerate(edges):
        parent, child = boxes[edge.parent], boxes[edge.child]
        if parent is child:
            plan.append(None)
            continue
        a, b = _sides(parent, child)
        attach.setdefault((parent.id, a), []).append((_centre(child, a), index, "parent"))
        attach.setdefault((child.id, b), []).append((_centre(parent, b), index, "child"))
        plan.append((a, b))
    points: dict[tuple[int, str], tuple[tuple[float, float], tuple[float, float]]] = {}
    for (box_id, side), items in attach.items():
        box = boxes[box_id]
        items.sort()
        for k, (_, index, role) in enumerate(items):
            points[(index, role)] = _port(box, side, (k + 1) / (len(items) + 1))
    routes = []
    loops: dict[str, int] = {}
    for index, edge in enumerate(edges):
        if plan[index] is None:
            box = boxes[edge.parent]
            n = loops.get(box.id, 0)
            loops[box.id] = n + 1
            top = box.y + HEAD_H / 2 + n * 10
            right = box.x + box.w
            routes.append(Route((right, top), (1, 0), (right, top + 44), (1, 0), True))
            continue
        start, start_normal = points[(index, "parent")]
        end, end_normal = points[(index, "child")]
        routes.append(Route(start, start_normal, end, end_normal))
    return routes


def _centre(box: Box, side: str) -> float:
    return box.y + box.h / 2 if side in ("left", "right") else box.x + box.w / 2


def _port(box: Box, side: str, share: float):
    if side == "top":
        return (box.x + box.w * share, box.y), (0.0, -1.0)
    if side == "bottom":
        return (box.x + box.w * share, box.y + box.h), (0.0, 1.0)
    y = box.y + min(box.h - 6, HEAD_H / 2 + (box.h - HEAD_H / 2) * share * 0.9)
    if side == "left":
        return (box.x, y), (-1.0, 0.0)
    return (box.x + box.w, y), (1.0, 0.0)


def _edge(schema: SchemaDoc, edge: Edge, route: Route) -> str:
    (x1, y1), (nx1, ny1) = route.start, route.start_normal
    (x2, y2), (nx2, ny2) = route.end, route.end_normal
    reach = 80.0 if route.self_loop else max(36.0, math.hypot(x2 - x1, y2 - y1) / 2.5)
    d = (f"M{x1:.1f},{y1:.1f}C{x1 + nx1 * reach:.1f},{y1 + ny1 * reach:.1f} "
         f"{x2 + nx2 * reach:.1f},{y2 + ny2 * reach:.1f} {x2:.1f},{y2:.1f}")
    cls = "edge m2m" if edge.kind == MANY_TO_MANY else "edge"
    if edge.kind == MANY_TO_MANY:
        start_end, finish_end = "many", "many"
    else:
        start_end = "zero-one" if edge.optional else "one"
        finish_end = "zero-one" if edge.kind == ONE_TO_ONE else "many"
    return (f'<g><title>{escape(edge.detail)}</title><path class="{cls}" d="{d}"/>'
            f"{_end(route.start, route.start_normal, start_end)}{_end(route.end, route.end_normal, finish_end)}</g>")


def _end(point, normal, kind: str) -> str:
    (x, y), (nx, ny) = point, normal
    tx, ty = -ny, nx

    def at(distance, spread=0.0):
        return x + nx * distance + tx * spread, y + ny * distance + ty * spread

    def bar(distance):
        (ax, ay), (bx, by) = at(distance, 6), at(distance, -6)
        return f"M{ax:.1f},{ay:.1f}L{bx:.1f},{by:.1f}"

    def ring(distance):
        cx, cy = at(distance)
        return f'<circle class="ring" cx="{cx:.1f}" cy="{cy:.1f}" r="4"/>'

    if kind == "one":
        return f'<path class="end" d="{bar(8)}{bar(13)}"/>'
    if kind == "zero-one":
        return f'<path class="end" d="{bar(8)}"/>{ring(17)}'
    (fx, fy) = at(13)
    prongs = "".join(f"M{fx:.1f},{fy:.1f}L{px:.1f},{py:.1f}" for px, py in (at(0, 7), at(0, 0), at(0, -7)))
    return f'<path class="end" d="{prongs}"/>{ring(19)}'

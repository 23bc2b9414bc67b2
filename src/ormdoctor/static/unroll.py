"""Module-level loops over literal values, read once per value.

JupyterHub defines its association tables in a loop::

    for entity in ("user", "group", "service"):
        table = Table(f"{entity}_role_map", Base.metadata, Column(f"{entity}_id", ForeignKey(f"{entity}s.id")))

Read as written, the table has no name ormdoctor can know, and every `secondary="user_role_map"`
looks like a missing table. A loop over a literal tuple or list of constants, at module level,
runs its body once per item with the loop variable bound to it: each copy of the body is read
with the variable replaced by its value, and f-strings and `+` made only of constant strings
folded into strings. Anything else (a computed iterable, a `break`, the variable assigned in the body) is
read as before.
"""

from __future__ import annotations

import ast
import copy

MAX_ITEMS = 64  # a longer literal is data, not a list of definitions


def unrolled(loop: ast.For) -> list[list[ast.stmt]] | None:
    """The loop's body once per item, with the loop variables replaced by their values; None
    when the loop is not one of literal values."""
    names = _target_names(loop.target)
    items = _literal_items(loop.iter)
    if names is None or items is None or loop.orelse or not _plain_body(loop.body, set(names)):
        return None
    bodies = []
    for item in items:
        values = (item,) if not isinstance(loop.target, ast.Tuple) else item
        if not isinstance(values, tuple) or len(values) != len(names):
            return None
        bound = _Substitute(dict(zip(names, values)))
        bodies.append([bound.visit(copy.deepcopy(stmt)) for stmt in loop.body])
    return bodies


def _target_names(target: ast.expr) -> list[str] | None:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple) and all(isinstance(e, ast.Name) for e in target.elts):
        return [e.id for e in target.elts]
    return None


def _literal_items(node: ast.expr) -> list | None:
    if not isinstance(node, (ast.Tuple, ast.List)) or not node.elts or len(node.elts) > MAX_ITEMS:
        return None
    try:
        items = [ast.literal_eval(element) for element in node.elts]
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    plain = (str, int, float, bool, type(None))
    if all(isinstance(i, plain) or isinstance(i, tuple) and all(isinstance(x, plain) for x in i) for i in items):
        return items
    return None


def _plain_body(body: list[ast.stmt], names: set[str]) -> bool:
    """No `break`/`continue` (each item would not run the whole body) and no new binding of the
    loop variables (the value would not be the item's)."""
    for node in (n for stmt in body for n in ast.walk(stmt)):
        if isinstance(node, (ast.Break, ast.Continue)):
            return False
        if isinstance(node, ast.Name) and node.id in names and not isinstance(node.ctx, ast.Load):
            return False
    return True


class _Substitute(ast.NodeTransformer):
    def __init__(self, values: dict[str, object]):
        self.values = values

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if isinstance(node.ctx, ast.Load) and node.id in self.values:
            return ast.copy_location(ast.Constant(self.values[node.id]), node)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        """`target + ".id"`: two strings joined."""
        self.generic_visit(node)
        left, right = node.left, node.right
        if isinstance(node.op, ast.Add) and isinstance(left, ast.Constant) and isinstance(right, ast.Constant) \
                and isinstance(left.value, str) and isinstance(right.value, str):
            return ast.copy_location(ast.Constant(left.value + right.value), node)
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        self.generic_visit(node)
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            elif isinstance(value, ast.FormattedValue) and value.format_spec is None and value.conversion in (-1, 115) \
                    and isinstance(value.value, ast.Constant) and isinstance(value.value.value, (str, int)):
                parts.append(str(value.value.value))
            else:
                return node
        return ast.copy_location(ast.Constant("".join(parts)), node)

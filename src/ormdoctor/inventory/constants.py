"""Evaluate the small expressions people build table names from: module constants, ``+``, f-strings."""

from __future__ import annotations

import ast


def evaluate(expression: str | None, constants: dict[str, object]):
    if not expression:
        return None
    try:
        node = ast.parse(expression, mode="eval").body
    except SyntaxError:
        return None
    return _value(node, constants)


def _value(node, constants):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _value(node.left, constants), _value(node.right, constants)
        return left + right if isinstance(left, str) and isinstance(right, str) else None
    if isinstance(node, ast.JoinedStr):
        parts = []
        for part in node.values:
            value = _value(part.value if isinstance(part, ast.FormattedValue) else part, constants)
            if not isinstance(value, str):
                return None
            parts.append(value)
        return "".join(parts)
    return None

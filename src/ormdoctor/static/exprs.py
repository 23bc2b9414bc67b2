"""Small helpers to read AST expressions as the names and literals written in source."""

from __future__ import annotations

import ast
import re

from ormdoctor.static.facts import Pos


def pos(node: ast.AST) -> Pos:
    return Pos(getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1)


def dotted(node: ast.AST | None) -> str | None:
    """``a.b.c`` → "a.b.c"; a subscript keeps its base (``Mapped[int]`` → "Mapped")."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, ast.Call):
        base = dotted(node.func)
        return f"{base}()" if base else None
    return None


def last_part(name: str | None) -> str | None:
    return name.rsplit(".", 1)[-1] if name else None


def callee(node: ast.AST) -> str | None:
    return dotted(node.func) if isinstance(node, ast.Call) else None


def callee_tail(node: ast.AST) -> str | None:
    return last_part(callee(node))


# Nodes literal_eval always rejects (a Call can be `set()`): answered without raising an exception.
_NEVER_LITERAL = (ast.Name, ast.Attribute, ast.Lambda, ast.Subscript, ast.JoinedStr, ast.Compare,
                  ast.BoolOp, ast.IfExp, ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp, ast.Starred)


def literal(node: ast.AST | None):
    """The Python value of a literal expression, else None."""
    if node is None:
        return None
    if isinstance(node, ast.Constant):  # what literal_eval returns for one, without its overhead
        return node.value
    if isinstance(node, _NEVER_LITERAL):
        return None
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def string(node: ast.AST | None) -> str | None:
    value = literal(node)
    return value if isinstance(value, str) else None


def truthy_kw(call: ast.Call, name: str) -> bool:
    value = keyword(call, name)
    return literal(value) is True if value is not None else False


def keyword(call: ast.Call, name: str) -> ast.AST | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def source_text(node: ast.AST | None) -> str | None:
    if node is None:
        return None
    simple = _simple_text(node)
    if simple is not None:
        return simple
    try:
        return ast.unparse(node)
    except Exception:  # pragma: no cover - unparse handles every node the parser makes
        return None


_PLAIN_STRING = re.compile(r"[\w .:/-]*", re.ASCII)


def _simple_text(node: ast.AST, depth: int = 0) -> str | None:
    """``ast.unparse``'s exact text for the shapes most column types take (``Integer``,
    ``sa.String(50)``, ``DateTime(timezone=True)``), or None. unparse is a Python-level visitor;
    a cold run reads tens of thousands of column types."""
    kind = type(node)
    if kind is ast.Name:
        return node.id
    if kind is ast.Attribute:
        if type(node.value) not in (ast.Name, ast.Attribute):
            return None
        base = _simple_text(node.value, depth)
        return f"{base}.{node.attr}" if base is not None else None
    if kind is ast.Constant:
        value = node.value
        if value is None or type(value) in (bool, int):
            return repr(value)
        if type(value) is str and _PLAIN_STRING.fullmatch(value):
            return repr(value)
        return None
    if kind is ast.Call and depth == 0 and type(node.func) in (ast.Name, ast.Attribute):
        parts = []
        for arg in node.args:
            text = _simple_text(arg, 1)
            if text is None:
                return None
            parts.append(text)
        for kw in node.keywords:
            text = _simple_text(kw.value, 1) if kw.arg is not None else None
            if text is None:
                return None
            parts.append(f"{kw.arg}={text}")
        func = _simple_text(node.func)
        return f"{func}({', '.join(parts)})" if func is not None else None
    return None


def is_type_checking_test(test: ast.AST) -> bool:
    name = dotted(test)
    return name in {"TYPE_CHECKING", "typing.TYPE_CHECKING", "t.TYPE_CHECKING"}


def convention_dict(node: ast.AST | None) -> dict[str, str] | None:
    """A naming-convention dict literal: its string templates. Entries whose value is not a
    string (custom tokens: `"column_names": _column_names`) are left out, so a template that uses
    them has an unknown token and no predictable name."""
    if not isinstance(node, ast.Dict) or not all(isinstance(string(k), str) for k in node.keys):
        return str_dict(node)
    return {string(k): string(v) for k, v in zip(node.keys, node.values) if string(v) is not None}


CONVENTION_KEYS = {"ix", "uq", "ck", "fk", "pk"}


def str_dict(node: ast.AST | None) -> dict[str, str] | None:
    value = literal(node)
    if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return value
    return None


def is_simple_function(func: ast.FunctionDef) -> bool:
    """A helper small and plain enough for the inventory to interpret (a snake-case table-name
    recipe): a docstring, `x = expr` lines, and a final `return`."""
    body = func.body
    return len(body) <= 8 and isinstance(body[-1], ast.Return) and all(
        isinstance(s, ast.Return) or isinstance(s, ast.Assign) and len(s.targets) == 1
        and isinstance(s.targets[0], ast.Name) or isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
        for s in body)


# Keys of a `__table_args__` dict that change which table it is, or whether it is one again.
_IDENTITY_OPTIONS = ("schema", "extend_existing", "keep_existing")


def returns_engine_options_only(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether every `return` of ``func`` (its own, not those of functions inside it) gives None
    or a dict literal of plain string keys naming no schema (`{"mysql_engine": "InnoDB"}`): a
    `__table_args__` helper that picks engine options (solum's `table_args()`)."""
    if isinstance(func, ast.AsyncFunctionDef):
        return False
    returns, pending = [], list(func.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return False
        if isinstance(node, ast.Return):
            returns.append(node.value)
        pending.extend(ast.iter_child_nodes(node))
    return bool(returns) and all(_no_table_identity(value) for value in returns)


def _no_table_identity(value: ast.AST | None) -> bool:
    if value is None or isinstance(value, ast.Constant) and value.value is None:
        return True
    return isinstance(value, ast.Dict) and all(
        isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value not in _IDENTITY_OPTIONS
        for key in value.keys)

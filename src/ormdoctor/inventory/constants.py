"""Evaluate the small expressions people build table names from, exactly or not at all.

Module constants (imported ones too), ``+``, ``%``, ``.format()``, f-strings, ``cls.__name__``
and the string methods and ``re`` calls of a snake-case helper (a replacement lambda too:
``re.sub("([A-Z]+)", lambda m: "_" + m.group(0).lower(), name)``; also through a compiled
pattern: ``CAMEL_TO_SNAKE.sub("_", cls.__name__)``) (dispatch's ``resolve_table_name``:
``re.split("(?=[A-Z])", name)`` then ``"_".join(x.lower() for x in names if x)``). This is an
interpreter for a closed set of pure string operations, never project code being run: anything
outside the set makes the whole value unknown (None), because a wrong table name is worse than
none (every string foreign key to it would turn into a false ORM303).
"""

from __future__ import annotations

import ast
import re
from typing import Callable

STR_METHODS = {"lower", "upper", "strip", "lstrip", "rstrip", "replace", "title", "capitalize", "split",
               "join", "format", "casefold", "removeprefix", "removesuffix", "swapcase"}
RE_FUNCTIONS = {"sub": re.sub, "split": re.split, "findall": re.findall}
MAX_DEPTH = 8
MAX_ITEMS = 200

# name → source of a small module-level function (``def helper(name): ...``), or None
FunctionLookup = Callable[[str], "str | None"]


class Unknown(Exception):
    """The expression leaves the closed set: its value is not known exactly."""


def evaluate(expression: str | None, constants, class_name: str | None = None,
             functions: FunctionLookup | None = None, patterns: FunctionLookup | None = None):
    """The value of ``expression`` (source text), or None when it cannot be known exactly.
    ``constants``: anything with ``get(name)`` (a dict, or a lookup that follows imports);
    ``patterns(name)``: the text of a module-level ``re.compile("...")`` bound to ``name``."""
    if not expression:
        return None
    try:
        node = ast.parse(expression, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    try:
        value = _Interpreter(constants, class_name, functions or (lambda name: None),
                             patterns or (lambda name: None)).value(node, {}, 0)
    except (Unknown, re.error, TypeError, ValueError, IndexError, RecursionError):
        return None
    return value if isinstance(value, str) else None


class _Interpreter:
    def __init__(self, constants, class_name, functions: FunctionLookup, patterns: FunctionLookup):
        self.constants = constants
        self.class_name = class_name
        self.functions = functions
        self.patterns = patterns

    def value(self, node, env: dict, depth: int):
        if depth > MAX_DEPTH:
            raise Unknown
        handler = getattr(self, f"_{type(node).__name__}", None)
        if handler is None:
            raise Unknown
        return handler(node, env, depth)

    def _Constant(self, node, env, depth):
        if isinstance(node.value, (str, int)) and not isinstance(node.value, bool) or node.value is None:
            return node.value
        raise Unknown

    def _Name(self, node, env, depth):
        if node.id in env:
            return env[node.id]
        found = self.constants.get(node.id)
        if isinstance(found, str):
            return found
        raise Unknown

    def _Attribute(self, node, env, depth):
        if node.attr == "__name__" and isinstance(node.value, ast.Name) and node.value.id == "cls" \
                and self.class_name is not None:
            return self.class_name
        raise Unknown

    def _BinOp(self, node, env, depth):
        left, right = self.value(node.left, env, depth), self.value(node.right, env, depth)
        if isinstance(node.op, ast.Add) and type(left) is type(right) and isinstance(left, (str, list)):
            return left + right
        if isinstance(node.op, ast.Mod) and isinstance(left, str) and isinstance(right, (str, tuple)):
            return left % right
        raise Unknown

    def _JoinedStr(self, node, env, depth):
        parts = []
        for part in node.values:
            value = self.value(part.value if isinstance(part, ast.FormattedValue) else part, env, depth)
            if not isinstance(value, str) or isinstance(part, ast.FormattedValue) and part.format_spec is not None:
                raise Unknown
            parts.append(value)
        return "".join(parts)

    def _List(self, node, env, depth):
        return [self.value(e, env, depth) for e in node.elts]

    def _Tuple(self, node, env, depth):
        return tuple(self.value(e, env, depth) for e in node.elts)

    def _Subscript(self, node, env, depth):
        target = self.value(node.value, env, depth)
        index = node.slice
        if isinstance(index, ast.Slice):
            bounds = [self.value(b, env, depth) if b is not None else None for b in (index.lower, index.upper, index.step)]
            if all(b is None or isinstance(b, int) for b in bounds) and isinstance(target, (str, list)):
                return target[slice(*bounds)]
            raise Unknown
        key = self.value(index, env, depth)
        if isinstance(key, int) and isinstance(target, (str, list, tuple, re.Match)):
            return target[key]
        raise Unknown

    def _ListComp(self, node, env, depth):
        if len(node.generators) != 1 or not isinstance(node.generators[0].target, ast.Name):
            raise Unknown
        generator = node.generators[0]
        items = self.value(generator.iter, env, depth)
        if not isinstance(items, (list, tuple, str)) or len(items) > MAX_ITEMS:
            raise Unknown
        out = []
        for item in items:
            inner = {**env, generator.target.id: item}
            if all(self.value(test, inner, depth) for test in generator.ifs):
                out.append(self.value(node.elt, inner, depth))
        return out

    _GeneratorExp = _ListComp

    def _Lambda(self, node, env, depth):
        """`lambda m: "_" + m.group(0).lower()`, the replacement a `re.sub` calls for each match
        (koschei's table names): a function whose body this interpreter evaluates, on the match."""
        arguments = node.args
        if len(arguments.args) != 1 or arguments.posonlyargs or arguments.vararg or arguments.kwonlyargs \
                or arguments.kwarg or arguments.defaults:
            raise Unknown
        name = arguments.args[0].arg

        def replacement(match):
            value = self.value(node.body, {**env, name: match}, depth + 1)
            if not isinstance(value, str):
                raise Unknown
            return value
        return replacement

    def _Call(self, node, env, depth):
        if node.keywords and not all(k.arg == "flags" and _is_re_call(node) for k in node.keywords):
            raise Unknown
        args = [self.value(a, env, depth) for a in node.args]
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "re" \
                and func.attr in RE_FUNCTIONS:
            return RE_FUNCTIONS[func.attr](*args)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.attr in RE_FUNCTIONS \
                and func.value.id not in env and not node.keywords:
            pattern = self.patterns(func.value.id)  # `CAMEL_TO_SNAKE.sub("_", name)`: re.sub with its pattern
            if pattern is not None:
                return RE_FUNCTIONS[func.attr](pattern, *args)
        if isinstance(func, ast.Attribute) and func.attr == "group":
            match = self.value(func.value, env, depth)
            if isinstance(match, re.Match) and all(isinstance(a, int) and not isinstance(a, bool) for a in args):
                return match.group(*args)
            raise Unknown
        if isinstance(func, ast.Attribute) and func.attr in STR_METHODS:
            receiver = self.value(func.value, env, depth)
            if isinstance(receiver, str):
                return getattr(receiver, func.attr)(*args)
            raise Unknown
        if isinstance(func, ast.Name):
            if func.id == "str" and len(args) == 1 and isinstance(args[0], str):
                return args[0]
            return self._function(func.id, args, depth)
        raise Unknown

    def _function(self, name: str, args: list, depth: int):
        """A project helper: parameters bound to the arguments, `x = expr` lines, one `return`."""
        source = self.functions(name)
        if source is None:
            raise Unknown
        func = ast.parse(source).body[0]
        params = [a.arg for a in func.args.args]
        if len(params) != len(args) or func.args.vararg or func.args.kwarg:
            raise Unknown
        env = dict(zip(params, args))
        for stmt in func.body:
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                continue  # docstring
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                env[stmt.targets[0].id] = self.value(stmt.value, env, depth + 1)
            elif isinstance(stmt, ast.Return) and stmt.value is not None:
                return self.value(stmt.value, env, depth + 1)
            else:
                raise Unknown
        raise Unknown


def _is_re_call(node: ast.Call) -> bool:
    func = node.func
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "re"


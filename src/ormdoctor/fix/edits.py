"""Applying one file's edits in a single libcst pass.

Every edit names a line of the ORIGINAL file, so all of them are located on the original tree
first (``NodeIndex``), recorded as replacements keyed by node (``Changes``), and then applied
together by one transformer: edits never see each other's shifted lines, and nested edits (a
flag removed inside a class whose column is renamed) compose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ormdoctor.fix.source import EditError


class NodeIndex(cst.CSTVisitor):
    """Every node of a module with its first and last line."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self):
        super().__init__()
        self.spans: list[tuple[cst.CSTNode, int, int]] = []

    @classmethod
    def of(cls, module: cst.Module) -> "NodeIndex":
        index = cls()
        MetadataWrapper(module, unsafe_skip_copy=True).visit(index)
        return index

    def on_visit(self, node: cst.CSTNode) -> bool:
        span = self.get_metadata(PositionProvider, node, None)
        if span is not None:
            self.spans.append((node, span.start.line, span.end.line))
        return True

    def starting(self, line: int, kind: type) -> list:
        return [n for n, start, _ in self.spans if start == line and isinstance(n, kind)]

    def containing(self, line: int, kind: type) -> list:
        """Innermost first."""
        found = [(end - start, n) for n, start, end in self.spans if start <= line <= end and isinstance(n, kind)]
        return [n for _, n in sorted(found, key=lambda item: item[0])]

    def inside(self, outer: cst.CSTNode, kind: type) -> list:
        span = next(((s, e) for n, s, e in self.spans if n is outer), None)
        if span is None:
            return []
        return [n for n, s, e in self.spans if span[0] <= s and e <= span[1] and isinstance(n, kind) and n is not outer]


@dataclass
class Changes:
    """What the located edits do: node replacements, statements to drop, imports to add."""

    replace: dict[int, tuple[cst.CSTNode, list[Callable]]] = field(default_factory=dict)
    remove: set[int] = field(default_factory=set)
    imports: list[str] = field(default_factory=list)  # statements added after the module's imports
    reexports: dict[str, list[str]] = field(default_factory=dict)  # module → names, one import each
    prune: bool = False  # drop the imports only removed code used

    def reexport(self, source: str, name: str) -> None:
        names = self.reexports.setdefault(source, [])
        if name not in names:
            names.append(name)

    def update(self, node: cst.CSTNode, change: Callable[[cst.CSTNode], cst.CSTNode]) -> None:
        self.replace.setdefault(id(node), (node, []))[1].append(change)

    def drop(self, statement: cst.CSTNode) -> None:
        self.remove.add(id(statement))

    def add_import(self, statement: str) -> None:
        if statement not in self.imports:
            self.imports.append(statement)


class _Apply(cst.CSTTransformer):
    def __init__(self, changes: Changes):
        super().__init__()
        self.changes = changes

    def on_leave(self, original_node, updated_node):
        entry = self.changes.replace.get(id(original_node))
        if entry is not None and entry[0] is original_node:
            for change in entry[1]:
                updated_node = change(updated_node)
        return super().on_leave(original_node, updated_node)

    def leave_Module(self, original_node, updated_node):
        return updated_node.with_changes(body=self._kept(original_node.body, updated_node.body))

    def leave_IndentedBlock(self, original_node, updated_node):
        body = self._kept(original_node.body, updated_node.body)
        return updated_node.with_changes(body=body or [cst.SimpleStatementLine([cst.Pass()])])

    def _kept(self, originals, updated) -> list:
        """Drop removed statements; their comment lines move to the statement that follows."""
        kept, carried = [], []
        for original, new in zip(originals, updated):
            if id(original) in self.changes.remove:
                lines = list(new.leading_lines)
                comments = [i for i, line in enumerate(lines) if line.comment is not None]
                carried += lines[: comments[-1] + 1] if comments else []
                continue
            if carried:
                new = new.with_changes(leading_lines=[*carried, *new.leading_lines])
                carried = []
            kept.append(new)
        return kept


def apply_changes(original: cst.Module, changes: Changes) -> cst.Module:
    module = original.visit(_Apply(changes))
    if changes.prune:
        module = prune_imports(original, module)
    for source, names in changes.reexports.items():
        module = insert_import(module, reexport_statement(source, names))
    for statement in changes.imports:
        module = insert_import(module, statement)
    return module


def reexport_statement(source: str, names: list[str]) -> str:
    """`from .customer import Customer  # noqa: F401`, one name per line when it gets long."""
    names = sorted(names)
    line = f"from {source} import {', '.join(names)}  # noqa: F401"
    if len(line) <= 99:
        return line
    inner = "".join(f"    {n},\n" for n in names)
    return f"from {source} import (  # noqa: F401\n{inner})"


def insert_import(module: cst.Module, statement: str) -> cst.Module:
    """Add ``statement`` after the module's top-level imports (after its docstring and
    ``from __future__`` imports when it has none); nothing when an identical one exists."""
    newline = module.default_newline
    new = cst.parse_statement(statement.replace("\n", newline) + newline, config=module.config_for_parsing)
    body = list(module.body)
    if any(module.code_for_node(s).strip() == module.code_for_node(new).strip() for s in body):
        return module
    at = 0
    for i, stmt in enumerate(body):
        if _is_import(stmt) or (i == 0 and _is_docstring(stmt)):
            at = i + 1
        elif at and not _is_import(stmt):
            break
    if at == 0 and body:
        new = new.with_changes(leading_lines=())
    elif at > 0 and not _is_import(body[at - 1]):
        new = new.with_changes(leading_lines=[cst.EmptyLine()])
    elif at < len(body) and not body[at].leading_lines:
        body[at] = body[at].with_changes(leading_lines=[cst.EmptyLine()])
    body.insert(at, new)
    return module.with_changes(body=body)


def _is_import(stmt) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)


def _is_docstring(stmt) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and \
        isinstance(stmt.body[0], cst.Expr) and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))


def dotted(node) -> str:
    """`a.b.c` of a Name/Attribute, "" otherwise."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base else ""
    return ""


def string_value(node) -> str | None:
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value if isinstance(node.evaluated_value, str) else None
    return None


def one(found: list, what: str, path: str, line: int):
    if not found:
        raise EditError(f"{path}:{line}: {what} not found (the file changed since the check?)")
    return found[0]


def used_names(module: cst.Module) -> set[str]:
    """Names the module reads (a Name anywhere but in an import or as an assignment target's
    attribute), plus the strings of its ``__all__``: what keeps an import alive."""
    names: set[str] = set()

    class Reader(cst.CSTVisitor):
        def visit_Import(self, node) -> bool:
            return False

        def visit_ImportFrom(self, node) -> bool:
            return False

        def visit_Name(self, node) -> None:
            names.add(node.value)

        def visit_Attribute(self, node) -> bool:
            node.value.visit(self)
            return False

        def visit_SimpleString(self, node) -> None:
            value = string_value(node)
            if value and value.isidentifier():
                names.add(value)

    module.visit(Reader())
    return names


def prune_imports(before: cst.Module, after: cst.Module) -> cst.Module:
    """Drop the top-level imports that only the removed code used (those unused already are
    left alone: they may be re-exports or imported for their side effects)."""
    lost = used_names(before) - used_names(after)
    if not lost:
        return after
    body = []
    for stmt in after.body:
        if _is_import(stmt):
            stmt = _without_aliases(stmt, lost)
            if stmt is None:
                continue
        body.append(stmt)
    return after.with_changes(body=body)


def _without_aliases(stmt, lost: set[str]):
    from ormdoctor.fix.nodes import without

    smalls = []
    for small in stmt.body:
        if isinstance(small.names, cst.ImportStar) if isinstance(small, cst.ImportFrom) else False:
            smalls.append(small)
            continue
        names = without(small.names, lambda a: _bound(a) in lost)
        if names:
            if isinstance(small, cst.ImportFrom) and len(names) == 1 and small.lpar is None:
                names[0] = names[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            smalls.append(small.with_changes(names=names))
    return stmt.with_changes(body=smalls) if smalls else None


def _bound(alias: cst.ImportAlias) -> str:
    if alias.asname is not None:
        return dotted(alias.asname.name)
    return dotted(alias.name).split(".")[0]

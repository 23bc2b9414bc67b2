"""Small libcst helpers shared by the codemods: finding a class's statements, removing an
element from a collection without leaving a stray comma."""

from __future__ import annotations

import libcst as cst

from ormdoctor.fix.edits import dotted, one


def class_at(target, line: int, name: str) -> cst.ClassDef:
    found = [c for c in target.index.containing(line, cst.ClassDef) if c.name.value == name]
    return one(found, f"class {name}", target.path, line)


def class_assignment(cls: cst.ClassDef, attr: str):
    """(statement line, Assign/AnnAssign) of ``attr = ...`` directly in the class body."""
    for stmt in cls.body.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Assign) and any(dotted(t.target) == attr for t in small.targets):
                return stmt, small
            if isinstance(small, cst.AnnAssign) and dotted(small.target) == attr:
                return stmt, small
    return None, None


def without(elements, drop) -> list:
    """``elements`` (of a tuple, list, dict or call) minus those ``drop`` selects, the old last
    element's comma (trailing or none) moved to the new last one."""
    elements = list(elements)
    kept = [e for e in elements if not drop(e)]
    if kept and elements and drop(elements[-1]):
        kept[-1] = kept[-1].with_changes(comma=elements[-1].comma)
    return kept


def collection_without(node, drop):
    """A Tuple/List/Dict without some elements. A comment after the removed last element sits
    before the closing bracket; it leaves with the element, and the comment after the new last
    element's comma (if any) takes its place."""
    elements = list(node.elements)
    kept = without(elements, drop)
    node = node.with_changes(elements=kept)
    if not kept or not drop(elements[-1]) or len(kept) == len(elements):
        return node
    own = elements[elements.index(next(e for e in reversed(elements) if not drop(e)))].comma
    first = own.whitespace_after.first_line if isinstance(own, cst.Comma) and \
        isinstance(own.whitespace_after, cst.ParenthesizedWhitespace) else cst.TrailingWhitespace()
    closing_field = "rbrace" if isinstance(node, cst.Dict) else "rbracket" if isinstance(node, cst.List) else "rpar"
    closing = getattr(node, closing_field)
    bracket = closing[-1] if isinstance(closing, (list, tuple)) else closing
    if bracket is None or not isinstance(bracket.whitespace_before, cst.ParenthesizedWhitespace):
        return node
    bracket = bracket.with_changes(whitespace_before=bracket.whitespace_before.with_changes(first_line=first))
    if isinstance(closing, (list, tuple)):
        return node.with_changes(**{closing_field: [*closing[:-1], bracket]})
    return node.with_changes(**{closing_field: bracket})


def as_tuple_elements(elements: list) -> list:
    """A one-element tuple needs its comma."""
    if len(elements) == 1 and not isinstance(elements[0].comma, cst.Comma):
        elements[0] = elements[0].with_changes(comma=cst.Comma())
    return elements


def call_named(node, *suffixes: str) -> bool:
    return isinstance(node, cst.Call) and any(dotted(node.func) == s or dotted(node.func).endswith("." + s)
                                              for s in suffixes)

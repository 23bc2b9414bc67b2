"""Codemods for Alembic's env.py."""

from __future__ import annotations

import libcst as cst

from ormdoctor.fix.edits import EditError, dotted


def metadata_of_target(target, edit) -> None:
    """`target_metadata = app.models.Base` → `app.models.Base.metadata`: the expression as
    written, at the line the finding names (an item of a list, a `target_metadata=` keyword)."""
    (expr,) = edit.args
    found = [n for n in target.index.starting(edit.line, (cst.Name, cst.Attribute)) if dotted(n) == expr]
    # `a.b.C` starts where `a.b` and `a` start: only the whole expression is the one to extend.
    outermost = [n for n in found if not any(o is not n and n in _parts(o) for o in found)]
    if len(outermost) != 1:
        raise EditError(f"{target.path}:{edit.line}: `{expr}` is not written once on this line")
    target.changes.update(outermost[0], lambda n: cst.Attribute(value=n, attr=cst.Name("metadata")))


def _parts(node) -> list:
    parts = []
    while isinstance(node, cst.Attribute):
        node = node.value
        parts.append(node)
    return parts


CODEMODS = {"metadata-of-target": metadata_of_target}

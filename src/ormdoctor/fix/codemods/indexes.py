"""Removing a redundant index (ORM202): keywords of a column, or an Index/UniqueConstraint."""

from __future__ import annotations

import libcst as cst

from ormdoctor.fix.edits import one
from ormdoctor.fix.nodes import call_named, collection_without, without

COLUMN_CALLS = ("Column", "mapped_column", "Field")


def remove_keyword(target, edit) -> None:
    keywords = set(edit.args)
    calls = [c for c in target.index.containing(edit.line, cst.Call) if call_named(c, *COLUMN_CALLS)
             and any(a.keyword is not None and a.keyword.value in keywords for a in c.args)]
    call = one(calls, f"a column with {', '.join(sorted(keywords))}", target.path, edit.line)
    target.changes.update(call, lambda node: node.with_changes(
        args=without(node.args, lambda a: a.keyword is not None and a.keyword.value in keywords)))


def remove_element(target, edit) -> None:
    (kind,) = edit.args
    calls = [c for c in target.index.starting(edit.line, cst.Call) if call_named(c, kind)]
    call = one(calls, f"{kind}(...)", target.path, edit.line)
    for holder in target.index.containing(edit.line, (cst.Tuple, cst.List)):
        if any(e.value is call for e in holder.elements):
            target.changes.update(holder, lambda node: collection_without(node, lambda e: _same(e.value, call)))
            return
    statements = [s for s in target.index.containing(edit.line, cst.SimpleStatementLine)
                  if len(s.body) == 1 and _holds(s.body[0], call)]
    target.changes.drop(one(statements, f"the statement of {kind}(...)", target.path, edit.line))


def _same(value, call) -> bool:
    return value.deep_equals(call)


def _holds(small, call) -> bool:
    return (isinstance(small, cst.Expr) and small.value is call) or (isinstance(small, cst.Assign) and small.value is call)


CODEMODS = {"remove-keyword": remove_keyword, "remove-element": remove_element}

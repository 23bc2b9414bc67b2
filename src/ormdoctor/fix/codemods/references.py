"""An ambiguous string relationship target made module-qualified (ORM302)."""

from __future__ import annotations

import libcst as cst

from ormdoctor.fix.edits import EditError, one, string_value
from ormdoctor.fix.nodes import call_named


def qualify_target(target, edit) -> None:
    attr, written, full = edit.args
    calls = [c for c in target.index.containing(edit.line, cst.Call) if call_named(c, "relationship", "Relationship")]
    call = one(calls, f"the relationship of {attr}", target.path, edit.line)
    positional = [a for a in call.args if a.keyword is None]
    quoted = cst.SimpleString(f'"{full}"')
    if positional and string_value(positional[0].value) == written:
        target.changes.update(call, lambda node: node.with_changes(args=[
            a.with_changes(value=quoted) if i == 0 else a for i, a in enumerate(node.args)]))
    elif not positional:
        first = cst.Arg(quoted, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")) if call.args
                        else cst.MaybeSentinel.DEFAULT)
        target.changes.update(call, lambda node: node.with_changes(args=[first, *node.args]))
    else:
        raise EditError(f"{target.path}:{edit.line}: the relationship's target is not the string {written!r}")


CODEMODS = {"qualify-target": qualify_target}

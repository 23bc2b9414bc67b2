"""Codemods for duplicated definitions: re-export instead of redefine (ORM101/ORM105), drop the
extend_existing/keep_existing flag (ORM105/ORM106), one module name (ORM107)."""

from __future__ import annotations

import ast

import libcst as cst

from ormdoctor.fix.edits import dotted, one, string_value
from ormdoctor.fix.nodes import as_tuple_elements, call_named, class_assignment, class_at, collection_without, without


def replace_with_import(target, edit) -> None:
    owner, source, keep = edit.args
    target.changes.drop(class_at(target, edit.line, owner))
    target.changes.prune = True
    target.changes.reexport(source, keep if owner == keep else f"{keep} as {owner}")


def remove_flag(target, edit) -> None:
    owner, flag = edit.args
    classes = [c for c in target.index.containing(edit.line, cst.ClassDef) if c.name.value == owner]
    if not classes:
        _remove_table_keyword(target, edit.line, flag)
        return
    stmt, assign = class_assignment(classes[0], "__table_args__")
    if assign is None:
        return  # the flag comes from a mixin or a variable: nothing to edit here
    value = assign.value
    if isinstance(value, cst.Dict):
        if _only_flag(value, flag):
            target.changes.drop(stmt)
        else:
            target.changes.update(value, lambda node: _dict_without(node, flag))
    elif isinstance(value, cst.Tuple):
        target.changes.update(value, lambda node: _tuple_without(node, flag))
        remaining = [e for e in value.elements if not (isinstance(e.value, cst.Dict) and _only_flag(e.value, flag))]
        if not remaining:
            target.changes.drop(stmt)


def _is_flag(element, flag: str) -> bool:
    return isinstance(element, cst.DictElement) and string_value(element.key) == flag


def _only_flag(node: cst.Dict, flag: str) -> bool:
    return all(_is_flag(e, flag) for e in node.elements)


def _dict_without(node: cst.Dict, flag: str) -> cst.Dict:
    return collection_without(node, lambda e: _is_flag(e, flag))


def _tuple_without(node: cst.Tuple, flag: str) -> cst.Tuple:
    elements = [e.with_changes(value=_dict_without(e.value, flag)) if isinstance(e.value, cst.Dict) else e
                for e in node.elements]
    node = collection_without(node.with_changes(elements=elements),
                              lambda e: isinstance(e.value, cst.Dict) and not e.value.elements)
    return node.with_changes(elements=as_tuple_elements(list(node.elements)))


def _remove_table_keyword(target, line: int, flag: str) -> None:
    calls = [c for c in target.index.containing(line, cst.Call) if call_named(c, "Table")]
    call = one(calls, "Table(...)", target.path, line)
    target.changes.update(call, lambda node: node.with_changes(
        args=without(node.args, lambda a: a.keyword is not None and a.keyword.value == flag)))


def rewrite_import(target, edit) -> None:
    old, new = edit.args
    found = [n for n in target.index.starting(edit.line, cst.ImportFrom)
             if not n.relative and n.module is not None and dotted(n.module) == old]
    if found:
        target.changes.update(found[0], lambda node: node.with_changes(module=cst.parse_expression(new)))
        return
    statements = one([n for n in target.index.starting(edit.line, cst.Import)], f"import of {old}", target.path,
                     edit.line)

    def rename(node: cst.Import) -> cst.Import:
        return node.with_changes(names=[a.with_changes(name=cst.parse_expression(new))
                                        if dotted(a.name) == old and a.asname is not None else a for a in node.names])
    target.changes.update(statements, rename)


def drop_sys_path(target, edit) -> None:
    """Remove `sys.path.insert(0, <folder>)` / `.append(<folder>)` statements adding ``folder``."""
    from ormdoctor.project.roots import sys_path_roots
    from ormdoctor.static.extract import _path_expr

    (folder,) = edit.args
    for stmt in [n for n, _, _ in target.index.spans if isinstance(n, cst.SimpleStatementLine)]:
        if len(stmt.body) != 1 or not isinstance(stmt.body[0], cst.Expr):
            continue
        call = stmt.body[0].value
        if not (isinstance(call, cst.Call) and dotted(call.func) in ("sys.path.insert", "sys.path.append") and call.args):
            continue
        expression = target.module.code_for_node(call.args[-1].value)
        try:
            node = ast.parse(expression, mode="eval").body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        if not _only_parent_steps(node):
            continue  # `join(dirname(__file__), "..", "src")`: not a folder this can name for sure
        entry = _path_expr(node)
        roots = sys_path_roots(target.path, [entry], target.root) if entry else []
        if any(r.path == folder for r in roots):
            target.changes.drop(stmt)


def _only_parent_steps(node) -> bool:
    """A literal path, or a `__file__` recipe whose only strings are '..' / '.'."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    strings = [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return all(s in ("..", ".") for s in strings)


CODEMODS = {"replace-with-import": replace_with_import, "remove-flag": remove_flag,
            "rewrite-import": rewrite_import, "drop-sys-path": drop_sys_path}

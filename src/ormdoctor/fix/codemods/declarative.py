"""Codemods for declarative attributes: a reserved attribute renamed with its column name kept
(ORM401), a misspelled dunder corrected (ORM402)."""

from __future__ import annotations

import libcst as cst

from ormdoctor.fix.edits import EditError, dotted, one, string_value
from ormdoctor.fix.nodes import as_tuple_elements, call_named, class_at

COLUMN_CALLS = ("Column", "mapped_column")


def rename_attribute(target, edit) -> None:
    """`metadata = Column(JSON)` → `kpisnapshot_metadata = Column("metadata", JSON)`."""
    owner, old, new, column = edit.args
    cls = class_at(target, edit.line, owner)
    found = [n for n in target.index.inside(cls, (cst.Assign, cst.AnnAssign)) if _assigns(n, old)]
    node = one(found, f"{owner}.{old}", target.path, edit.line)
    target.changes.update(node, lambda n: _renamed(n, old, new, column))


def _assigns(node, name: str) -> bool:
    if isinstance(node, cst.Assign):
        return any(dotted(t.target) == name for t in node.targets)
    return dotted(node.target) == name


def _renamed(node, old: str, new: str, column: str):
    if isinstance(node, cst.Assign):
        targets = [t.with_changes(target=cst.Name(new)) if dotted(t.target) == old else t for t in node.targets]
        return node.with_changes(targets=targets, value=_named_column(node.value, column))
    value = _named_column(node.value, column) if node.value is not None else \
        cst.parse_expression(f'mapped_column("{column}")')
    return node.with_changes(target=cst.Name(new), value=value)


def _named_column(value, column: str):
    """Give the Column/mapped_column call its database name as first argument."""
    if call_named(value, "Field"):
        inner = [a for a in value.args if a.keyword is not None and a.keyword.value == "sa_column"]
        if inner and call_named(inner[0].value, *COLUMN_CALLS):
            return value.with_changes(args=[a.with_changes(value=_named_column(a.value, column)) if a is inner[0] else a
                                            for a in value.args])
        return value  # a plain SQLModel Field: the attribute name is the column name; the rename stays visible
    if not call_named(value, *COLUMN_CALLS) or (value.args and string_value(value.args[0].value) is not None
                                                   and value.args[0].keyword is None):
        return value
    first = cst.Arg(cst.SimpleString(f'"{column}"'), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    return value.with_changes(args=[first, *value.args] if value.args else [first.with_changes(comma=cst.MaybeSentinel.DEFAULT)])


# What `Model.metadata.x` / `Model.query.x` call when they mean the MetaData or Flask's query
# (the rename gives those names back to SQLAlchemy): such uses are left alone.
_FRAMEWORK_API = {"create_all", "drop_all", "tables", "sorted_tables", "reflect", "bind", "schema", "clear",
                  "remove", "naming_convention", "all", "filter", "filter_by", "get", "get_or_404", "first",
                  "first_or_404", "one", "one_or_none", "order_by", "paginate", "count", "join", "limit", "offset",
                  "options", "with_entities", "distinct", "delete", "update", "scalar"}


def rename_uses(target, edit) -> None:
    """`KPISnapshot.metadata`, `KPISnapshot(metadata=...)` anywhere, `self.metadata` in the class;
    not `KPISnapshot.metadata.create_all(...)` or `Model.query.all()`, which mean the framework's."""
    owner, old, new = edit.args
    inside = [(start, end) for node, start, end in target.index.spans
              if isinstance(node, cst.ClassDef) and node.name.value == owner]
    framework = {id(n.value) for n, _, _ in target.index.spans
                 if isinstance(n, cst.Attribute) and n.attr.value in _FRAMEWORK_API}
    for node, start, _ in target.index.spans:
        if isinstance(node, cst.Attribute) and node.attr.value == old and id(node) not in framework:
            base = dotted(node.value)
            if base == owner or base.endswith("." + owner) or (base == "self" and any(s <= start <= e for s, e in inside)):
                target.changes.update(node, lambda n: n.with_changes(attr=cst.Name(new)))
        elif isinstance(node, cst.Call) and (dotted(node.func) == owner or dotted(node.func).endswith("." + owner)):
            if any(a.keyword is not None and a.keyword.value == old for a in node.args):
                target.changes.update(node, lambda n: n.with_changes(args=[
                    a.with_changes(keyword=cst.Name(new)) if a.keyword is not None and a.keyword.value == old else a
                    for a in n.args]))


def rename_dunder(target, edit) -> None:
    """`__tableargs__ = ...` → `__table_args__ = ...`."""
    owner, old, new = edit.args
    cls = class_at(target, edit.line, owner)
    found = [n for n in target.index.inside(cls, (cst.Assign, cst.AnnAssign)) if _assigns(n, old)]
    node = one(found, f"{owner}.{old}", target.path, edit.line)
    if isinstance(node, cst.Assign):
        target.changes.update(node, lambda n: n.with_changes(targets=[
            t.with_changes(target=cst.Name(new)) if dotted(t.target) == old else t for t in n.targets]))
    else:
        target.changes.update(node, lambda n: n.with_changes(target=cst.Name(new)))


def make_tuple(target, edit) -> None:
    """`__table_args__ = (UniqueConstraint("code"))` → `(UniqueConstraint("code"),)`; a list, or
    `tuple(UniqueConstraint("code"))`, → the tuple of its items."""
    (owner,) = edit.args
    cls = class_at(target, edit.line, owner)
    found = [n for n in target.index.inside(cls, cst.Assign) if _assigns(n, "__table_args__")]
    node = one(found, f"{owner}.__table_args__", target.path, edit.line)
    value = node.value
    if isinstance(value, cst.List) and not value.lpar:  # the brackets become parentheses, the layout stays
        elements = list(value.elements)
        parens = ([cst.LeftParen(whitespace_after=value.lbracket.whitespace_after)],
                  [cst.RightParen(whitespace_before=value.rbracket.whitespace_before)])
    elif _is_tuple_of_one(value):
        elements = [cst.Element(value.args[0].value)]
        parens = ([cst.LeftParen()], [cst.RightParen()])
    elif not isinstance(value, (cst.Tuple, cst.List)) and value.lpar:
        elements = [cst.Element(value.with_changes(lpar=[], rpar=[]))]
        parens = (value.lpar, value.rpar)
    else:
        raise EditError(f"{target.path}:{edit.line}: __table_args__ is not one parenthesized value, a list "
                        f"or tuple(...) of one constraint")
    target.changes.update(node, lambda n: n.with_changes(value=cst.Tuple(
        as_tuple_elements(elements), lpar=parens[0], rpar=parens[1])))


def _is_tuple_of_one(value) -> bool:
    return (isinstance(value, cst.Call) and dotted(value.func) in ("tuple", "builtins.tuple") and len(value.args) == 1
            and value.args[0].keyword is None and not value.args[0].star)


CODEMODS = {"rename-attribute": rename_attribute, "rename-uses": rename_uses, "rename-dunder": rename_dunder,
            "make-tuple": make_tuple}

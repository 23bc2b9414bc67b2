"""Index / UniqueConstraint / CheckConstraint / ... calls and the ``__table_args__`` forms."""

from __future__ import annotations

import ast

from ormdoctor.static.exprs import callee_tail, dotted, keyword, literal, pos, source_text, string
from ormdoctor.static.facts import ConstraintFact, TableArgsFact

CONSTRAINT_KINDS = {
    "Index": "index",
    "UniqueConstraint": "unique",
    "CheckConstraint": "check",
    "PrimaryKeyConstraint": "primary_key",
    "ForeignKeyConstraint": "foreign_key",
}


def constraint(node: ast.AST) -> ConstraintFact | None:
    if isinstance(node, (ast.Name, ast.Attribute)):
        return ConstraintFact(kind="index", name=None, columns=[], pos=pos(node), object_ref=dotted(node))
    tail = callee_tail(node)
    if tail not in CONSTRAINT_KINDS:
        return None
    kind = CONSTRAINT_KINDS[tail]
    args = list(node.args)
    written = keyword(node, "name")
    if kind == "index" and args:
        written = args.pop(0)
    name = string(written)
    # f-string or expression: a computed name (None: SQLAlchemy's own name, which it is not)
    name_expr = source_text(written) if written is not None and name is None and not _is_none(written) else None
    if kind == "check":
        sqltext = source_text(args[0]) if args else None
        return ConstraintFact(kind=kind, name=name, columns=[], pos=pos(node), sqltext=sqltext, name_expr=name_expr)
    if kind == "foreign_key":
        columns = literal(args[0]) if args else None
        targets = literal(args[1]) if len(args) > 1 else None
        return ConstraintFact(kind=kind, name=name, columns=list(columns or []), pos=pos(node),
                              fk_target=list(targets or []), ondelete=string(keyword(node, "ondelete")),
                              onupdate=string(keyword(node, "onupdate")), name_expr=name_expr)
    columns, table_ref = [], None
    for arg in args:
        column, owner = column_ref(arg)
        columns.append(column)
        table_ref = table_ref or owner
    return ConstraintFact(kind=kind, name=name, columns=columns, pos=pos(node),
                          unique=kind == "unique" or literal(keyword(node, "unique")) is True,
                          table_ref=table_ref, variant=_variant(node), name_expr=name_expr)


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


_VARIANT_SUFFIXES = ("_where", "_using", "_include", "_ops", "_with", "_length", "_prefix", "_clustered",
                     "_nulls_not_distinct")


def _variant(node: ast.Call) -> str | None:
    """``postgresql_where=text("NOT deleted")``, ``postgresql_using="gin"``, ``mysql_length=4``
    (an index on the first bytes only), ``mysql_prefix="FULLTEXT"``: the dialect options that make
    an index cover other rows or other bytes, or work another way."""
    shown = [f"{kw.arg}={source_text(kw.value)}" for kw in node.keywords
             if kw.arg and "_" in kw.arg and kw.arg.endswith(_VARIANT_SUFFIXES)]
    return ", ".join(sorted(shown)) or None


def column_ref(node: ast.AST) -> tuple[str, str | None]:
    """"email" → ("email", None); users.c.email → ("email", "users"); User.email → ("email", "User")."""
    text = string(node)
    if text is not None:
        return text, None
    if isinstance(node, ast.Call):  # column("x"), func.lower(User.email), cast(x, Date), x.desc()
        if callee_tail(node) in ("column", "literal_column") and node.args:
            return column_ref(node.args[0])
        # An expression index (lower(email)) is not an index on the column itself; all of the
        # expression counts (cast(start_dt, Date) and cast(start_dt, Time) are two indexes).
        operands = list(node.args)
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        if receiver is not None and not (dotted(receiver) or "").endswith("func"):
            operands.insert(0, receiver)  # a method of the column: start_dt.desc()
        refs = [column_ref(a) for a in operands]
        owner = next((o for _, o in refs if o), None)
        return f"{callee_tail(node)}({', '.join(r for r, _ in refs)})", owner
    name = dotted(node)
    if name and "." in name:
        parts = name.split(".")
        owner = parts[-3] if len(parts) >= 3 and parts[-2] == "c" else parts[-2]
        return parts[-1], owner
    return name or "?", None


def table_args(node: ast.AST, position, module_values: dict | None = None) -> TableArgsFact:
    """``module_values``: the module's names bound so far to a literal, among them
    ``Class.__table_args__`` of its classes, which a tuple may end with for its options
    (`(UniqueConstraint(...), HashMapBase.__table_args__)`)."""
    if isinstance(node, ast.Dict):
        facts = TableArgsFact(pos=position, form="dict")
        _read_options(node, facts)
        return facts
    if isinstance(node, ast.Tuple):
        facts = TableArgsFact(pos=position, form="tuple")
        for item in node.elts:
            named = module_values.get(dotted(item) or "") if module_values and item is node.elts[-1] else None
            if isinstance(named, ast.Dict):
                item = named  # the options of another class, written as a literal dict there
            if isinstance(item, ast.Dict):
                _read_options(item, facts)
            elif (dotted(item) or "").endswith("__table_args__"):
                # Another class's options from elsewhere (`model_base.BASEV2.__table_args__`, an
                # installed base's `{"mysql_engine": "InnoDB"}`): engine settings in practice,
                # taken as no schema, and never an Index.
                continue
            else:
                found = constraint(item)
                if found:
                    facts.constraints.append(found)
        return facts
    if isinstance(node, ast.Call) and callee_tail(node) in CONSTRAINT_KINDS:
        return TableArgsFact(pos=position, form="invalid", constraints=[c for c in [constraint(node)] if c],
                             invalid_reason=f"is not a tuple or dict: a single {callee_tail(node)}(...) in "
                                            f"parentheses is not a tuple (missing trailing comma)", repair="comma")
    if isinstance(node, ast.List):
        return TableArgsFact(pos=position, form="invalid",
                             constraints=[c for c in map(constraint, node.elts) if c],
                             invalid_reason="is not a tuple or dict: a list is not accepted; SQLAlchemy wants a "
                                            "tuple or a dict", repair="tuple")
    if is_tuple_call(node):
        return _tuple_call(node.args[0], position, module_values)
    return TableArgsFact(pos=position, form="unknown", schema_known=False,
                         call_ref=dotted(node.func) if isinstance(node, ast.Call) else None)


def is_tuple_call(node: ast.AST) -> bool:
    """`tuple(<one argument>)`."""
    return isinstance(node, ast.Call) and dotted(node.func) in ("tuple", "builtins.tuple") \
        and len(node.args) == 1 and not node.keywords


def _tuple_call(inner: ast.AST, position, module_values: dict | None) -> TableArgsFact:
    """``tuple([Index(...), {...}])`` is the tuple of those items. ``tuple(UniqueConstraint(...))``
    iterates over the constraint, which yields its columns: none while it is unattached, so the
    tuple is empty and the constraint silently never exists; an ``Index`` is not iterable at all."""
    if isinstance(inner, (ast.List, ast.Tuple)):
        return table_args(ast.Tuple(elts=inner.elts, ctx=ast.Load()), position, module_values)
    kind = callee_tail(inner) if isinstance(inner, ast.Call) else None
    if kind == "Index":
        return TableArgsFact(pos=position, form="invalid", constraints=[c for c in [constraint(inner)] if c],
                             invalid_reason="raises TypeError: tuple(Index(...)) iterates over the Index, which "
                                            "is not iterable", repair="tuple")
    if kind in CONSTRAINT_KINDS:
        return TableArgsFact(pos=position, form="invalid", crashes=False, repair="tuple",
                             invalid_reason=f"is an empty tuple: tuple({kind}(...)) iterates over the constraint, "
                                            f"which yields its columns, none before it is attached to a table, "
                                            f"so the constraint never exists")
    return TableArgsFact(pos=position, form="unknown", schema_known=False)


def _read_options(node: ast.Dict, facts: TableArgsFact) -> None:
    for key, value in zip(node.keys, node.values):
        name = string(key)
        if name == "schema":
            facts.schema = string(value)
            facts.schema_known = facts.schema is not None or literal(value) is None and isinstance(value, ast.Constant)
            facts.schema_ref = dotted(value) if not facts.schema_known else None
        elif name == "extend_existing":
            facts.extend_existing = literal(value) is True
        elif name == "keep_existing":
            facts.keep_existing = literal(value) is True

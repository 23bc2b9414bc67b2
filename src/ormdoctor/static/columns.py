"""Columns and relationships in every declarative style, read from one class-body statement."""

from __future__ import annotations

import ast

from ormdoctor.static.exprs import callee_tail, dotted, keyword, literal, pos, source_text, string
from ormdoctor.static.facts import ColumnFact, ForeignKeyFact, RelationshipFact

COLUMN_CALLS = {"Column", "mapped_column"}
RELATIONSHIP_CALLS = {"relationship", "relation", "Relationship"}
FIELD_CALLS = {"Field"}
NOT_A_TYPE = {"ForeignKey", "Sequence", "Identity", "Computed", "CheckConstraint", "FetchedValue",
              "DefaultClause", "UniqueConstraint"}
WRAPPERS = {"Optional", "Union", "List", "list", "Set", "set", "Sequence", "Collection",
            "DynamicMapped", "WriteOnlyMapped", "Mapped", "Relationship", "Annotated", "ClassVar", "Iterable",
            "Tuple", "tuple", "FrozenSet", "frozenset", "dict", "Dict", "OrderingList", "InstrumentedList",
            "AppenderQuery", "DynamicMapped"}
COLLECTIONS = {"List", "list", "Set", "set", "Sequence", "Collection", "Iterable", "FrozenSet",
               "frozenset", "DynamicMapped", "WriteOnlyMapped", "OrderingList", "InstrumentedList", "AppenderQuery"}
# Annotation types that make a column (not a relationship) in Mapped[...] / SQLModel fields.
SCALAR_ANNOTATIONS = {
    "int", "str", "float", "bool", "bytes", "Decimal", "datetime", "date", "time", "timedelta",
    "UUID", "uuid", "dict", "Any", "Json", "JSON", "EmailStr", "HttpUrl", "AnyUrl", "condecimal",
    "constr", "conint", "Enum",
}


def parse_column_call(call: ast.Call, attr: str | None, style: str) -> ColumnFact:
    name, type_, fks = None, None, []
    args = call.args
    first = string(args[0]) if args else None
    if first is not None:
        name, args = first, args[1:]
    for arg in args:
        tail = callee_tail(arg)
        if tail == "ForeignKey":
            fks.append(foreign_key(arg))
            continue
        tail = tail or dotted(arg)
        if type_ is None and tail and tail.rsplit(".", 1)[-1] not in NOT_A_TYPE:
            type_ = source_text(arg)
    # One pass over the keywords: a cold run reads tens of thousands of columns, each asked for
    # a dozen keywords that are mostly absent.
    given = {kw.arg: kw.value for kw in reversed(call.keywords) if kw.arg is not None}  # the first wins, as in keyword()
    get = given.get
    type_kw = get("type_")
    return ColumnFact(
        attr=attr,
        name=string(get("name")) or name or attr,
        type=source_text(type_kw) if type_kw is not None else type_,
        pos=pos(call),
        style=style,
        primary_key=literal(get("primary_key")) is True,
        unique=literal(get("unique")) is True,
        index=literal(get("index")) is True,
        nullable=_bool_or_none(get("nullable")),
        foreign_keys=fks,
        default=_default(get("default")),
        server_default=source_text(get("server_default")),
        use_existing_column=literal(get("use_existing_column")) is True,
        autoincrement=_bool_or_none(get("autoincrement")),
        comment=string(get("comment")),
    )


def _default(node) -> str | None:
    """``default=None`` is SQLAlchemy's (and SQLModel's) way of saying "no default"."""
    if node is None or (isinstance(node, ast.Constant) and node.value is None):
        return None
    return source_text(node)


def _bool_or_none(node):
    value = literal(node)
    return value if isinstance(value, bool) else None


def foreign_key(call: ast.Call) -> ForeignKeyFact:
    target_node = call.args[0] if call.args else keyword(call, "column")
    target = string(target_node)
    is_expr = target is None
    if is_expr:
        target = _column_path(target_node) or source_text(target_node) or "?"
    return ForeignKeyFact(
        target=target,
        ondelete=string(keyword(call, "ondelete")),
        onupdate=string(keyword(call, "onupdate")),
        pos=pos(call),
        target_is_expr=is_expr,
    )


def _column_path(node) -> str | None:
    """``Customer.id`` / ``users.c.id`` as written; ``Customer.__table__.c["id"]`` as ``...c.id``."""
    if isinstance(node, ast.Subscript) and string(node.slice) is not None and dotted(node.value):
        return f"{dotted(node.value)}.{string(node.slice)}"
    return dotted(node)


def parse_field_call(call: ast.Call, attr: str, annotation: ast.AST | None) -> ColumnFact | None:
    """SQLModel ``Field(...)``; ``sa_column=Column(...)`` takes over when present."""
    sa_column = keyword(call, "sa_column")
    if isinstance(sa_column, ast.Call):
        column = parse_column_call(sa_column, attr, "sa_column")
        column.type = column.type or annotation_type(annotation)
        return column
    fk = string(keyword(call, "foreign_key"))
    primary = literal(keyword(call, "primary_key")) is True
    nullable = _bool_or_none(keyword(call, "nullable"))
    if nullable is None and not primary:
        nullable = annotation_optional(annotation)
    return ColumnFact(
        attr=attr,
        name=attr,
        type=annotation_type(annotation),
        pos=pos(call),
        style="Field",
        primary_key=primary,
        unique=literal(keyword(call, "unique")) is True,
        index=literal(keyword(call, "index")) is True,
        nullable=nullable,
        foreign_keys=[ForeignKeyFact(target=fk, pos=pos(call), ondelete=string(keyword(call, "ondelete")))] if fk else [],
        default=_default(keyword(call, "default")),
    )


def annotation_column(attr: str, annotation: ast.AST, node: ast.AST, style: str) -> ColumnFact | None:
    """``x: Mapped[int]`` with no value, or a SQLModel ``x: str`` field."""
    if annotation_target(annotation) is not None:
        return None
    type_ = annotation_type(annotation)
    if type_ is None:
        return None
    return ColumnFact(attr=attr, name=attr, type=type_, pos=pos(node), style=style,
                      nullable=annotation_optional(annotation))


def parse_relationship(call: ast.Call, attr: str, annotation: ast.AST | None) -> RelationshipFact:
    target, form = None, "unknown"
    if call.args:
        target, form = relationship_target(call.args[0])
    elif keyword(call, "argument") is not None:
        target, form = relationship_target(keyword(call, "argument"))
    if target is None and annotation is not None:
        target = annotation_target(annotation)
        form = "annotation" if target else form
    secondary = keyword(call, "secondary")
    if secondary is None:
        secondary = keyword(call, "link_model")
    secondary_name, secondary_form = (None, None)
    if secondary is not None:
        secondary_name, secondary_form = relationship_target(secondary)
    backref = keyword(call, "backref")
    backref_name = string(backref)
    if backref_name is None and isinstance(backref, ast.Call) and backref.args:
        backref_name = string(backref.args[0])
    return RelationshipFact(
        attr=attr,
        target=target,
        target_form=form,
        pos=pos(call),
        back_populates=string(keyword(call, "back_populates")),
        backref=backref_name,
        secondary=secondary_name,
        secondary_form=secondary_form,
        uselist=_bool_or_none(keyword(call, "uselist")),
        collection=annotation_is_collection(annotation) if annotation is not None else None,
        cascade=string(keyword(call, "cascade")),
        passive_deletes=literal(keyword(call, "passive_deletes")) is True,
        viewonly=literal(keyword(call, "viewonly")) is True,
        foreign_keys=source_text(keyword(call, "foreign_keys")),
        custom_join=keyword(call, "primaryjoin") is not None or keyword(call, "secondaryjoin") is not None,
        overlaps=source_text(keyword(call, "overlaps")),
        backref_options=sorted(k.arg for k in backref.keywords if k.arg) if isinstance(backref, ast.Call) else [],
        spread_options=any(k.arg is None for k in call.keywords)
        or isinstance(backref, ast.Call) and any(k.arg is None for k in backref.keywords),
    )


def relationship_target(node: ast.AST) -> tuple[str | None, str]:
    text = string(node)
    if text is not None:
        return text, "string"
    if isinstance(node, ast.Lambda):
        inner = node.body
        text = string(inner)
        return (text, "string") if text is not None else (dotted(inner), "lambda")
    name = dotted(node)
    return (name, "name") if name else (None, "unknown")


def _unquote(node: ast.AST) -> ast.AST:
    text = string(node)
    if text is None:
        return node
    try:
        return ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return node


def _unwrap(node: ast.AST) -> list[ast.AST]:
    """The inner types of Mapped[Optional[List["X"]]] etc., innermost last."""
    node = _unquote(node)
    if isinstance(node, ast.Subscript) and (dotted(node.value) or "").rsplit(".", 1)[-1] in WRAPPERS:
        inner = node.slice
        parts = inner.elts if isinstance(inner, ast.Tuple) else [inner]
        return [n for p in parts for n in _unwrap(p)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _unwrap(node.left) + _unwrap(node.right)
    return [node]


def _named(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and node.value is None:
        return None
    name = dotted(node)
    if name:
        return name
    if isinstance(node, ast.Subscript):
        return dotted(node.value)
    return None


def annotation_target(annotation: ast.AST | None) -> str | None:
    """The class an annotation points at when it is not a scalar type ("Customer")."""
    if annotation is None:
        return None
    for inner in _unwrap(annotation):
        name = _named(inner)
        if name and name.rsplit(".", 1)[-1] not in SCALAR_ANNOTATIONS and name[:1].isupper() \
                and not name.startswith(("sa.", "sqlalchemy.", "datetime.", "uuid.", "decimal.")):
            return name
    return None


def annotation_type(annotation: ast.AST | None) -> str | None:
    if annotation is None:
        return None
    for inner in _unwrap(annotation):
        name = _named(inner)
        if name:
            return name
    return None


def annotation_optional(annotation: ast.AST | None) -> bool | None:
    if annotation is None:
        return None
    node = _unquote(annotation)
    text = source_text(node) or ""
    return "Optional[" in text or "None" in text


def annotation_is_collection(annotation: ast.AST | None) -> bool | None:
    node = _unquote(annotation)
    while isinstance(node, ast.Subscript):
        head = (dotted(node.value) or "").rsplit(".", 1)[-1]
        if head in COLLECTIONS:
            return True
        if head not in WRAPPERS:
            return False
        node = _unquote(node.slice)
    return False

"""One class statement → ClassFact: declarative attributes, columns, relationships."""

from __future__ import annotations

import ast
import copy

from ormdoctor.static import columns as col
from ormdoctor.static.constraints import table_args
from ormdoctor.static.exprs import callee_tail, convention_dict, dotted, keyword, literal, pos, source_text, string
from ormdoctor.static.facts import ClassFact, ObjectFact, TableArgsFact, TablenameFact, TableFact

DECLARED_ATTR = {"declared_attr", "declared_attr.directive", "declared_attr.cascading", "orm.declared_attr",
                 "sa.orm.declared_attr", "declarative.declared_attr"}


def _decorator(node: ast.expr) -> str:
    """A class decorator as written: `reg.mapped`, `as_declarative()`, and a call's first
    argument when it is a name (`mapped_as_dataclass(reg)`: SQLAlchemy 2.1's registry argument)."""
    text = dotted(node) or source_text(node) or "?"
    if isinstance(node, ast.Call) and node.args and text.endswith("()") and dotted(node.args[0]):
        return f"{text[:-2]}({dotted(node.args[0])})"
    return text


def read_class(node: ast.ClassDef, nested: bool, read_table, module_values: dict | None = None) -> ClassFact:
    """``module_values``: module-level names bound so far to a dict or tuple, which a
    ``__table_args__ = NAME`` in the body stands for."""
    fact = ClassFact(
        name=node.name,
        pos=pos(node),
        end_line=getattr(node, "end_lineno", node.lineno) or node.lineno,
        bases=[dotted(b) or source_text(b) or "?" for b in node.bases],
        keywords={kw.arg: source_text(kw.value) or "" for kw in node.keywords if kw.arg},
        decorators=[_decorator(d) for d in node.decorator_list],
        docstring=ast.get_docstring(node),
        nested=nested,
    )
    for stmt in _runtime_body(node.body):
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    _assignment(fact, target.id, None, stmt.value, stmt, read_table, module_values)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            _assignment(fact, stmt.target.id, stmt.annotation, stmt.value, stmt, read_table, module_values)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _method(fact, stmt, module_values)
    return fact


def _runtime_body(body: list):
    """The statements of a class body that run: those under ``if TYPE_CHECKING: ... else:`` are
    the else branch (fastapi-users declares its columns so, with bare annotations for type checkers)."""
    for stmt in body:
        if isinstance(stmt, ast.If) and _is_type_checking(stmt.test):
            yield from _runtime_body(stmt.orelse)
        elif isinstance(stmt, ast.If) and isinstance(stmt.test, ast.UnaryOp) and isinstance(stmt.test.op, ast.Not) \
                and _is_type_checking(stmt.test.operand):
            yield from _runtime_body(stmt.body)
        else:
            yield stmt


def _is_type_checking(test) -> bool:
    return dotted(test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")


def _assignment(fact: ClassFact, name: str, annotation, value, stmt, read_table, module_values=None) -> None:
    fact.attributes.setdefault(name, pos(stmt))
    if name == "impl" and value is not None:
        fact.impl = source_text(value)  # a TypeDecorator's; a column named impl is read below as well
    if name == "__tablename__":
        text = string(value)
        if text is not None:
            fact.tablename = TablenameFact("literal", text, pos(stmt))
        elif isinstance(value, ast.Constant) and value.value is None:
            fact.tablename = TablenameFact("none", None, pos(stmt))  # no table of its own: its parent's
        else:
            fact.tablename = TablenameFact("expr", source_text(value), pos(stmt))
    elif name == "__table_args__" and value is not None:
        shared = value.id if isinstance(value, ast.Name) and module_values and value.id in module_values else None
        if shared:
            value = module_values[shared]  # `__table_args__ = MYSQL_TABLE_ARGS`, a literal above the class
        fact.table_args = table_args(value, pos(stmt), module_values)
        for constraint in fact.table_args.constraints if shared else ():
            # One object for every class that names the constant: never a name of this table's own.
            constraint.object_ref = constraint.object_ref or shared
    elif name == "__abstract__":
        fact.abstract = literal(value) is True
    elif name == "__bind_key__":
        fact.bind_key = string(value)
    elif name == "__mapper_args__":
        fact.mapper_args = _dict_source(value)
        fact.mapper_args_pos = pos(stmt)
    elif name == "__table__":
        if isinstance(value, ast.Call) and callee_tail(value) == "Table":
            table: TableFact = read_table(value, None)
            table.in_class = fact.name
            fact.table_assign = f"<Table {table.name}>"
        else:
            fact.table_assign = dotted(value) or source_text(value)
    elif name in ("metadata", "registry") and isinstance(value, ast.Call) and callee_tail(value) in ("MetaData", "registry"):
        # `registry = registry(metadata=MetaData(naming_convention=...))`: the MetaData is inside.
        inner = keyword(value, "metadata")
        metadata = inner if isinstance(inner, ast.Call) and callee_tail(inner) == "MetaData" else value
        fact.metadata_value = ObjectFact(name=name, kind=callee_tail(value).lower(), pos=pos(value),
                                         call=dotted(value.func) or "", schema=string(keyword(metadata, "schema")),
                                         naming_convention=convention_dict(keyword(metadata, "naming_convention")),
                                         naming_convention_ref=_name_ref(keyword(metadata, "naming_convention")))
    elif name in ("metadata", "registry") and isinstance(value, (ast.Name, ast.Attribute)) and dotted(value):
        # `metadata = metadata` (warehouse's ModelBase): the base maps on a MetaData made elsewhere
        fact.metadata_value = ObjectFact(name=name, kind="alias", pos=pos(value), call="", ref=dotted(value))
    elif name == "metadata" and isinstance(value, ast.Constant) and value.value is None:
        # `metadata = None` in a plain mixin's body (refstack's `RefStackBase`): `Mixin.metadata` is None
        fact.metadata_value = ObjectFact(name=name, kind="none", pos=pos(value), call="")
    elif name == "type_annotation_map":
        return
    else:
        _member(fact, name, annotation, value, stmt)


# Calls that map the column they are given, with loading options (`deferred(Column(Text))`).
COLUMN_WRAPPERS = ("deferred", "column_property")


def _member(fact: ClassFact, name: str, annotation, value, stmt) -> None:
    if annotation is not None and (dotted(annotation) or "").endswith("ClassVar"):
        return
    if annotation is None and isinstance(value, ast.Subscript) and (dotted(value.value) or "").rsplit(".", 1)[-1] == "Mapped":
        fact.assigned_types[name] = pos(stmt)  # `x = Mapped[str]`: `=` where `:` was meant
        return
    tail = callee_tail(value) if isinstance(value, ast.Call) else None
    if tail in COLUMN_WRAPPERS and value.args and isinstance(value.args[0], ast.Call) \
            and callee_tail(value.args[0]) in col.COLUMN_CALLS:
        value = value.args[0]  # `deferred(Column(...))`, `column_property(Column(...))`: the column inside
        tail = callee_tail(value)
    if tail in col.COLUMN_CALLS:
        written = dotted(value.func) or ""
        qualifier = written.rpartition(".")[0]
        if qualifier not in fact.column_qualifiers:
            fact.column_qualifiers.append(qualifier)
        column = col.parse_column_call(value, name, tail)
        if column.type is None:
            column.type = col.annotation_type(annotation)
        if column.nullable is None and annotation is not None and not column.primary_key:
            column.nullable = col.annotation_optional(annotation)
        fact.columns.append(column)
    elif tail in col.RELATIONSHIP_CALLS:
        fact.relationships.append(col.parse_relationship(value, name, annotation))
    elif tail in col.FIELD_CALLS:
        column = col.parse_field_call(value, name, annotation)
        if column:
            fact.columns.append(column)
    elif value is None and annotation is not None and not name.startswith("_"):
        head = (dotted(annotation) or "").rsplit(".", 1)[-1]
        style = "Mapped" if head in ("Mapped", "Mapped[]") or _is_mapped(annotation) else "annotation"
        column = col.annotation_column(name, annotation, stmt, style)
        if column:
            fact.columns.append(column)
    elif value is not None and annotation is not None and not name.startswith("_") and not isinstance(value, ast.Call):
        # SQLModel `name: str = "x"` is a column with a default.
        column = col.annotation_column(name, annotation, stmt, "annotation")
        if column:
            column.default = source_text(value)
            fact.columns.append(column)


def assigned_after_body(classes: list[ClassFact], owner: str, name: str, value, stmt) -> None:
    """``Instance.metadata = relationship(...)`` or ``User.email = Column(...)`` at module level,
    after the class statement: declarative adds the attribute to the mapped class (it is how
    two classes that refer to each other are often finished)."""
    cls = next((c for c in reversed(classes) if c.name == owner and not c.nested and c.pos.line < stmt.lineno), None)
    if cls is None or not isinstance(value, ast.Call) or callee_tail(value) not in col.COLUMN_CALLS | col.RELATIONSHIP_CALLS:
        return
    before = len(cls.columns), len(cls.relationships)
    cls.attributes.setdefault(name, pos(stmt))
    _member(cls, name, None, value, stmt)
    for member in cls.columns[before[0]:] + cls.relationships[before[1]:]:
        member.after_body = True


def _name_ref(node) -> str | None:
    return node.id if isinstance(node, ast.Name) else None


def _is_mapped(annotation) -> bool:
    return isinstance(annotation, ast.Subscript) and (dotted(annotation.value) or "").endswith("Mapped")


def _method(fact: ClassFact, func: ast.FunctionDef, module_values: dict | None = None) -> None:
    decorators = {dotted(d) or "" for d in func.decorator_list}
    if func.name == "__new__":
        fact.makes_tables = _passes_table_true(func)
    elif func.name == "__init__":
        fact.base_attributes = _bases_made_in(func)
    if not decorators & DECLARED_ATTR and not any(d.endswith("declared_attr") for d in decorators):
        fact.attributes.setdefault(func.name, pos(func))
        return
    fact.attributes.setdefault(func.name, pos(func))
    if func.name == "__tablename__":
        fact.tablename = _declared_tablename(func)
    elif func.name == "__table_args__":
        args = _declared_table_args(func, module_values)
        if args is not None:
            args.form = "declared_attr"
            fact.table_args = args
    elif not func.name.startswith("__"):
        _declared_column(fact, func)


_BASE_MAKERS = ("declarative_base", "generate_base")


def _bases_made_in(func: ast.FunctionDef) -> list[str]:
    """The attributes `self.<x> = declarative_base(...)` (or `registry().generate_base()`) sets."""
    found = []
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and callee_tail(node.value) in _BASE_MAKERS:
            found += [t.attr for t in node.targets if isinstance(t, ast.Attribute) and dotted(t.value) == "self"]
    return found


def _declared_table_args(func: ast.FunctionDef, module_values: dict | None) -> TableArgsFact | None:
    """What a ``declared_attr`` ``__table_args__`` returns. One literal: read as written. Several
    returns (one per table, ``if cls.__tablename__ == ...``) or a tuple added to a computed one
    (``cls._table_args + (CheckConstraint(...), {"mysql_engine": "InnoDB"})``): the options can
    still be read, since only a tuple's last item may hold them; the constraints cannot all be."""
    returns = [_local_value(func, n.value) for n in ast.walk(func)
               if isinstance(n, ast.Return) and n.value is not None and not _is_none(n.value)]
    if not returns:
        return None
    if len(returns) == 1 and not _added_tuple(returns[0]):
        return table_args(returns[0], pos(func), module_values)
    branches = [table_args(_added_tuple(r) or r, pos(func), module_values) for r in returns]
    if any(b.form not in ("tuple", "dict") for b in branches):
        return TableArgsFact(pos=pos(func), form="unknown", schema_known=False)
    first = branches[0]
    options = {(b.schema, b.schema_known, b.schema_ref, b.extend_existing, b.keep_existing) for b in branches}
    merged = TableArgsFact(pos=pos(func), form="tuple", constraints_known=False)
    if len(options) == 1:
        merged.schema, merged.schema_known, merged.schema_ref = first.schema, first.schema_known, first.schema_ref
        merged.extend_existing, merged.keep_existing = first.extend_existing, first.keep_existing
    else:  # the branches disagree: which one a class takes is decided at run time
        merged.schema_known = False
    if len(returns) == 1:
        merged.constraints = first.constraints  # written for every class; one branch's are not
    return merged


def _added_tuple(node) -> ast.Tuple | None:
    """``<computed> + (item, ..., {options})``: the literal tuple at the end, which holds the
    last item (and so the options) of the sum."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and isinstance(node.right, ast.Tuple) \
            and node.right.elts:
        return node.right
    return None


def _declared_column(fact: ClassFact, func: ast.FunctionDef) -> None:
    """``@declared_attr def id(cls): return Column(Integer, primary_key=True)`` on a mixin or an
    abstract base: every mapped subclass gets the column, as if it were written there."""
    returned = _returned(func)
    tail = callee_tail(returned) if isinstance(returned, ast.Call) else None
    if tail in col.COLUMN_CALLS and _single_return(func):
        column = col.parse_column_call(returned, func.name, tail)
        if column.type is None:
            column.type = col.annotation_type(_mapped_return(func))
        fact.columns.append(column)


def _mapped_return(func: ast.FunctionDef):
    """``def id(cls) -> Mapped[int]``: the type a bare ``mapped_column(primary_key=True)`` gets."""
    return func.returns if func.returns is not None and _is_mapped(func.returns) else None


def _passes_table_true(func: ast.FunctionDef) -> bool:
    """`super().__new__(mcs, name, bases, ns, table=True)`, `kwargs["table"] = True`,
    `kwargs.setdefault("table", True)`."""
    for node in ast.walk(func):
        if isinstance(node, ast.Call):
            if any(kw.arg == "table" and literal(kw.value) is True for kw in node.keywords):
                return True
            if callee_tail(node) == "setdefault" and len(node.args) == 2 and string(node.args[0]) == "table" \
                    and literal(node.args[1]) is True:
                return True
        if isinstance(node, ast.Assign) and literal(node.value) is True and any(
                isinstance(t, ast.Subscript) and string(t.slice) == "table" for t in node.targets):
            return True
    return False


def _local_value(func: ast.FunctionDef, node):
    """``return args`` after one ``args = (...)`` in the function body: that value."""
    if not isinstance(node, ast.Name):
        return node
    values = [stmt.value for stmt in func.body if isinstance(stmt, ast.Assign)
              and any(isinstance(t, ast.Name) and t.id == node.id for t in stmt.targets)]
    bound_elsewhere = any(isinstance(n, (ast.AugAssign, ast.AnnAssign, ast.For, ast.With)) for n in ast.walk(func))
    return values[0] if len(values) == 1 and not bound_elsewhere else node


def _returned(func: ast.FunctionDef):
    for node in ast.walk(func):
        if isinstance(node, ast.Return) and node.value is not None and not _is_none(node.value):
            return node.value
    return None


def _as_cls(node, func: ast.FunctionDef):
    """The returned expression with the function's first parameter written `cls`, whatever its
    name: timesketch's `def __tablename__(self): return self.__name__.lower()` is the class."""
    params = func.args.posonlyargs + func.args.args
    if node is None or not params or params[0].arg == "cls":
        return node
    first = params[0].arg

    class _Rename(ast.NodeTransformer):
        def visit_Name(self, name: ast.Name) -> ast.Name:
            return ast.copy_location(ast.Name("cls", name.ctx), name) if name.id == first else name

    return _Rename().visit(copy.deepcopy(node))


def _is_none(node) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _declared_tablename(func: ast.FunctionDef) -> TablenameFact:
    fact = TablenameFact("declared_attr", None, pos(func))
    source = ast.unparse(func)
    fact.returns_none_when_inherited = ("has_inherited_table" in source or "polymorphic_on" in source) and any(
        isinstance(n, ast.Return) and (n.value is None or _is_none(n.value)) for n in ast.walk(func))
    recipes = _name_recipes(func)
    returned = _as_cls(recipes[0], func) if len(recipes) == 1 else None
    fact.value = _name_pattern(returned) if returned is not None else None
    if fact.value is None:
        # Not a known recipe: kept for the inventory, which evaluates it exactly (the project's
        # snake-case helper) or reports the name as unknown. Never guessed.
        fact.expr = source_text(returned) if returned is not None else None
        fact.kind = "declared_attr" if fact.expr else "unknown"
    return fact


def _name_recipes(func: ast.FunctionDef) -> list:
    """The distinct names a `__tablename__` function can return, besides None (a single-table
    child, see returns_none_when_inherited) and the class's own `__tablename__` passed through
    (`if "__tablename__" in cls.__dict__: return cls.__dict__["__tablename__"]`: a class that
    writes one is read from its body). advanced-alchemy's recipe sits behind both guards."""
    found: dict[str, ast.AST] = {}
    for node in ast.walk(func):
        if not isinstance(node, ast.Return) or node.value is None or _is_none(node.value):
            continue
        if any(isinstance(n, ast.Subscript) and string(n.slice) == "__tablename__" for n in ast.walk(node.value)):
            continue
        found.setdefault(source_text(node.value) or "", node.value)
    return list(found.values())


def _single_return(func: ast.FunctionDef) -> bool:
    return sum(isinstance(n, ast.Return) and n.value is not None and not _is_none(n.value) for n in ast.walk(func)) == 1


def _name_pattern(node) -> str | None:
    """Evaluate the common tablename recipes into a pattern over the class name."""
    text = (source_text(node) or "").replace(" ", "")
    name = "cls.__name__"
    simple = {f"{name}.lower()": "{lower}", name: "{name}", f"{name}.lower()+'s'": "{lower}s",
              f'{name}.lower()+"s"': "{lower}s", f"f'{{{name}.lower()}}s'": "{lower}s",
              f"f'{{{name}.lower()}}'": "{lower}", f"{name}.upper()": "{upper}"}
    if text in simple:
        return simple[text]
    if isinstance(node, ast.JoinedStr):
        return _fstring_pattern(node)
    return None


def _fstring_pattern(node: ast.JoinedStr) -> str | None:
    out = []
    for part in node.values:
        if isinstance(part, ast.Constant):
            out.append(str(part.value).replace("{", "{{"))
        elif isinstance(part, ast.FormattedValue):
            inner = (source_text(part.value) or "").replace(" ", "")
            mapping = {"cls.__name__.lower()": "{lower}", "cls.__name__": "{name}"}
            if inner not in mapping:
                return None
            out.append(mapping[inner])
    return "".join(out)


def _dict_source(node) -> dict[str, str]:
    if isinstance(node, ast.Dict):
        return {string(k) or source_text(k) or "?": source_text(v) or "" for k, v in zip(node.keys, node.values) if k}
    return {}

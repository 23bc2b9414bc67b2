"""Declarative attributes SQLAlchemy reserves, misspells silently, or cannot reconcile."""

from __future__ import annotations

from collections import defaultdict

from ormdoctor.findings import Applicability, Edit, Fix, Severity
from ormdoctor.rules.context import loc, related
from ormdoctor.rules.foreign_keys import referenced_table
from ormdoctor.rules.loading import is_dead, not_run_note
from ormdoctor.rules.registry import rule
from ormdoctor.rules.tablemap import table_map

MAPPED = ("table", "sti", "joined", "concrete", "imperative")
RESERVED = {"metadata", "registry"}
FLASK_RESERVED = {"query", "query_class"}
DECLARATIVE_NAMES = {"__tablename__", "__table_args__", "__mapper_args__", "__abstract__", "__bind_key__",
                     "__table__", "__allow_unmapped__"}
_NORMALISED = {n.strip("_").replace("_", "").lower(): n for n in DECLARATIVE_NAMES}
_EFFECT = {
    "__tablename__": "SQLAlchemy raises 'Class does not have a __table__ or __tablename__ specified'"
                     " (or, on a subclass, silently makes it single-table inheritance)",
    "__table_args__": "silently ignored: its constraints, indexes and options never reach the table",
    "__mapper_args__": "silently ignored: polymorphic and other mapper settings are lost",
    "__abstract__": "silently ignored: the class is mapped as a table",
    "__bind_key__": "silently ignored: the model goes to the default database",
}


@rule("ORM401", "reserved-attribute", Severity.ERROR, fix=Applicability.UNSAFE)
def reserved_attribute(ctx):
    """## What it does
    Finds a mapped attribute named `metadata` or `registry` (and `query` or `query_class` on
    Flask-SQLAlchemy models).

    ## Why is this bad?
    `metadata` raises `InvalidRequestError: Attribute name 'metadata' is reserved when using the
    Declarative API` at class definition on SQLAlchemy 1.4 and 2.0. SQLAlchemy 2.1 only warns
    (`SAWarning`), maps the column, and `Model.metadata` stops being the MetaData, which breaks
    `create_all` and Alembic later. On Flask-SQLAlchemy `metadata` fails at class definition and
    `query` shadows `Model.query`, so `Model.query.all()` breaks at run time. `registry` is
    silently mapped on 1.4/2.0 and warns on 2.1.

    ## Example
    ```python
    class KPISnapshot(Base):
        metadata = Column(JSON)            # ORM401
    ```

    ## Use instead
    Keep the column name, change only the attribute:
    ```python
    class KPISnapshot(Base):
        kpi_metadata = Column("metadata", JSON)
    ```

    ## Fix safety
    Unsafe: code that reads `snapshot.metadata` must be renamed too.

    ## Fix
    `ormdoctor fix --unsafe-fixes` renames the attribute (`metadata` → `kpisnapshot_metadata`)
    and passes the old name as the column name (`Column("metadata", JSON)`, also inside
    `mapped_column(...)` and SQLModel's `Field(sa_column=Column(...))`), so the database column
    does not change. It rewrites the uses it can resolve: `KPISnapshot.metadata`,
    `KPISnapshot(metadata=...)` in every project file and `self.metadata` in the class, but not
    `KPISnapshot.metadata.create_all(...)` or `Model.query.all()`, which mean the MetaData and
    Flask-SQLAlchemy's query that the rename gives back. Uses through other variables
    (`snapshot.metadata`) cannot be resolved statically; review them.
    """
    for model in ctx.inventory.classes:
        if model.kind not in MAPPED and model.kind not in ("abstract", "mixin"):
            continue
        reserved = RESERVED | (FLASK_RESERVED if model.flavor == "flask" else set())
        # Set on the mapped class after its statement, an attribute goes through the mapper
        # (`Instance.metadata = relationship(...)` works): only the class body is checked.
        members = [(c.attr, c.pos, c.name) for c in model.fact.columns if not c.after_body]
        members += [(r.attr, r.pos, None) for r in model.fact.relationships if not r.after_body]
        for attr, pos, column_name in members:
            if attr in reserved:
                yield _reserved(ctx, model, attr, pos, column_name, dead=is_dead(ctx.graph, model.path))


def _reserved(ctx, model, attr, pos, column_name, dead: bool):
    if attr == "metadata":
        effect = ("InvalidRequestError at class definition on SQLAlchemy 1.4/2.0; 2.1 only warns and "
                  f"{model.name}.metadata stops being the MetaData")
    elif attr == "registry":
        effect = f"silently mapped on 1.4/2.0 (SAWarning on 2.1): {model.name}.registry stops being the registry"
    else:
        effect = f"it shadows Flask-SQLAlchemy's {model.name}.{attr}, so {model.name}.query breaks at run time"
    new = f"{model.name.lower()}_{attr}" if len(model.name) < 12 else f"{attr}_value"
    keep = f'Column("{column_name or attr}", ...)'
    message = f"attribute '{attr}' of {model.name} is reserved: {effect}"
    if dead:
        message += not_run_note(model.path)
    return ctx.finding("ORM401", f"{model.name}.{attr}", message, loc(model.path, pos),
                       severity=Severity.WARNING if dead else None, hint=f"rename the attribute and keep the column name: `{new} = {keep}`",
                       fix=Fix(Applicability.UNSAFE, f"rename to `{new}` with column name '{column_name or attr}' "
                                                     f"and rewrite `{model.name}.{attr}` uses",
                               (Edit("rename-attribute", model.path, pos.line, (model.name, attr, new, column_name or attr)),)))


@rule("ORM402", "misspelled-declarative-attribute", Severity.ERROR, fix=Applicability.UNSAFE)
def misspelled_declarative_attribute(ctx):
    """## What it does
    Finds misspelled declarative attributes (`__tableargs__`, `__table_name__`, `__tablename`,
    `__mapperargs__`, ...) and a `__table_args__` that is not a tuple or dict, typically a
    single constraint in parentheses without the trailing comma, or a list. `tuple(...)` around
    a list or tuple is read as that tuple; `tuple(...)` around one constraint is reported. Also
    an annotation written as an assignment in a model, `avatar_url = Mapped[str]` (a `=` for a
    `:`): SQLAlchemy maps no column and says nothing.

    ## Why is this bad?
    Some fail loudly (`__table_name__`: "Class does not have a __table__ or __tablename__
    specified"), most are silently ignored: the unique constraint, the schema or the
    polymorphic setting never reaches the database. `__table_args__ = (UniqueConstraint("code"))`
    is a bare constraint, not a tuple: `ArgumentError: __table_args__ value must be a tuple, dict,
    or None`. `tuple(CheckConstraint("price > 0"))` iterates over the constraint, which yields its
    columns (none before it is attached to a table): the tuple is empty and the check silently
    never exists; `tuple(Index(...))` raises `TypeError: 'Index' object is not iterable`. On Flask-SQLAlchemy and SQLModel models a misspelled `__tablename__` fails nothing:
    the library names the table after the class (`Policy` → `policy`) and the written name is
    never used. That one is a warning with no fix: the database most likely holds the automatic
    name, and renaming the attribute would move the model to another table.

    ## Example
    ```python
    class Product(Base):
        __tablename__ = "products"
        __tableargs__ = (UniqueConstraint("sku"),)          # ORM402: ignored
        __table_args__ = (UniqueConstraint("code"))         # ORM402: not a tuple
    ```

    ## Use instead
    ```python
        __table_args__ = (UniqueConstraint("sku"), UniqueConstraint("code"))
    ```

    ## Fix safety
    Renaming is unsafe: what was silently ignored (a constraint, a schema, a mapper setting)
    takes effect. The missing comma is a safe fix: the class cannot be defined without it.

    ## Fix
    `ormdoctor fix --unsafe-fixes` renames the attribute to the declarative name it misspells,
    unless the class already has that name (then merging the two is yours to do). `ormdoctor
    fix` turns a parenthesized single constraint into a one-element tuple:
    `(UniqueConstraint("code"),)`, a list into a tuple, and `tuple(Index(...))` into
    `(Index(...),)`. The same rewrite of `tuple(UniqueConstraint(...))` is unsafe (the constraint
    comes into existence, and the next migration adds it): `--unsafe-fixes`.
    """
    from ormdoctor.inventory.coverage import looks_mapped

    models = {(c.path, c.name): c for c in ctx.inventory.classes}
    for module in ctx.inventory.modules.values():
        for cls in module.facts.classes:
            if cls.nested and module.is_test:
                continue  # made inside a test, often to assert that SQLAlchemy rejects it
            # A pydantic or plain class's private `_table_name` is its own business.
            maybe_model = (module.path, cls.name) in models or looks_mapped(cls)
            # `table_name = Column(Text)` is a column named like the dunder (nylas' ActionLog
            # records which table an action touched): what maps a column misspells nothing.
            mapped = {c.attr for c in cls.columns} | {r.attr for r in cls.relationships} if maybe_model else set()
            for attr, pos in cls.attributes.items() if maybe_model else ():
                intended = _intended(attr, cls) if attr not in mapped else None
                automatic = _automatic_table(models.get((module.path, cls.name)), cls) if intended == "__tablename__" else None
                if automatic:
                    yield _automatic_name_misspelled(ctx, module.path, attr, pos, automatic)
                elif intended:
                    message = f"{cls.name}.{attr} looks like a misspelling of {intended}: {_EFFECT.get(intended, 'ignored')}"
                    fix = None if intended in cls.attributes else Fix(
                        Applicability.UNSAFE, f"rename `{attr}` to `{intended}`",
                        (Edit("rename-dunder", module.path, pos.line, (cls.name, attr, intended)),))
                    yield ctx.finding("ORM402", f"{cls.name}.{attr}", message, loc(module.path, pos),
                                      hint=f"rename it to {intended}", fix=fix)
            args = cls.table_args
            if args is not None and args.form == "invalid":
                yield _not_a_tuple(ctx, module.path, cls, args)
            for attr, pos in cls.assigned_types.items() if maybe_model else ():
                yield _annotation_assigned(ctx, module.path, cls, attr, pos)


def _annotation_assigned(ctx, path: str, cls, attr: str, pos):
    """`avatar_url = Mapped[str]`: the class attribute is the type object, SQLAlchemy maps no
    column (checked with 1.4 and 2.1), and the code that reads or writes it gets the type."""
    return ctx.finding("ORM402", f"{cls.name}.{attr}",
                       f"{cls.name}.{attr} = Mapped[...] assigns the annotation instead of declaring it: no column "
                       f"'{attr}' is mapped, and {cls.name}.{attr} is the type object",
                       loc(path, pos), hint=f"write `{attr}: Mapped[...]` (a colon), then migrate the new column")


_TUPLE_HINT = {
    "comma": "write a tuple with a trailing comma: `(UniqueConstraint(\"code\"),)`",
    "tuple": "write the tuple itself, with a trailing comma after a single item: `(UniqueConstraint(\"code\"),)`",
}


def _not_a_tuple(ctx, path: str, cls, args):
    """``__table_args__`` in a form SQLAlchemy rejects, or one that silently drops its constraint."""
    what = "add the trailing comma that makes it a tuple" if args.repair == "comma" else "write it as a tuple"
    # A class that cannot be defined gains nothing but a working import; a dropped constraint
    # comes into existence, and the next migration adds it.
    fix = Fix(Applicability.SAFE if args.crashes else Applicability.UNSAFE, what,
              (Edit("make-tuple", path, args.pos.line, (cls.name,)),))
    return ctx.finding("ORM402", f"{cls.name}.__table_args__", f"{cls.name}.__table_args__ {args.invalid_reason}",
                       loc(path, args.pos), hint=_TUPLE_HINT[args.repair],
                       fix=fix)


_AUTOMATIC_NAMER = {"flask": "Flask-SQLAlchemy", "sqlmodel": "SQLModel"}


def _automatic_table(model, cls):
    """The model, when the library named its table after the class because it sets none."""
    if model is None or model.flavor not in _AUTOMATIC_NAMER or cls.tablename is not None:
        return None
    return model if model.table_name and model.kind in ("table", "joined", "concrete") else None


def _automatic_name_misspelled(ctx, path: str, attr: str, pos, model):
    """A misspelled ``__tablename__`` where Flask-SQLAlchemy or SQLModel names the table after
    the class: nothing fails, the model uses that table, and the database was most likely
    created with it. Renaming the attribute would move the model to another table: no fix."""
    message = (f"{model.name}.{attr} looks like a misspelling of __tablename__: {_AUTOMATIC_NAMER[model.flavor]} "
               f"names the table '{model.table_name}' after the class, so the name written there is never used")
    hint = (f"the model's table is '{model.table_name}': delete the misspelled line, or rename it to "
            f"__tablename__ and migrate the table")
    return ctx.finding("ORM402", f"{model.name}.{attr}", message, loc(path, pos), hint=hint, severity=Severity.WARNING)


def _intended(attr: str, cls) -> str | None:
    """A dunder attempt: `__tablename`, `_tablename_`, `__table_name__`. A single leading
    underscore (`_table`, `_mapper_args`) is the usual private attribute of any class, except a
    `_table_name` on a class that names no table at all: that one is the table name, mistyped."""
    if attr in DECLARATIVE_NAMES:
        return None
    if attr[:1] != "_" and (cls.tablename is not None or cls.table_assign is not None):
        return None  # a public attribute of a class that names its table: the usual column
    intended = _NORMALISED.get(attr.strip("_").replace("_", "").lower())
    if attr.startswith("__") or attr.startswith("_") and attr.endswith("_"):
        return intended
    if intended == "__tablename__" and cls.tablename is None and cls.table_assign is None:
        return intended
    return None


@rule("ORM403", "inheritance-conflict", Severity.ERROR)
def inheritance_conflict(ctx):
    """## What it does
    Finds inheritance set-ups SQLAlchemy cannot map: two single-table subclasses declaring the
    same column without `use_existing_column=True`; a `__tablename__` mixin applied to a class
    meant as a single-table subclass; an abstract base with a constant `__tablename__` that
    several subclasses inherit.

    ## Why is this bad?
    - Same column on two single-table subclasses: `Column 'x' on class B conflicts with
      existing column 'parent.x'` at class definition.
    - Tablename mixin on an intended single-table subclass: SQLAlchemy makes it a joined
      subclass with a new table and no foreign key to the parent: `Can't determine the inherit
      condition`. A subclass whose key is a foreign key to the parent, written as a string or
      as an attribute (`ForeignKey(Employee.id)`, `ForeignKey(Employee.__table__.c.id)`), is a
      deliberate joined subclass and is not reported.
    - Constant `__tablename__` on an abstract base: every subclass maps the same table, the
      second one raises `Table 'x' is already defined`.

    ## Example
    ```python
    class Engineer(Employee):
        skill = mapped_column(String(50))
    class Manager(Employee):
        skill = mapped_column(String(50))      # ORM403
    ```

    ## Use instead
    `skill = mapped_column(String(50), use_existing_column=True)` on both; return `None` from the
    mixin's `__tablename__` when `has_inherited_table(cls)`; put `__tablename__` on each concrete
    subclass.

    ## Fix safety
    No automatic fix.
    """
    yield from _sti_column_conflicts(ctx)
    yield from _mixin_on_single_table(ctx)
    yield from _abstract_constant_name(ctx)


def _sti_column_conflicts(ctx):
    siblings = defaultdict(list)
    for model in ctx.inventory.classes:
        if model.kind == "sti" and model.parent is not None:
            siblings[(model.parent.path, model.parent.name)].append(model)
    for children in siblings.values():
        seen: dict[str, tuple] = {}
        for child in sorted(children, key=lambda m: (m.path, m.pos.line)):
            for column in child.fact.columns:
                if column.style == "annotation" or column.use_existing_column:
                    continue
                if column.name in seen:
                    other, other_column = seen[column.name]
                    if other_column.use_existing_column:
                        continue
                    message = (f"{child.name}.{column.attr} and {other.name}.{other_column.attr} both add column "
                               f"'{column.name}' to single-table '{child.table_name}': conflicts with existing column")
                    yield ctx.finding("ORM403", f"{child.name}.{column.attr}", message, loc(child.path, column.pos),
                                      [related(other.path, other_column.pos, f"{other.name} declares it first")],
                                      "add use_existing_column=True to both declarations")
                else:
                    seen[column.name] = (child, column)


def _mixin_on_single_table(ctx):
    tables = table_map(ctx.inventory)
    for model in ctx.inventory.classes:
        if model.kind != "joined" or model.parent is None or model.fact.tablename is not None:
            continue
        parent_table = model.parent.table_name
        links = [fk for c in model.fact.columns for fk in c.foreign_keys
                 if referenced_table(ctx.inventory, tables, model.path, fk.target, fk.target_is_expr,
                                     model.metadata_id) == parent_table]
        if links or model.flavor in ("flask", "sqlmodel"):
            continue
        message = (f"{model.name} inherits a __tablename__ recipe and becomes a joined subclass of {model.parent.name} "
                   f"with table '{model.table_name}' but no foreign key to '{parent_table}': Can't determine the inherit condition")
        rel = [related(model.parent.path, model.parent.pos, "parent class")]
        rel += [related(path, cls.tablename.pos, f"{cls.name} supplies the __tablename__ recipe")
                for path, cls in ctx.inventory.declarative.ancestry(model.path, model.fact)[1:]
                if cls.tablename is not None and cls.tablename.kind == "declared_attr"][:1]
        yield ctx.finding("ORM403", model.name, message, loc(model.path, model.pos), rel,
                          "return None from the mixin's __tablename__ when has_inherited_table(cls)")


def _abstract_constant_name(ctx):
    by_base = defaultdict(list)
    for model in ctx.inventory.classes:
        if model.kind in ("table", "joined") and model.fact.tablename is None and model.table_name:
            for path, cls in ctx.inventory.declarative.ancestry(model.path, model.fact)[1:]:
                if cls.tablename is not None:
                    if cls.abstract and cls.tablename.kind == "literal":
                        by_base[(path, cls.name)].append((model, cls))
                    break
    for (path, name), inheriting in sorted(by_base.items()):
        # One name in different schemas (or on different MetaData) is two tables: no collision.
        by_key = defaultdict(list)
        for model, cls in inheriting:
            by_key[(model.metadata_id, model.schema)].append((model, cls))
        users = max(by_key.values(), key=len)
        if len(users) < 2:
            continue
        base = users[0][1]
        names = ", ".join(m.name for m, _ in users)
        message = (f"abstract {name} sets __tablename__ = '{base.tablename.value}', so {names} all map that one table: "
                   f"the second raises 'Table is already defined'")
        rel = [related(m.path, m.pos, f"{m.name} inherits it") for m, _ in users]
        yield ctx.finding("ORM403", name, message, loc(path, base.tablename.pos), rel,
                          "set __tablename__ on each concrete subclass, not on the abstract base")

"""Index and constraint names that collide, indexes that repeat another, shared Index objects."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from ormdoctor.findings import Applicability, Edit, Fix, Severity
from ormdoctor.inventory.model import TableDef
from ormdoctor.rules.context import loc, related
from ormdoctor.rules.databases import SAME, collision_note, shared_database, uses_postgresql
from ormdoctor.rules.loading import meeting
from ormdoctor.rules.naming import final_name, written_name
from ormdoctor.rules.registry import rule
from ormdoctor.rules.targets import table_item_written_in
from ormdoctor.static.facts import Pos


@dataclass(frozen=True)
class NamedIndex:
    name: str
    table: TableDef
    pos: Pos
    what: str  # "index=True on email", "Index('ix_x')", "UniqueConstraint(code)"
    columns: tuple[str, ...]
    unique: bool
    by_convention: bool = False
    via_mixin: str | None = None  # the mixin file when the constraint is inherited
    per_table: bool = False  # a CHECK constraint: its name is unique per table, not per schema
    path: str = ""  # the file that writes it: a mixin's file for what the table inherits
    item: object = field(default=None, compare=False)  # the column or constraint fact, to find that file

    @property
    def where(self) -> str:
        return self.path or self.table.path


def _unique_tables(ctx) -> list[TableDef]:
    """One definition per table: duplicates are ORM101's business, not a name collision."""
    seen, out = set(), []
    for table in sorted(ctx.inventory.tables, key=lambda t: (t.path, t.pos.line)):
        key = (table.metadata_id, table.schema, table.name)
        if key not in seen:
            seen.add(key)
            out.append(table)
    return out


def _convention(ctx, table: TableDef):
    metadata = ctx.inventory.metadatas.get(table.metadata_id)
    return metadata.naming_convention if metadata else None


def named_indexes(ctx, table: TableDef) -> list[NamedIndex]:
    convention = _convention(ctx, table)
    found = []
    for column in table.columns:
        if column.index:
            name = final_name("ix", None, table.name, table.schema, [column.name], convention)
            if name:  # None: the convention has a token we cannot compute
                found.append(NamedIndex(name, table, column.pos, f"index=True on {column.name}", (column.name,),
                                        column.unique, by_convention=True, item=column))
        elif column.unique:
            name = final_name("uq", None, table.name, table.schema, [column.name], convention)
            if name:
                found.append(NamedIndex(name, table, column.pos, f"unique=True on {column.name}", (column.name,), True,
                                        by_convention=True, item=column))
    for constraint in _constraints(ctx, table):
        kind = {"index": "ix", "unique": "uq", "primary_key": "pk", "check": "ck"}.get(constraint.kind)
        if kind is None or constraint.object_ref:
            continue
        explicit, known = written_name(ctx.inventory, table, constraint)
        if not known:
            continue  # a computed name we cannot evaluate: it collides with nothing we know of
        name = final_name(kind, explicit, table.name, table.schema, constraint.columns, convention)
        if name:
            label = "Index" if constraint.kind == "index" else {"unique": "UniqueConstraint", "primary_key": "PrimaryKeyConstraint", "check": "CheckConstraint"}[constraint.kind]
            found.append(NamedIndex(name, table, constraint.pos, f"{label}({name!r})", tuple(constraint.columns),
                                    constraint.unique, by_convention=name != explicit,
                                    via_mixin=_constraint_home(ctx, table, constraint), per_table=kind == "ck",
                                    item=constraint))
    return found


def _home(ctx, table: TableDef, item) -> str:
    return table_item_written_in(ctx.inventory, table, item)


def _placed(ctx, index: NamedIndex) -> NamedIndex:
    """The index with the file that writes it (found for the reported ones only: it walks the ancestry)."""
    return replace(index, path=_home(ctx, index.table, index.item))


def _constraint_home(ctx, table: TableDef, constraint) -> str | None:
    if table.model is None or (table.model.fact.table_args and constraint in table.model.fact.table_args.constraints):
        return None
    return f"mixin:{id(constraint)}"


def _constraints(ctx, table: TableDef):
    """The table's own constraints plus module-level ``Index(..., table.c.x)`` aimed at it."""
    yield from table.constraints
    yield from ctx.inventory.module_indexes(table)


@rule("ORM201", "duplicate-index-name", Severity.ERROR, fix=Applicability.UNSAFE)
def duplicate_index_name(ctx):
    """## What it does
    Finds one index or constraint name used twice where the database needs it unique:
    PostgreSQL per schema (indexes, unique constraints, primary keys and tables share one
    namespace), SQLite per database for index names. A CHECK constraint's name is unique per
    table only (two tables may both have a `ck_positive`). A name that only unique or primary key
    constraints of several tables repeat (at most one index among them) fails on PostgreSQL
    alone (SQLite names a constraint's index itself, MySQL scopes names per table): an error when
    the project shows it runs on PostgreSQL (an engine URL, a driver, the dialect's types), else
    a warning that says so. Names from `index=True` and naming conventions count, as
    SQLAlchemy computes them (`ix_%(column_0_label)s` by default). One table defined on two
    MetaData (a frozen copy of a schema for migrations) repeats its own indexes without any
    collision: `create_all` creates a table once, with its indexes, and skips the copy.

    ## Why is this bad?
    SQLAlchemy never checks index names. `create_all` fails: PostgreSQL rolls the whole DDL back
    with `relation "ix_email" already exists`; SQLite stops with `index ix_email already exists`
    and leaves the first tables behind, so a re-run "succeeds" with the index missing. Naming
    conventions collide in surprising ways: the default `ix_%(column_0_label)s` gives table
    `liquidacion_concepto` column `id` and table `liquidacion` column `concepto_id` the same
    name `ix_liquidacion_concepto_id`; a convention without the table name
    (`ix_%(column_0_name)s`) gives every table that inherits a mixin's `index=True` column an
    index of the same name. A name repeated by generated code (a sqlacodegen
    snapshot of the same database) is a warning that says the file is generated.

    ## Example
    ```python
    class User(Base):
        __table_args__ = (Index("ix_email", "email"),)
    class Customer(Base):
        __table_args__ = (Index("ix_email", "email"),)     # ORM201
    ```

    ## Use instead
    Include the table name in every index name (`ix_users_email`), or use a naming convention
    with `%(table_name)s` in it.

    ## Fix safety
    Renaming an index needs a migration: no automatic fix. When the two are one index written
    twice on one table (`index=True` and `Index("ix_t_col", "col")`), ORM202's repeat is folded
    into this finding (unsafe for the same reason as ORM202's fix).

    ## Fix
    `ormdoctor fix --unsafe-fixes` removes the repeat of one index written twice on one table:
    the `index=True` keyword, or the repeated `Index(...)`. Names shared by two tables are yours
    to rename.
    """
    groups: dict[tuple, list[NamedIndex]] = defaultdict(list)
    for table in _unique_tables(ctx):
        metadata = ctx.inventory.metadatas.get(table.metadata_id)
        database = metadata.database if metadata else None
        for index in named_indexes(ctx, table):
            groups[(database, table.schema, table.key if index.per_table else "", index.name)].append(index)
    for (_, _, _, name), found in sorted(groups.items(), key=lambda kv: (str(kv[0][0]), kv[0][1] or "", kv[0][2], kv[0][3])):
        if len(found) < 2:
            continue
        found = sorted(found, key=lambda f: (f.table.path, f.pos.line))
        if len({f.table.key for f in found}) == 1 and len({f.table.metadata_id for f in found}) > 1:
            continue  # one table on several MetaData (a frozen migration schema): created once, with one set of indexes; ORM102's
        if len({(f.table.key, f.columns, f.unique) for f in found}) < 2 and not _repeated_on_one_table(found):
            continue  # the same index declared twice on one table is ORM202's redundancy
        meet = meeting(ctx.graph, [(f.table.path, f.table.main_only) for f in found])
        if meet.status == "separate":
            continue
        if len({_site(f) for f in found}) < 2:
            continue  # one Index inherited from a mixin by several tables: ORM203's root cause
        found = [_placed(ctx, f) for f in found]
        second = found[1]
        places = ", ".join(f"{f.table.key} ({f.what}, {f.where}:{f.pos.line})" for f in found)
        message = f"index name '{name}' is used {len(found)} times: {places}"
        rel = [related(f.where, f.pos, f"{f.what} on {f.table.key}") for f in found if f is not second]
        rel += _convention_sources(ctx, found)
        metadata_ids = {f.table.metadata_id for f in found}
        verdict = collision_note(ctx, shared_database(ctx, metadata_ids) if len(metadata_ids) == len(found) else SAME,
                                 meet, "fail")
        if verdict is None:
            continue  # separate databases
        message += verdict[0]
        severity = verdict[1]
        if _postgresql_only(found) and not uses_postgresql(ctx.inventory):
            message += ("; only PostgreSQL (and Oracle) refuse it, where a unique or primary key constraint's name "
                        "is also an index name in the schema: SQLite and MySQL accept it, so this is a warning")
            severity = Severity.WARNING
        yield ctx.finding("ORM201", name, message, loc(second.where, second.pos), rel,
                          "give each index a name that includes its table, e.g. ix_<table>_<column>", severity=severity)


_INDEX_KINDS = ("Index(", "index=True", "unique=True, index=True")


def _postgresql_only(found: list[NamedIndex]) -> bool:
    """Whether the name collides only where constraints and indexes share one namespace: at
    most one of them is an index (two CREATE INDEX of one name fail on SQLite too), the others
    unique or primary key constraints on other tables (SQLite names their indexes itself; MySQL
    scopes names per table)."""
    indexes = sum(1 for f in found if f.what.startswith(_INDEX_KINDS))
    return indexes < 2 and len({f.table.key for f in found}) == len(found)


def _site(index: NamedIndex) -> tuple:
    """What makes the index: one `Index` object of a mixin's `__table_args__` is shared by every
    table that inherits it (ORM203), while a mixin column's `index=True` gives each table an
    index of its own, named by the convention: a table-less convention names them all alike."""
    if index.via_mixin is not None:
        return index.via_mixin, index.pos.line, index.pos.column
    return index.table.path, index.table.key, index.pos.line, index.pos.column


def _repeated_on_one_table(found: list[NamedIndex]) -> bool:
    """Two index definitions that get one name on one table: create_all emits CREATE INDEX twice
    and the second fails ("index ... already exists"), whatever their columns."""
    sites = {(f.table.key, f.pos.line, f.pos.column) for f in found if f.what.startswith(("Index(", "index=True"))}
    return len(sites) >= 2 and len({key for key, _, _ in sites}) == 1


def _convention_sources(ctx, found: list[NamedIndex]):
    seen = set()
    for item in found:
        metadata = ctx.inventory.metadatas.get(item.table.metadata_id)
        if item.by_convention and metadata and metadata.naming_convention and metadata.id not in seen and metadata.path:
            seen.add(metadata.id)
            yield related(metadata.path, metadata.pos, f"naming convention of {metadata.label} makes the name")


@rule("ORM202", "redundant-index", Severity.WARNING, fix=Applicability.UNSAFE)
def redundant_index(ctx):
    """## What it does
    Finds an index on exactly the columns of another index, unique constraint or primary key of
    the same table: `index=True` plus an explicit `Index` on that column, `unique=True` plus an
    `Index`, a `UniqueConstraint` plus `index=True`, `primary_key=True` with `index=True` or
    `unique=True`.

    `unique=True, index=True` on one column is ONE unique index in SQLAlchemy
    (`CREATE UNIQUE INDEX ix_t_col`) and is not reported, nor is a partial index
    (`postgresql_where=`) or one of another kind (`postgresql_using="gin"`) next to a plain one.
    A repeat written once in a mixin or abstract base is reported once, at the mixin's line,
    with the tables that inherit it.

    ## Why is this bad?
    The database maintains two identical structures on every write, and migrations drift
    (Alembic sees one of them as an extra index).

    ## Example
    ```python
    email = Column(String, index=True)
    __table_args__ = (Index("ix_users_email_2", "email"),)     # ORM202
    ```

    ## Use instead
    ```python
    email = Column(String, index=True)
    ```

    ## Fix safety
    Removing the extra index is unsafe: the index disappears from the database at the next
    migration.

    ## Fix
    `ormdoctor fix --unsafe-fixes` removes what adds nothing: the `index=True` (and, next to a
    primary key, the `unique=True`) keyword of the column, or the repeated `Index(...)` /
    `UniqueConstraint(...)` from `__table_args__` (or its statement, for a standalone
    `Index(...)`). The one that stays is the one the message names as covering the columns.
    """
    # An index a mixin repeats is one mistake, written once, whatever the number of tables
    # that inherit it: one finding at that line, naming the tables.
    by_site: dict[tuple, list[tuple[TableDef, tuple, _Covering, _Covering]]] = defaultdict(list)
    for table in _unique_tables(ctx):
        for columns, keeper, extra in _redundant_in(ctx, table):
            by_site[(extra.path, extra.pos.line, extra.pos.column, extra.what, keeper.path, keeper.pos.line,
                     keeper.pos.column, keeper.what)].append(
                (table, columns, keeper, extra))
    for repeats in by_site.values():
        yield _redundant_finding(ctx, repeats)


_LISTED_TABLES = 8


def _redundant_finding(ctx, repeats: list[tuple[TableDef, tuple, "_Covering", "_Covering"]]):
    table, columns, keeper, extra = repeats[0]
    subject = extra.name or f"{table.key}.{'_'.join(columns)}"
    if len(repeats) == 1:
        where = f"on {table.key}"
    else:
        names = [t.key for t, _, _, _ in repeats]
        shown = ", ".join(names[:_LISTED_TABLES]) + (f" and {len(names) - _LISTED_TABLES} more" if len(names) > _LISTED_TABLES else "")
        where = f"on {len(names)} tables that inherit it ({shown})"
    message = f"{extra.what} {where} repeats {keeper.what} (line {keeper.pos.line})"
    if keeper.rank == 0:
        message = f"{extra.what} {where} repeats the primary key, which is already a unique index"
    return ctx.finding("ORM202", subject, message, loc(extra.path, extra.pos),
                       [related(keeper.path, keeper.pos, f"{keeper.what} already covers {', '.join(columns)}")],
                       "keep one index per column set (unique=True, index=True is already one unique index)",
                       fix=_redundant_fix(extra))


def _redundant_fix(extra) -> Fix | None:
    """What to delete for the covering that adds nothing: keywords of a column, or an element."""
    what = extra.what.split(" on ")[0]
    if extra.rank == 3:
        keywords = ("index",)
    elif extra.rank == 1 and what.startswith("unique=True"):
        keywords = ("unique", "index") if "index=True" in what else ("unique",)
    elif extra.what.startswith(("Index(", "UniqueConstraint(")):
        kind = extra.what.split("(")[0]
        return Fix(Applicability.UNSAFE, f"remove {what}", (Edit("remove-element", extra.path, extra.pos.line, (kind,)),))
    else:
        return None
    return Fix(Applicability.UNSAFE, f"remove {what}",
               (Edit("remove-keyword", extra.path, extra.pos.line, keywords),))


@dataclass(frozen=True)
class _Covering:
    columns: tuple[str, ...]
    rank: int  # 0 primary key, 1 unique, 2 named index, 3 index=True: the lowest rank is kept
    name: str | None
    pos: Pos
    what: str
    variant: str | None = None  # partial (`postgresql_where=`) or another method (`_using=`)
    path: str = ""  # the file that writes it (a mixin's, for what the table inherits)
    item: object = field(default=None, compare=False)  # the column fact, named and placed when reported
    kind: str = ""  # its name's kind for the naming convention ("ix", "uq")


def _coverings(ctx, table: TableDef) -> list[_Covering]:
    """What indexes ``table``'s columns. A column's covering gets its name and file only when it is
    reported (``_named_and_placed``): most tables repeat nothing."""
    primary = tuple(c.name for c in table.columns if c.primary_key)
    found = []
    if primary:
        first = next(c for c in table.columns if c.primary_key)
        found.append(_Covering(primary, 0, None, first.pos, "the primary key", item=first))
    for c in table.columns:
        if c.name is None:
            continue  # a computed column name: which index it makes is unknown
        if c.unique:
            what = "unique=True, index=True" if c.index else "unique=True"
            found.append(_Covering((c.name,), 1, None, c.pos, f"{what} on {c.name}", item=c,
                                   kind="ix" if c.index else "uq"))
        elif c.index:
            found.append(_Covering((c.name,), 3, None, c.pos, f"index=True on {c.name}", item=c, kind="ix"))
    constraints = list(_constraints(ctx, table))
    convention = _convention(ctx, table) if constraints else None
    for k in constraints:
        if k.kind not in ("index", "unique") or not k.columns or k.object_ref:
            continue
        kind = "ix" if k.kind == "index" else "uq"
        explicit, known = written_name(ctx.inventory, table, k)
        name = final_name(kind, explicit, table.name, table.schema, k.columns, convention) if known else None
        label = "Index" if k.kind == "index" else "UniqueConstraint"
        shown = f"{label}({name!r})" if name else f"{label}({', '.join(k.columns)})"
        found.append(_Covering(tuple(k.columns), 1 if k.unique else 2, name, k.pos, shown, k.variant, item=k))
    return found


def _redundant_in(ctx, table: TableDef):
    """(columns, the covering kept, one that repeats it) for each repeat on ``table``."""
    groups: dict[tuple, list[_Covering]] = defaultdict(list)
    for covering in _coverings(ctx, table):
        groups[(covering.columns, covering.variant)].append(covering)
    for (columns, _), items in groups.items():
        if len(items) < 2:
            continue
        items = sorted((_named_and_placed(ctx, table, c) for c in items), key=lambda c: (c.rank, c.pos.line, c.pos.column))
        for extra in items[1:]:
            yield columns, items[0], extra


def _named_and_placed(ctx, table: TableDef, covering: _Covering) -> _Covering:
    """A column's covering with the name the convention gives it (a constraint's is named when
    found: its label shows the name), and the file that writes it."""
    name = final_name(covering.kind, None, table.name, table.schema, list(covering.columns),
                      _convention(ctx, table)) if covering.kind else covering.name
    return replace(covering, name=name, path=_home(ctx, table, covering.item))


def _named_index(ctx, path: str, ref: str):
    """The module-level ``Index(...)`` the name ``ref`` (written in module ``path``) is bound to, or None."""
    module = ctx.inventory.modules.get(path)
    found = next((i for i in module.facts.indexes if i.var == ref), None) if module else None
    if found is not None or ctx.inventory.resolver is None:
        return found
    symbol = ctx.inventory.resolver.resolve(path, ref)  # imported: `from app.indexes import ix_created`
    if symbol is None or symbol.module is None or symbol.attr is not None or symbol.module == path:
        return None
    module = ctx.inventory.modules.get(symbol.module)
    return next((i for i in module.facts.indexes if i.var == symbol.name), None) if module else None


@rule("ORM203", "shared-index-object", Severity.ERROR)
def shared_index_object(ctx):
    """## What it does
    Finds one `Index` object in a mixin's (or abstract base's) `__table_args__` that several
    tables inherit, and a constant index name inside a `declared_attr` `__table_args__`. A name
    in the tuple counts when it is bound to an `Index(...)`; the keyword dict that may end the
    tuple (`(COMMON_TABLE_ARGS,)` of table options) is not an index.

    ## Why is this bad?
    The tuple is evaluated once, so every table gets the same Index object:
    `ArgumentError: Index 'ix_created' is against table 'orders', and cannot be associated with
    table 'invoices'` when the second class is defined. With `declared_attr` each table gets its
    own Index, but with one name, so `create_all` fails on the second (ORM201's error).

    ## Example
    ```python
    class TimestampMixin:
        created_at = Column(DateTime)
        __table_args__ = (Index("ix_created", "created_at"),)     # ORM203
    ```

    ## Use instead
    ```python
    class TimestampMixin:
        created_at = Column(DateTime, index=True)    # one ix_<table>_created_at per table
    ```

    ## Fix safety
    No automatic fix.
    """
    users: dict[int, list] = defaultdict(list)
    for table in _unique_tables(ctx):
        if table.model is None:
            continue
        owner = ctx.inventory.declarative.table_args_owner(table.model)
        if owner is not None and owner[1] is not table.model.fact:  # inherited, not its own
            users[id(owner[1].table_args)].append((owner[0], owner[1], table))
    for entries in users.values():
        path, mixin, _ = entries[0]
        args = mixin.table_args
        # A name in the tuple is an Index only when it is bound to one (`ix = Index(...)`): the
        # last element may be the keyword dict (`(COMMON_TABLE_ARGS,)` of mysql options).
        indexes = []
        for written in args.constraints:
            if written.kind == "index":
                bound = written if written.object_ref is None else _named_index(ctx, path, written.object_ref)
                if bound is not None:
                    indexes.append((written, bound))
        if not indexes or len({t.key for _, _, t in entries}) < 2:
            continue
        tables = sorted({t.key for _, _, t in entries})
        for index, bound in indexes:
            name = index.name or bound.name or index.object_ref or "?"
            if args.form == "declared_attr":
                if not index.name:
                    continue
                message = (f"declared_attr __table_args__ of {mixin.name} gives {len(tables)} tables "
                           f"({', '.join(tables)}) an index with the constant name '{name}'")
            else:
                message = (f"Index '{name}' in {mixin.name}.__table_args__ is one object shared by {len(tables)} tables "
                           f"({', '.join(tables)}): ArgumentError when the second class is defined")
            rel = [related(t.path, t.pos, f"{t.owner} inherits it") for _, _, t in entries[:4]]
            yield ctx.finding("ORM203", name, message, loc(path, index.pos), rel,
                              "use index=True on the mixin's column, or build the Index in a declared_attr with the table name in it")

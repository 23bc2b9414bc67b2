"""Static drift: every table definition of the inventory against the reflected database.

Table level: ORM601 (missing), ORM607 (only in another schema, instead of ORM601), ORM602
(in the database, defined nowhere). Per table: ORM603-ORM606 column by column, ORM608 indexes
and unique constraints matched by their columns. The Alembic probe reports the per-table codes
through the same finding builders (`column_missing`, `type_mismatch`, ...).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from ..findings import Finding, Location, Related
from ..inventory.model import Inventory, TableDef
from ..rules.context import definition_label
from ..static.facts import ColumnFact, Pos
from .schema import DbColumn, DbSchema, DbTable
from .score import (MISSING_IN_DATABASE, NOT_IN_MODEL, NULLABLE, TYPE, Score, best, compare_columns,
                    definition_columns, model_nullable, score_all, type_family)

IGNORED_TABLES = frozenset({"alembic_version"})


def drift_findings(inventory: Inventory, db: DbSchema, exact_types: bool = False,
                   covered: Iterable[tuple[str | None, str]] = (),
                   also_defined: Iterable[tuple[str | None, str]] = ()) -> list[Finding]:
    """Findings for every compared definition. Tables in `covered` (schema, name) were compared
    by Alembic: only their existence is checked here. `also_defined` are tables known from
    elsewhere (the imported MetaData) that ORM602 must not report."""
    covered = {(_schema(db, s), n) for s, n in covered}
    claimed = {(_schema(db, s), n) for s, n in also_defined}
    findings: list[Finding] = []
    definitions = compared_definitions(inventory)
    for table in definitions:
        found = db.table(table.schema, table.name)
        if found is None:
            finding = missing_table(inventory, db, table, definitions, exact_types)
            claimed |= {(t.schema, t.name) for t in db.find_by_name(table.name)} if finding.code == "ORM607" else set()
            findings.append(finding)
            continue
        claimed.add((found.schema, found.name))
        if (found.schema, found.name) not in covered:
            findings += table_drift(inventory, table, found, db.dialect, exact_types)
    findings += tables_not_in_models(inventory, db, claimed)
    return findings


def compared_definitions(inventory: Inventory) -> list[TableDef]:
    """Definitions outside test modules; only the default database's when binds separate them."""
    tables = [t for t in inventory.tables if not _in_tests(inventory, t)]
    default = [t for t in tables if _database(inventory, t) is None]
    return sorted(default or tables, key=lambda t: (t.path, t.pos.line, t.pos.column))


def _in_tests(inventory: Inventory, table: TableDef) -> bool:
    module = inventory.modules.get(table.path)
    return module is not None and module.is_test


def _database(inventory: Inventory, table: TableDef) -> str | None:
    info = inventory.metadatas.get(table.metadata_id)
    return info.database if info else None


def _schema(db: DbSchema, schema: str | None) -> str | None:
    return None if schema in (None, db.default_schema) else schema


# --- tables --------------------------------------------------------------------------------

def missing_table(inventory: Inventory, db: DbSchema, table: TableDef, definitions: list[TableDef],
                  exact_types: bool = False) -> Finding:
    """ORM607 when a table of that name exists in another schema, else ORM601."""
    elsewhere = [t for t in db.find_by_name(table.name) if t.kind == "table"] or db.find_by_name(table.name)
    if not elsewhere:
        message = f"{who(table)} expects table '{table.key}', which the database does not have"
        twin = next((t for t in db.find_by_name(table.name, ignore_case=True)
                     if t.schema == _schema(db, table.schema)), None)
        if twin is not None:
            message += f"; it has '{twin.name}', which differs in case"
        return make("ORM601", table.key, message, table_location(table),
                    hint="create the table with a migration (alembic revision --autogenerate), "
                         "or delete the definition if the table is gone")
    expected = expected_name(db, table)
    same_name = [d for d in definitions if d.name == table.name]
    scores = score_all(inventory, same_name, db, table.name, exact_types)
    phrases = [f"'{db.qualified(t)}' ({_verdict_for(table, scores[db.qualified(t)])})" for t in elsewhere]
    message = f"{who(table)} expects table '{expected}', which is missing; the database has {', '.join(phrases)}"
    top = best(scores[db.qualified(elsewhere[0])])
    related = []
    if top is not None and top.exact and top.definition is not table:
        related.append(Related(table_location(top.definition),
                               f"matches {db.qualified(elsewhere[0])} column for column"))
    return make("ORM607", table.key, message, table_location(table), related,
                hint=_other_schema_hint(table, elsewhere[0], top, db))


def expected_name(db: DbSchema, table: TableDef) -> str:
    """Where the definition's queries go: 'public.customers' (the default schema spelled out)."""
    schema = table.schema or db.default_schema
    return f"{schema}.{table.name}" if schema else table.name


def _verdict_for(table: TableDef, scores: list[Score]) -> str:
    """'matches legacy_core.py:20 Customer, 7/7 columns; this definition: 0/10'."""
    top = best(scores)
    own = next((s for s in scores if s.definition is table), None)
    if top is None:
        return "no definition to compare"
    if top.definition is table:
        lead = "matches this definition" if top.exact else "matches no definition exactly; closest: this one"
        return f"{lead}, {top.ratio} columns"
    lead = "matches" if top.exact else "matches no definition exactly; closest:"
    text = f"{lead} {definition_label(top.definition)}, {top.ratio} columns"
    return text + (f"; this definition: {own.ratio}" if own else "")


def _other_schema_hint(table: TableDef, found: DbTable, top: Score | None, db: DbSchema) -> str:
    compare = f"`ormdoctor compare {table.name} --db URL` shows every version next to the database's"
    if top is not None and top.exact and top.definition is table:
        if found.schema is None:
            return (f"the columns match: drop the schema from the model; the database has the table in "
                    f"{db.default_schema}")
        return (f"the columns match: map the schema the database uses, "
                f"__table_args__ = {{'schema': '{found.schema}'}}")
    if top is not None and top.exact:
        return (f"the database holds the version at {definition_label(top.definition)}: keep that one, "
                f"or migrate the data; {compare}")
    return compare


def tables_not_in_models(inventory: Inventory, db: DbSchema, claimed: set) -> list[Finding]:
    defined = {(_schema(db, t.schema), t.name) for t in inventory.tables}
    findings = []
    for table in db.tables:
        key = (table.schema, table.name)
        if table.kind != "table" or table.name in IGNORED_TABLES or key in defined or key in claimed:
            continue
        shown = table.key
        message = f"the database has table '{shown}', which no model or Table() defines"
        findings.append(make("ORM602", shown, message, None,
                             hint="map it, or drop it with a migration if nothing uses it; Alembic "
                                  "autogenerate would write drop_table for it"))
    return findings


# --- columns -------------------------------------------------------------------------------

def table_drift(inventory: Inventory, table: TableDef, found: DbTable, dialect: str,
                exact_types: bool = False) -> list[Finding]:
    findings = []
    columns = definition_columns(inventory, table)
    extra = [c.name for c in found.columns if table_column(columns, c.name) is None]
    for check in compare_columns(columns, found, dialect, exact_types):
        if MISSING_IN_DATABASE in check.problems:
            findings.append(column_missing(inventory, table, check.model, extra))
        elif NOT_IN_MODEL in check.problems:
            findings.append(column_extra(table, check.db))
        else:
            if TYPE in check.problems:
                findings.append(type_mismatch(inventory, table, check.model, check.db.type, exact_types))
            if NULLABLE in check.problems:
                findings.append(nullable_mismatch(inventory, table, check.model, check.db.nullable))
    if found.kind == "table":
        findings += index_drift(inventory, table, columns, found)
    return findings


def table_column(columns: list[ColumnFact], name: str) -> ColumnFact | None:
    return next((c for c in columns if c.name == name), None)


def column_missing(inventory: Inventory, table: TableDef, column: ColumnFact,
                   db_only: list[str] = ()) -> Finding:
    subject = f"{table.key}.{column.name}"
    message = f"column '{subject}' of {who(table)} is not in the database"
    close = difflib.get_close_matches(column.name, list(db_only), n=1, cutoff=0.5) or \
        [n for n in db_only if column.name in n or n in column.name][:1]
    if close:
        message += f"; the table has '{close[0]}', not mapped by the model"
    return make("ORM603", subject, message, column_location(inventory, table, column),
                hint="add the column with a migration, or remove it from the model; every query "
                     "on the table selects it and fails")


def column_extra(table: TableDef, column: DbColumn) -> Finding:
    subject = f"{table.key}.{column.name}"
    spelled = column.type + ("" if column.nullable else " NOT NULL")
    message = f"the database's column '{subject}' ({spelled}) is not mapped by {who(table)}"
    if not column.nullable and column.default is None and not column.primary_key:
        message += "; inserts through the model fail: it is NOT NULL without a default"
    return make("ORM604", subject, message, table_location(table),
                hint="map the column, or drop it with a migration")


def type_mismatch(inventory: Inventory, table: TableDef, column: ColumnFact, db_type: str,
                  exact_types: bool = False, model_type: str | None = None) -> Finding:
    """`model_type`: the type as the imported model says it (Alembic), else the source's."""
    subject = f"{table.key}.{column.name}"
    model_type = model_type or column.type or "?"
    model_family, db_family = type_family(model_type), type_family(db_type)
    if model_family and db_family and model_family != db_family:
        model_text, db_text = f"{model_type} ({model_family})", f"{db_type} ({db_family})"
    else:
        model_text, db_text = model_type, db_type
    message = f"column '{subject}' is {model_text} in {who(table)} but {db_text} in the database"
    return make("ORM605", subject, message, column_location(inventory, table, column),
                hint="make the model's type say what the database holds, or migrate the column")


def nullable_mismatch(inventory: Inventory, table: TableDef, column: ColumnFact, db_nullable: bool,
                      model_is_nullable: bool | None = None) -> Finding:
    """`model_is_nullable`: what the imported model says (Alembic), else read from the source."""
    subject = f"{table.key}.{column.name}"
    nullable = model_nullable(column) if model_is_nullable is None else model_is_nullable
    model = "nullable" if nullable else "NOT NULL"
    if column.nullable is None and model_nullable(column) == nullable:
        model += " by default"
    database = "nullable" if db_nullable else "NOT NULL"
    message = f"column '{subject}' is {model} in {who(table)} but {database} in the database"
    hint = ("say nullable=False in the model: inserts that leave it unset fail at commit" if not db_nullable
            else "the database accepts NULL here: make the attribute Optional, or migrate the column to NOT NULL")
    return make("ORM606", subject, message, column_location(inventory, table, column), hint=hint)


# --- indexes and unique constraints ---------------------------------------------------------

@dataclass(frozen=True)
class Declared:
    """One index or unique constraint as the model declares it."""

    columns: tuple[str, ...]
    unique: bool
    name: str | None  # as the database will name it, when known
    what: str  # "unique=True on customers.email", "Index('ix_x') on customers"
    pos: Pos | None
    path: str


def declared_indexes(inventory: Inventory, table: TableDef, columns: list[ColumnFact]) -> list[Declared]:
    from ..rules.naming import final_name, written_name

    convention = _convention(inventory, table)
    known = {c.name for c in columns}
    found = []
    for column in columns:
        if not (column.index or column.unique):
            continue
        path, pos = column_home(inventory, table, column)
        where = f"{table.key}.{column.name}"
        if column.index:
            what = "unique=True, index=True" if column.unique else "index=True"
            name = final_name("ix", None, table.name, table.schema, [column.name], convention)
            found.append(Declared((column.name,), column.unique, name, f"{what} on {where}", pos, path))
        elif column.unique and not column.primary_key:
            name = final_name("uq", None, table.name, table.schema, [column.name], convention)
            found.append(Declared((column.name,), True, name, f"unique=True on {where}", pos, path))
    for constraint in _constraints(inventory, table):
        if constraint.kind not in ("index", "unique") or constraint.object_ref or not constraint.columns:
            continue
        if not set(constraint.columns) <= known:
            continue  # expressions or columns we cannot see: no verdict
        label = "Index" if constraint.kind == "index" else "UniqueConstraint"
        kind = "ix" if constraint.kind == "index" else "uq"
        explicit, evaluated = written_name(inventory, table, constraint)
        name = final_name(kind, explicit, table.name, table.schema, constraint.columns, convention) if evaluated else None
        shown = f"{label}({explicit!r})" if explicit else f"{label}({', '.join(constraint.columns)})"
        unique = constraint.kind == "unique" or constraint.unique
        found.append(Declared(tuple(constraint.columns), unique, name, f"{shown} on {table.key}", constraint.pos,
                               table.path))
    return found


def _convention(inventory: Inventory, table: TableDef):
    info = inventory.metadatas.get(table.metadata_id)
    return info.naming_convention if info else None


def _constraints(inventory: Inventory, table: TableDef):
    yield from table.constraints
    yield from inventory.module_indexes(table)


def index_drift(inventory: Inventory, table: TableDef, columns: list[ColumnFact], found: DbTable) -> list[Finding]:
    declared = declared_indexes(inventory, table, columns)
    names = {c.name for c in found.columns}
    existing = [(u.columns, True, u.name, "unique constraint") for u in found.uniques]
    existing += [(i.columns, i.unique, i.name, "unique index" if i.unique else "index")
                 for i in found.indexes if set(i.columns) <= names]
    findings = []
    for cols in sorted({d.columns for d in declared} | {e[0] for e in existing}):
        model = {d.unique: d for d in declared if d.columns == cols}
        database = {e[1]: e for e in existing if e[0] == cols}
        if not model and not table.constraints_known:
            continue  # the model may declare it among the constraints it computes
        findings += _drift_on(table, cols, model, database)
    return findings


def _drift_on(table: TableDef, cols: tuple[str, ...], model: dict, database: dict) -> list[Finding]:
    if model and database and set(model) != set(database) and len(model) == len(database) == 1:
        declared, (_, _, name, kind) = next(iter(model.values())), next(iter(database.values()))
        return [uniqueness_differs(table, declared, name, kind)]
    found = [index_missing(table, d) for unique, d in model.items() if unique not in database]
    found += [index_extra(table, name, kind, cols) for unique, (_, _, name, kind) in database.items()
              if unique not in model]
    return found


def uniqueness_differs(table: TableDef, declared: Declared, name: str | None, kind: str) -> Finding:
    side = "not unique" if declared.unique else "unique"
    named = f"{kind} {name}" if name else kind
    message = f"{declared.what}, but the database's {named} on ({', '.join(declared.columns)}) is {side}"
    return make("ORM608", name or declared.name or f"{table.key}({', '.join(declared.columns)})", message,
                _declared_location(table, declared), hint=_index_hint())


def index_missing(table: TableDef, declared: Declared) -> Finding:
    """The model declares it; the database has nothing with these columns and uniqueness."""
    spelled = ", ".join(declared.columns)
    kind = "unique index or constraint" if declared.unique else "index"
    message = f"{declared.what}, but the database has no {kind} on ({spelled})"
    return make("ORM608", declared.name or f"{table.key}({spelled})", message, _declared_location(table, declared),
                hint=_index_hint())


def index_extra(table: TableDef, name: str | None, kind: str, cols) -> Finding:
    """The database has it; the model declares nothing with these columns and uniqueness."""
    spelled = ", ".join(cols)
    message = (f"the database has {kind} {name or '(unnamed)'} on {table.key} ({spelled}), "
               f"which {who(table)} does not declare")
    return make("ORM608", name or f"{table.key}({spelled})", message, table_location(table), hint=_index_hint())


def _declared_location(table: TableDef, declared: Declared) -> Location:
    if declared.pos is None:
        return table_location(table)
    return Location(declared.path, declared.pos.line, declared.pos.column)


def _index_hint() -> str:
    return "create_all never changes an existing table: write the migration, or declare what the database has"


# --- shared helpers ------------------------------------------------------------------------

def who(table: TableDef) -> str:
    return table.owner if table.origin == "class" else f"Table() {table.owner}"


def table_location(table: TableDef) -> Location:
    return Location(table.path, table.pos.line, table.pos.column)


def column_home(inventory: Inventory, table: TableDef, column: ColumnFact) -> tuple[str, Pos | None]:
    """Where a column is written: the class itself, an STI subclass, or (mixins) the class line."""
    own = table.model.fact.columns if table.model is not None else (table.table.columns if table.table else [])
    if any(c is column for c in own):
        return table.path, column.pos
    for model in inventory.classes:
        if model.kind == "sti" and any(c is column for c in model.fact.columns):
            return model.path, column.pos
    return table.path, table.pos


def column_location(inventory: Inventory, table: TableDef, column: ColumnFact) -> Location:
    path, pos = column_home(inventory, table, column)
    pos = pos or table.pos
    return Location(path, pos.line, pos.column)


def make(code: str, subject: str, message: str, location: Location | None, related=(), hint: str = "") -> Finding:
    from ..rules.registry import load_rules

    found = load_rules()[code]
    return Finding(code=code, rule=found.name, severity=found.severity, subject=subject, message=message,
                   location=location, related=tuple(related), hint=hint, source="database")


# --- what the database says about a duplicated table ----------------------------------------

def database_verdict(inventory: Inventory, db: DbSchema, name: str, exact_types: bool = False,
                     expected: tuple[str | None] | None = None) -> str:
    """'the database's core.customers matches src/models/legacy_core.py:20 Customer (7/7 columns)'.

    `expected` = (schema,): the duplicated table's own schema; when the database lacks that table
    the phrase says so first ('the database has no public.customers, but its core.customers ...').
    """
    definitions = [t for t in compared_definitions(inventory) if t.name == name]
    scores = score_all(inventory, definitions, db, name, exact_types)
    if not scores:
        return f"the database has no table '{name}' in any schema"
    lead, owner = "", "the database's"
    if expected is not None and db.table(expected[0], name) is None:
        wanted = expected[0] or db.default_schema
        lead, owner = f"the database has no {wanted + '.' if wanted else ''}{name}, but ", "its"
    phrases = []
    for qualified, ranked in scores.items():
        top = best(ranked)
        if top is None:
            phrases.append(f"{owner} {qualified} matches no definition")
        elif top.exact:
            phrases.append(f"{owner} {qualified} matches {definition_label(top.definition)} ({top.ratio} columns)")
        else:
            phrases.append(f"{owner} {qualified} matches no definition exactly (closest: "
                           f"{definition_label(top.definition)}, {top.ratio} columns)")
    return lead + "; ".join(phrases)

"""How well one definition of a table matches the database's table, column by column.

A column matches when both sides have it, its type family agrees (or, with exact types, its
exact type), its nullability agrees and it is in the primary key on both sides or on neither.
The score is matched columns over the union of both sides' columns: "7/7" is a definition
that IS the database's table; "0/10" one that shares nothing with it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..inventory.model import Inventory, TableDef
from ..static.facts import ColumnFact
from ..typefamily import type_family as _type_family
from .schema import DbColumn, DbSchema, DbTable

# Storage SQLAlchemy itself picks for a type where the dialect has no native one.
_ALWAYS_COMPATIBLE = {frozenset({"enum", "string"})}
_DIALECT_COMPATIBLE = {
    "sqlite": {frozenset({"uuid", "string"}), frozenset({"interval", "datetime"}),
               frozenset({"json", "string"})},
    "mysql": {frozenset({"uuid", "string"}), frozenset({"boolean", "integer"})},
    "mariadb": {frozenset({"uuid", "string"}), frozenset({"boolean", "integer"})},
}

TYPE, NULLABLE, PRIMARY_KEY = "type", "nullable", "primary key"

type_family = functools.lru_cache(maxsize=4096)(_type_family)  # a project repeats a few dozen types
MISSING_IN_DATABASE, NOT_IN_MODEL = "missing in database", "not in model"


@dataclass(frozen=True)
class ColumnCheck:
    name: str
    model: ColumnFact | None
    db: DbColumn | None
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Score:
    definition: TableDef
    table: DbTable
    checks: tuple[ColumnCheck, ...]

    @property
    def matched(self) -> int:
        return sum(1 for c in self.checks if c.ok)

    @property
    def total(self) -> int:
        return len(self.checks)

    @property
    def exact(self) -> bool:
        return self.total > 0 and self.matched == self.total

    @property
    def ratio(self) -> str:
        return f"{self.matched}/{self.total}"

    @property
    def rank(self) -> tuple[float, int]:
        return (self.matched / self.total if self.total else 0.0, self.matched)


def model_nullable(column: ColumnFact) -> bool:
    """SQLAlchemy's answer: `nullable=` when written, else NOT NULL only for primary keys."""
    return column.nullable if column.nullable is not None else not column.primary_key


def definition_columns(inventory: Inventory, table: TableDef) -> list[ColumnFact]:
    """The table's columns, plus those single-table-inheritance subclasses add to it."""
    columns = [c for c in table.columns if c.name]
    if table.model is None:
        return columns
    seen = {c.name for c in columns}
    for model in _sti_children(inventory).get(id(table.model), ()):
        for column in model.columns:
            if column.name and column.name not in seen:
                seen.add(column.name)
                columns.append(column)
    return columns


_STI_CACHE: list = []  # [(inventory, {id(table-owning model): [its STI subclasses]})], the last one


def _sti_children(inventory: Inventory) -> dict[int, list]:
    if _STI_CACHE and _STI_CACHE[0][0] is inventory:
        return _STI_CACHE[0][1]
    children: dict[int, list] = {}
    for model in inventory.classes:
        if model.kind == "sti":
            root = _sti_root(model)
            if root is not None:
                children.setdefault(id(root), []).append(model)
    _STI_CACHE[:] = [(inventory, children)]
    return children


def _sti_root(model):
    while model is not None and model.kind == "sti":
        model = model.parent
    return model


def compare_columns(columns: list[ColumnFact], table: DbTable, dialect: str,
                    exact_types: bool = False) -> list[ColumnCheck]:
    """Model columns in their order, then the database's extra columns in the database's order."""
    checks = []
    for column in columns:
        found = table.column(column.name)
        if found is None:
            checks.append(ColumnCheck(column.name, column, None, (MISSING_IN_DATABASE,)))
        else:
            checks.append(ColumnCheck(column.name, column, found,
                                      column_problems(column, found, dialect, exact_types)))
    names = {c.name for c in columns}
    checks += [ColumnCheck(c.name, None, c, (NOT_IN_MODEL,)) for c in table.columns if c.name not in names]
    return checks


def column_problems(column: ColumnFact, db: DbColumn, dialect: str, exact_types: bool) -> tuple[str, ...]:
    problems = []
    if types_differ(column.type, db.type, dialect, exact_types, db.family):
        problems.append(TYPE)
    if bool(column.primary_key) != db.primary_key:
        problems.append(PRIMARY_KEY)
    elif not db.primary_key and model_nullable(column) != db.nullable:
        problems.append(NULLABLE)
    return tuple(problems)


def score(inventory: Inventory, table: TableDef, db_table: DbTable, dialect: str,
          exact_types: bool = False) -> Score:
    columns = definition_columns(inventory, table)
    return Score(table, db_table, tuple(compare_columns(columns, db_table, dialect, exact_types)))


def score_all(inventory: Inventory, definitions: list[TableDef], db: DbSchema, name: str,
              exact_types: bool = False) -> dict[str, list[Score]]:
    """For each database table called `name` (any schema), every definition's score, best first."""
    found = {}
    for db_table in db.find_by_name(name):
        scores = [score(inventory, d, db_table, db.dialect, exact_types) for d in definitions]
        found[db.qualified(db_table)] = sorted(scores, key=lambda s: s.rank, reverse=True)
    return found


def best(scores: list[Score]) -> Score | None:
    return max(scores, key=lambda s: s.rank) if scores else None


# --- types ---------------------------------------------------------------------------------

def types_differ(model_type: str | None, db_type: str, dialect: str, exact_types: bool = False,
                 db_family: str | None = None) -> bool:
    """True only when both types are known and disagree: an unknown type is never a mismatch."""
    model_family = type_family(model_type or "")
    db_family = db_family or type_family(db_type)
    if model_family is None or db_family is None:
        return False
    if model_family != db_family:
        return not families_compatible(model_family, db_family, dialect)
    if not exact_types:
        return False
    a, b = exact_type(model_type or "", dialect), exact_type(db_type, dialect)
    return a is not None and b is not None and a != b


def families_compatible(a: str, b: str, dialect: str) -> bool:
    pair = frozenset({a, b})
    return pair in _ALWAYS_COMPATIBLE or pair in _DIALECT_COMPATIBLE.get(dialect, set())


_EXACT_NAMES = {
    "integer": "integer", "int": "integer", "int4": "integer", "serial": "integer", "serial4": "integer",
    "mediumint": "integer",
    "biginteger": "bigint", "bigint": "bigint", "int8": "bigint", "bigserial": "bigint", "serial8": "bigint",
    "smallinteger": "smallint", "smallint": "smallint", "int2": "smallint", "smallserial": "smallint",
    "tinyint": "smallint",
    "string": "varchar", "str": "varchar", "varchar": "varchar", "unicode": "varchar", "nvarchar": "varchar",
    "character varying": "varchar", "autostring": "varchar", "emailstr": "varchar",
    "text": "text", "unicodetext": "text", "clob": "text", "citext": "citext",
    "char": "char", "nchar": "char", "character": "char",
    "numeric": "numeric", "decimal": "numeric", "money": "money",
    "float": "double", "double": "double", "double precision": "double", "double_precision": "double",
    "float8": "double", "real": "real", "float4": "real",
    "datetime": "timestamp", "timestamp": "timestamp", "timestamp without time zone": "timestamp",
    "timestamptz": "timestamptz", "timestamp with time zone": "timestamptz",
    "time": "time", "time without time zone": "time", "timetz": "timetz", "time with time zone": "timetz",
    "json": "json", "dict": "json", "jsonb": "jsonb",
}
_SIZED = {"varchar", "char", "numeric"}
_WRAPPED = re.compile(r"^(?:[\w.]+\.)?(?:Mapped|Optional|Annotated)\[(.*)\]$", re.DOTALL)


_NO_TIMEZONE = {"sqlite", "mysql", "mariadb"}  # DateTime(timezone=True) is stored without one


def exact_type(text: str, dialect: str = "") -> str | None:
    """A dialect-neutral exact spelling: `String(50)` and `VARCHAR(50)` → `varchar(50)`."""
    text = text.strip().strip("'\"")
    while (match := _WRAPPED.match(text)):
        text = match.group(1).split(",")[0].strip()
    head, _, args = text.partition("(")
    base = " ".join(head.rsplit(".", 1)[-1].lower().split())
    family_name = _EXACT_NAMES.get(base)
    if family_name is None:
        family = type_family(text)
        return family
    args = args.rstrip(")")
    if dialect in _NO_TIMEZONE and family_name in ("timestamptz", "timetz"):
        return family_name[:-2]
    if family_name in ("timestamp", "time") and re.search(r"timezone\s*=\s*True", args):
        return family_name + ("" if dialect in _NO_TIMEZONE else "tz")
    if family_name in _SIZED:
        sizes = [a.split("=")[-1].strip() for a in args.split(",") if a.strip()]
        sizes = [s for s in sizes if s.isdigit()]
        return f"{family_name}({','.join(sizes)})" if sizes else family_name
    return family_name

"""The column comparison underneath every drift finding and every score: pure functions."""

from __future__ import annotations

import pytest

from ormdoctor.database.schema import DbColumn, DbTable
from ormdoctor.database.score import (MISSING_IN_DATABASE, NOT_IN_MODEL, NULLABLE, PRIMARY_KEY, TYPE,
                                      compare_columns, exact_type, model_nullable, types_differ)
from ormdoctor.rules.registry import DOC_SECTIONS, load_rules
from ormdoctor.static.facts import ColumnFact, Pos


def col(name, type_, *, pk=False, nullable=None):
    return ColumnFact(attr=name, name=name, type=type_, pos=Pos(1, 1), style="Column", primary_key=pk,
                      nullable=nullable)


def dbcol(name, type_, family, *, pk=False, nullable=True):
    return DbColumn(name=name, type=type_, family=family, nullable=nullable, default=None, primary_key=pk)


@pytest.mark.parametrize("model, database, dialect, differ", [
    ("Integer", "UUID", "postgresql", True),
    ("Mapped[int]", "INTEGER", "postgresql", False),
    ("BigInteger", "INTEGER", "postgresql", False),            # same family: only with exact types
    ("Enum(Status)", "VARCHAR(7)", "postgresql", False),         # native_enum=False storage
    ("Uuid", "CHAR(32)", "sqlite", False),                       # SQLAlchemy's own SQLite storage
    ("Uuid", "VARCHAR(36)", "postgresql", True),
    ("EncryptedType(String)", "BYTEA", "postgresql", False),     # unknown type: never a mismatch
    ("Numeric(10, 2)", "TEXT", "sqlite", True),
])
def test_types_differ_by_family(model, database, dialect, differ):
    assert types_differ(model, database, dialect) is differ


@pytest.mark.parametrize("model, database, dialect, differ", [
    ("String(20)", "VARCHAR(50)", "postgresql", True),
    ("String(50)", "VARCHAR(50)", "postgresql", False),
    ("Unicode(length=50)", "CHARACTER VARYING(50)", "postgresql", False),
    ("BigInteger", "INTEGER", "postgresql", True),
    ("DateTime", "TIMESTAMP WITH TIME ZONE", "postgresql", True),
    ("DateTime(timezone=True)", "TIMESTAMP WITH TIME ZONE", "postgresql", False),
    ("DateTime(timezone=True)", "DATETIME", "sqlite", False),   # SQLite stores no time zone
    ("Float", "DOUBLE PRECISION", "postgresql", False),
    ("Numeric(12, 2)", "NUMERIC(12, 2)", "postgresql", False),
    ("Numeric(12, 2)", "NUMERIC(10, 2)", "postgresql", True),
    ("Text", "VARCHAR(50)", "postgresql", True),
    ("Uuid", "CHAR(32)", "sqlite", False),
])
def test_types_differ_exactly(model, database, dialect, differ):
    assert types_differ(model, database, dialect, exact_types=True) is differ


def test_exact_type_spellings():
    assert exact_type("sa.String(length=255)") == exact_type("VARCHAR(255)") == "varchar(255)"
    assert exact_type("Mapped[Optional[str]]") == "varchar"
    assert exact_type("TIMESTAMP WITHOUT TIME ZONE") == exact_type("DateTime") == "timestamp"


def test_model_nullable_is_sqlalchemys_default():
    assert model_nullable(col("id", "Integer", pk=True)) is False
    assert model_nullable(col("email", "String")) is True
    assert model_nullable(col("email", "String", nullable=False)) is False


def test_compare_columns_problems_in_model_then_database_order():
    table = DbTable(schema=None, name="t", primary_key=("id",), columns=(
        dbcol("id", "UUID", "uuid", pk=True, nullable=False),
        dbcol("extra", "TEXT", "string"),
        dbcol("email", "VARCHAR(255)", "string", nullable=False),
        dbcol("code", "VARCHAR(5)", "string"),
    ))
    model = [col("id", "Integer", pk=True), col("email", "String(255)"), col("phone", "String"),
             col("code", "String(5)", pk=True)]
    checks = compare_columns(model, table, "postgresql")
    assert [(c.name, c.problems) for c in checks] == [
        ("id", (TYPE,)), ("email", (NULLABLE,)), ("phone", (MISSING_IN_DATABASE,)), ("code", (PRIMARY_KEY,)),
        ("extra", (NOT_IN_MODEL,)),
    ]


def test_every_drift_code_is_documented():
    rules = load_rules()
    codes = [f"ORM60{i}" for i in range(1, 9)]
    for code in codes:
        found = rules[code]
        assert found.source == "database" and found.check is None
        for section in DOC_SECTIONS:
            assert f"## {section}" in found.doc, (code, section)
    assert [rules[c].severity.value for c in codes] == [
        "error", "info", "error", "warning", "warning", "warning", "error", "warning"]

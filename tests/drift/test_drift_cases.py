"""Every drift code on a real database: each case's `database.sql` is the drifted database
(golden findings next to it); the same models' own `create_all` is the database that must
produce no finding at all."""

from __future__ import annotations

import pytest
from drifthelpers import (PROJECTS, create_from_models, database_findings, database_sql, drift, run_sql,
                          sqlite_db)
from support.golden import check_golden

CASES = sorted(p.name for p in PROJECTS.glob("orm6*"))
SQLITE_CASES = sorted(p.name for p in PROJECTS.glob("orm6*") if (p / "database.sqlite.sql").exists())
GOOD = CASES + ["good_every_feature"]
# Cases whose models use schemas: SQLite has none without ATTACH.
NO_SQLITE = {"orm607_table_in_other_schema"}


def _code(case: str) -> str:
    return case[:6].upper()


@pytest.mark.postgres
@pytest.mark.parametrize("case", CASES)
def test_bad_postgres(case, postgres_url, update_golden):
    project = PROJECTS / case
    run_sql(postgres_url, database_sql(project, "postgresql"))
    findings = database_findings(drift(project, postgres_url))
    check_golden(project / "golden.postgresql.json", findings, update_golden)
    assert _code(case) in {f["code"] for f in findings}


@pytest.mark.parametrize("case", SQLITE_CASES)
def test_bad_sqlite(case, tmp_path, update_golden):
    project = PROJECTS / case
    url = sqlite_db(tmp_path, database_sql(project, "sqlite"))
    findings = database_findings(drift(project, url))
    check_golden(project / "golden.sqlite.json", findings, update_golden)
    assert _code(case) in {f["code"] for f in findings}


@pytest.mark.postgres
@pytest.mark.parametrize("case", GOOD)
def test_good_postgres(case, postgres_url):
    project = PROJECTS / case
    create_from_models(project, postgres_url)
    assert database_findings(drift(project, postgres_url)) == []
    assert database_findings(drift(project, postgres_url, exact_types=True)) == []


@pytest.mark.parametrize("case", [c for c in GOOD if c not in NO_SQLITE])
def test_good_sqlite(case, tmp_path):
    project = PROJECTS / case
    url = sqlite_db(tmp_path)
    create_from_models(project, url)
    assert database_findings(drift(project, url)) == []
    assert database_findings(drift(project, url, exact_types=True)) == []


@pytest.mark.postgres
def test_exact_types_postgres(postgres_url, update_golden):
    """String(20) vs VARCHAR(50) and DateTime vs TIMESTAMPTZ only with --exact-types."""
    project = PROJECTS / "orm605_type_mismatch"
    run_sql(postgres_url, database_sql(project, "postgresql"))
    loose = {f["subject"] for f in database_findings(drift(project, postgres_url))}
    exact = database_findings(drift(project, postgres_url, exact_types=True))
    check_golden(project / "golden.postgresql.exact.json", exact, update_golden)
    assert loose == {"orders.customer_id", "orders.total"}
    assert {f["subject"] for f in exact} == loose | {"orders.reference", "orders.created_at"}


def test_constraints_a_model_computes_are_not_taken_for_absent(tmp_path):
    """rucio's shape: `__table_args__` is `cls._table_args + (CheckConstraint(...), {options})`.
    The index in `_table_args` is in the database the models create, and not among the
    constraints read statically: no ORM608 "index only in the database" for it."""
    project = PROJECTS.parent.parent / "fixtures/rules/ORM002_good_declared_table_args_per_table"
    url = sqlite_db(tmp_path)
    create_from_models(project, url)
    assert database_findings(drift(project, url)) == []

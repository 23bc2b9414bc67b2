"""Duplicated tables on one metadata (ORM101, ORM105): each definition is scored against the
database, and the static findings say which one the database holds. Also `check --import --db`
end to end on the command line."""

from __future__ import annotations

import sys

import pytest
from drifthelpers import PROJECTS, ROOT, database_sql, drift, run_cli, run_sql

pytestmark = pytest.mark.postgres

PROJECT = PROJECTS / "dup101_two_modules"
VERDICT = "the database's public.customers matches app/models/crm.py:10 Customer (3/3 columns)"


@pytest.fixture
def migrated(postgres_url) -> str:
    run_sql(postgres_url, database_sql(PROJECT, "postgresql"))
    return postgres_url


def test_duplicate_findings_end_with_the_matching_definition(migrated):
    findings = {f["code"]: f for f in drift(PROJECT, migrated)}
    assert findings["ORM101"]["message"] == (
        "table 'customers' is defined 2 times on metadata Base.metadata (app/models/crm.py:10 Customer, "
        f"app/models/customer.py:8 Customer); {VERDICT}")
    assert findings["ORM105"]["message"].endswith(f"; {VERDICT}")


def test_the_other_definition_gets_the_column_drift(migrated):
    database = [(f["code"], f["subject"], f["location"]["path"], f["location"]["line"])
                for f in drift(PROJECT, migrated) if f["source"] == "database"]
    assert database == [("ORM604", "customers.hubspot_id", "app/models/customer.py", 8),
                        ("ORM603", "customers.full_name", "app/models/customer.py", 12)]


def test_no_verdict_without_a_table_of_that_name(postgres_url):
    findings = {f["code"]: f for f in drift(PROJECT, postgres_url)}
    assert findings["ORM101"]["message"].endswith("; the database has no table 'customers' in any schema")


def test_check_import_db_on_the_command_line(postgres_url):
    """The probe's compiled types ("INTEGER", not the source's "Integer") show Alembic compared."""
    project = PROJECTS / "orm605_type_mismatch"
    run_sql(postgres_url, database_sql(project, "postgresql"))
    proc = run_cli("check", str(project), "--import", "--db", postgres_url, "--no-cache", "--select", "ORM6",
                   "--python", sys.executable)
    assert proc.returncode == 0, proc.stderr
    shown = project.relative_to(ROOT).as_posix()  # paths are shown from the folder ormdoctor runs in
    assert [line for line in proc.stdout.splitlines() if "ORM605" in line] == [
        f"{shown}/app/models.py:19:32: ORM605 [warning] column 'orders.customer_id' is INTEGER (integer) in Order but "
        "UUID (uuid) in the database",
        f"{shown}/app/models.py:20:13: ORM605 [warning] column 'orders.total' is NUMERIC(10, 2) (numeric) in Order but "
        "TEXT (string) in the database",
    ]

"""Seed 002: three Customer models, a production database holding only the legacy core.customers.
The team could not tell which model matches production; the tool must say it."""

from __future__ import annotations

import pytest
from drifthelpers import PROJECTS, database_sql, drift, run_sql

from ormdoctor.commands.compare import build_view, render
from ormdoctor.database import reflect
from ormdoctor.pipeline import analyse
from ormdoctor.report.text import Painter

pytestmark = pytest.mark.postgres

PROJECT = PROJECTS / "seed002"
MODERN = "src/models/customer.py:12 Customer"
LEGACY = "src/models/legacy_core.py:20 Customer"
STRIPE = "src/models/legacy_stripe_models.py:10 StripeCustomer"


@pytest.fixture
def production(postgres_url) -> str:
    run_sql(postgres_url, database_sql(PROJECT, "postgresql"))
    return postgres_url


def _by_code(findings, code):
    return [f for f in findings if f["code"] == code]


def test_modern_customer_expects_public_customers_which_is_missing(production):
    findings = drift(PROJECT, production)
    modern, stripe = _by_code(findings, "ORM607")
    assert modern["location"] == {"path": "src/models/customer.py", "line": 12, "column": 5}
    assert modern["subject"] == "customers"
    assert modern["severity"] == "error"
    assert modern["source"] == "database"
    assert modern["message"] == (
        "Customer expects table 'public.customers', which is missing; the database has 'core.customers' "
        f"(matches {LEGACY}, 7/7 columns; this definition: 0/10)")
    assert modern["related"] == [{"path": "src/models/legacy_core.py", "line": 20, "column": 5,
                                  "message": "matches core.customers column for column"}]
    assert modern["hint"] == (
        f"the database holds the version at {LEGACY}: keep that one, or migrate the data; "
        "`ormdoctor compare customers --db URL` shows every version next to the database's")
    assert stripe["location"]["path"] == "src/models/legacy_stripe_models.py"
    assert stripe["message"] == (
        "StripeCustomer expects table 'public.customers', which is missing; the database has 'core.customers' "
        f"(matches {LEGACY}, 7/7 columns; this definition: 0/9)")


def test_static_duplicate_findings_say_which_version_the_database_holds(production):
    findings = drift(PROJECT, production)
    [schemas] = _by_code(findings, "ORM103")
    assert schemas["message"] == (
        f"table name 'customers' is mapped in 2 schemas: customers ({MODERN}), core.customers ({LEGACY}); "
        f"the database's core.customers matches {LEGACY} (7/7 columns)")
    [metadata] = _by_code(findings, "ORM102")
    assert metadata["message"] == (
        f"table 'customers' is defined on 2 metadata: Base.metadata (models.base) ({MODERN}), "
        f"Base.metadata (models.legacy_stripe_models) ({STRIPE}); "
        f"the database has no public.customers, but its core.customers matches {LEGACY} (7/7 columns)")
    assert metadata["source"] == schemas["source"] == "static"


def test_only_the_drift_that_matters(production):
    """core.customers and core.stations match the legacy models: nothing else to report, and
    alembic_version is never 'not in models'."""
    findings = [f for f in drift(PROJECT, production) if f["source"] == "database"]
    assert [(f["code"], f["subject"]) for f in findings] == [("ORM607", "customers"), ("ORM607", "customers")]


def test_compare_names_the_matching_version_and_who_imports_each(production):
    inventory = analyse([str(PROJECT)], use_cache=False).inventory
    view = build_view(inventory, "customers", reflect(production))
    text = render(view, Painter(False))
    lines = [line.strip() for line in text.splitlines()]
    assert lines[0] == "customers: 3 definitions in 2 schemas; the database has core.customers"
    assert ("imported by src/services/customer_repository.py (via src/models/__init__.py); "
            "loaded by src/main.py") in lines
    assert "imported by src/services/booking_reminders.py; loaded by src/main.py" in lines
    assert "imported by src/api/stripe_webhooks.py; loaded by src/main.py" in lines
    score = next(line for line in lines if line.startswith("matches database"))
    assert score.split() == ["matches", "database", "0/10", "columns", "7/7", "columns", "0/9", "columns"]
    assert lines[-3:] == [
        f"core.customers matches [2] {LEGACY} column for column.",
        "[1] Customer and [3] StripeCustomer expect public.customers, which the database does not have.",
        "!: not as in the database (missing there, other type family, NULL/NOT NULL or primary key); "
        "-: no such column",
    ]
    row = next(line for line in lines if line.startswith("id "))
    assert row.split() == ["id", "Integer", "PK", "!", "UUID(as_uuid=True)", "PK", "Integer", "PK", "!", "UUID", "PK"]

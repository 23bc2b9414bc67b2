"""Seed 002 on a real PostgreSQL holding the legacy core tables: `plan --db` says which version
the database holds and recommends it; with the modern version chosen instead, its migration
moves core.customers to public (rows intact) and, after `fix --plan`, `check --db` has no ORM607."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from fixhelpers import DRIFT, check_json, copy_project, ormdoctor

pytestmark = pytest.mark.postgres

LEGACY = "src/models/legacy_core.py:20 Customer"
MODERN = "src/models/customer.py:12 Customer"
ROWS = """
INSERT INTO core.stations VALUES ('11111111-1111-1111-1111-111111111111', 'north');
INSERT INTO core.customers (id, station_id, email_encrypted, name_encrypted)
VALUES ('aaaaaaaa-0000-0000-0000-000000000001', '11111111-1111-1111-1111-111111111111', 'x1', 'n1'),
       ('aaaaaaaa-0000-0000-0000-000000000002', '11111111-1111-1111-1111-111111111111', 'x2', 'n2');
"""
ENV = '''
import os
from alembic import context
from sqlalchemy import create_engine

def run_migrations_online():
    engine = create_engine(os.environ["DATABASE_URL"])
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=None)
        with context.begin_transaction():
            context.run_migrations()

run_migrations_online()
'''


def _sql(url: str, statement: str):
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        result = conn.exec_driver_sql(statement)
        rows = result.fetchall() if result.returns_rows else None
    engine.dispose()
    return rows


@pytest.fixture
def production(postgres_url, tmp_path):
    project = copy_project(DRIFT / "seed002", tmp_path)
    _sql(postgres_url, (project / "database.sql").read_text() + ROWS)
    return project, postgres_url


def _alembic(project, url):
    (project / "migrations" / "versions").mkdir(parents=True)
    (project / "migrations" / "env.py").write_text(textwrap.dedent(ENV))
    (project / "migrations" / "script.py.mako").write_text("")
    (project / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    return project / "migrations" / "versions"


def _upgrade(project, url):
    import os

    proc = subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=project, capture_output=True,
                          text=True, env={**os.environ, "DATABASE_URL": url})
    assert proc.returncode == 0, proc.stderr


def test_plan_recommends_the_version_the_database_holds(production):
    project, url = production
    proc = ormdoctor("plan", str(project), "--db", url, "--no-cache")
    assert proc.returncode == 0, proc.stderr
    assert "- [customers](#customers): keep " + LEGACY in proc.stdout
    assert f"**Keep** version 2, `{LEGACY}`: it matches the database best (100% of the columns)" in proc.stdout
    assert f"The database's `core.customers` holds version 2 (`{LEGACY}`, 7/7 columns match)." in proc.stdout
    assert "id: UUID(as_uuid=True) in src/models/customer.py" not in proc.stdout
    assert "changing the type (Integer → UUID) needs a data migration" in proc.stdout


def test_default_plan_then_fix_leaves_no_missing_table(production):
    project, url = production
    decisions = project / "plan.toml"
    versions = _alembic(project, url)
    proc = ormdoctor("plan", str(project), "--db", url, "--no-cache", "--decisions", str(decisions),
                     "--migration", str(versions))
    assert proc.returncode == 0, proc.stderr
    assert f'customers = "{LEGACY.replace(":20 ", ":")}"' in decisions.read_text()
    [revision] = versions.glob("*.py")
    assert "nothing to move" in revision.read_text()
    _upgrade(project, url)
    proc = ormdoctor("fix", str(project), "--plan", str(decisions), "--unsafe-fixes", "--write", "--no-cache")
    assert proc.returncode in (0, 1), proc.stderr
    codes = [f["code"] for f in check_json(project, "--db", url)]
    assert "ORM607" not in codes and "ORM102" not in codes and "ORM103" not in codes
    assert _sql(url, "SELECT count(*) FROM core.customers") == [(2,)]


def test_choosing_the_modern_version_moves_the_table_with_its_rows(production):
    project, url = production
    decisions = project / "plan.toml"
    decisions.write_text('[canonical]\ncustomers = "src/models/customer.py:Customer"\n')
    versions = _alembic(project, url)
    proc = ormdoctor("plan", str(project), "--db", url, "--no-cache", "--plan", str(decisions),
                     "--migration", str(versions))
    assert proc.returncode == 0, proc.stderr
    [revision] = versions.glob("*.py")
    text = revision.read_text()
    assert """op.execute('ALTER TABLE "core"."customers" SET SCHEMA "public"')""" in text
    assert """op.execute('ALTER TABLE "public"."customers" SET SCHEMA "core"')""" in text
    assert "op.add_column('customers', sa.Column('first_name', sa.String(100), nullable=True), schema=None)" in text
    assert "id: the database has UUID, the kept model Integer" in text
    _upgrade(project, url)
    assert _sql(url, "SELECT id::text, email_encrypted FROM public.customers ORDER BY id") == [
        ("aaaaaaaa-0000-0000-0000-000000000001", "x1"), ("aaaaaaaa-0000-0000-0000-000000000002", "x2")]
    assert _sql(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'core' AND tablename = 'customers'") == [(0,)]
    proc = ormdoctor("fix", str(project), "--plan", str(decisions), "--unsafe-fixes", "--write", "--no-cache")
    assert proc.returncode in (0, 1), proc.stderr
    assert "from .customer import Customer" in (project / "src/models/legacy_core.py").read_text()
    codes = [f["code"] for f in check_json(project, "--db", url)]
    assert "ORM607" not in codes

"""`check --import --db`: Alembic's compare_metadata, run by the project's interpreter through
database/alembic_probe.py on a real PostgreSQL, mapped onto ORM601-ORM608."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from drifthelpers import PROJECTS, create_from_models, database_findings, database_sql, drift, run_sql
from support.golden import check_golden

from ormdoctor.database import alembic_probe
from ormdoctor.runtime import channel

pytestmark = pytest.mark.postgres

CASES = ["orm601_table_missing", "orm603_column_missing", "orm604_column_not_in_models",
         "orm605_type_mismatch", "orm606_nullable_mismatch", "orm607_table_in_other_schema",
         "orm608_index_drift"]


@pytest.mark.parametrize("case", CASES)
def test_probe_maps_alembic_diffs(case, postgres_url, update_golden):
    project = PROJECTS / case
    run_sql(postgres_url, database_sql(project, "postgresql"))
    findings = database_findings(drift(project, postgres_url, import_=True))
    check_golden(project / "golden.postgresql.import.json", findings, update_golden)
    assert case[:6].upper() in {f["code"] for f in findings}


def test_probe_codes_and_locations(postgres_url):
    """The mapping in full for the column cases: code, subject and the model line."""
    expected = {
        "orm603_column_missing": [("ORM603", "customers.loyalty_points", 15), ("ORM603", "customers.phone", 14),
                                  ("ORM604", "customers.phone_number", 10)],
        "orm605_type_mismatch": [("ORM605", "orders.customer_id", 19), ("ORM605", "orders.total", 20)],
        "orm606_nullable_mismatch": [("ORM606", "customers.email", 13), ("ORM606", "customers.name", 14)],
        "orm608_index_drift": [("ORM608", "customers(email)", 17), ("ORM608", "ix_customers_created_at", 23),
                               ("ORM608", "ix_customers_email", 10), ("ORM608", "ix_customers_status", 10)],
    }
    for case, codes in expected.items():
        run_sql(postgres_url, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        run_sql(postgres_url, database_sql(PROJECTS / case, "postgresql"))
        found = database_findings(drift(PROJECTS / case, postgres_url, import_=True))
        assert sorted((f["code"], f["subject"], f["location"]["line"]) for f in found) == codes, case


def test_probe_sees_the_real_type_and_nullability(postgres_url):
    """The messages carry what the imported model says (compiled types), not the source text."""
    project = PROJECTS / "orm605_type_mismatch"
    run_sql(postgres_url, database_sql(project, "postgresql"))
    messages = [f["message"] for f in database_findings(drift(project, postgres_url, import_=True))]
    assert messages == [
        "column 'orders.customer_id' is INTEGER (integer) in Order but UUID (uuid) in the database",
        "column 'orders.total' is NUMERIC(10, 2) (numeric) in Order but TEXT (string) in the database",
    ]
    exact = database_findings(drift(project, postgres_url, import_=True, exact_types=True))
    assert {f["subject"] for f in exact} == {"orders.customer_id", "orders.total", "orders.reference",
                                             "orders.created_at"}


@pytest.mark.parametrize("case", ["good_every_feature", "orm608_index_drift", "orm606_nullable_mismatch"])
def test_probe_silent_when_database_comes_from_the_models(case, postgres_url):
    project = PROJECTS / case
    create_from_models(project, postgres_url)
    assert database_findings(drift(project, postgres_url, import_=True)) == []


def test_probe_script_output(postgres_url, tmp_path):
    """The standalone script itself: request in, JSON diffs out, nothing of ormdoctor imported."""
    project = PROJECTS / "orm606_nullable_mismatch"
    run_sql(postgres_url, database_sql(project, "postgresql"))
    request = {"project_root": str(project), "sys_path": [str(project)],
               "modules": ["app.models", "app.missing"], "url": postgres_url}
    key = b"k" * channel.KEY_BYTES
    result_read, result_write = os.pipe()
    proc = subprocess.run([sys.executable, "-X", "importtime", alembic_probe.__file__],
                          input=channel.envelope(request, result_write, key), pass_fds=(result_write,),
                          capture_output=True)
    os.close(result_write)
    with os.fdopen(result_read, "rb") as handle:
        data = channel.open_result(handle.read(), key)
    assert proc.returncode == 0
    assert b"ormdoctor" not in proc.stderr  # -X importtime lists every module imported
    assert data["imported"] == ["app.models"]
    assert data["import_errors"] == [
        {"module": "app.missing", "error": "ModuleNotFoundError: No module named 'app.missing'"}]
    [metadata] = data["metadata"]
    assert metadata["label"] == "app.db:Base.metadata"
    assert metadata["tables"] == [{"schema": None, "name": "customers",
                                   "files": [str((project / "app/models.py").resolve())]}]
    assert sorted(metadata["diffs"], key=lambda d: d["column"]) == [
        {"op": "modify_nullable", "schema": None, "table": "customers", "column": "email",
         "database": False, "model": True},
        {"op": "modify_nullable", "schema": None, "table": "customers", "column": "name",
         "database": True, "model": False},
    ]


def test_probe_connection_is_read_only(postgres_url):
    """The probe's own connection refuses writes, whatever project code would try."""
    code = ("import runpy, sys, sqlalchemy as sa\n"
            "probe = runpy.run_path(sys.argv[1])\n"
            "engine = probe['_readonly_engine'](sa, sys.argv[2])\n"
            "with engine.connect() as c:\n"
            "    try:\n"
            "        c.exec_driver_sql('CREATE TABLE x (id int)')\n"
            "    except sa.exc.DBAPIError as e:\n"
            "        print(type(e.orig).__name__)\n")
    proc = subprocess.run([sys.executable, "-c", code, alembic_probe.__file__, postgres_url],
                          capture_output=True, text=True)
    assert proc.stdout.strip() == "ReadOnlySqlTransaction", proc.stderr


def _python_without_alembic(tmp_path: Path) -> Path:
    """A real virtualenv that has SQLAlchemy (linked from ours) but no Alembic."""
    import sqlalchemy
    import typing_extensions

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    libs = tmp_path / "libs"
    libs.mkdir()
    (libs / "sqlalchemy").symlink_to(Path(sqlalchemy.__file__).parent)
    (libs / "typing_extensions.py").symlink_to(typing_extensions.__file__)
    site = next(venv.glob("lib/python*/site-packages"))
    (site / "libs.pth").write_text(str(libs) + "\n")
    python = venv / "bin" / "python"
    check = subprocess.run([str(python), "-c", "import sqlalchemy, importlib.util as u; "
                            "print(u.find_spec('alembic') is None)"], capture_output=True, text=True)
    assert check.stdout.strip() == "True", check.stderr
    return python


def test_falls_back_to_static_without_alembic(postgres_url, tmp_path, capsys):
    project = PROJECTS / "orm606_nullable_mismatch"
    run_sql(postgres_url, database_sql(project, "postgresql"))
    python = _python_without_alembic(tmp_path)
    findings = database_findings(drift(project, postgres_url, import_=True, python=str(python)))
    assert findings == database_findings(drift(project, postgres_url))
    err = capsys.readouterr().err
    assert err == (f"ormdoctor: note: Alembic is not installed for {python}; "
                   "comparing the models as read from the source\n")


def test_falls_back_when_the_probe_times_out(postgres_url, tmp_path, capsys):
    project = tmp_path / "slow"
    (project / "app").mkdir(parents=True)
    (project / "app" / "__init__.py").write_text("")
    (project / "app" / "models.py").write_text(
        "import time\nfrom sqlalchemy import Column, Integer, MetaData, Table\n"
        "metadata = MetaData()\nt = Table('t', metadata, Column('id', Integer, primary_key=True))\n"
        "time.sleep(30)\n")
    findings = database_findings(drift(project, postgres_url, import_=True, timeout=2))
    assert [f["code"] for f in findings] == ["ORM601"]
    assert capsys.readouterr().err == ("ormdoctor: note: the Alembic comparison took longer than 2 s and was "
                                       "stopped; comparing the models as read from the source\n")

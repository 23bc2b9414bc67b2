"""The real command line in a subprocess: `compare`, `tables` and `check` with `--db`, the
environment variable, exit codes, and one password-free line when the database is unreachable."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from drifthelpers import PROJECTS, ROOT, database_sql, run_cli, run_sql, sqlite_db

from ormdoctor.database.url import mask_url

SEED = PROJECTS / "seed002"
SECRET = "S3cret-pw"


@pytest.fixture
def production(postgres_url) -> str:
    run_sql(postgres_url, database_sql(SEED, "postgresql"))
    return postgres_url


def _golden(path: Path, text: str, update: bool) -> None:
    if update or not path.exists():
        assert update, f"no golden file {path}; run pytest --update-golden and review it"
        path.write_text(text, encoding="utf-8")
        return
    assert text == path.read_text(encoding="utf-8"), f"{path} differs; review and run pytest --update-golden"


def _wait_until_refused(url: str, seconds: float = 10) -> None:
    import time

    import sqlalchemy as sa

    engine = sa.create_engine(url)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            try:
                with engine.connect():
                    pass
            except sa.exc.OperationalError:
                return
            time.sleep(0.05)
    finally:
        engine.dispose()
    raise AssertionError(f"the server still accepts the wrong password after {seconds} s")


def _one_line_error(proc, must_contain: str) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert must_contain in lines[0], lines[0]
    return lines[0]


@pytest.mark.postgres
def test_compare_customers_with_db(production, update_golden):
    proc = run_cli("compare", "customers", str(SEED), "--db", production, "--no-cache")
    assert proc.returncode == 0, proc.stderr
    _golden(SEED / "compare_customers_db.golden.txt", proc.stdout.replace(mask_url(production), "<URL>"),
            update_golden)


def test_compare_customers_without_db(update_golden):
    proc = run_cli("compare", "customers", str(SEED), "--no-cache")
    assert proc.returncode == 0, proc.stderr
    _golden(SEED / "compare_customers.golden.txt", proc.stdout, update_golden)
    only_core = run_cli("compare", "core.customers", str(SEED), "--no-cache").stdout
    assert only_core.splitlines()[0] == "core.customers: 1 definition"
    assert "StripeCustomer" not in only_core


@pytest.mark.postgres
def test_compare_json(production):
    proc = run_cli("compare", "customers", str(SEED), "--db", production, "--format", "json", "--no-cache")
    document = json.loads(proc.stdout)
    assert [(d["ref"], d["key"], d["owner"], d["path"], d["line"]) for d in document["definitions"]] == [
        ("1", "customers", "Customer", "src/models/customer.py", 12),
        ("2", "core.customers", "Customer", "src/models/legacy_core.py", 20),
        ("3", "customers", "StripeCustomer", "src/models/legacy_stripe_models.py", 10),
    ]
    assert document["definitions"][1]["imported_by"] == ["src/services/booking_reminders.py"]
    [table] = document["database"]["tables"]
    assert table["key"] == "core.customers"
    assert [(s["definition"], s["matched"], s["total"], s["exact"]) for s in table["scores"]] == [
        ("1", 0, 10, False), ("2", 7, 7, True), ("3", 0, 9, False)]
    assert document["database"]["url"] == mask_url(production)


@pytest.mark.postgres
def test_tables_with_db(production, update_golden):
    proc = run_cli("tables", str(SEED), "--db", production, "--no-cache")
    assert proc.returncode == 0, proc.stderr
    _golden(SEED / "tables_db.golden.txt", proc.stdout.replace(mask_url(production), "<URL>"), update_golden)
    document = json.loads(run_cli("tables", str(SEED), "--db", production, "--format", "json",
                                  "--no-cache").stdout)
    customers = next(t for t in document["tables"] if t["key"] == "customers")
    assert customers["database"] == {"present": False, "table": None, "elsewhere": ["core.customers"]}
    assert [d["label"] for d in customers["definitions"]] == [
        "src/models/customer.py:12 Customer", "src/models/legacy_stripe_models.py:10 StripeCustomer"]
    assert document["database"]["only_in_database"] == ["public.alembic_version"]


def test_tables_without_db():
    lines = run_cli("tables", str(SEED), "--no-cache").stdout.splitlines()
    assert lines[0].split() == ["TABLE", "METADATA", "DEFINED", "BY"]
    assert lines[-1] == "3 tables, 4 definitions, 3 metadata"


@pytest.mark.postgres
def test_check_db_exit_code_and_json(production):
    proc = run_cli("check", str(SEED), "--db", production, "--no-cache", "--format", "json")
    assert proc.returncode == 1
    diagnostics = json.loads(proc.stdout)["diagnostics"]
    database = [d for d in diagnostics if d["source"] == "database"]
    assert [(d["code"], d["rule"], d["location"]["path"]) for d in database] == [
        ("ORM607", "table-in-other-schema", "src/models/customer.py"),
        ("ORM607", "table-in-other-schema", "src/models/legacy_stripe_models.py"),
    ]


@pytest.mark.postgres
def test_check_reads_the_environment_variable(postgres_url):
    project = PROJECTS / "orm602_table_not_in_models"
    run_sql(postgres_url, database_sql(project, "postgresql"))
    proc = run_cli("check", str(project), "--no-cache", "--select", "ORM6",
                   env={"ORMDOCTOR_DATABASE_URL": postgres_url})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == (
        "<database>: ORM602 [info] the database has table 'audit_log', which no model or Table() defines")


def test_check_db_on_sqlite_file(tmp_path):
    project = PROJECTS / "orm606_nullable_mismatch"
    url = sqlite_db(tmp_path, database_sql(project, "sqlite"))
    proc = run_cli("check", str(project), "--db", url, "--no-cache", "--select", "ORM6")
    assert proc.returncode == 0  # warnings only
    shown = project.relative_to(ROOT).as_posix()  # paths are shown from the folder ormdoctor runs in
    assert proc.stdout.splitlines()[0] == (
        f"{shown}/app/models.py:13:13: ORM606 [warning] column 'customers.email' is nullable by default in Customer "
        "but NOT NULL in the database")


def test_unknown_table_suggests_close_matches():
    proc = run_cli("compare", "custmers", str(SEED), "--no-cache")
    line = _one_line_error(proc, "ormdoctor: error: no table 'custmers'")
    assert line == "ormdoctor: error: no table 'custmers' in the models; did you mean customers, core.customers?"


@pytest.mark.parametrize("command", [["check"], ["tables"], ["compare", "customers"]])
def test_unreachable_database_is_one_line_without_password(command):
    url = f"postgresql+psycopg://app:{SECRET}@127.0.0.1:1/prod"
    proc = run_cli(*command, str(SEED), "--db", url, "--no-cache")
    _one_line_error(proc, "ormdoctor: error: cannot connect to postgresql+psycopg://app:***@127.0.0.1:1/prod")
    assert SECRET not in proc.stderr + proc.stdout


def test_missing_driver_is_one_line():
    proc = run_cli("check", str(SEED), "--db", f"mysql+mysqldb://app:{SECRET}@localhost/prod", "--no-cache")
    line = _one_line_error(proc, "is not installed (pip install mysqlclient)")
    assert SECRET not in line


def test_missing_sqlite_file_is_one_line(tmp_path):
    proc = run_cli("tables", str(SEED), "--db", f"sqlite:///{tmp_path}/nope.db", "--no-cache")
    _one_line_error(proc, "no SQLite database file at")
    assert not (tmp_path / "nope.db").exists()


@pytest.mark.postgres
def test_wrong_password_is_one_line(postgres_server, postgres_url):
    """A role that must authenticate (one hba line for it alone), given the wrong password."""
    user = f"drift_{uuid.uuid4().hex[:8]}"
    admin = postgres_server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
    run_sql(admin, f"CREATE ROLE {user} LOGIN PASSWORD 'right-one'")
    import sqlalchemy as sa

    engine = sa.create_engine(admin)
    with engine.connect() as conn:
        hba = Path(conn.exec_driver_sql("SHOW hba_file").scalar())
        hba.write_text(f"local all {user} scram-sha-256\n" + hba.read_text())
        conn.exec_driver_sql("SELECT pg_reload_conf()")
    engine.dispose()
    scheme, rest = postgres_url.split("://", 1)
    url = f"{scheme}://{user}:{SECRET}@{rest.split('@', 1)[1]}"
    _wait_until_refused(url)  # pg_reload_conf() only signals the server: the new hba line takes effect a moment later
    proc = run_cli("compare", "customers", str(SEED), "--db", url, "--no-cache")
    _one_line_error(proc, "password authentication failed")
    assert SECRET not in proc.stderr


def test_compare_without_db_does_not_import_sqlalchemy():
    proc = run_cli("compare", "customers", str(SEED), "--no-cache", env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert proc.returncode == 0
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if "|" in line}
    assert "ormdoctor.database.score" in imported
    assert not {name for name in imported if name.startswith("sqlalchemy")}

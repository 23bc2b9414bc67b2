"""Honest exits on the database side, through the real CLI: a bad `--db` or `--python` is one line
and exit 2; `postgres://` is PostgreSQL; a bare `postgresql://` works with whichever of psycopg 3 or
psycopg2 is installed, under SQLAlchemy 2.1 (whose default is psycopg 3)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from support.projects import write_project  # noqa: E402

SRC = Path(__file__).resolve().parents[2] / "src"
SITE = Path(sqlalchemy.__file__).parent.parent
MODELS = """
from sqlalchemy.orm import Mapped, mapped_column
from app.db import Base


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
"""
DRIVER_FILES = {"psycopg": ("psycopg", "psycopg_binary", "psycopg_binary.libs"),
                "psycopg2": ("psycopg2", "psycopg2_binary", "psycopg2_binary.libs")}


@pytest.fixture
def project(tmp_path) -> Path:
    return write_project(tmp_path / "project", {"app/models.py": MODELS})


def run_cli(*args: str, python: str = sys.executable) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(SRC), **os.environ, "NO_COLOR": "1"}  # the custom virtualenvs lack ormdoctor
    env.pop("ORMDOCTOR_DATABASE_URL", None)
    return subprocess.run([python, "-m", "ormdoctor", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert (proc.returncode, proc.stdout) == (2, ""), proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ormdoctor: error: "), proc.stderr
    return lines[0][len("ormdoctor: error: "):]


@pytest.mark.parametrize("command", [["check"], ["tables"], ["compare", "customers"], ["verify"]])
def test_empty_db_is_an_error(command, project):
    assert one_line_error(run_cli(*command, str(project), "--db", "")) == (
        "the database URL is empty (expected dialect+driver://user:password@host:port/database)")


def test_blank_environment_variable_means_unset(project):
    env_run = subprocess.run([sys.executable, "-m", "ormdoctor", "tables", str(project)], capture_output=True,
                             text=True, env={**os.environ, "ORMDOCTOR_DATABASE_URL": "  "}, timeout=120)
    assert env_run.returncode == 0 and "database" not in env_run.stdout.lower()


@pytest.mark.postgres
@pytest.mark.parametrize("command", [["tables"], ["check"]])
def test_postgres_scheme_is_postgresql(command, project, postgres_url):
    heroku = postgres_url.replace("postgresql+psycopg://", "postgres://", 1)
    proc = run_cli(*command, str(project), "--db", heroku, "--no-cache")
    assert "Traceback" not in proc.stderr
    assert proc.returncode in (0, 1) and "Can't load plugin" not in proc.stderr, proc.stderr
    assert "customers" in proc.stdout


def _python_with(tmp_path: Path, driver: str) -> Path:
    """A real virtualenv holding our SQLAlchemy 2.1 and ONE PostgreSQL driver (linked from ours)."""
    venv = tmp_path / f"venv-{driver}"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    libs = tmp_path / f"libs-{driver}"
    libs.mkdir()
    for name in ("sqlalchemy", "typing_extensions.py", *DRIVER_FILES[driver]):
        if (SITE / name).exists():
            (libs / name).symlink_to(SITE / name)
        for metadata in SITE.glob(f"{name.split('.')[0]}-*.dist-info"):  # drivers check their version
            if not (libs / metadata.name).exists():
                (libs / metadata.name).symlink_to(metadata)
    next(venv.glob("lib/python*/site-packages")).joinpath("libs.pth").write_text(f"{libs}\n")
    python = venv / "bin" / "python"
    code = ("import importlib.util as u, sqlalchemy; "
            "print(sqlalchemy.__version__[:3], [d for d in ('psycopg', 'psycopg2') if u.find_spec(d)])")
    check = subprocess.run([str(python), "-c", code], capture_output=True, text=True)
    assert check.stdout.split(" ", 1) == ["2.1", f"['{driver}']\n"], check.stderr
    return python


@pytest.mark.postgres
@pytest.mark.parametrize("driver", ["psycopg", "psycopg2"])
def test_bare_postgresql_url_uses_the_installed_driver(driver, tmp_path, project, postgres_url):
    """ormdoctor itself (tables) and the tracer (verify --python) each find the driver they have."""
    python = _python_with(tmp_path, driver)
    bare = postgres_url.replace("postgresql+psycopg://", "postgresql://", 1)
    tables = run_cli("tables", str(project), "--db", bare, "--no-cache", python=str(python))
    assert tables.returncode == 0, tables.stderr
    assert "customers" in tables.stdout
    verify = run_cli("verify", str(project), "--db", bare, "--no-cache", "--python", str(python))
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert verify.stdout.splitlines()[-1].startswith("1 table on 1 metadata created on postgresql in ")


# --python --------------------------------------------------------------------------------------

def _script(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    path.chmod(0o755)
    return path


@pytest.mark.parametrize("command", [["check", "--import"], ["verify"], ["docs", "--import"]])
def test_python_that_is_a_shell_script(command, tmp_path, project):
    script = _script(tmp_path, "not-python", "#!/bin/sh\necho hello\n")
    message = one_line_error(run_cli(*command, str(project), "--python", str(script), "--no-cache"))
    assert message == f"{script} is not a working Python interpreter (a version query exited with code 0)"


OLD_PYTHONS = {"2.7": "/root/.pyenv/versions/2.7.18/bin/python", "3.7": "/root/.pyenv/versions/3.7.16/bin/python"}


@pytest.mark.parametrize("version", sorted(OLD_PYTHONS))
def test_python_older_than_3_8(version, project):
    python = OLD_PYTHONS[version]
    if not os.access(python, os.X_OK):
        pytest.skip(f"no Python {version} at {python}")
    message = one_line_error(run_cli("verify", str(project), "--python", python, "--no-cache"))
    assert message == f"{python} is Python {version}; ormdoctor needs Python 3.8 or newer to import the project"


def test_python_missing_and_directory(tmp_path, project):
    missing = tmp_path / "nope" / "python"
    assert one_line_error(run_cli("verify", str(project), "--python", str(missing))) == (
        f"Python interpreter not found: {missing} (pass --python PATH)")
    assert one_line_error(run_cli("verify", str(project), "--python", str(tmp_path))) == (
        f"not an executable Python interpreter: {tmp_path}")


def test_a_real_python_3_is_accepted(project):
    proc = run_cli("verify", str(project), "--python", sys.executable, "--no-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr

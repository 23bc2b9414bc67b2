"""Helpers of the drift tests: build a database from DDL or from a project's own models, run the
comparison the way `check --db` does, and compare with golden files."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from ormdoctor.commands.database_mode import add_database_findings
from ormdoctor.pipeline import analyse
from ormdoctor.report.json_report import finding_dict

PROJECTS = Path(__file__).resolve().parent / "projects"
ROOT = Path(__file__).resolve().parents[2]
ORMDOCTOR = [sys.executable, "-m", "ormdoctor"]

# Imports every module named on the command line, then creates every MetaData they reach, with
# its schemas (PostgreSQL), exactly as an application's `create_all` would.
_CREATE_ALL = r"""
import importlib, sys
import sqlalchemy as sa
root, url, names = sys.argv[1], sys.argv[2], sys.argv[3:]
sys.path[:0] = [root + "/src", root]
modules = [importlib.import_module(n) for n in names]
found = []
for module in list(sys.modules.values()):
    if not (getattr(module, "__file__", None) or "").startswith(root):
        continue
    for value in vars(module).values():
        md = value if isinstance(value, sa.MetaData) else getattr(value, "metadata", None)
        if isinstance(md, sa.MetaData) and md.tables and all(md is not f for f in found):
            found.append(md)
engine = sa.create_engine(url)
with engine.begin() as conn:
    for md in found:
        if conn.dialect.name == "postgresql":
            for schema in {t.schema for t in md.tables.values() if t.schema}:
                conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        md.create_all(conn)
"""


def run_sql(url: str, sql: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(sql)
    engine.dispose()


def sqlite_db(tmp_path: Path, sql: str | None = None) -> str:
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(sql or "")
    conn.close()
    return f"sqlite:///{path}"


def create_from_models(project: Path, url: str, modules: list[str] | None = None) -> None:
    """The database the project's own `create_all` makes, in a subprocess (the test process
    never imports fixture models: every project has its own `app` package)."""
    names = modules or ["app.models"]
    proc = subprocess.run([sys.executable, "-c", _CREATE_ALL, str(project), url, *names],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def database_sql(project: Path, dialect: str) -> str:
    name = "database.sql" if dialect == "postgresql" else "database.sqlite.sql"
    return (project / name).read_text()


def drift(project: Path, url: str, *, exact_types: bool = False, import_: bool = False,
          python: str | None = None, timeout: float = 60) -> list[dict]:
    """`check --db URL` on `project`, as finding dicts (the JSON report's shape)."""
    analysis = analyse([str(project)], use_cache=False)
    args = SimpleNamespace(exact_types=exact_types, import_=import_, python=python or sys.executable,
                           timeout=timeout)
    add_database_findings(analysis, url, args)
    return [finding_dict(f) for f in analysis.findings]


def database_findings(findings: list[dict]) -> list[dict]:
    return [f for f in findings if f["source"] == "database"]


def run_cli(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT / "src"), **(env or {})}
    full_env.pop("ORMDOCTOR_DATABASE_URL", None) if "ORMDOCTOR_DATABASE_URL" not in (env or {}) else None
    return subprocess.run([*ORMDOCTOR, *args], capture_output=True, text=True, env=full_env, cwd=cwd or ROOT)

"""Time `ormdoctor check --db` on a 500-table PostgreSQL database and the project that matches it.

    .venv/bin/python bench/drift_bench.py [--tables 500] [--runs 3] [--import]

Writes a project of N model classes (10 per module, mixed column types, index=True, unique=True,
a composite Index, a foreign key to the previous table, two schemas), starts a throw-away
PostgreSQL (pgserver), creates the database with the project's own `create_all` (so it matches
exactly), then times:
  - `ormdoctor check PROJECT --no-cache`            (static only, the baseline)
  - `ormdoctor check PROJECT --no-cache --db URL`   (end to end, a fresh process each run)
  - in-process: analyse(), reflect(), the comparison, and the scores of every table;
  - with --import: `check --import --db` through the Alembic probe (not the default: slow).
Every run must report no drift finding: the database is the models.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

PER_MODULE = 10
COLUMNS = [
    ("name", "String(100)", ", nullable=False, index=True"),
    ("code", "String(32)", ", unique=True"),
    ("amount", "Numeric(12, 2)", ""),
    ("active", "Boolean", ", nullable=False"),
    ("data", "JSON", ""),
    ("created_at", "DateTime(timezone=True)", ", nullable=False"),
    ("external_id", "Uuid", ""),
]


def model_module(module: int, tables: int) -> str:
    lines = ["from sqlalchemy import (JSON, Boolean, Column, DateTime, ForeignKey, Index, Integer, Numeric,",
             "                        String, Uuid)", "", "from app.db import Base", ""]
    for t in range(module * PER_MODULE, min(tables, (module + 1) * PER_MODULE)):
        schema = "app" if t % 2 else None
        args = [f'Index("ix_t{t:04d}_active_created", "active", "created_at")']
        if schema:
            args.append(f'{{"schema": "{schema}"}}')
        lines += [f"class T{t:04d}(Base):", f'    __tablename__ = "t{t:04d}"',
                  f"    __table_args__ = ({', '.join(args)},)", "",
                  "    id = Column(Integer, primary_key=True)"]
        lines += [f"    {name} = Column({type_}{extra})" for name, type_, extra in COLUMNS]
        if t:
            parent = f"{'app.' if (t - 1) % 2 else ''}t{t - 1:04d}.id"
            lines.append(f'    parent_id = Column(Integer, ForeignKey("{parent}", ondelete="CASCADE"))')
        lines.append("")
    return "\n".join(lines) + "\n"


def write_project(root: Path, tables: int) -> list[str]:
    (root / "app" / "models").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "db.py").write_text("from sqlalchemy.orm import DeclarativeBase\n\n\n"
                                        "class Base(DeclarativeBase):\n    pass\n")
    modules = []
    for module in range((tables + PER_MODULE - 1) // PER_MODULE):
        (root / "app" / "models" / f"m{module:03d}.py").write_text(model_module(module, tables))
        modules.append(f"app.models.m{module:03d}")
    (root / "app" / "models" / "__init__.py").write_text("".join(f"import {m}  # noqa: F401\n" for m in modules))
    return modules


def create_database(server, project: Path) -> str:
    import sqlalchemy as sa

    admin_url = server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("CREATE DATABASE drift_bench")
    admin.dispose()
    prefix, _, query = admin_url.partition("?")
    url = prefix.rsplit("/", 1)[0] + "/drift_bench?" + query
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import sqlalchemy as sa; import app.models\n"
            "from app.db import Base\n"
            "with sa.create_engine(sys.argv[2]).begin() as c:\n"
            "    c.exec_driver_sql('CREATE SCHEMA app'); Base.metadata.create_all(c)\n")
    subprocess.run([sys.executable, "-c", code, str(project), url], check=True)
    return url


def cli(project: Path, *extra: str) -> tuple[float, dict]:
    env = {**os.environ, "NO_COLOR": "1"}
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "ormdoctor", "check", str(project), "--no-cache",
                           "--format", "json", *extra], capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr)
    return seconds, json.loads(proc.stdout)


def best_of(runs: int, call):
    results = [call() for _ in range(runs)]
    return min(r[0] for r in results), results[0][0], results[-1][1]


def in_process(project: Path, url: str) -> dict[str, float]:
    from ormdoctor.database import reflect
    from ormdoctor.database.compare import compared_definitions, drift_findings
    from ormdoctor.database.score import score
    from ormdoctor.pipeline import analyse

    steps = {}
    started = time.perf_counter()
    analysis = analyse([str(project)], use_cache=False)
    steps["analyse (static)"] = time.perf_counter() - started
    started = time.perf_counter()
    db = reflect(url)
    steps["reflect"] = time.perf_counter() - started
    started = time.perf_counter()
    findings = drift_findings(analysis.inventory, db)
    steps["compare"] = time.perf_counter() - started
    assert not findings, findings[:3]
    started = time.perf_counter()
    for table in compared_definitions(analysis.inventory):
        found = db.table(table.schema, table.name)
        assert score(analysis.inventory, table, found, db.dialect).exact, table.key
    steps["score every table"] = time.perf_counter() - started
    steps["tables"] = len(db.tables)
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--import", dest="import_", action="store_true", help="also time check --import --db")
    args = parser.parse_args()

    import pgserver

    with tempfile.TemporaryDirectory(prefix="ormdoctor-drift-bench-") as tmp:
        project = Path(tmp) / "project"
        write_project(project, args.tables)
        server = pgserver.get_server(Path(tmp) / "pgdata", cleanup_mode="stop")
        try:
            url = create_database(server, project)
            print(f"{args.tables} tables ({args.tables // 2} in public, the rest in app), "
                  f"{len(COLUMNS) + 2} columns each, best of {args.runs}")
            static = best_of(args.runs, lambda: cli(project))
            print(f"  check (static only):       {static[0]:.2f} s (first {static[1]:.2f} s)")
            drift = best_of(args.runs, lambda: cli(project, "--db", url))
            found = [d for d in drift[2]["diagnostics"] if d["source"] == "database"]
            print(f"  check --db:                {drift[0]:.2f} s (first {drift[1]:.2f} s), "
                  f"{len(found)} drift findings")
            for step, value in in_process(project, url).items():
                shown = f"{value:.3f} s" if isinstance(value, float) else str(value)
                print(f"    {step + ':':<24} {shown}")
            if args.import_:
                probe = best_of(1, lambda: cli(project, "--import", "--db", url, "--select", "ORM6"))
                found = [d for d in probe[2]["diagnostics"] if d["source"] == "database"]
                print(f"  check --import --db (Alembic probe): {probe[0]:.2f} s, {len(found)} drift findings")
        finally:
            server.cleanup()


if __name__ == "__main__":
    main()

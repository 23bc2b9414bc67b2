"""Time ormdoctor's database reflection on 500 tables in two PostgreSQL schemas.

    .venv/bin/python bench/reflect_bench.py [--tables 500] [--runs 3] [--per-table]

Starts a throw-away PostgreSQL (pgserver) in a temporary directory, creates the tables (mixed
column types, a foreign key each, some across schemas, unique constraints and indexes), then
times `reflect()` end to end: connect, read-only session setup, every schema, conversion.
`--per-table` also times the SQLAlchemy 1.4 fallback (several queries per table) for contrast.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

SCHEMAS = ("public", "app")


def table_ddl(i: int) -> str:
    """Table i: eight columns of mixed families, an FK to table i-1 (other schema when odd)."""
    schema = SCHEMAS[i % 2]
    fk = ""
    if i:
        parent = f"{SCHEMAS[(i - 1) % 2]}.t{i - 1:04d}"
        fk = f", parent_id INTEGER REFERENCES {parent} (id) ON DELETE CASCADE"
    return f"""
        CREATE TABLE {schema}.t{i:04d} (
            id SERIAL PRIMARY KEY,
            external_id UUID NOT NULL DEFAULT gen_random_uuid(),
            name VARCHAR(100) NOT NULL,
            amount NUMERIC(12, 2),
            active BOOLEAN NOT NULL DEFAULT true,
            data JSONB,
            created_at TIMESTAMP WITH TIME ZONE DEFAULT now(),
            code VARCHAR(32) CONSTRAINT uq_t{i:04d}_code UNIQUE{fk}
        );
        CREATE INDEX ix_t{i:04d}_name ON {schema}.t{i:04d} (name);
        CREATE INDEX ix_t{i:04d}_active_created ON {schema}.t{i:04d} (active, created_at);
    """


def create_database(server, tables: int) -> str:
    import sqlalchemy as sa

    admin_url = server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("CREATE DATABASE bench")
    admin.dispose()
    prefix, _, query = admin_url.partition("?")
    url = prefix.rsplit("/", 1)[0] + "/bench?" + query
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE SCHEMA app")
        conn.exec_driver_sql("".join(table_ddl(i) for i in range(tables)))
    engine.dispose()
    return url


def timed(url: str, runs: int) -> tuple[float, float, int]:
    """(first run, best run, tables found) in seconds."""
    from ormdoctor.database import reflect

    seconds, found = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        found = len(reflect(url).tables)
        seconds.append(time.perf_counter() - started)
    return seconds[0], min(seconds), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--per-table", action="store_true", help="also time the 1.4 fallback")
    args = parser.parse_args()

    import pgserver

    with tempfile.TemporaryDirectory(prefix="ormdoctor-bench-") as tmp:
        server = pgserver.get_server(Path(tmp) / "pgdata", cleanup_mode="stop")
        try:
            url = create_database(server, args.tables)
            report("reflect()", *timed(url, args.runs), args.runs)
            if args.per_table:
                _use_per_table_fallback()
                report("reflect() per-table fallback", *timed(url, args.runs), args.runs)
        finally:
            server.cleanup()


def _use_per_table_fallback() -> None:
    module = sys.modules["ormdoctor.database.reflect"]
    module._multi = module._per_table


def report(label: str, first: float, best: float, found: int, runs: int) -> None:
    print(f"{label}: {found} tables in {len(SCHEMAS)} schemas: "
          f"{best:.3f} s best of {runs} (first run {first:.3f} s)")


if __name__ == "__main__":
    main()

"""`plan --migration` on SQLite: the parallel table `bookings_legacy` becomes `bookings` (the
version chosen), keeping its rows, and the downgrade gives the old table back."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap

from fixhelpers import TESTS, copy_project, ormdoctor

ENV = '''
import os
from alembic import context
from sqlalchemy import create_engine

engine = create_engine(os.environ["DATABASE_URL"])
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
'''


def _alembic(project, url, *args):
    proc = subprocess.run([sys.executable, "-m", "alembic", *args], cwd=project, capture_output=True, text=True,
                          env={**os.environ, "DATABASE_URL": url}, check=False)
    assert proc.returncode == 0, proc.stderr


def _rows(path, sql):
    with sqlite3.connect(path) as conn:
        rows = conn.execute(sql).fetchall()
    conn.close()
    return rows


def _plan_with_migration(tmp_path, schema_sql: str):
    """ORM108's legacy-suffix fixture over an SQLite database holding ``schema_sql``, with an
    Alembic env, and `plan --migration` run with Booking chosen: (project, db, url, versions, plan)."""
    project = copy_project(TESTS / "fixtures/rules/ORM108_bad_legacy_suffix", tmp_path)
    db = tmp_path / "app.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(schema_sql)
    conn.close()
    url = f"sqlite:///{db}"
    versions = project / "migrations" / "versions"
    versions.mkdir(parents=True)
    (project / "migrations" / "env.py").write_text(textwrap.dedent(ENV))
    (project / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    decisions = tmp_path / "plan.toml"
    decisions.write_text('[canonical]\nbookings = "app/models/booking.py:Booking"\n')
    proc = ormdoctor("plan", str(project), "--db", url, "--plan", str(decisions), "--migration", str(versions),
                     "--no-cache")
    return project, db, url, versions, proc


def test_the_chosen_name_takes_the_rows_and_the_downgrade_gives_them_back(tmp_path):
    project, db, url, versions, proc = _plan_with_migration(tmp_path, """
        CREATE TABLE bookings_legacy (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, date DATE NOT NULL,
                                      slot VARCHAR(10) NOT NULL, guests INTEGER NOT NULL, status VARCHAR(20) NOT NULL);
        INSERT INTO bookings_legacy VALUES (1, 7, '2025-11-20', '18:00', 4, 'confirmed');
        INSERT INTO bookings_legacy VALUES (2, 8, '2025-11-21', '19:30', 2, 'pending');
    """)
    assert proc.returncode == 0, proc.stderr
    assert "The database's `main.bookings_legacy` holds version 2" in proc.stdout
    assert "**Keep** version 1, `app/models/booking.py:10 Booking`: chosen in" in proc.stdout
    [revision] = versions.glob("*.py")
    text = revision.read_text()
    assert "op.rename_table('bookings_legacy', 'bookings', schema=None)" in text
    assert "op.add_column('bookings', sa.Column('event_date', sa.Date(), nullable=True), schema=None)" in text
    assert "# op.drop_column('bookings', 'slot', schema=None)" in text  # contract: commented out
    _alembic(project, url, "upgrade", "head")
    assert _rows(db, "SELECT id, customer_id, slot, event_date FROM bookings ORDER BY id") == [
        (1, 7, "18:00", None), (2, 8, "19:30", None)]
    _alembic(project, url, "downgrade", "base")
    assert _rows(db, "SELECT id, slot FROM bookings_legacy ORDER BY id") == [(1, "18:00"), (2, "19:30")]
    assert _rows(db, "SELECT name FROM sqlite_master WHERE name = 'bookings'") == []


def test_two_populated_versions_are_merged_and_the_downgrade_says_what_stays(tmp_path):
    project, db, url, versions, proc = _plan_with_migration(tmp_path, """
        CREATE TABLE bookings (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, event_date DATE,
                               event_time TIME, guests INTEGER NOT NULL, status VARCHAR(20) NOT NULL);
        INSERT INTO bookings VALUES (1, 7, '2025-12-01', '18:00:00', 4, 'confirmed');
        CREATE TABLE bookings_legacy (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, date DATE NOT NULL,
                                      slot VARCHAR(10) NOT NULL, guests INTEGER NOT NULL, status VARCHAR(20) NOT NULL);
        INSERT INTO bookings_legacy VALUES (1, 5, '2024-01-01', '12:00', 9, 'old');
        INSERT INTO bookings_legacy VALUES (2, 8, '2025-11-21', '19:30', 2, 'pending');
    """)
    assert "**Keep** version 1, `app/models/booking.py:10 Booking`: chosen in" in proc.stdout
    [revision] = versions.glob("*.py")
    text = revision.read_text()
    assert ("""op.execute('INSERT INTO "main"."bookings" ("id", "customer_id", "guests", "status") SELECT "id", """
            """"customer_id", "guests", "status" FROM "main"."bookings_legacy" AS old WHERE NOT EXISTS (SELECT 1 FROM """
            """"main"."bookings" AS kept WHERE kept."id" = old."id")')""") in text
    assert "# cannot be undone: the rows copied from main.bookings_legacy into main.bookings stay there" in text
    assert "# op.drop_table('bookings_legacy')" in text
    _alembic(project, url, "upgrade", "head")
    # id 1 exists in both: the kept table's row wins; id 2 is copied over.
    assert _rows(db, "SELECT id, customer_id, status FROM bookings ORDER BY id") == [(1, 7, "confirmed"), (2, 8, "pending")]
    assert _rows(db, "SELECT count(*) FROM bookings_legacy") == [(2,)]

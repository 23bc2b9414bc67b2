"""Which constraint names PostgreSQL wants unique per schema (ORM201's namespace), proven on the
real server: index names are, CHECK constraint names are not (only per table)."""

from __future__ import annotations

import pytest

sa = pytest.importorskip("sqlalchemy")
pytestmark = pytest.mark.postgres


def _two_tables(make):
    metadata = sa.MetaData()
    for table in ("metadata_type", "product"):
        sa.Table(table, metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(100)),
                 make(table))
    return metadata


def test_one_check_constraint_name_on_two_tables_is_accepted(postgres_url):
    engine = sa.create_engine(postgres_url)
    _two_tables(lambda table: sa.CheckConstraint("name <> ''", name="alphanumeric_name")).create_all(engine)
    with engine.connect() as conn:
        found = conn.execute(sa.text("SELECT count(*) FROM pg_constraint WHERE conname = 'alphanumeric_name'")).scalar()
    engine.dispose()
    assert found == 2


def test_one_index_name_on_two_tables_is_refused(postgres_url):
    engine = sa.create_engine(postgres_url)
    metadata = _two_tables(lambda table: sa.Index("ix_name", "name"))
    with pytest.raises(sa.exc.ProgrammingError, match='relation "ix_name" already exists'):
        metadata.create_all(engine)
    engine.dispose()


def test_one_unique_constraint_name_on_two_tables_is_refused(postgres_url):
    """ORM201 as an error where the project runs on PostgreSQL: the constraint's index takes the name."""
    engine = sa.create_engine(postgres_url)
    metadata = _two_tables(lambda table: sa.UniqueConstraint("name", name="uniq_name"))
    with pytest.raises(sa.exc.ProgrammingError, match='relation "uniq_name" already exists'):
        metadata.create_all(engine)
    engine.dispose()


@pytest.mark.parametrize("second", ["unique", "index"])
def test_sqlite_accepts_a_unique_constraint_name_on_two_tables(second, tmp_path):
    """ORM201 as a warning elsewhere: SQLite names a UNIQUE constraint's index itself, so only two
    CREATE INDEX of one name collide there."""
    metadata = sa.MetaData()
    sa.Table("metadata_type", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(100)),
             sa.UniqueConstraint("name", name="uniq_name"))
    sa.Table("product", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(100)),
             sa.UniqueConstraint("name", name="uniq_name") if second == "unique" else sa.Index("uniq_name", "name"))
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'scratch.db'}")
    metadata.create_all(engine)
    assert set(sa.inspect(engine).get_table_names()) == {"metadata_type", "product"}
    engine.dispose()

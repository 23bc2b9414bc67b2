"""verify: create every MetaData's tables in a scratch database and report every failure."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from rthelpers import trace

from ormdoctor.runtime.report import MetadataVerify, VerifyFailure

GOOD_TABLES = ("settings", "tags", "users", "audit.entries", "posts", "post_tags")


def test_sqlite_creates_every_table_in_dependency_order_with_attached_schemas():
    verify = trace("good", "app.models", "app.extra", verify="sqlite://").verify
    assert (verify.dialect, verify.error) == ("sqlite", None)
    assert verify.results == (MetadataVerify("md1", 6, GOOD_TABLES, ()),)
    assert verify.summary_line() == f"6 tables on 1 metadata created on sqlite in {verify.seconds:.2f} s"


def test_sqlite_reports_every_index_name_collision_and_keeps_going():
    verify = trace("index_clash", "app.models", verify="sqlite://").verify
    clash = VerifyFailure("index", "books", "ix_name", "OperationalError", "index ix_name already exists")
    assert verify.results == (MetadataVerify(
        "md1", 4, ("authors", "books", "core.ledger", "reviews"),
        (clash, VerifyFailure("index", "reviews", "ix_name", "OperationalError", "index ix_name already exists"))),)
    assert verify.summary_line().endswith(", 2 failures")


def test_unresolvable_foreign_key_fails_its_table_only():
    verify = trace("broken", "app.people", "app.orders", verify="sqlite://").verify
    (result,) = verify.results
    assert result.created == ("people",)
    assert [(f.kind, f.table, f.type) for f in result.failures] == [("table", "orders", "NoReferencedTableError")]
    assert verify.summary_line().startswith("1 of 2 tables on 1 metadata created on sqlite in ")


def test_sqlite_file_urls_are_refused_so_no_file_is_written(tmp_path):
    verify = trace("good", "app.models", verify=f"sqlite:///{tmp_path}/app.db").verify
    assert verify.error == f"ValueError: verify uses an in-memory SQLite database only, not {tmp_path}/app.db"
    assert verify.results == () and not (tmp_path / "app.db").exists()
    assert verify.summary_line().startswith("verify could not run on sqlite: ValueError")


@pytest.mark.postgres
def test_postgresql_reports_every_failure_and_leaves_nothing_behind(postgres_url):
    verify = trace("index_clash", "app.models", verify=postgres_url).verify
    message = 'relation "ix_name" already exists'
    assert (verify.dialect, verify.error) == ("postgresql", None)
    assert verify.results == (MetadataVerify(
        "md1", 4, ("authors", "books", "core.ledger", "reviews"),
        (VerifyFailure("index", "books", "ix_name", "ProgrammingError", message),
         VerifyFailure("index", "reviews", "ix_name", "ProgrammingError", message))),)
    assert_database_empty(postgres_url)


@pytest.mark.postgres
def test_postgresql_creates_schemas_inside_the_rolled_back_transaction(postgres_url):
    verify = trace("good", "app.models", "app.extra", verify=postgres_url).verify
    assert verify.results == (MetadataVerify("md1", 6, GOOD_TABLES, ()),)
    assert verify.summary_line() == f"6 tables on 1 metadata created on postgresql in {verify.seconds:.2f} s"
    assert_database_empty(postgres_url)


def assert_database_empty(url: str) -> None:
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        assert sorted(inspector.get_schema_names()) == ["information_schema", "public"]
        assert inspector.get_table_names() == []
    finally:
        engine.dispose()

"""reflect() on a real PostgreSQL holding the seed incident's `core.customers`."""

import pytest
from dbhelpers import run_sql

from ormdoctor.database import (
    DbColumn,
    DbForeignKey,
    DbIndex,
    DbSchema,
    DbTable,
    DbUnique,
    mask_url,
    reflect,
)

pytestmark = pytest.mark.postgres


def col(name, type_, family, nullable=True, default=None, primary_key=False):
    return DbColumn(name, type_, family, nullable, default, primary_key)


CUSTOMERS = DbTable(
    schema="core",
    name="customers",
    columns=(
        col("id", "UUID", "uuid", False, "gen_random_uuid()", True),
        col("email_encrypted", "TEXT", "string", False),
        col("name_encrypted", "TEXT", "string"),
        col("station_id", "UUID", "uuid", False),
    ),
    primary_key=("id",),
    comment="legacy encrypted customers",
)

BOOKINGS = DbTable(
    schema=None,
    name="bookings",
    columns=(
        col("id", "INTEGER", "integer", False,
            "nextval('\"public\".bookings_id_seq'::regclass)", True),
        col("customer_id", "UUID", "uuid", False),
        col("reference", "VARCHAR(32)", "string", False),
        col("event_date", "DATE", "date", False),
        col("event_time", "TIME WITHOUT TIME ZONE", "time"),
        col("status", "VARCHAR(20)", "string", False, "'pending'::character varying"),
        col("total", "NUMERIC(10, 2)", "numeric"),
        col("created_at", "TIMESTAMP WITH TIME ZONE", "datetime", True, "now()"),
    ),
    primary_key=("id",),
    foreign_keys=(
        DbForeignKey("fk_bookings_customer", ("customer_id",), "core", "customers", ("id",),
                     ondelete="CASCADE"),
    ),
    uniques=(
        DbUnique("uq_bookings_customer_date", ("customer_id", "event_date")),
        DbUnique("uq_bookings_reference", ("reference",)),
    ),
    indexes=(
        DbIndex("ix_bookings_event_date", ("event_date",), False),
        DbIndex("ix_bookings_status_created", ("status", "created_at"), False),
    ),
)

BOOKING_DAYS = DbTable(
    schema=None,
    name="booking_days",
    columns=(col("event_date", "DATE", "date"), col("bookings", "BIGINT", "integer")),
    kind="view",
)


def test_reflects_every_schema_into_plain_data(seeded_postgres):
    db = reflect(seeded_postgres)

    assert db == DbSchema(
        dialect="postgresql",
        default_schema="public",
        url_masked=mask_url(seeded_postgres),
        tables=(BOOKING_DAYS, BOOKINGS, CUSTOMERS),
        seconds=db.seconds,
    )
    assert 0 < db.seconds < 30
    assert db.schemas == ("core", "public")


def test_finds_the_customers_table_in_the_core_schema(seeded_postgres):
    db = reflect(seeded_postgres)

    assert db.find_by_name("customers") == [CUSTOMERS]
    assert db.find_by_name("Customers", ignore_case=True) == [CUSTOMERS]
    assert db.find_by_name("Customers") == []
    assert db.table(None, "customers") is None  # code expecting public.customers finds nothing
    assert db.table("public", "customers") is None
    assert db.table("core", "customers") == CUSTOMERS
    assert db.qualified(CUSTOMERS) == "core.customers"
    assert CUSTOMERS.key == "core.customers"


def test_default_schema_lookups_and_keys(seeded_postgres):
    db = reflect(seeded_postgres)

    bookings = db.table("public", "bookings")
    assert bookings is db.table(None, "bookings")
    assert bookings.key == "bookings"
    assert db.qualified(bookings) == "public.bookings"
    assert bookings.column("total").family == "numeric"
    assert bookings.column("nope") is None


def test_only_the_asked_schemas(seeded_postgres):
    assert reflect(seeded_postgres, schemas=["core"]).tables == (CUSTOMERS,)
    assert [t.key for t in reflect(seeded_postgres, schemas=[None]).tables] == [
        "booking_days", "bookings"]


def test_same_name_in_two_schemas_is_found_twice(seeded_postgres):
    run_sql(seeded_postgres, "CREATE TABLE public.customers (id SERIAL PRIMARY KEY, email TEXT)")
    db = reflect(seeded_postgres)

    found = db.find_by_name("customers")
    assert [db.qualified(t) for t in found] == ["public.customers", "core.customers"]


def test_search_path_decides_the_default_schema(seeded_postgres):
    # A legacy database whose search_path starts at `core`: unqualified names mean core.*.
    name = seeded_postgres.split("?")[0].rsplit("/", 1)[1]
    run_sql(seeded_postgres, f'ALTER DATABASE "{name}" SET search_path = core, public')
    db = reflect(seeded_postgres)

    assert db.default_schema == "core"
    assert db.table(None, "customers").schema is None
    bookings = db.table("public", "bookings")
    assert bookings.key == "public.bookings"
    assert bookings.foreign_keys[0].ref_schema is None  # core, the default here
    assert db.qualified(db.table(None, "customers")) == "core.customers"


def test_types_enum_array_json_and_kinds(postgres_url):
    run_sql(postgres_url, """
        CREATE TYPE mood AS ENUM ('ok', 'sad');
        CREATE TABLE things (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            mood mood, tags TEXT[], data JSONB, raw BYTEA, ratio DOUBLE PRECISION,
            took INTERVAL, ok BOOLEAN);
        CREATE MATERIALIZED VIEW thing_count AS SELECT count(*) AS n FROM things;
        CREATE INDEX ix_things_data_ref ON things ((data ->> 'ref'));
    """)
    db = reflect(postgres_url)
    things = db.table(None, "things")

    assert [(c.name, c.type, c.family) for c in things.columns] == [
        ("id", "BIGINT", "integer"),
        ("mood", "ENUM('ok', 'sad', name='mood')", "enum"),
        ("tags", "TEXT[]", "array"),
        ("data", "JSONB", "json"),
        ("raw", "BYTEA", "binary"),
        ("ratio", "DOUBLE PRECISION", "numeric"),
        ("took", "INTERVAL", "interval"),
        ("ok", "BOOLEAN", "boolean"),
    ]
    assert things.indexes == (DbIndex("ix_things_data_ref", ("(data ->> 'ref'::text)",), False),)
    assert db.table(None, "thing_count").kind == "materialized view"


def test_async_driver_url_is_reflected_with_its_sync_sibling(seeded_postgres):
    url = seeded_postgres.replace("postgresql+psycopg://", "postgresql+asyncpg://")
    assert reflect(url).table("core", "customers") == CUSTOMERS


def test_per_table_fallback_gives_the_same_result(seeded_postgres, monkeypatch):
    import sys

    import ormdoctor.database.reflection  # noqa: F401

    module = sys.modules["ormdoctor.database.reflection"]
    expected = reflect(seeded_postgres).tables
    monkeypatch.setattr(module, "_multi", module._per_table)
    assert reflect(seeded_postgres).tables == expected

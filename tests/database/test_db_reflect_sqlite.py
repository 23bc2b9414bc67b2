"""reflect() on real SQLite files: the `main` schema and ATTACHed databases."""

import sqlite3

from ormdoctor.database import (
    DbColumn,
    DbForeignKey,
    DbIndex,
    DbSchema,
    DbTable,
    DbUnique,
    open_readonly,
    reflect,
    reflect_connection,
)


def test_reflects_a_sqlite_file(sqlite_file):
    url = f"sqlite:///{sqlite_file}"
    db = reflect(url)

    assert db == DbSchema(
        dialect="sqlite",
        default_schema="main",
        url_masked=url,
        tables=(
            DbTable(
                schema=None,
                name="bookings",
                columns=(
                    DbColumn("id", "INTEGER", "integer", False, None, True),
                    DbColumn("customer_id", "INTEGER", "integer", False, None, False),
                    DbColumn("event_date", "DATE", "date", False, None, False),
                    DbColumn("paid", "BOOLEAN", "boolean", True, None, False),
                ),
                primary_key=("id",),
                foreign_keys=(DbForeignKey(None, ("customer_id",), None, "customers", ("id",),
                                           ondelete="CASCADE"),),
                indexes=(DbIndex("ix_bookings_event_date", ("event_date",), False),),
            ),
            DbTable(
                schema=None,
                name="customers",
                columns=(
                    DbColumn("id", "INTEGER", "integer", False, None, True),
                    DbColumn("email", "VARCHAR(255)", "string", False, None, False),
                    DbColumn("created_at", "DATETIME", "datetime", True, "CURRENT_TIMESTAMP",
                             False),
                ),
                primary_key=("id",),
                uniques=(DbUnique("uq_customers_email", ("email",)),),
            ),
        ),
        seconds=db.seconds,
    )
    assert db.find_by_name("customers")[0].key == "customers"
    assert db.qualified(db.tables[1]) == "main.customers"


def test_attached_databases_are_schemas(sqlite_file, tmp_path):
    other = tmp_path / "billing.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, stripe_id TEXT)")
    conn.close()

    with open_readonly(f"sqlite:///{sqlite_file}") as conn:
        conn.exec_driver_sql(f"ATTACH DATABASE 'file:{other}?mode=ro' AS billing")
        db = reflect_connection(conn)

    found = db.find_by_name("customers")
    assert [db.qualified(t) for t in found] == ["main.customers", "billing.customers"]
    assert found[1].key == "billing.customers"
    assert [c.name for c in found[1].columns] == ["id", "stripe_id"]

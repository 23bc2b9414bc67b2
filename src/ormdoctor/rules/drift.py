"""Drift between the models and a live database (``--db URL``): documentation and codes only.

The comparison itself lives in ``ormdoctor.database.compare`` (static facts) and in the Alembic
probe (``check --import --db``); both report under the codes registered here.
"""

from __future__ import annotations

from ormdoctor.findings import Severity
from ormdoctor.rules.registry import rule


@rule("ORM601", "table-missing-in-database", Severity.ERROR, source="database")
def table_missing_in_database():
    """## What it does
    Reported by `--db URL`: a model (or `Table()`) defines a table that the database does not
    have in any schema. When the database has a table of that name in another schema, ORM607
    is reported instead.

    ## Why is this bad?
    The first query through the model fails with `relation "invoices" does not exist`
    (PostgreSQL) or `no such table: invoices` (SQLite). `create_all` would create it, but a
    production database is usually managed by migrations that never did.

    ## Example
    ```text
    ORM601 app/models.py:14: Invoice expects table 'invoices', which the database does not have
    ```

    ## Use instead
    Write the migration that creates the table (`alembic revision --autogenerate`), or delete the
    model when the table is gone for good.

    ## Fix safety
    No automatic fix: creating tables is a migration.
    """


@rule("ORM602", "table-not-in-models", Severity.INFO, source="database")
def table_not_in_models():
    """## What it does
    Reported by `--db URL`: the database has a table that no model or `Table()` defines, in any
    metadata. Alembic's own `alembic_version` table and views are not reported.

    ## Why is this bad?
    Often nothing: a table owned by another application. But it is also what is left when a
    model file is deleted or never imported, and Alembic autogenerate on such a project writes
    `op.drop_table(...)` for it.

    ## Example
    ```text
    ORM602 <database>: the database has table 'audit_log', which no model defines
    ```

    ## Use instead
    Map the table (`Table("audit_log", metadata, autoload_with=engine)` or a class), or drop it
    with a migration if it is dead.

    ## Fix safety
    No automatic fix.
    """


@rule("ORM603", "column-missing-in-database", Severity.ERROR, source="database")
def column_missing_in_database():
    """## What it does
    Reported by `--db URL`: a model declares a column that the database table does not have.

    ## Why is this bad?
    Every SELECT through the model names the column, so every query on the table fails with
    `column customers.phone does not exist` (PostgreSQL) / `no such column` (SQLite), not only
    the code that uses `phone`.

    ## Example
    ```python
    class Customer(Base):
        __tablename__ = "customers"
        phone = mapped_column(String(20))   # ORM603: no such column in the database
    ```

    ## Use instead
    Add the column with a migration, or remove it from the model. A renamed column keeps its
    database name with `mapped_column("old_name", ...)`.

    ## Fix safety
    No automatic fix.
    """


@rule("ORM604", "column-not-in-models", Severity.WARNING, source="database")
def column_not_in_models():
    """## What it does
    Reported by `--db URL`: the database table has a column that the model does not map.

    ## Why is this bad?
    Reads work, but the data in that column is invisible to the application. When the column is
    NOT NULL without a server default, every INSERT through the model fails with a not-null
    violation.

    ## Example
    ```text
    ORM604 app/models.py:8: the database's customers.legacy_flag (BOOLEAN NOT NULL) is not
      mapped by Customer
    ```

    ## Use instead
    Map the column, or drop it with a migration. A column that must stay but is written by
    other code needs a server default.

    ## Fix safety
    No automatic fix.
    """


@rule("ORM605", "column-type-mismatch", Severity.WARNING, source="database")
def column_type_mismatch():
    """## What it does
    Reported by `--db URL`: a column's type in the model and in the database belong to different
    type families (Integer vs UUID vs String vs DateTime...). With `--exact-types`, any
    difference the database can tell apart is reported too (`VARCHAR(50)` vs `String(100)`,
    `BIGINT` vs `Integer`, `TIMESTAMP` vs `DateTime(timezone=True)`).

    Storage that SQLAlchemy itself chooses is not a mismatch: `Enum` as `VARCHAR`, `Uuid` as
    `CHAR(32)` on SQLite.

    ## Why is this bad?
    Values do not round-trip: an Integer model on a UUID column fails with
    `operator does not exist: uuid = integer` at the first filter, and string lengths that differ
    truncate or reject data that the model accepted.

    ## Example
    ```python
    class Customer(Base):
        __tablename__ = "customers"
        id = mapped_column(Integer, primary_key=True)   # ORM605: the database has UUID
    ```

    ## Use instead
    Make the model say what the database holds, or migrate the column with an explicit
    `USING` conversion.

    ## Fix safety
    No automatic fix.
    """


@rule("ORM606", "nullable-mismatch", Severity.WARNING, source="database")
def nullable_mismatch():
    """## What it does
    Reported by `--db URL`: a column is nullable in the model but NOT NULL in the database, or
    the other way round. The model's nullability is SQLAlchemy's: `nullable=` when given,
    otherwise NOT NULL for primary keys and `Mapped[X]`, NULL for `Mapped[Optional[X]]`,
    `Mapped[X | None]` and a plain `Column(...)`.

    ## Why is this bad?
    Nullable in the model, NOT NULL in the database: inserts that leave the attribute unset fail
    with a not-null violation at commit. NOT NULL in the model, nullable in the database: rows
    written by other code come back with `None` where the type says there is always a value.

    ## Example
    ```python
    email = Column(String(255))   # ORM606: nullable by default, NOT NULL in the database
    ```

    ## Use instead
    ```python
    email = Column(String(255), nullable=False)
    ```

    ## Fix safety
    No automatic fix.
    """


@rule("ORM607", "table-in-other-schema", Severity.ERROR, source="database")
def table_in_other_schema():
    """## What it does
    Reported by `--db URL`: the model expects a table in one schema (`public.customers`) and the
    database has the table of that name only in another schema (`core.customers`). Reported
    instead of ORM601, with which definition the database's table matches column for column.

    ## Why is this bad?
    The model's queries go to `public.customers`, which does not exist (`relation "customers"
    does not exist`), while the data lives in `core.customers`. This is the typical state after a
    legacy schema and a modern rewrite coexist: the code and the database follow different
    versions of the entity.

    ## Example
    ```python
    class Customer(BaseModel):
        __tablename__ = "customers"      # ORM607: the database has core.customers
    ```

    ## Use instead
    Decide which version is the truth. If the database is right, map its table
    (`__table_args__ = {"schema": "core"}` with its columns); if the model is right, migrate the
    data. `ormdoctor compare customers --db URL` shows each version side by side with the
    database.

    ## Fix safety
    No automatic fix.
    """


@rule("ORM608", "index-or-unique-drift", Severity.WARNING, source="database")
def index_or_unique_drift():
    """## What it does
    Reported by `--db URL`: an index or unique constraint declared in the model (`index=True`,
    `unique=True`, `Index(...)`, `UniqueConstraint(...)`) that the database does not have, one
    the database has that the model does not declare, or one that is unique on one side only.
    Indexes and constraints are matched by their columns, not their names.

    ## Why is this bad?
    A unique constraint that exists only in the model lets duplicates in; one that exists only
    in the database makes inserts fail that the model allows. A missing index turns lookups into
    sequential scans. `create_all` never adds indexes to an existing table, so this drift stays
    until a migration fixes it.

    ## Example
    ```python
    email = mapped_column(String(255), unique=True)   # ORM608: only a plain index in the database
    ```

    ## Use instead
    Write the migration that creates (or drops) the index, or make the model declare what the
    database has.

    ## Fix safety
    No automatic fix.
    """

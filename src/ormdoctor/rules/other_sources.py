"""Codes reported by the runtime mode (``check --import``, ``verify``): documentation only here."""

from __future__ import annotations

from ormdoctor.findings import Severity
from ormdoctor.rules.registry import rule


@rule("ORM900", "import-error", Severity.ERROR, source="import")
def import_error():
    """## What it does
    Reported by `ormdoctor check --import` and `ormdoctor verify`: importing a model module with
    the project's own interpreter and SQLAlchemy raised an exception that no static rule
    explains. The traceback is mapped to project files.

    ## Why is this bad?
    The application cannot load this module: it fails at start-up or at the first request that
    imports it.

    ## Example
    ```text
    ORM900 app/models/billing.py:12: importing app.models.billing raised ImportError:
      cannot import name 'Customer' from partially initialized module 'app.models.customer'
    ```

    ## Use instead
    Fix the exception shown; when it is a circular import, see ORM501.

    ## Fix safety
    No automatic fix.
    """


@rule("ORM901", "mapper-configuration-error", Severity.ERROR, source="import")
def mapper_configuration_error():
    """## What it does
    Reported by `check --import`: `configure_mappers()` failed for a registry after all model
    modules were imported (a relationship to a missing or ambiguous class, a bad
    `back_populates`, a missing join condition).

    ## Why is this bad?
    Every query, instantiation or `configure_mappers()` fails with "One or more mappers failed
    to initialize" from then on.

    ## Example
    ```text
    ORM901 Booking: When initializing mapper Mapper[Booking(bookings)], expression 'Thread'
      failed to locate a name ('Thread').
    ```

    ## Use instead
    Fix the reference: import the target class's module, use the fully qualified path, or fix
    the name.

    ## Fix safety
    No automatic fix.
    """


@rule("ORM902", "metadata-error", Severity.ERROR, source="import")
def metadata_error():
    """## What it does
    Reported by `check --import`: sorting a MetaData's tables (what `create_all` does first)
    failed, typically `NoReferencedTableError` for a foreign key to a table that is not on that
    MetaData.

    ## Why is this bad?
    `create_all`, Alembic autogenerate and `sorted_tables` all fail on this MetaData.

    ## Example
    ```text
    ORM902 Base.metadata: Foreign key associated with column 'orders.customer_id' could not
      find table 'customer' with which to generate a foreign key to target column 'id'
    ```

    ## Use instead
    Point the foreign key at the real table (schema included), or import the module that
    defines the target table.

    ## Fix safety
    No automatic fix.
    """

"""Relationships and foreign keys that pass every import and break at the first query."""

from __future__ import annotations

from ormdoctor.findings import Applicability, Severity
from ormdoctor.rules.back_populates import back_populates_problems
from ormdoctor.rules.foreign_key_checks import fk_type_mismatches, missing_fk_targets, unloaded_fk_targets
from ormdoctor.rules.overlapping import unlinked_relationships, unlinked_through_secondary
from ormdoctor.rules.registry import rule
from ormdoctor.rules.relationship_checks import ambiguous_targets, missing_targets, unloaded_targets


@rule("ORM301", "relationship-target-missing", Severity.ERROR)
def relationship_target_missing(ctx):
    """## What it does
    Finds a relationship whose target names no mapped class in the referencing class's
    registry: `relationship("X")`, `relationship("pkg.mod.X")`, `Mapped["X"]`,
    `Mapped[list["X"]]`, `Mapped[Optional["X"]]`, and a `secondary="table"` that is not a table
    on the same MetaData. A `secondary` string holding an expression
    (`secondary="join(A, B, ...)"`) is a warning: SQLAlchemy 1.x evaluates it, 2.0 and later
    resolve a secondary string as a table name only and fail.

    ## Why is this bad?
    Every import succeeds and so does `create_all`; the first query, instantiation or
    `configure_mappers()` fails with `InvalidRequestError: When initializing mapper
    Mapper[Booking(bookings)], expression 'Thread' failed to locate a name ('Thread')`, and
    every later use with `One or more mappers failed to initialize`. A class imported only under
    `if TYPE_CHECKING:` satisfies the type checker, not SQLAlchemy.

    ## Example
    ```python
    class Booking(Base):
        __tablename__ = "bookings"
        thread = relationship("Thread", back_populates="booking")   # ORM301: it is MessageThread
    ```

    ## Use instead
    ```python
        thread = relationship("MessageThread", back_populates="booking")
    ```

    ## Fix safety
    No automatic fix: which class was meant is a decision.
    """
    yield from missing_targets(ctx)


@rule("ORM302", "relationship-target-ambiguous", Severity.ERROR, fix=Applicability.UNSAFE)
def relationship_target_ambiguous(ctx):
    """## What it does
    Finds a string relationship target (`relationship("Payment")`, `Mapped[list["Payment"]]`,
    or a partial path like `"models.Payment"`) that matches two or more classes of the
    registry loaded by one process. Reported at the reference; the duplicated class name
    itself is ORM104.

    ## Why is this bad?
    Mapper configuration fails with `InvalidRequestError: Multiple classes found for path
    "Payment" in the registry of this declarative base. Please use a fully module-qualified
    path.`, so the first query of the application fails, and every later one with `One or more
    mappers failed to initialize`.

    ## Example
    ```python
    # app/models/booking.py
    class Booking(Base):
        payments: Mapped[list["Payment"]] = relationship()      # ORM302
    class Payment(Base): ...
    # app/billing/stripe.py
    class Payment(Base): ...
    ```

    ## Use instead
    Give the classes distinct names; until then, point at one of them unambiguously:
    ```python
        payments = relationship("app.models.booking.Payment")
        payments = relationship(lambda: Payment)
    ```

    ## Fix safety
    Unsafe: which of the classes was meant is a decision; the fix picks the one the
    relationship's foreign keys point at, else the nearest in the package tree.

    ## Fix
    `ormdoctor fix --unsafe-fixes` replaces the string with the class's full module path, which
    SQLAlchemy resolves at runtime: `relationship("Payment")` becomes
    `relationship("app.models.booking.Payment")`; for an annotation-only relationship
    (`Mapped[list["Payment"]] = relationship()`) the path becomes the relationship's first
    argument, which takes precedence over the annotation.
    """
    yield from ambiguous_targets(ctx)


@rule("ORM303", "foreign-key-target-missing", Severity.ERROR)
def foreign_key_target_missing(ctx):
    """## What it does
    Finds a foreign key whose target table or column is not on the referencing table's
    MetaData: `ForeignKey("t.c")`, `ForeignKey("schema.t.c")`, `ForeignKeyConstraint` targets,
    SQLModel's `Field(foreign_key="t.c")`. The schema counts: `"customers.id"` means the
    MetaData's default schema and does not reach `core.customers`.

    ## Why is this bad?
    Import and mapper configuration pass; `create_all`, `metadata.sorted_tables` and Alembic
    fail with `NoReferencedTableError: Foreign key associated with column 'orders.customer_id'
    could not find table 'customer' with which to generate a foreign key to target column 'id'`
    (`NoReferencedColumnError` for a missing column). With a relationship on top, mapper
    configuration fails first with a misleading `NoForeignKeysError`. In a module no program
    imports (a documentation snippet, an example with a base of its own) nothing fails yet: a
    warning.

    ## Example
    ```python
    class Booking(Base):
        __tablename__ = "bookings"
        __table_args__ = {"schema": "core"}
        customer_id = mapped_column(ForeignKey("customers.id"))    # ORM303: it is core.customers
    ```

    ## Use instead
    ```python
        customer_id = mapped_column(ForeignKey("core.customers.id"))
    ```

    ## Fix safety
    No automatic fix.
    """
    yield from missing_fk_targets(ctx)


@rule("ORM304", "target-not-imported", Severity.ERROR, fix=Applicability.UNSAFE)
def target_not_imported(ctx):
    """## What it does
    Finds a relationship target or foreign-key target that exists in the project, but in a
    module that an entry point loading the referencing class never imports: the application
    (`main.py`, an app factory, a script with `__main__`) or the pytest session. Names the
    entry point, the module that should import the target, and the import to add. A module
    nothing imports deep in a package, that is no program, starts nothing: it is not blamed.
    Nor, for a foreign key, is a process whose modules create no engine, call no `create_all`
    and configure no database (a smoke script with every service mocked): a foreign key is only
    resolved when tables are created or a session flushes.

    ## Why is this bad?
    SQLAlchemy only knows classes and tables whose modules have run. The target is missing as
    far as that process is concerned: mapper configuration fails with `failed to locate a name
    ('MLPrediction')`, `create_all` with `NoReferencedTableError`, although the class is right
    there in the repository (seed 003's `MLPrediction`). Imports under `TYPE_CHECKING` do not
    load anything.

    ## Example
    ```python
    # app/models/__init__.py
    from app.models.product import Product       # ml_prediction.py is never imported
    # app/models/product.py
    class Product(Base):
        ml_predictions: Mapped[list["MLPrediction"]] = relationship()   # ORM304
    ```

    ## Use instead
    Import every model module in the models package, where every entry point loads it:
    ```python
    # app/models/__init__.py
    from app.models.ml_prediction import MLPrediction
    from app.models.product import Product
    __all__ = ["MLPrediction", "Product"]
    ```

    ## Fix safety
    Unsafe: the application then loads a module it never loaded, with whatever that module
    does at import. The `# noqa: F401` (or the `__all__` entry) matters: the import looks
    unused, and ruff's F401 autofix would delete it again.

    ## Fix
    `ormdoctor fix` adds the import the message names, in the file it names, with
    `# noqa: F401` so ruff's F401 autofix does not delete it again: it extends an import that
    already loads sibling modules (`from app.models import customer, order` gains `invoice`), or
    adds `from .ml_prediction import MLPrediction` to the models package, or adds
    `import app.models.ml_prediction` after the imports of the entry point. An import found only
    under `if TYPE_CHECKING:` or in a function gets a module-level copy.
    """
    yield from unloaded_targets(ctx)
    yield from unloaded_fk_targets(ctx)


@rule("ORM305", "foreign-key-type-mismatch", Severity.WARNING)
def foreign_key_type_mismatch(ctx):
    """## What it does
    Finds a foreign-key column whose type family (integer, UUID, string, ...) differs from the
    referenced column's, when both types are known. `Integer` to `BigInteger` is one family; a
    column declared without a type takes the referenced column's type and is never reported.
    The target may be written as a string (`"customers.id"`) or as an attribute
    (`ForeignKey(Customer.id)`, `ForeignKey(Customer.__table__.c.id)`, resolved through the
    module's imports), and the referenced key may come from a mixin's or an abstract base's
    `@declared_attr def id(cls): return Column(...)`. A project's own `TypeDecorator` counts as
    its `impl` (`class Uuid(TypeDecorator): impl = String(36)` is a string); one that picks its
    type per database (`load_dialect_impl`) has no single family and is never reported.

    ## Why is this bad?
    SQLAlchemy does not compare the types. PostgreSQL refuses the constraint (`foreign key
    constraint ... cannot be implemented: Key columns "customer_id" and "id" are of
    incompatible types: integer and uuid`); SQLite accepts it and every join then compares an
    integer with a UUID string and matches nothing. Typical after the referenced key was
    migrated from Integer to UUID (seed 002's two Customer models).

    ## Example
    ```python
    class Customer(Base):
        id = Column(Uuid, primary_key=True)
    class Booking(Base):
        customer_id = Column(Integer, ForeignKey("customers.id"))    # ORM305
    ```

    ## Use instead
    ```python
        customer_id = Column(Uuid, ForeignKey("customers.id"))
    ```

    ## Fix safety
    No automatic fix: the column's data must be migrated too.
    """
    yield from fk_type_mismatches(ctx)


@rule("ORM306", "back-populates-mismatch", Severity.ERROR)
def back_populates_mismatch(ctx):
    """## What it does
    Finds `back_populates="x"` naming an attribute the target class does not have, one that is
    a column rather than a relationship, or a relationship that points at another class; and a
    `backref="x"` that collides with an existing property of the target.

    ## Why is this bad?
    Mapper configuration fails at the first query: `Mapper 'Mapper[Customer(customers)]' has no
    property 'orderz'`, `reverse_property 'x' on relationship ... references relationship ...,
    which does not reference mapper ...`, or `Error creating backref 'orders' on relationship
    'Order.customer': property of that name exists on mapper 'Mapper[Customer(customers)]'`.
    In a module no program imports (left out of the models package's `__init__`), nothing fails
    yet: a warning.

    ## Example
    ```python
    class Customer(Base):
        orders = relationship("Order", back_populates="customer")
    class Order(Base):
        customer = relationship("Customer", back_populates="orderz")    # ORM306
    ```

    ## Use instead
    ```python
        customer = relationship("Customer", back_populates="orders")
    ```

    ## Fix safety
    No automatic fix.
    """
    yield from back_populates_problems(ctx)


@rule("ORM307", "unlinked-relationships", Severity.WARNING)
def unlinked_relationships_rule(ctx):
    """## What it does
    Finds two or more relationships between two classes joined by one foreign-key column that
    are not linked to each other: a `relationship("Child")` on the parent beside a
    `relationship("Parent", backref="kids")` on the child, or two plain relationships over the
    same key. Likewise relationships through one association table (`secondary=`) that write the
    same column of it: `Item.tags` and `Item.notes` both through `association` both write
    `association.item_id` (viper). Relationships with their own `primaryjoin`, `foreign_keys` or
    `overlaps`, `viewonly=True` ones, self-referential association tables and classes in an
    inheritance hierarchy are left alone.

    ## Why is this bad?
    Each of them writes the same foreign-key column when the session flushes, and SQLAlchemy
    does not keep them in step: appending a child to one collection leaves the other, and the
    child's reference, unchanged until the objects are loaded again. At mapper configuration
    SQLAlchemy warns `relationship 'Parent.kids' will copy column parent.id to column
    child.parent_id, which conflicts with relationship(s): 'Parent.children'` (1.4 and later).

    ## Example
    ```python
    class Project(Base):
        packages = relationship("Package")
    class Package(Base):
        project_id = mapped_column(ForeignKey("projects.id"))
        project = relationship("Project", backref="package")    # ORM307
    ```

    ## Use instead
    ```python
    class Project(Base):
        packages = relationship("Package", back_populates="project")
    class Package(Base):
        project = relationship("Project", back_populates="packages")
    ```
    or `viewonly=True` on a relationship meant for reading only, or `overlaps="packages"` when
    both are meant to write.

    ## Fix safety
    No automatic fix.
    """
    yield from unlinked_relationships(ctx)
    yield from unlinked_through_secondary(ctx)

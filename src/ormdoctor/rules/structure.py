"""How the model layer is laid out: import cycles between model modules, several bases."""

from __future__ import annotations

from ormdoctor.findings import Severity
from ormdoctor.inventory.declarative import SQLMODEL_METADATA
from ormdoctor.inventory.graph import bit_indices
from ormdoctor.inventory.installed import is_installed
from ormdoctor.rules.context import loc, related
from ormdoctor.rules.cycles import import_cycles
from ormdoctor.rules.databases import SAME, shared_database
from ormdoctor.rules.entry_points import entry_label, table_modules
from ormdoctor.rules.registry import rule


@rule("ORM501", "model-import-cycle", Severity.WARNING)
def model_import_cycle(ctx):
    """## What it does
    Finds cycles of module-level imports among model modules (two or more modules that define
    mapped classes or tables, possibly through other modules), and prints one cycle as the
    chain of files and import lines. Imports under `if TYPE_CHECKING:` or inside functions do
    not run when the module loads and do not count, and neither does the package `__init__`
    that importing a submodule passes through. A package that owns the `db` object and imports
    its one models module at the bottom (the Flask pattern) is not a cycle among model modules,
    and a model module that takes names from its own package (`from app.models import db`) is
    not one either when `app/models/__init__.py` binds them before the import that loads that
    module: the package always runs first. Bound after it, they are missing (reported).

    ## Why is this bad?
    A cycle works only as long as no module uses a name of another one that is still half
    run. Reorder two imports, or import the package from another entry point, and the class
    statement fails with `ImportError: cannot import name 'Customer' from partially initialized
    module 'app.models.customer' (most likely due to a circular import)`. Seed 002 lists
    "circular import nightmares" among the causes of its outages.

    ## Example
    ```python
    # app/models/customer.py
    from app.models.booking import Booking          # ORM501
    class Customer(Base):
        bookings = relationship(Booking, back_populates="customer")

    # app/models/booking.py
    from app.models.customer import Customer
    class Booking(Base):
        customer = relationship(Customer, back_populates="bookings")
    ```

    ## Use instead
    Refer to the other class by string and import it for type checkers only:
    ```python
    # app/models/customer.py
    from typing import TYPE_CHECKING
    if TYPE_CHECKING:
        from app.models.booking import Booking
    class Customer(Base):
        bookings: Mapped[list["Booking"]] = relationship(back_populates="customer")
    ```

    ## Fix safety
    No automatic fix.
    """
    modules = ctx.inventory.modules
    for cycle, size in import_cycles(ctx.inventory, table_modules(ctx.inventory)):
        chain = " → ".join(f"{e.source}:{e.pos.line} `{statement(ctx, e)}`" for e in cycle)
        extra = f" ({size} modules import each other in this group)" if size > len(cycle) else ""
        first = cycle[0]
        message = f"model modules import each other at load time: {chain} → {first.source}{extra}"
        rel = [related(e.source, e.pos, f"`{statement(ctx, e)}`") for e in cycle[1:]]
        hint = ("break the cycle: import the other model under `if TYPE_CHECKING:` and refer to it by string "
                "(`relationship(\"Name\")`), or import it inside the function that needs it")
        yield ctx.finding("ORM501", modules[first.source].name, message, loc(first.source, first.pos), rel, hint)


def statement(ctx, edge) -> str:
    """The import statement behind an edge, as written (`from models import customer`)."""
    for fact in ctx.inventory.modules[edge.source].facts.imports:
        if fact.pos == edge.pos:
            if not fact.is_from:
                return f"import {fact.module}"
            names = ", ".join(n for n, _ in fact.names[:3]) + (", ..." if len(fact.names) > 3 else "")
            return f"from {'.' * fact.level}{fact.module} import {names}"
    return f"import {edge.written}"


@rule("ORM502", "several-declarative-bases", Severity.INFO)
def several_declarative_bases(ctx):
    """## What it does
    When the model layer maps tables of one database on two or more MetaData objects (two
    declarative bases, a base and a `MetaData()` for `Table()` objects, SQLModel next to a
    DeclarativeBase) that one process loads together, lists each base with the tables it owns,
    in one finding at the first base. Metadata of separate programs that never run together,
    metadata bound to their own engine (another database) and Flask-SQLAlchemy bind keys are
    not reported.

    ## Why is this bad?
    Nothing fails, but every tool sees only one MetaData at a time: `create_all` creates the
    tables of one base, Alembic's `target_metadata` autogenerates for one base (and proposes to
    drop the other's tables), a foreign key cannot reach a table on the other MetaData
    (`NoReferencedTableError`), and a string relationship target cannot reach a class of the
    other registry. Seed 002's three Customer models lived on two bases.

    ## Example
    ```python
    # app/db.py
    class Base(DeclarativeBase): ...
    # app/legacy/models.py
    LegacyBase = declarative_base()                 # ORM502
    class StripeCustomer(LegacyBase):
        __tablename__ = "stripe_customers"
    ```

    ## Use instead
    One declarative base per database, imported everywhere:
    ```python
    from app.db import Base
    class StripeCustomer(Base):
        __tablename__ = "stripe_customers"
    ```
    If the bases really target different databases, give each its own engine (Flask:
    `__bind_key__`) and its own Alembic environment.

    ## Fix safety
    No automatic fix: moving a model to another base changes which MetaData creates its table.
    """
    owned = _tables_per_metadata(ctx)
    groups: dict[str | None, list[str]] = {}
    for metadata_id in owned:
        groups.setdefault(ctx.inventory.metadatas[metadata_id].database, []).append(metadata_id)
    for database, metadata_ids in sorted(groups.items(), key=lambda kv: str(kv[0])):
        together, process = _loaded_together(ctx, metadata_ids, owned)
        if len(together) >= 2 and shared_database(ctx, together) == SAME:
            yield _bases_finding(ctx, sorted(together, key=lambda m: _where(ctx, m, owned)), owned, process)


def _tables_per_metadata(ctx) -> dict[str, list]:
    owned: dict[str, list] = {}
    for table in ctx.inventory.tables:
        info = ctx.inventory.metadatas.get(table.metadata_id)
        if info is not None and info.bind_key is None:
            owned.setdefault(table.metadata_id, []).append(table)
    return owned


def _loaded_together(ctx, metadata_ids: list[str], owned: dict[str, list]):
    """The metadata that some process loads together with another one, and the first such process."""
    graph = ctx.graph
    bits = {m: _bits(graph, owned[m]) for m in metadata_ids}
    positions = {m: set(bit_indices(b)) for m, b in bits.items()}
    mains = {m: {t.path for t in owned[m] if t.main_only} for m in metadata_ids}
    together: set[str] = set()
    first = None
    for process in sorted(graph.processes, key=lambda p: (not p.is_program, p.label)):
        present = {m for m, b in bits.items() if process.meets(b, positions[m]) or process.main in mains[m]}
        if len(present) >= 2:
            together |= present
            first = first or process
    return together, first


def _bits(graph, tables) -> int:
    """The modules that run these definitions wherever they are imported (not `__main__` blocks)."""
    found = 0
    for table in tables:
        i = graph.index.get(table.path)
        if i is not None and not table.main_only:
            found |= 1 << i
    return found


def base_name(ctx, metadata_id: str) -> str:
    """The declarative base that owns a MetaData (`Base`), else the MetaData's own label."""
    if metadata_id == SQLMODEL_METADATA:
        return "SQLModel"
    for registry in ctx.inventory.registries.values():
        if registry.metadata_id == metadata_id:
            return registry.label
    return ctx.metadata_label(metadata_id)


def _bases_finding(ctx, metadata_ids: list[str], owned: dict[str, list], process):
    parts = [_owner_text(ctx, m, owned) for m in metadata_ids]
    message = (f"{len(metadata_ids)} declarative bases (MetaData) map tables in one database, loaded together by "
               f"{entry_label(process)}: " + "; ".join(parts))
    first = metadata_ids[0]
    rel = [related(*_where(ctx, m, owned), f"{base_name(ctx, m)}: {len(_keys(owned[m]))} table(s)")
           for m in metadata_ids[1:]]
    hint = ("use one declarative base per database: create_all, Alembic's target_metadata and string "
            "references each see only one MetaData")
    return ctx.finding("ORM502", base_name(ctx, first), message, loc(*_where(ctx, first, owned)), rel, hint)


def _owner_text(ctx, metadata_id: str, owned: dict[str, list]) -> str:
    keys = _keys(owned[metadata_id])
    shown = ", ".join(keys[:6]) + (f" and {len(keys) - 6} more" if len(keys) > 6 else "")
    path, pos = _where(ctx, metadata_id, owned)
    return f"{base_name(ctx, metadata_id)} ({path}:{pos.line}) owns {shown}"


def _keys(tables) -> list[str]:
    return sorted({t.key for t in tables})


def _where(ctx, metadata_id: str, owned: dict[str, list]):
    info = ctx.inventory.metadatas[metadata_id]
    if info.path and not is_installed(info.path):  # an installed base: at its first project class
        return info.path, info.pos
    first = min(owned[metadata_id], key=lambda t: (t.path, t.pos.line))
    return first.path, first.pos

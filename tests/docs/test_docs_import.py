"""``ormdoctor docs --import``: the documentation of the real MetaData, described by the tracer in a
real subprocess with the real SQLAlchemy, and how it compares with the static document.

The import golden is rewritten only with ``pytest --update-golden``."""

from __future__ import annotations

import functools
import sys
from argparse import Namespace
from pathlib import Path

import pytest
from docs_support import GOLDEN, PROJECTS, ROOT, check_text_golden, run_docs, schema_of

from ormdoctor.docs.model import Definition, IndexDoc

SEED003_FIXED = ROOT / "tests" / "fixtures" / "seeds" / "seed003_alembic_missing_ml_predictions_fixed"
COMPUTED = PROJECTS / "computed_names"  # Order.__tablename__ = table_name("order"): ORM002 statically
SA14 = ROOT / ".venvs" / "sa14" / "bin" / "python"
SEED003_TABLES = ["alerts", "inventory_transactions", "ml_predictions", "products", "users", "vendor_prices",
                  "vendors"]


@functools.cache
def imported(project: Path, python: str | None = None):
    """(the tracer's report, the documentation model) of ``docs --import``, built in process."""
    from ormdoctor.commands.docs import trace_tables
    from ormdoctor.docs.from_inventory import finding_docs
    from ormdoctor.docs.from_runtime import describe_runtime
    from ormdoctor.docs.model import build_schema
    from ormdoctor.pipeline import analyse

    analysis = analyse([str(project)], use_cache=False)
    report = trace_tables(analysis, Namespace(python=python, timeout=120.0))
    tables, metadata = describe_runtime(report)
    return report, build_schema(tables, metadata, finding_docs(analysis.findings), source="import")


def content(schema, table) -> dict:
    """What a table's documentation says, with ids replaced by table keys (the metadata ids of the
    two sources differ) and the column type and server default left to the caller."""
    def key(table_id):
        target = schema.table(table_id)
        return target.key if target else None

    return {
        "anchor": table.anchor, "association": table.association, "description": table.description,
        "definitions": table.definitions,
        "columns": [(c.name, c.nullable, c.primary_key, c.unique, c.index, c.foreign_key, c.default, c.comment)
                    for c in table.columns],
        "foreign_keys": [(fk.columns, fk.target_table, fk.target_columns, key(fk.target_id), fk.name, fk.ondelete,
                          fk.onupdate) for fk in table.foreign_keys],
        "constraints": table.constraints, "indexes": table.indexes,
        "relationships": [(r.owner, r.attr, r.target, key(r.target_id), r.secondary, r.direction, r.cascade,
                           r.back_populates, r.backref, r.deletes, r.viewonly) for r in table.relationships],
        "on_delete": [(e.action, e.table, e.columns, e.database, e.orm, e.relationships, e.not_null)
                      for e in table.on_delete],
        "findings": [schema.finding_by_anchor[a].code for a in table.findings],
    }


def line_of(path: Path, text: str) -> int:
    return path.read_text().splitlines().index(text) + 1


# Seed 003: the import document says what the static one says --------------------------------------
def test_seed003_import_has_the_static_content():
    from ormdoctor.typefamily import same_family

    static = schema_of(SEED003_FIXED)
    report, schema = imported(SEED003_FIXED)
    assert [t.key for t in schema.tables] == [t.key for t in static.tables] == SEED003_TABLES
    assert schema.source == "import" and [m.label for m in schema.metadata] == ["Base.metadata"]
    types, server_defaults = set(), set()
    for ours, theirs in zip(schema.tables, static.tables, strict=True):
        assert content(schema, ours) == content(static, theirs), ours.key
        for mine, written in zip(ours.columns, theirs.columns, strict=True):
            assert same_family(mine.type, written.type), (ours.key, mine.name, mine.type, written.type)
            types.add((written.type, mine.type))
            server_defaults.add((written.server_default, mine.server_default))
    # What differs is the spelling: compiled types and compiled SQL against the source text.
    assert {("String(30)", "VARCHAR(30)"), ("Numeric(10, 2)", "NUMERIC(10, 2)"),
            ("DateTime(timezone=True)", "DATETIME"), ("Integer", "INTEGER")} <= types
    assert server_defaults == {(None, None), ("func.now()", "now()")}
    assert report.sqlalchemy_version == __import__("sqlalchemy").__version__


def test_seed003_import_keys_and_delete_rules():
    _, schema = imported(SEED003_FIXED)
    prices = schema.by_id[next(t.id for t in schema.tables if t.key == "vendor_prices")]
    assert [(c.kind, c.name, c.columns) for c in prices.constraints] == [
        ("primary_key", None, ("id",)), ("unique", "uq_vendor_product", ("vendor_id", "product_id"))]
    assert [(fk.columns, fk.target_table, fk.ondelete) for fk in prices.foreign_keys] == [
        (("vendor_id",), "vendors", "CASCADE"), (("product_id",), "products", "CASCADE")]
    products = next(t for t in schema.tables if t.key == "products")
    assert [(r.attr, r.direction, r.cascade) for r in products.relationships] == [
        ("inventory_transactions", "one-to-many", "all, delete-orphan"),
        ("vendor_prices", "one-to-many", "all, delete-orphan"),
        ("alerts", "one-to-many", "all, delete-orphan"),
        ("ml_predictions", "one-to-many", "all, delete-orphan")]
    assert {(e.table, e.action, e.database, e.orm) for e in products.on_delete} == {
        (child, "delete", "CASCADE", "delete")
        for child in ("alerts", "inventory_transactions", "ml_predictions", "vendor_prices")}
    assert [i.name for i in products.indexes] == ["ix_products_sku", "ix_products_category", "ix_products_barcode"]


def test_seed003_import_golden_markdown(update_golden):
    result = run_docs(str(SEED003_FIXED), "--import", "--no-cache")
    assert result.returncode == 0, result.stderr
    # app/main.py needs FastAPI, which the test interpreter lacks: a warning, the models are documented.
    assert result.stderr == ("ormdoctor: warning: importing app.main failed (ModuleNotFoundError: No module named "
                             "'fastapi'); any table it defines is missing\n")
    check_text_golden(GOLDEN / "seed003_import.md", result.stdout, update_golden)
    text = result.stdout
    assert "from the imported MetaData: 7 tables on 1 metadata object" in text
    assert "| unique | `uq_vendor_product` | `vendor_id, product_id` |" in text
    assert "Deleting a product deletes its alerts, inventory transactions, ML predictions and vendor prices." in text
    assert "Deleting a vendor deletes its vendor prices." in text
    assert "Deleting a user keeps its inventory transactions." in text
    assert "| `product_id` | [`products.id`](#table-products) | CASCADE | — | — |" in text


def test_cli_output_is_the_in_process_document():
    from ormdoctor.docs.markdown import render_markdown

    result = run_docs(str(COMPUTED), "--import", "--no-cache")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == render_markdown(imported(COMPUTED)[1])


# A table name only the import knows --------------------------------------------------------------
def test_computed_table_name_is_documented_with_import():
    static = schema_of(COMPUTED)
    assert "shop_orders" not in [t.key for t in static.tables]
    assert [(f.code, f.path) for f in static.findings if f.code == "ORM002"] == [("ORM002", "app/models.py")]

    _, schema = imported(COMPUTED)
    assert [t.key for t in schema.tables] == ["addresses", "audit_entries", "customers", "employees", "order_tags",
                                              "shop_orders", "tags"]
    models = COMPUTED / "app" / "models.py"
    orders = next(t for t in schema.tables if t.key == "shop_orders")
    start = line_of(models, "class Order(Base):")
    assert orders.definitions == (Definition("class", "Order", "app/models.py", start, start + 14),)
    assert orders.description == "One purchase.\n\nIts table name comes from ``table_name()``."
    assert [(c.name, c.type, c.nullable, c.default, c.server_default) for c in orders.columns] == [
        ("id", "INTEGER", False, None, None), ("customer_id", "INTEGER", False, None, None),
        ("status", "VARCHAR(20)", False, "'new'", None), ("total", "NUMERIC(10, 2)", True, None, "'0'"),
        ("created_at", "DATETIME", True, None, "now()")]
    # Naming conventions applied to a table name no static analysis could compute.
    assert [(fk.name, fk.ondelete) for fk in orders.foreign_keys] == [("fk_shop_orders_customer_id_customers",
                                                                       "CASCADE")]
    assert [c.name for c in orders.constraints] == ["pk_shop_orders"]
    assert orders.indexes == (IndexDoc("ix_shop_orders_status_created_at", ("status", "created_at"), False,
                                       "Index()"),)
    assert [(r.attr, r.target, r.direction, r.secondary) for r in orders.relationships] == [
        ("customer", "Customer", "many-to-one", None), ("tags", "Tag", "many-to-many", "order_tags")]
    assert [schema.finding_by_anchor[a].code for a in orders.findings] == ["ORM002"]


def test_import_describes_keys_classes_and_tables_without_class():
    _, schema = imported(COMPUTED)
    tables = {t.key: t for t in schema.tables}
    customers = tables["customers"]
    assert customers.description == "A person or company that places orders."
    assert [(c.kind, c.name, c.columns, c.sqltext) for c in customers.constraints] == [
        ("primary_key", "pk_customers", ("id",), None), ("unique", "uq_customers_email", ("email",), None),
        ("check", "ck_customers_email_len", (), "length(email) > 3")]
    assert customers.indexes == (IndexDoc("ix_customers_name", ("name",), False, "index=True"),
                                 IndexDoc("ix_customers_email_lower", ("lower(customers.email)",), False, "Index()"))
    assert [(r.attr, r.target, r.direction, r.cascade, r.passive_deletes, r.back_populates, r.backref)
            for r in customers.relationships] == [
        ("orders", "Order", "one-to-many", "all, delete-orphan", True, "customer", None),
        ("addresses", "Address", "one-to-many", None, False, "customer", None)]  # made by Address's backref
    addresses = tables["addresses"]
    assert [(r.attr, r.back_populates, r.backref) for r in addresses.relationships] == [
        ("customer", None, "addresses")]
    # A library's function by its full name, the project's own by its qualified name.
    assert [(c.name, c.default) for c in addresses.columns if c.default] == [("ref", "uuid.uuid4"),
                                                                             ("code", "new_code")]
    assert tables["tags"].indexes == (IndexDoc("ix_tags_label", ("label",), True, "unique=True, index=True"),)

    link = tables["order_tags"]
    assert link.association
    assert link.definitions == (Definition("table", "order_tags", "app/models.py",
                                           line_of(COMPUTED / "app" / "models.py", "order_tags = Table("),
                                           line_of(COMPUTED / "app" / "models.py", "order_tags = Table(") + 5),)
    assert [(fk.columns, fk.target_table, fk.name) for fk in link.foreign_keys] == [
        (("order_id",), "shop_orders", "fk_order_tags_order_id_shop_orders"),
        (("tag_id",), "tags", "fk_order_tags_tag_id_tags")]

    audit = tables["audit_entries"]
    models = COMPUTED / "app" / "models.py"
    assert audit.definitions == (
        Definition("table", "audit_entries", "app/models.py", line_of(models, "audit_entries = Table("),
                   line_of(models, "audit_entries = Table(") + 5),
        Definition("imperative", "AuditEntry", "app/models.py", line_of(models, "class AuditEntry:"),
                   line_of(models, "class AuditEntry:") + 1))
    assert audit.description == "A row of the audit log, mapped imperatively."
    assert [(c.name, c.server_default) for c in audit.columns] == [("id", None), ("note", "FetchedValue()")]

    employees = tables["employees"]
    assert [(d.kind, d.name) for d in employees.definitions] == [("class", "Employee"), ("sti", "Manager")]
    assert employees.description == "An employee with a budget."  # Manager's own; Employee has none
    assert [c.name for c in employees.columns] == ["id", "kind", "budget"]


def test_describe_is_only_done_when_asked():
    from ormdoctor.commands.runtime_mode import tracer_request
    from ormdoctor.pipeline import analyse
    from ormdoctor.runtime.runner import run_tracer

    report = run_tracer(tracer_request(analyse([str(COMPUTED)], use_cache=False)), sys.executable)
    assert report.described == ()
    assert "shop_orders" in {t.key for t in report.tables}


# SQLAlchemy 1.4 ----------------------------------------------------------------------------------
@pytest.mark.matrix
def test_describe_works_on_sqlalchemy_14():
    if not SA14.exists():
        pytest.skip(f"{SA14} is absent: run scripts/make_sa_matrix.sh")
    report, schema = imported(COMPUTED, str(SA14))
    ours, our_schema = imported(COMPUTED)
    assert report.sqlalchemy_version.startswith("1.4.")
    assert report.described == ours.described
    assert schema.tables == our_schema.tables


# Errors ------------------------------------------------------------------------------------------
def test_missing_interpreter_exits_2_with_one_line(tmp_path):
    missing = tmp_path / "no" / "python"
    result = run_docs(str(COMPUTED), "--import", "--python", str(missing), "--no-cache")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"ormdoctor: error: Python interpreter not found: {missing} (pass --python PATH)\n"


def test_nothing_imported_exits_2_with_one_line(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(
        "from sqlalchemy import Column, Integer\nfrom sqlalchemy.orm import declarative_base\n\n"
        "Base = declarative_base()\nraise RuntimeError('no settings module')\n\n\n"
        "class Thing(Base):\n    __tablename__ = 'things'\n    id = Column(Integer, primary_key=True)\n")
    result = run_docs(str(tmp_path), "--import", "--no-cache")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ("ormdoctor: error: no table to document: importing app.models failed "
                             "(RuntimeError: no settings module)\n")


# The description → TableDoc, on its own ------------------------------------------------------------
def test_cascade_is_said_as_written():
    from ormdoctor.docs.from_runtime import cascade_text

    assert cascade_text("merge, save-update") is None  # the default
    assert cascade_text("delete, delete-orphan, expunge, merge, refresh-expire, save-update") == \
        "all, delete-orphan"
    assert cascade_text("delete, merge, save-update") == "delete, merge, save-update"
    assert cascade_text("") == "none"


def test_a_table_that_could_not_be_described_keeps_its_name():
    from ormdoctor.docs.from_runtime import describe_runtime
    from ormdoctor.runtime.report import DescribedTable, MetadataInfo

    odd = DescribedTable.from_json({
        "metadata": "md1", "schema": "core", "name": "odd", "key": "core.odd", "comment": None, "columns": [],
        "primary_key": None, "foreign_keys": [], "unique": [], "checks": [], "indexes": [], "definitions": [],
        "classes": [], "error": "TypeError: no string form", "a_later_key": 1})
    report = Namespace(described=(odd,), metadata=(MetadataInfo("md1", "app.db:Base.metadata", None, ("core.odd",),
                                                                 "app/db.py"),))
    tables, metadata = describe_runtime(report)
    assert [(t.id, t.key, t.columns, t.description) for t in tables] == [
        ("md1|core.odd", "core.odd", (), "The imported table could not be described (TypeError: no string form).")]
    assert [(m.id, m.label, m.path) for m in metadata] == [("md1", "Base.metadata", "app/db.py")]

"""Each small project, imported by the real SQLAlchemy in a subprocess, gives exactly these findings."""

from __future__ import annotations

from rthelpers import ERROR, PROJECTS, already_defined, finding, trace

from ormdoctor.runtime import to_findings

DUPLICATE_HINT = ("keep one definition and import {} from {} elsewhere; "
                  "extend_existing=True would only hide the duplicate")


def findings_of(case, *modules, verify=None):
    return to_findings(trace(case, *modules, verify=verify), PROJECTS / case)


def test_every_duplicate_table_is_reported_in_one_run():
    assert findings_of("duplicates", "app.models.customer", "app.models.legacy") == [
        finding("ORM101", "duplicate-table", ERROR, "customers",
                "table 'customers' is defined 2 times on metadata app.db:Base.metadata",
                "app/models/legacy.py", 9, related=[("app/models/customer.py", 7, "first definition")],
                hint=DUPLICATE_HINT.format("Customer", "app.models.customer"),
                details=[already_defined("customers"), "app/models/customer.py:7 Customer (app.models.customer)",
                         "app/models/legacy.py:9 Customer (app.models.legacy)"]),
        # Both Customer classes map 'customers': ORM101 is the problem, not a second ORM104 finding
        # (as in the static rule), so the static and the runtime view agree.
        finding("ORM101", "duplicate-table", ERROR, "orders",
                "table 'orders' is defined 2 times on metadata app.db:Base.metadata",
                "app/models/legacy.py", 15, related=[("app/models/customer.py", 13, "first definition")],
                hint=DUPLICATE_HINT.format("Order", "app.models.customer"),
                details=[already_defined("orders"), "app/models/customer.py:13 Order (app.models.customer)",
                         "app/models/legacy.py:15 OldOrder (app.models.legacy)"]),
    ]


def test_a_file_imported_under_two_names_is_one_finding():
    # The second import re-runs both class statements; those repeats are part of ORM107, not ORM101/104.
    assert findings_of("double_import", "shop.models", "shop.service") == [
        finding("ORM107", "module-imported-twice", ERROR, "shop.models",
                "imported under 2 module names: shop.models, src.shop.models",
                "src/shop/service.py", 1,
                related=[("src/shop/models.py", 1, "imported as 'shop.models' (a listed model module)"),
                         ("src/shop/service.py", 1, "imported as 'src.shop.models'")],
                hint="import it only as 'shop.models'; 'src.shop.models' exists because '.' is an import root too",
                details=["module names: shop.models, src.shop.models", "tables defined twice: addresses, users",
                         "classes defined twice: Address, User"]),
    ]


def test_a_double_import_with_a_relative_base_is_silent_for_sqlalchemy_but_not_for_us():
    # from .db import Base: each module name gets its own Base and MetaData, so nothing raises.
    report = trace("double_import_relative", "shop.models", "shop.service")
    assert report.table_errors == () and len(report.metadata) == 2
    assert to_findings(report, PROJECTS / "double_import_relative") == [
        finding("ORM107", "module-imported-twice", ERROR, "shop.models",
                "imported under 2 module names: shop.models, src.shop.models",
                "src/shop/service.py", 1,
                related=[("src/shop/models.py", 1, "imported as 'shop.models' (a listed model module)"),
                         ("src/shop/service.py", 1, "imported as 'src.shop.models'")],
                hint="import it only as 'shop.models'; 'src.shop.models' exists because '.' is an import root too",
                details=["module names: shop.models, src.shop.models", "classes defined twice: Address, User",
                         "loaded twice through it: src/shop/db.py"]),
    ]


def test_import_configuration_and_foreign_key_errors_are_all_reported():
    findings = findings_of("broken", "app.db", "app.people", "app.orders", "app.boom", "app.helpers")
    assert [(f.code, f.rule, f.subject, str(f.location), f.message) for f in findings] == [
        ("ORM900", "import-error", "app.helpers", "app/helpers.py:3:1",
         "importing app.helpers fails: KeyError: 'ORMDOCTOR_TEST_MISSING_SETTING'"),
        ("ORM902", "metadata-error", "orders.customer_id", "app/orders.py:6:1",
         "foreign key orders.customer_id: no table 'missing' on this MetaData"),
        ("ORM901", "mapper-configuration-error", "Person", "app/people.py:7:1",
         "mapper configuration fails for Person: relationship target 'Nope' is not a mapped class"),
    ]
    import_error, fk_error, mapper_error = findings
    assert import_error == finding(
        "ORM900", "import-error", ERROR, "app.helpers",
        "importing app.helpers fails: KeyError: 'ORMDOCTOR_TEST_MISSING_SETTING'", "app/helpers.py", 3,
        hint="fix the error or guard import-time work with ORMDOCTOR_RUNTIME; these models were not checked",
        details=["'ORMDOCTOR_TEST_MISSING_SETTING'", "app/boom.py:1 in <module>", "app/helpers.py:3 in <module>",
                 "also fails to import: app.boom"])
    assert fk_error.hint == ("define or import the target table on the same MetaData, "
                             "or fix the ForeignKey ('schema.table.column')")
    assert fk_error.details == ((
        "NoReferencedTableError: Foreign key associated with column 'orders.customer_id' could not find table "
        "'missing' with which to generate a foreign key to target column 'id'"),)
    assert mapper_error.hint == "fix the class name, or import the module that defines it before mappers are configured"
    assert "expression 'Nope' failed to locate a name ('Nope')" in mapper_error.details[0]


def test_ambiguous_class_name_is_an_error_when_a_string_reference_hits_it():
    findings = findings_of("ambiguous", "app.crm", "app.billing")
    assert [(f.code, f.severity, f.subject, str(f.location), f.message) for f in findings] == [
        ("ORM104", ERROR, "Customer", "app/billing.py:7:1",
         "class name 'Customer' is mapped 2 times in registry Base"),
        ("ORM901", ERROR, "Invoice", "app/billing.py:12:1",
         "mapper configuration fails for Invoice: relationship target 'Customer' matches several classes"),
    ]
    assert findings[0].related[0].location.path == "app/crm.py"


def test_verify_failures_become_findings_at_the_table_definition():
    findings = findings_of("index_clash", "app.models", verify="sqlite://")
    expected = [
        finding("ORM902", "metadata-error", ERROR, "app.db:Base.metadata",
                "create_all on sqlite: index ix_name already exists",
                "app/models.py", line,
                hint="give each index a name unique in its schema (explicit names or a naming_convention)",
                details=["OperationalError: index ix_name already exists"])
        for line in (13, 28)
    ]
    assert findings == expected


def test_sqlmodel_duplicate_table_is_named_on_sqlmodels_metadata():
    assert [(f.code, f.subject, str(f.location), f.message, f.related[0].location.path)
            for f in findings_of("sqlmodel_dup", "app.hero", "app.legacy")] == [
        ("ORM101", "hero", "app/legacy.py:6:1",
         "table 'hero' is defined 2 times on metadata sqlmodel:SQLModel.metadata", "app/hero.py"),
    ]


def test_flask_sqlalchemy_binds_have_their_own_metadata():
    assert [(f.code, f.subject, str(f.location), f.message) for f in findings_of("flask_binds", "app.models")] == [
        ("ORM101", "user", "app/models.py:14:1", "table 'user' is defined 2 times on metadata app.ext:db.metadata"),
    ]


def test_a_good_project_has_no_findings():
    assert findings_of("good", "app.models", "app.extra", verify="sqlite://") == []

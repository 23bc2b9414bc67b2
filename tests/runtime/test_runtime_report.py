"""The tracer's report itself: what was defined where, on which MetaData, loaded under which name."""

from __future__ import annotations

from rthelpers import PROJECTS, already_defined, trace

from ormdoctor.runtime.report import (
    ColumnInfo,
    LoadedModule,
    MappedClass,
    MetadataInfo,
    ModuleImport,
    Site,
    TableAttempt,
    TableError,
)


def test_every_definition_attempt_is_recorded_with_its_class_and_line():
    report = trace("duplicates", "app.models.customer", "app.models.legacy")
    assert [(t.key, t.outcome, t.site, t.class_name, t.module) for t in report.tables] == [
        ("customers", "created", Site("app/models/customer.py", 7), "Customer", "app.models.customer"),
        ("orders", "created", Site("app/models/customer.py", 13), "Order", "app.models.customer"),
        # Table("customers", Base.metadata) with no columns is a lookup, not a definition: not listed.
        ("customers", "duplicate", Site("app/models/legacy.py", 9), "Customer", "app.models.legacy"),
        ("orders", "duplicate", Site("app/models/legacy.py", 15), "OldOrder", "app.models.legacy"),
    ]
    assert report.tables[1] == TableAttempt(
        metadata="md1", schema=None, name="orders", key="orders", outcome="created",
        site=Site("app/models/customer.py", 13), class_name="Order", module="app.models.customer",
        columns=(ColumnInfo("id", "INTEGER", False, True, False, False, ()),
                 ColumnInfo("customer_id", "INTEGER", True, False, False, True, ("customers.id",))),
        extend_existing=False, keep_existing=False)
    assert report.tables[2].columns[1] == ColumnInfo("email", "VARCHAR(200)", True, False, True, False, ())
    assert report.table_errors == (
        TableError("md1", "customers", already_defined("customers"), Site("app/models/legacy.py", 9),
                   "Customer", "app.models.legacy"),
        TableError("md1", "orders", already_defined("orders"), Site("app/models/legacy.py", 15),
                   "OldOrder", "app.models.legacy"),
    )


def test_registry_lists_every_mapped_class_in_definition_order():
    report = trace("duplicates", "app.models.customer", "app.models.legacy")
    (registry,) = report.registries
    assert (registry.id, registry.label, registry.metadata) == ("reg1", "app.db:Base.registry", "md1")
    assert registry.classes == (
        MappedClass("Customer", "app.models.customer", Site("app/models/customer.py", 7), "customers"),
        MappedClass("Order", "app.models.customer", Site("app/models/customer.py", 13), "orders"),
        MappedClass("Customer", "app.models.legacy", Site("app/models/legacy.py", 9), "customers"),
        MappedClass("OldOrder", "app.models.legacy", Site("app/models/legacy.py", 15), "orders"),
    )
    # The duplicates were kept out of mapper configuration: relationship("Customer") is not ambiguous.
    assert report.mapper_errors == () and report.metadata_errors == ()


def test_metadata_is_named_after_the_base_that_owns_it():
    report = trace("good", "app.models", "app.extra")
    assert report.metadata == (MetadataInfo(
        "md1", "app.db:Base.metadata", None,
        ("audit.entries", "post_tags", "posts", "settings", "tags", "users"), "app/db.py"),)
    assert report.metadata_label("md1") == "app.db:Base.metadata"


def test_module_level_tables_class_body_tables_and_extend_existing():
    report = trace("good", "app.models", "app.extra")
    by_key = {(t.key, t.outcome): t for t in report.tables}
    post_tags = by_key[("post_tags", "created")]
    assert (post_tags.site, post_tags.class_name, post_tags.module) == (Site("app/models.py", 8), None, "app.models")
    assert [c.foreign_keys for c in post_tags.columns] == [("posts.id",), ("tags.id",)]
    settings = by_key[("settings", "created")]  # __table__ = Table(...) inside the class statement
    assert (settings.site, settings.class_name) == (Site("app/models.py", 45), "Setting")
    extended = by_key[("tags", "extended")]
    assert (extended.site, extended.extend_existing, [c.name for c in extended.columns]) == (
        Site("app/extra.py", 5), True, ["color"])
    assert by_key[("audit.entries", "created")].schema == "audit"


def test_project_output_is_captured_not_mixed_with_the_result():
    report = trace("good", "app.models", "app.extra")
    assert report.stdout == "models imported\n"
    assert report.ok and report.sqlalchemy_version and report.python_version.startswith("3.")


def test_loaded_modules_show_both_names_of_one_file_and_who_imported_them():
    report = trace("double_import", "shop.models", "shop.service")
    assert report.loaded == (
        LoadedModule("shop", "src/shop/__init__.py", None),
        LoadedModule("shop.db", "src/shop/db.py", Site("src/shop/models.py", 3)),
        LoadedModule("shop.models", "src/shop/models.py", None),
        LoadedModule("src.shop", "src/shop/__init__.py", Site("src/shop/service.py", 1)),
        LoadedModule("src.shop.models", "src/shop/models.py", Site("src/shop/service.py", 1)),
        LoadedModule("shop.service", "src/shop/service.py", None),
    )


def test_a_failed_dependency_is_not_imported_twice():
    report = trace("broken", "app.db", "app.people", "app.orders", "app.boom", "app.helpers")
    boom, helpers = report.modules[3:]
    assert isinstance(boom, ModuleImport) and not boom.ok and boom.failed_via is None
    assert (helpers.ok, helpers.failed_via, helpers.error) == (False, "app.boom", boom.error)
    assert [(f.path, f.line, f.function) for f in boom.error.frames] == [
        ("app/boom.py", 1, "<module>"), ("app/helpers.py", 3, "<module>")]
    assert helpers.path == str(PROJECTS / "broken" / "app" / "helpers.py") and helpers.file is None


def test_flask_binds_are_labelled_by_bind_key():
    report = trace("flask_binds", "app.models")
    assert [(m.id, m.label, m.tables) for m in report.metadata] == [
        ("md1", "app.ext:db.metadata", ("user",)),
        ("md2", "app.ext:db.metadatas['audit']", ("user",)),
    ]

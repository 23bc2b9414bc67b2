"""build_schema on hand-made table descriptions: directions, link tables, delete effects, findings."""

from __future__ import annotations

import dataclasses

import pytest

from ormdoctor.docs.model import (
    ColumnDoc, ConstraintDoc, DeleteEffect, Definition, FindingDoc, ForeignKeyDoc, MetadataDoc, RelationshipDoc,
    TableDoc, build_schema,
)
from ormdoctor.docs.prose import article, delete_sentence, plural, words

META = MetadataDoc("m", "Base.metadata", "app/db.py")


def table(name, columns, fks=(), rels=(), cls=None, schema=None, constraints=(), line=1, end=20, path="app/models.py"):
    key = f"{schema}.{name}" if schema else name
    definitions = (Definition("class" if cls else "table", cls or name, path, line, end),)
    return TableDoc(f"m|{key}", name, schema, "m", definitions, columns=tuple(columns), foreign_keys=tuple(fks),
                    relationships=tuple(rels), constraints=tuple(constraints))


def col(name, nullable=False, **kw):
    return ColumnDoc(name, "Integer", nullable, **kw)


def fk(column, target, ondelete=None):
    return ForeignKeyDoc((column,), target, ("id",), f"m|{target}", None, ondelete)


def rel(owner, attr, target, **kw):
    return RelationshipDoc(owner, attr, target, f"m|{kw.pop('table', target.lower() + 's')}", **kw)


def build(*tables, findings=(), **options):
    return build_schema(list(tables), [META], list(findings), **options)


def by_key(schema):
    return {t.key: t for t in schema.tables}


PARENT = table("parents", [col("id", primary_key=True)], cls="Parent",
               rels=[rel("Parent", "children", "Child", cascade="all, delete-orphan")])
CHILD = table("childs", [col("id", primary_key=True), col("parent_id")], [fk("parent_id", "parents", "CASCADE")],
              [rel("Child", "parent", "Parent", table="parents")], cls="Child")


def test_directions_follow_the_foreign_key():
    schema = build(PARENT, dataclasses.replace(CHILD, name="childs"))
    tables = by_key(schema)
    assert tables["parents"].relationships[0].direction == "one-to-many"
    assert tables["childs"].relationships[0].direction == "many-to-one"


def test_unique_foreign_key_is_one_to_one():
    child = table("childs", [col("id", primary_key=True), col("parent_id", unique=True)],
                  [fk("parent_id", "parents")], [rel("Child", "parent", "Parent", table="parents")], cls="Child")
    schema = build(PARENT, child)
    tables = by_key(schema)
    assert tables["parents"].relationships[0].direction == "one-to-one"
    assert tables["childs"].relationships[0].direction == "one-to-one"
    edge = schema.diagrams[0].edges[0]
    assert (edge.parent, edge.child, edge.kind, edge.optional) == ("m|parents", "m|childs", "one-to-one", False)


def test_composite_unique_constraint_makes_one_to_one_only_when_it_is_exactly_the_key():
    link = table("prices", [col("id", primary_key=True), col("vendor_id"), col("product_id")],
                 [fk("vendor_id", "vendors"), fk("product_id", "products")],
                 constraints=[ConstraintDoc("unique", "uq", ("vendor_id", "product_id"))])
    vendors = table("vendors", [col("id", primary_key=True)])
    products = table("products", [col("id", primary_key=True)])
    schema = build(link, vendors, products)
    assert {e.kind for e in schema.diagrams[0].edges} == {"one-to-many"}
    assert not by_key(schema)["prices"].association  # it has its own columns


def test_pure_link_table_is_a_many_to_many_edge():
    tags = table("tags", [col("id", primary_key=True)], cls="Tag",
                 rels=[rel("Tag", "posts", "Post", secondary="post_tags", secondary_id="m|post_tags")])
    posts = table("posts", [col("id", primary_key=True)], cls="Post",
                  rels=[rel("Post", "tags", "Tag", secondary="post_tags", secondary_id="m|post_tags")])
    link = table("post_tags", [col("post_id", primary_key=True), col("tag_id", primary_key=True)],
                 [fk("post_id", "posts", "CASCADE"), fk("tag_id", "tags")])
    schema = build(tags, posts, link)
    tables = by_key(schema)
    assert tables["post_tags"].association
    assert tables["posts"].relationships[0].direction == "many-to-many"
    diagram = schema.diagrams[0]
    assert "m|post_tags" not in diagram.entities
    assert [(e.parent, e.child, e.kind, e.label) for e in diagram.edges] == [("m|posts", "m|tags", "many-to-many",
                                                                             "post_tags")]
    assert delete_sentence(schema, tables["posts"]) == "Deleting a post deletes its links in post_tags."
    assert delete_sentence(schema, tables["tags"]) == "Deleting a tag removes its links in post_tags."


def test_delete_effects_from_ondelete_and_relationship_cascade():
    schema = build(PARENT, CHILD)
    effect = by_key(schema)["parents"].on_delete[0]
    assert effect == DeleteEffect("delete", "m|childs", "childs", ("parent_id",), "CASCADE", "delete",
                                  ("Parent.children",), True)
    assert delete_sentence(schema, by_key(schema)["parents"]) == "Deleting a parent deletes its children."


@pytest.mark.parametrize("ondelete, cascade, passive, action, orm", [
    ("CASCADE", None, False, "delete", "null"),
    ("SET NULL", None, True, "set-null", None),
    ("set null", None, False, "set-null", "null"),
    ("SET DEFAULT", None, True, "set-default", None),
    (None, "all, delete-orphan", False, "delete", "delete"),
    (None, "save-update, merge", False, "orm-null", "null"),
    (None, None, True, "refuse", None),
    ("RESTRICT", None, True, "refuse", None),
])
def test_delete_action(ondelete, cascade, passive, action, orm):
    parent = table("parents", [col("id", primary_key=True)], cls="Parent",
                   rels=[rel("Parent", "children", "Child", table="childs", cascade=cascade, passive_deletes=passive)])
    child = table("childs", [col("id", primary_key=True), col("parent_id", nullable=True)],
                  [fk("parent_id", "parents", ondelete)], cls="Child")
    effect = by_key(build(parent, child))["parents"].on_delete[0]
    assert (effect.action, effect.orm) == (action, orm)
    assert effect.database == (ondelete.upper() if ondelete else None)


def test_orm_null_on_a_not_null_key_is_flagged():
    parent = table("users", [col("id", primary_key=True)], cls="User",
                   rels=[rel("User", "orders", "Order")])
    child = table("orders", [col("id", primary_key=True), col("user_id")], [fk("user_id", "users")], cls="Order")
    schema = build(parent, child)
    effect = by_key(schema)["users"].on_delete[0]
    assert (effect.action, effect.not_null) == ("orm-null", True)
    assert delete_sentence(schema, by_key(schema)["users"]) == "Deleting a user keeps its orders."


def test_self_reference_reads_as_other_rows():
    employees = table("employees", [col("id", primary_key=True), col("manager_id", nullable=True)],
                      [fk("manager_id", "employees", "SET NULL")], cls="Employee",
                      rels=[rel("Employee", "reports", "Employee", table="employees", collection=True),
                            rel("Employee", "manager", "Employee", table="employees", collection=False)])
    schema = build(employees)
    assert [r.direction for r in schema.tables[0].relationships] == ["one-to-many", "many-to-one"]
    assert delete_sentence(schema, schema.tables[0]) == \
        "Deleting an employee clears the reference in the other employees that point to it."
    assert schema.diagrams[0].edges[0].optional


def test_findings_link_by_subject_location_and_related_place():
    findings = [
        FindingDoc("ORM101", "duplicate-table", "error", "parents", "m", "app/other.py", 3),
        FindingDoc("ORM306", "back-populates-mismatch", "error", "Child.parent", "m", "app/x.py", 99),
        FindingDoc("ORM202", "redundant-index", "warning", "ix_x", "m", "app/models.py", 5),
        FindingDoc("ORM304", "target-not-imported", "error", "Other.thing", "m", "app/else.py", 1,
                   related=(("app/models.py", 30),)),
        FindingDoc("ORM502", "several-declarative-bases", "info", "Base.metadata", "m", "app/db.py", 1),
    ]
    child = dataclasses.replace(CHILD, definitions=(Definition("class", "Child", "app/models.py", 25, 40),))
    parent = dataclasses.replace(PARENT, definitions=(Definition("class", "Parent", "app/models.py", 1, 20),))
    schema = build(parent, child, findings=findings)
    linked = {f.code: f.tables for f in schema.findings}
    assert linked == {"ORM101": ("m|parents",), "ORM306": ("m|childs",), "ORM202": ("m|parents",),
                      "ORM304": ("m|childs",), "ORM502": ()}
    assert by_key(schema)["parents"].findings == ("finding-orm101-1", "finding-orm202-1")
    assert [f.anchor for f in schema.findings] == ["finding-orm101-1", "finding-orm306-1", "finding-orm202-1",
                                                   "finding-orm304-1", "finding-orm502-1"]


def test_filters_with_globs_keep_unrelated_findings_out():
    findings = [FindingDoc("ORM502", "several-declarative-bases", "info", "Base.metadata", "m", "app/db.py", 1)]
    schema = build(PARENT, CHILD, table("audit_log", [col("id", primary_key=True)]), findings=findings,
                   include=["p*", "audit_*"], exclude=["audit_log"])
    assert [t.key for t in schema.tables] == ["parents"]
    assert schema.findings == ()
    assert schema.filtered
    # Every table still counts for what a delete does.
    assert by_key(schema)["parents"].on_delete[0].table == "childs"
    assert schema.diagrams[0].edges == ()


def test_groups_per_metadata_and_schema_with_unique_anchors():
    other = MetadataDoc("o", "audit_metadata", "app/audit.py")
    a = table("events", [col("id", primary_key=True)], schema="audit")
    b = dataclasses.replace(table("events", [col("id", primary_key=True)]), id="o|events", metadata="o")
    c = table("customers", [col("id", primary_key=True)], schema="core")
    d = table("orders", [col("id", primary_key=True), col("customer_id")], [fk("customer_id", "core.customers")])
    schema = build_schema([a, b, c, d], [META, other], [])
    assert [(g.metadata, g.schema, g.anchor) for g in schema.groups] == [
        ("m", None, "diagram-base-metadata"), ("m", "audit", "diagram-base-metadata-audit"),
        ("m", "core", "diagram-base-metadata-core"), ("o", None, "diagram-audit_metadata")]
    assert [t.anchor for t in schema.tables] == ["table-orders", "table-audit-events", "table-core-customers",
                                                 "table-events"]
    default = schema.diagrams[0]
    assert default.stubs == ("m|core.customers",)  # drawn by name in the default schema's diagram


def test_words_plural_article():
    assert words("MLPrediction") == ["ML", "prediction"]
    assert words("InventoryTransaction") == ["inventory", "transaction"]
    assert words("HTTPUserAccount") == ["HTTP", "user", "account"]
    assert [plural(w) for w in ("category", "address", "day", "box", "ML", "child")] == \
        ["categories", "addresses", "days", "boxes", "MLs", "children"]
    assert [article(w) for w in ("user", "alert", "ML prediction", "vendor", "hour", "SQL table", "unit")] == \
        ["a", "an", "an", "a", "an", "an", "a"]


def test_model_is_frozen():
    schema = build(PARENT, CHILD)
    with pytest.raises(dataclasses.FrozenInstanceError):
        schema.tables[0].name = "x"

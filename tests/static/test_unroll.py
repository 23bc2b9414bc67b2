"""Module-level loops over literal values are read once per value (static/unroll.py), and only those."""

from __future__ import annotations

import textwrap

import pytest

from ormdoctor.static.scan import extract_file

HEADER = """
from sqlalchemy import Column, ForeignKey, MetaData, Table
metadata = MetaData()
"""


def tables(body: str) -> list[tuple]:
    source = (HEADER + textwrap.dedent(body)).encode()
    facts = extract_file("app/orm.py", source, "digest")
    assert facts.error is None
    return [(t.name, t.name_ref, [c.name for c in t.columns], [fk.target for c in t.columns for fk in c.foreign_keys])
            for t in facts.tables]


def test_each_value_gives_its_table_with_names_and_foreign_keys_filled_in():
    found = tables("""
        for entity in ("user", "group"):
            table = Table(f"{entity}_role_map", metadata, Column(f"{entity}_id", ForeignKey(f"{entity}s.id")))
    """)
    assert found == [("user_role_map", None, ["user_id"], ["users.id"]),
                     ("group_role_map", None, ["group_id"], ["groups.id"])]


def test_tuple_targets_and_lists_of_tuples():
    found = tables("""
        for kind, target in [("owner", "users"), ("team", "teams")]:
            Table(f"{kind}_links", metadata, Column("ref_id", ForeignKey(target + ".id")), Column(kind, ForeignKey(f"{target}.id")))
    """)
    assert [(name, columns) for name, _, columns, _ in found] == [("owner_links", ["ref_id", "owner"]),
                                                                  ("team_links", ["ref_id", "team"])]
    assert [fks for *_, fks in found] == [["users.id", "users.id"], ["teams.id", "teams.id"]]


@pytest.mark.parametrize("loop", [
    "for entity in ENTITIES:",                          # not a literal
    "for entity in (name.lower() for name in ('A',)):",  # a generator
    "for entity in sorted(('user', 'group')):",          # a call
])
def test_other_iterables_are_read_as_before(loop):
    found = tables(f"""
        {loop}
            Table(f"{{entity}}_map", metadata, Column("id", ForeignKey("x.id")))
    """)
    assert found == [(None, "f'{entity}_map'", ["id"], ["x.id"])]


@pytest.mark.parametrize("statement", ["break", "continue", "entity = entity.upper()"])
def test_a_body_that_does_not_run_whole_or_rebinds_the_variable_is_read_as_before(statement):
    found = tables(f"""
        for entity in ("user", "group"):
            Table(f"{{entity}}_map", metadata)
            if entity == "user":
                {statement}
    """)
    assert [(name, ref) for name, ref, *_ in found] == [(None, "f'{entity}_map'")]


def test_a_format_spec_or_a_repr_conversion_is_not_folded():
    found = tables("""
        for n in (1, 2):
            Table(f"t{n:03d}", metadata)
            Table(f"u{n!r}", metadata)
            Table(f"v{n}", metadata)
    """)
    assert [name for name, *_ in found] == [None, None, "v1", None, None, "v2"]


def test_a_loop_without_tables_and_a_loop_in_a_function_are_not_unrolled():
    source = (HEADER + textwrap.dedent("""
        for entity in ("user", "group"):
            print(entity)

        def build():
            for entity in ("user", "group"):
                Table(f"{entity}_map", metadata)
    """)).encode()
    facts = extract_file("app/orm.py", source, "digest")
    assert facts.tables == [] and facts.runs_code

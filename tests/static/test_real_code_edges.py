"""The counterparts of this round's real-code fixes: each reading is exact, not a blanket."""

from __future__ import annotations

import textwrap

from ormdoctor.pipeline import analyse
from ormdoctor.project.discover import discover
from ormdoctor.static.scan import extract_file
from support.projects import write_files


def test_only_versions_folders_beside_an_alembic_env_are_revisions(tmp_path):
    write_files(tmp_path, {
        "migrations/env.py": "", "migrations/versions/0001_a.py": "", "migrations/versions/legacy/0000_b.py": "",
        "app/versions/models.py": "", "app/versions/legacy/old.py": "",   # a package named versions
    })
    assert discover(tmp_path, [], []) == ["app/versions/legacy/old.py", "app/versions/models.py", "migrations/env.py"]


def _tablename(source: str):
    facts = extract_file("app/models.py", ("import sqlalchemy\n" + textwrap.dedent(source)).encode(), "d")
    return facts.classes[0].tablename


def test_the_first_parameter_of_a_declared_tablename_is_the_class_and_nothing_else_is():
    named_self = _tablename("""
        class Base:
            @declared_attr
            def __tablename__(self):
                return self.__name__.lower()
    """)
    other = _tablename("""
        class Base:
            @declared_attr
            def __tablename__(self):
                return other.__name__.lower()
    """)
    assert named_self.value == "{lower}" and other.value is None


LIBRARY_BASE = """
    from advanced_alchemy.base import SQLQuery
    from sqlalchemy import Column, Integer

    class Model(SQLQuery):
        {abstract}

    class Store(Model):
        __tablename__ = "stores"
        id = Column(Integer, primary_key=True, index=True)
"""


def _codes(tmp_path, abstract: str) -> list[str]:
    write_files(tmp_path, {"app/__init__.py": "", "app/models.py": LIBRARY_BASE.format(abstract=abstract)}, dedent=True)
    return [f.code for f in analyse([str(tmp_path)], use_cache=False).findings]


def test_models_under_an_abstract_class_on_a_library_base_are_checked(tmp_path):
    assert _codes(tmp_path, "__abstract__ = True") == ["ORM202"]  # index=True repeats the primary key


def test_a_plain_class_on_a_library_base_is_not_taken_for_a_declarative_one(tmp_path):
    # Without __abstract__ nothing says the library base is declarative: Store stays unseen, and
    # the run says so instead of checking it.
    assert _codes(tmp_path, "pass") == ["ORM002", "ORM003"]


TWO_METADATA = """
    from sqlalchemy import Column, Index, Integer, MetaData, Table

    live = MetaData()
    archive = MetaData()
    first = Table("{first}", live, Column("id", Integer, primary_key=True), Column("user_id", Integer), Index("ix_user", "user_id"))
    second = Table("{second}", archive, Column("id", Integer, primary_key=True), Column("user_id", Integer), Index("ix_user", "user_id"))
"""


def test_an_index_name_on_two_tables_of_two_metadata_still_collides(tmp_path):
    write_files(tmp_path, {"app/__init__.py": "", "app/schema.py": TWO_METADATA.format(first="authinfo", second="tokens")},
                dedent=True)
    assert "ORM201" in [f.code for f in analyse([str(tmp_path)], use_cache=False).findings]


def test_one_table_on_two_metadata_repeats_its_index_without_collision(tmp_path):
    write_files(tmp_path, {"app/__init__.py": "", "app/schema.py": TWO_METADATA.format(first="authinfo", second="authinfo")},
                dedent=True)
    assert "ORM201" not in [f.code for f in analyse([str(tmp_path)], use_cache=False).findings]

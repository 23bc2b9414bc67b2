"""Codemods one by one on small sources: the exact text they produce, and what they leave alone."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from ormdoctor.findings import Edit
from ormdoctor.fix.codemods import Target, python_codemods
from ormdoctor.fix.codemods.settings import drop_pythonpath
from ormdoctor.fix.edits import Changes, NodeIndex, apply_changes
from ormdoctor.fix.source import EditError


def run(source: str, *edits: Edit, root: Path = Path(".")) -> str:
    module = cst.parse_module(textwrap.dedent(source).lstrip())
    target = Target(root, edits[0].path, module, NodeIndex.of(module), Changes())
    for edit in edits:
        python_codemods()[edit.kind](target, edit)
    return apply_changes(module, target.changes).code


def test_remove_flag_drops_the_whole_table_args_when_only_the_flag_was_there():
    out = run('''
        class A(Base):
            __tablename__ = "a"
            __table_args__ = {"extend_existing": True}
            id = Column(Integer, primary_key=True)
    ''', Edit("remove-flag", "m.py", 2, ("A", "extend_existing")))
    assert out == 'class A(Base):\n    __tablename__ = "a"\n    id = Column(Integer, primary_key=True)\n'


def test_remove_flag_keeps_the_other_options_and_a_one_element_tuple():
    out = run('''
        class A(Base):
            __table_args__ = (UniqueConstraint("code"), {"keep_existing": True, "schema": "s"})
    ''', Edit("remove-flag", "m.py", 1, ("A", "keep_existing")))
    assert out == 'class A(Base):\n    __table_args__ = (UniqueConstraint("code"), {"schema": "s"})\n'
    out = run('''
        class A(Base):
            __table_args__ = (UniqueConstraint("code"), {"extend_existing": True})
    ''', Edit("remove-flag", "m.py", 1, ("A", "extend_existing")))
    assert out == 'class A(Base):\n    __table_args__ = (UniqueConstraint("code"),)\n'


def test_remove_flag_on_a_table_call():
    out = run('t = Table("t", metadata, Column("id", Integer), extend_existing=True)\n',
              Edit("remove-flag", "m.py", 1, ("t", "extend_existing")))
    assert out == 't = Table("t", metadata, Column("id", Integer))\n'


def test_rename_reserved_attribute_in_mapped_column_and_sqlmodel_field():
    out = run('''
        class A(Base):
            metadata: Mapped[dict] = mapped_column(JSON, nullable=True)
        class B(SQLModel, table=True):
            metadata: dict = Field(sa_column=Column(JSON))
    ''', Edit("rename-attribute", "m.py", 2, ("A", "metadata", "a_metadata", "metadata")),
        Edit("rename-attribute", "m.py", 4, ("B", "metadata", "b_metadata", "metadata")))
    assert 'a_metadata: Mapped[dict] = mapped_column("metadata", JSON, nullable=True)' in out
    assert 'b_metadata: dict = Field(sa_column=Column("metadata", JSON))' in out


def test_rename_uses_leaves_the_framework_meaning_alone():
    out = run('''
        KPISnapshot.metadata.create_all(engine)
        rows = session.query(KPISnapshot).filter(KPISnapshot.metadata.isnot(None))
        snap = KPISnapshot(metadata={"a": 1})
        Other.metadata
    ''', Edit("rename-uses", "m.py", 0, ("KPISnapshot", "metadata", "kpi_metadata")))
    assert out.splitlines() == [
        "KPISnapshot.metadata.create_all(engine)",
        "rows = session.query(KPISnapshot).filter(KPISnapshot.kpi_metadata.isnot(None))",
        'snap = KPISnapshot(kpi_metadata={"a": 1})',
        "Other.metadata",
    ]


def test_replace_with_import_merges_the_reexports_and_keeps_comments():
    out = run('''
        """Doc."""
        from sqlalchemy import Column, Integer, Text

        from app.db import Base

        # copied classes
        class A(Base):
            id = Column(Integer, primary_key=True)
            body = Column(Text)


        class B(Base):
            id = Column(Integer, primary_key=True)


        class Kept(Base):
            id = Column(Integer, primary_key=True)
    ''', Edit("replace-with-import", "m.py", 7, ("A", ".core", "A")),
        Edit("replace-with-import", "m.py", 12, ("B", ".core", "Core")))
    assert out == textwrap.dedent('''\
        """Doc."""
        from sqlalchemy import Column, Integer

        from app.db import Base
        from .core import A, Core as B  # noqa: F401

        # copied classes


        class Kept(Base):
            id = Column(Integer, primary_key=True)
    ''')


def test_rewrite_import_leaves_plain_import_statements_alone():
    out = run("from src.pkg.models import A\nimport src.pkg.models as m\n",
              Edit("rewrite-import", "m.py", 1, ("src.pkg.models", "pkg.models")),
              Edit("rewrite-import", "m.py", 2, ("src.pkg.models", "pkg.models")))
    assert out == "from pkg.models import A\nimport pkg.models as m\n"


def test_drop_sys_path_removes_only_the_insert_of_that_folder(tmp_path):
    source = '''
        import os
        import sys

        sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))
        sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    '''
    out = run(source, Edit("drop-sys-path", "tests/conftest.py", 1, ("",)), root=tmp_path)
    assert "sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))" not in out
    assert 'sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))' in out


def test_drop_pythonpath_in_one_line_and_multi_line_arrays():
    edit = Edit("drop-pythonpath", "pyproject.toml", 1, ("",))
    assert drop_pythonpath('[tool.pytest.ini_options]\npythonpath = ["src", "."]\n', edit) == \
        '[tool.pytest.ini_options]\npythonpath = ["src"]\n'
    assert drop_pythonpath('pythonpath = [".", "src"]  # roots\n', edit) == 'pythonpath = ["src"]  # roots\n'
    assert drop_pythonpath('pythonpath = [\n    "src",\n    ".",\n]\nx = 1\n', edit) == \
        'pythonpath = [\n    "src",\n]\nx = 1\n'
    assert drop_pythonpath('pythonpath = ["src"]\n', edit) == 'pythonpath = ["src"]\n'


def test_redundant_index_keyword_and_element():
    out = run('''
        class U(Base):
            __table_args__ = (Index("ix_u_email", "email"), UniqueConstraint("name"))
            email = mapped_column(String, index=True, unique=True)
    ''', Edit("remove-element", "m.py", 2, ("Index",)), Edit("remove-keyword", "m.py", 3, ("index",)))
    assert out == ('class U(Base):\n    __table_args__ = (UniqueConstraint("name"),)\n'
                   '    email = mapped_column(String, unique=True)\n')


def test_qualify_target_for_a_string_and_for_an_annotation():
    out = run('''
        class B(Base):
            customer = relationship("Customer", back_populates="bookings")
            payments: Mapped[list["Payment"]] = relationship()
    ''', Edit("qualify-target", "m.py", 2, ("customer", "Customer", "app.crm.Customer")),
        Edit("qualify-target", "m.py", 3, ("payments", "Payment", "app.billing.Payment")))
    assert 'relationship("app.crm.Customer", back_populates="bookings")' in out
    assert 'payments: Mapped[list["Payment"]] = relationship("app.billing.Payment")' in out


def test_misspelled_dunder_and_missing_comma():
    out = run('''
        class P(Base):
            __tableargs__ = {"schema": "s"}
            __table_args__ = (UniqueConstraint("code"))
    ''', Edit("rename-dunder", "m.py", 2, ("P", "__tableargs__", "__table_args__")),
        Edit("make-tuple", "m.py", 3, ("P",)))
    assert out == ('class P(Base):\n    __table_args__ = {"schema": "s"}\n'
                   '    __table_args__ = (UniqueConstraint("code"),)\n')


def test_add_import_extends_a_sibling_import_or_adds_one():
    out = run("from app.models import customer, order\n\nx = 1\n",
              Edit("add-import", "m.py", 1, ("from app.models import customer, invoice, order", "replace")))
    assert out == "from app.models import customer, invoice, order  # noqa: F401\n\nx = 1\n"
    out = run('"""env."""\nfrom alembic import context\n\nrun()\n',
              Edit("add-import", "m.py", 0, ("import app.models.invoice", "add")))
    assert out == '"""env."""\nfrom alembic import context\nimport app.models.invoice  # noqa: F401\n\nrun()\n'


def test_an_edit_that_no_longer_finds_its_code_is_an_error_not_a_guess():
    with pytest.raises(EditError):
        run("x = 1\n", Edit("replace-with-import", "m.py", 1, ("A", ".core", "A")))


@pytest.mark.parametrize(("source", "line", "expr", "expected"), [
    ("target_metadata = app.models.Base  # a note\n", 1, "app.models.Base",
     "target_metadata = app.models.Base.metadata  # a note\n"),
    ("target_metadata = [Base, other.metadata]\n", 1, "Base", "target_metadata = [Base.metadata, other.metadata]\n"),
    ("context.configure(\n    url=url,\n    target_metadata=db,\n)\n", 3, "db",
     "context.configure(\n    url=url,\n    target_metadata=db.metadata,\n)\n"),
])
def test_metadata_of_target_extends_the_expression_where_it_is_written(source, line, expr, expected):
    assert run(source, Edit("metadata-of-target", "env.py", line, (expr,))) == expected


def test_metadata_of_target_refuses_an_expression_not_on_that_line():
    with pytest.raises(EditError):
        run("target_metadata = (\n    Base\n)\n", Edit("metadata-of-target", "env.py", 1, ("Base",)))

"""A fix that makes things worse is taken back: file by file when the re-check finds something
new, all files when the project booted before the write and no longer boots after it."""

from __future__ import annotations

import textwrap

from fixhelpers import ormdoctor, snapshot

from ormdoctor.fix.session import Options, fix_project

BASE = """
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
"""


def _write(root, files):
    for name, text in {"app/__init__.py": "", "app/db.py": BASE, **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root


def test_a_fix_that_creates_an_import_cycle_is_rolled_back(tmp_path):
    # Keeping app/a.py's Customer and re-exporting it from app/b.py would make b import a while
    # a imports b: a new ORM501 (and an ImportError at runtime). The edit of b.py is taken back.
    project = _write(tmp_path, {
        "app/a.py": """
            from sqlalchemy import Column, Integer, String

            from app import b  # noqa: F401  (registers b's models)
            from app.db import Base


            class Customer(Base):
                __tablename__ = "customers"
                id = Column(Integer, primary_key=True)
                name = Column(String(100))
        """,
        "app/b.py": """
            from sqlalchemy import Column, Integer

            from app.db import Base


            class Customer(Base):
                __tablename__ = "customers"
                id = Column(Integer, primary_key=True)


            class Order(Base):
                __tablename__ = "orders"
                id = Column(Integer, primary_key=True)
        """,
        "main.py": "import app.a  # noqa: F401\n",
    })
    before = snapshot(project)
    outcome = fix_project(Options([str(project)], unsafe=True))
    assert outcome.changed == {}
    assert [path for path, _ in outcome.rolled_back] == ["app/b.py"]
    assert "ORM501" in outcome.rolled_back[0][1]
    assert snapshot(project) == before


def test_a_write_after_which_the_project_no_longer_boots_is_restored(tmp_path):
    # The static check cannot see that sales.py reads a column only its own copy has; the import
    # after the fix can. Before the fix the project boots (extend_existing merges the two).
    project = _write(tmp_path, {
        "pyproject.toml": '[tool.ormdoctor.canonical]\ncustomers = "app/customer.py:Customer"\n',
        "app/customer.py": """
            from sqlalchemy import Column, Integer, String

            from app.db import Base


            class Customer(Base):
                __tablename__ = "customers"
                id = Column(Integer, primary_key=True)
                name = Column(String(100))
        """,
        "app/sales.py": """
            from sqlalchemy import Column, Integer, Numeric, String

            from app.db import Base


            class Customer(Base):
                __tablename__ = "customers"
                __table_args__ = {"extend_existing": True}
                id = Column(Integer, primary_key=True)
                name = Column(String(100))
                credit_limit = Column(Numeric(12, 2))


            CREDIT_LIMIT = Customer.__table__.c.credit_limit


            class Deal(Base):
                __tablename__ = "deals"
                id = Column(Integer, primary_key=True)
        """,
        "main.py": "import app.customer  # noqa: F401\nimport app.sales  # noqa: F401\n",
    })
    (project / "pyproject.toml").write_text('[tool.ormdoctor.canonical]\ncustomers = "app/customer.py:Customer"\n')
    assert ormdoctor("verify", str(project), "--no-cache").returncode == 0
    before = snapshot(project)
    proc = ormdoctor("fix", str(project), "--write", "--unsafe-fixes", "--verify", "--no-cache")
    assert proc.returncode == 1
    assert "ormdoctor: fixes rolled back: the project booted before and no longer does" in proc.stderr
    assert {p: b for p, b in snapshot(project).items() if "__pycache__" not in p} == before
    diff = ormdoctor("fix", str(project), "--unsafe-fixes", "--no-cache")
    assert "+from .customer import Customer  # noqa: F401" in diff.stdout  # the fix itself is still offered


def test_a_fix_whose_edit_cannot_apply_is_skipped_whole(tmp_path):
    from ormdoctor.findings import Applicability, Edit, Finding, Fix, Severity
    from ormdoctor.fix.apply import apply_round
    from ormdoctor.fix.workspace import Workspace

    project = _write(tmp_path, {"app/a.py": "x = 1\n", "app/b.py": "class A:\n    __table_args__ = {'extend_existing': True}\n"})
    half = Fix(Applicability.SAFE, "two edits", (Edit("remove-flag", "app/b.py", 1, ("A", "extend_existing")),
                                                  Edit("replace-with-import", "app/a.py", 1, ("Gone", ".b", "Gone"))))
    finding = Finding("ORM106", "needless-extend-existing", Severity.WARNING, "a", "m", None, fix=half)
    workspace = Workspace(project)
    try:
        done = apply_round(workspace, [finding], [])
        assert done.files == set() and workspace.changed() == {}
        assert [f for f, _ in done.skipped] == [finding]
        assert "class Gone not found" in done.skipped[0][1]
    finally:
        workspace.close()

"""ORM501 (model import cycles) and ORM502 (several declarative bases)."""

from __future__ import annotations

from pathlib import Path

from support.projects import findings_of

def check(tmp_path: Path, files: dict[str, str], code: str):
    return findings_of(tmp_path, files, code)


def model(name: str, table: str, *imports: str) -> str:
    lines = ["from sqlalchemy.orm import Mapped, mapped_column", "from app.db import Base", *imports, "", "",
             f"class {name}(Base):", f'    __tablename__ = "{table}"',
             "    id: Mapped[int] = mapped_column(primary_key=True)"]
    return "\n".join(lines) + "\n"


# ORM501 ----------------------------------------------------------------------------------------------
def test_three_module_cycle_is_printed_as_a_chain(tmp_path):
    files = {
        "app/models/__init__.py": "",
        "app/models/a.py": model("A", "a", "from app.models.b import B"),
        "app/models/b.py": model("B", "b", "from app.models import c"),
        "app/models/c.py": model("C", "c", "import app.models.a"),
    }
    found = check(tmp_path, files, "ORM501")
    assert len(found) == 1
    finding = found[0]
    assert finding.subject == "app.models.a"
    assert finding.location.path == "app/models/a.py"
    assert ("app/models/a.py:3 `from app.models.b import B` → app/models/b.py:3 `from app.models import c` → "
            "app/models/c.py:3 `import app.models.a` → app/models/a.py") in finding.message
    assert [r.location.path for r in finding.related] == ["app/models/b.py", "app/models/c.py"]


def test_type_checking_and_function_imports_break_no_cycle(tmp_path):
    files = {
        "app/models/__init__.py": "from app.models.a import A\nfrom app.models.b import B\n",
        "app/models/a.py": model("A", "a", "from app.models.b import B"),
        "app/models/b.py": model("B", "b", "from typing import TYPE_CHECKING", "if TYPE_CHECKING:",
                                 "    from app.models.a import A", "def load():", "    from app.models import a"),
    }
    assert check(tmp_path, files, "ORM501") == []


def test_package_init_that_imports_its_modules_is_no_cycle(tmp_path):
    # a.py importing app.models.b runs app/models/__init__ first, which imports a.py: that edge only
    # passes through a package that is already being imported.
    files = {
        "app/models/__init__.py": "from app.models.a import A\nfrom app.models.b import B\n",
        "app/models/a.py": model("A", "a", "from app.models.b import B"),
        "app/models/b.py": model("B", "b"),
    }
    assert check(tmp_path, files, "ORM501") == []


def test_taking_names_from_the_package_init_both_ways_is_a_cycle(tmp_path):
    files = {
        "app/models/__init__.py": "from app.models.a import A\nfrom app.models.b import B\n",
        "app/models/a.py": model("A", "a", "from app.models import B"),
        "app/models/b.py": model("B", "b", "from app.models import A"),
    }
    found = check(tmp_path, files, "ORM501")
    assert [f.subject for f in found] == ["app.models.a"]
    assert "`from app.models import B`" in found[0].message


# One model module taking a name its package binds only after loading it: the package always runs
# first, so this fails whatever the entry point (ImportError, proven below with the real import).
LATE_BINDING = {
    "app/__init__.py": "",
    "app/db.py": "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n",
    "app/models/__init__.py": "from app.models.a import A\nVERSION = 2\nfrom app.db import Base\n",
    "app/models/a.py": model("A", "a", "from app.models import Base"),
}


def test_one_model_module_taking_a_name_its_package_binds_later(tmp_path):
    found = check(tmp_path, LATE_BINDING, "ORM501")
    assert [f.subject for f in found] == ["app.models.a"]
    assert "app/models/a.py:3 `from app.models import Base` → app/models/__init__.py:1" in found[0].message


def test_the_late_binding_fails_on_import(tmp_path):
    import subprocess
    import sys

    check(tmp_path, LATE_BINDING, "ORM501")  # writes the project
    result = subprocess.run([sys.executable, "-c", "import app.models.a"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert "cannot import name 'Base' from partially initialized module 'app.models'" in result.stderr


def test_one_model_module_taking_a_name_its_package_binds_first(tmp_path):
    files = dict(LATE_BINDING, **{"app/models/__init__.py": "from app.db import Base\nfrom app.models.a import A\n"})
    assert check(tmp_path, files, "ORM501") == []


def test_flask_package_importing_its_models_module_at_the_bottom(tmp_path):
    files = {
        "app/__init__.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n\nfrom app import models\n",
        "app/models.py": "from app import db\n\n\nclass User(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n",
    }
    assert check(tmp_path, files, "ORM501") == []


def test_cycle_among_non_model_modules_is_not_reported(tmp_path):
    files = {"app/x.py": "from app import y\n", "app/y.py": "from app import x\n"}
    assert check(tmp_path, files, "ORM501") == []


# ORM502 ----------------------------------------------------------------------------------------------
LEGACY = """
    from sqlalchemy import Column, Integer
    from sqlalchemy.orm import declarative_base

    LegacyBase = declarative_base()

    class LegacyCustomer(LegacyBase):
        __tablename__ = "legacy_customers"
        id = Column(Integer, primary_key=True)
"""


def test_two_bases_loaded_together(tmp_path):
    files = {"app/legacy.py": LEGACY, "app/models.py": model("Customer", "customers"),
             "app/main.py": "from app import legacy, models  # noqa: F401\n"}
    found = check(tmp_path, files, "ORM502")
    assert [(f.subject, f.location.path) for f in found] == [("Base", "app/db.py")]
    assert "LegacyBase (app/legacy.py:4) owns legacy_customers" in found[0].message
    assert "Base (app/db.py:4) owns customers" in found[0].message
    assert [r.location.path for r in found[0].related] == ["app/legacy.py"]


def test_bases_of_separate_programs_are_not_reported(tmp_path):
    files = {"app/legacy.py": LEGACY, "app/models.py": model("Customer", "customers"),
             "scripts/one.py": "from app import legacy  # noqa: F401\n",
             "scripts/two.py": "from app import models  # noqa: F401\n"}
    assert check(tmp_path, files, "ORM502") == []


def test_flask_bind_keys_are_separate_databases(tmp_path):
    files = {"app/ext.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
             "app/models.py": """
                 from app.ext import db

                 class User(db.Model):
                     id = db.Column(db.Integer, primary_key=True)

                 class Session(db.Model):
                     __bind_key__ = "auth"
                     id = db.Column(db.Integer, primary_key=True)
             """}
    assert check(tmp_path, files, "ORM502") == []

"""The seed projects repaired by `ormdoctor fix --write --unsafe-fixes`, then checked and booted:
what the teams of seeds 000, 001 and 004 did by hand (seed 004 without extend_existing)."""

from __future__ import annotations

import pytest
from fixhelpers import SEEDS, changed_files, check_json, copy_project, ormdoctor, snapshot

CASES = {
    "seed000_duplicate_core_models": ["backend/models.py"],
    "seed001_flask_customer_quadruplets": ["src/models/customer.py", "src/models/enhanced_models.py",
                                           "src/models/invoice.py", "src/models/models.py", "src/models/supplier.py"],
    "seed004_sqlmodel_double_import": ["pyproject.toml", "src/prompt_improver/database/models.py",
                                       "tests/integration/test_a.py"],
}


@pytest.mark.parametrize("seed", sorted(CASES))
def test_fix_write_then_check_is_clean_and_the_project_boots(seed, tmp_path):
    project = copy_project(SEEDS / seed, tmp_path)
    assert [f for f in check_json(project) if f["severity"] == "error"]
    before = snapshot(project)
    proc = ormdoctor("fix", str(project), "--write", "--unsafe-fixes", "--verify", "--no-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "verify after the fixes: " in proc.stdout
    after = snapshot(project)
    assert changed_files(before, after) == CASES[seed]  # files without fixes are never touched
    assert check_json(project) == []
    booted = ormdoctor("verify", str(project), "--no-cache")
    assert "tables created" in booted.stdout and "failure" not in booted.stdout, booted.stdout
    # The hand-repaired version, copied next to it, boots exactly as well. (Seed 001's copy under
    # /tmp draws a runtime ORM107 for src.database/database from `verify`'s tracer, the hand-fixed
    # one included: a tracer matter, not a fix matter.)
    by_hand = ormdoctor("verify", str(copy_project(SEEDS / f"{seed}_fixed", tmp_path / "by_hand")), "--no-cache")
    assert booted.returncode == by_hand.returncode, booted.stdout + by_hand.stdout
    if seed != "seed001_flask_customer_quadruplets":
        assert booted.returncode == 0, booted.stdout
    again = ormdoctor("fix", str(project), "--write", "--unsafe-fixes", "--no-cache")
    assert again.returncode == 0 and "No fixes to apply." in again.stdout
    assert snapshot(project) == after  # fixes converge: the second run changes nothing


def test_seed000_keeps_the_complete_models_and_the_column_name(tmp_path):
    project = copy_project(SEEDS / "seed000_duplicate_core_models", tmp_path)
    ormdoctor("fix", str(project), "--write", "--unsafe-fixes", "--no-cache")
    text = (project / "backend/models.py").read_text()
    assert "from models_universal import Category, Customer, InventoryItem, Invoice, OAuth2Token  # noqa: F401" in text
    assert "class OAuth2Token" not in text and "class KPISnapshot(Base):" in text
    assert '    kpisnapshot_metadata = Column("metadata", JSON)\n' in text
    assert "ForeignKey" not in text and "Integer" not in text  # imports only the removed classes used
    assert "# ---- core models (copied) ----" in text  # comments stay


def test_seed004_removes_the_extra_root_and_then_the_needless_flags(tmp_path):
    project = copy_project(SEEDS / "seed004_sqlmodel_double_import", tmp_path)
    ormdoctor("fix", str(project), "--write", "--unsafe-fixes", "--no-cache")
    assert 'pythonpath = ["src"]\n' in (project / "pyproject.toml").read_text()
    assert (project / "tests/integration/test_a.py").read_text().splitlines()[2] == \
        "from prompt_improver.database.models import RulePerformance"
    models = (project / "src/prompt_improver/database/models.py").read_text()
    assert "extend_existing" not in models
    assert '        CheckConstraint("confidence_level >= 0 AND confidence_level <= 1"),\n    )\n' in models


def test_without_unsafe_fixes_only_safe_ones_apply_and_the_rest_is_announced(tmp_path):
    project = copy_project(SEEDS / "seed000_duplicate_core_models", tmp_path)
    before = snapshot(project)
    proc = ormdoctor("fix", str(project), "--write", "--no-cache")
    assert proc.returncode == 1  # the errors are still there
    assert "No fixes to apply." in proc.stdout
    assert "6 more fix(es) available with --unsafe-fixes." in proc.stdout
    assert snapshot(project) == before


def test_default_prints_a_diff_and_changes_nothing(tmp_path):
    project = copy_project(SEEDS / "seed004_sqlmodel_double_import", tmp_path)
    before = snapshot(project)
    proc = ormdoctor("fix", str(project), "--unsafe-fixes", "--no-cache")
    assert proc.returncode == 1
    assert "--- a/pyproject.toml\n+++ b/pyproject.toml\n" in proc.stdout
    assert '-pythonpath = ["src", "."]\n+pythonpath = ["src"]\n' in proc.stdout
    assert "-from src.prompt_improver.database.models import RulePerformance\n" in proc.stdout
    assert "Would fix 4 finding(s) in 3 file(s):" in proc.stdout
    assert snapshot(project) == before


def test_a_clean_project_has_nothing_to_fix(tmp_path):
    project = copy_project(SEEDS / "seed000_duplicate_core_models_fixed", tmp_path)
    before = snapshot(project)
    proc = ormdoctor("fix", str(project), "--write", "--unsafe-fixes", "--no-cache")
    assert proc.returncode == 0 and proc.stdout == "No fixes to apply.\n"
    assert snapshot(project) == before


def test_orm107_keeps_a_root_that_pytest_puts_on_sys_path_anyway(tmp_path):
    """conftest.py puts the project root on sys.path, but pytest does too (tests/ is a package,
    so its rootdir goes first): removing the insert would not remove the second name. The imports
    are rewritten; conftest.py is left alone."""
    files = {
        "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["src"]\n',
        "src/shop/__init__.py": "",
        "src/shop/db.py": "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n",
        "src/shop/models.py": ("from sqlalchemy import Column, Integer\n\nfrom shop.db import Base\n\n\n"
                               "class Order(Base):\n    __tablename__ = \"orders\"\n    id = Column(Integer, primary_key=True)\n"),
        "tests/__init__.py": "",
        "tests/conftest.py": ("import os\nimport sys\n\n"
                              "sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))  # the project root\n"),
        "tests/test_orders.py": "from src.shop.models import Order\n\n\ndef test_order():\n    assert Order(id=1).id == 1\n",
        "tests/test_more.py": "from shop.models import Order\n\n\ndef test_more():\n    assert Order.__tablename__\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert [f["code"] for f in check_json(tmp_path)] == ["ORM107"]
    proc = ormdoctor("fix", str(tmp_path), "--write", "--unsafe-fixes", "--no-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "tests/test_orders.py").read_text().startswith("from shop.models import Order\n")
    assert (tmp_path / "tests/conftest.py").read_text() == files["tests/conftest.py"]
    assert check_json(tmp_path) == []

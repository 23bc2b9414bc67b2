"""One problem, one finding: follow-ons folded into their cause, static and runtime merged, bases
told apart, a target in another registry named as such."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from adopthelpers import BASE, ormdoctor, write

from ormdoctor.pipeline import analyse

REPO = Path(__file__).resolve().parents[2]
SHOP = REPO / "examples" / "shop"
SEED004 = REPO / "tests" / "fixtures" / "seeds" / "seed004_sqlmodel_double_import"
RUNTIME = REPO / "tests" / "runtime" / "projects"


def by_code(root, **options):
    found = {}
    for finding in analyse([str(root)], use_cache=False, **options).findings:
        found.setdefault(finding.code, []).append(finding)
    return found


def test_an_ambiguous_reference_is_folded_into_the_duplicated_class_name():
    found = by_code(SHOP)
    assert "ORM302" not in found
    [duplicate] = found["ORM104"]
    assert duplicate.severity.value == "error"
    [place] = [r for r in duplicate.related if r.location.path == "app/models/order.py"]
    assert (place.location.line, place.location.column) == (19, 16)
    assert place.message.startswith("Order.customer is ambiguous here (ORM302): refer to one class by its full "
                                    'module path ("app.models.customer.Customer")')


def test_without_its_cause_the_follow_on_stays():
    found = by_code(SHOP, ignore=["ORM104"])
    assert [(f.subject, str(f.location)) for f in found["ORM302"]] == [("Order.customer", "app/models/order.py:19:16")]


def test_extend_existing_on_a_double_import_is_grouped_under_the_double_import():
    found = by_code(SEED004)
    assert set(found) == {"ORM107"}
    [double] = found["ORM107"]
    grouped = [(r.location.line, r.message) for r in double.related if "(ORM105)" in r.message]
    assert grouped == [(27, "extend_existing=True on 'rule_performance' hides its second definition (ORM105)"),
                       (38, "extend_existing=True on 'user_feedback' hides its second definition (ORM105)"),
                       (48, "extend_existing=True on 'rule_metadata' hides its second definition (ORM105)")]
    assert sorted(f.subject for f in by_code(SEED004, ignore=["ORM107"])["ORM105"]) == [
        "rule_metadata", "rule_performance", "user_feedback"]


def two_bases(root: Path, target: str = "Report") -> Path:
    return write(root, {
        "app/__init__.py": "", "app/analytics/__init__.py": "", "app/db.py": BASE, "app/analytics/db.py": BASE,
        "app/models.py": f"""\
            from sqlalchemy import Column, Integer
            from sqlalchemy.orm import relationship
            from app.db import Base


            class Customer(Base):
                __tablename__ = "customers"
                id = Column(Integer, primary_key=True)
                report = relationship("{target}")
            """,
        "app/analytics/models.py": """\
            from sqlalchemy import Column, Integer
            from app.analytics.db import Base


            class Report(Base):
                __tablename__ = "customers"
                id = Column(Integer, primary_key=True)
                total = Column(Integer)
            """,
        "app/main.py": "from app import models\nfrom app.analytics import models as am\n\n"
                       "if __name__ == '__main__':\n    pass\n"})


def test_two_bases_named_base_are_told_apart_by_module(tmp_path):
    found = by_code(two_bases(tmp_path))
    [collision] = found["ORM102"]
    assert collision.message == ("table 'customers' is defined on 2 metadata: Base.metadata (app.db) "
                                 "(app/models.py:7 Customer), Base.metadata (app.analytics.db) "
                                 "(app/analytics/models.py:6 Report)")


def test_one_base_keeps_its_short_name(tmp_path):
    root = write(tmp_path, {"app/__init__.py": "", "app/db.py": BASE, "app/a.py": """\
        from sqlalchemy import Column, Integer
        from sqlalchemy.orm import relationship
        from app.db import Base


        class Customer(Base):
            __tablename__ = "customers"
            id = Column(Integer, primary_key=True)
            orders = relationship("Nowhere")
        """})
    [missing] = by_code(root)["ORM301"]
    assert "in registry Base:" in missing.message
    assert missing.hint == "point it at a mapped class, or write the missing model"


def test_a_target_mapped_in_another_registry_says_so(tmp_path):
    [missing] = by_code(two_bases(tmp_path))["ORM301"]
    assert missing.message == (
        "Customer.report targets 'Report', but no class of that name is mapped in registry Base (app.db) "
        "(Report at app/analytics/models.py:5 is mapped in registry Base (app.analytics.db)): "
        "mapper configuration fails with `failed to locate a name ('Report')`")
    assert missing.hint == "map both classes on one declarative base: a string target is looked up in Base (app.db) only"
    assert "write the missing model" not in missing.hint


@pytest.mark.parametrize("project, expected", [
    # (code, subject, note) of every finding: each runtime observation lands on its static finding.
    ("broken", [("ORM303", "orders.customer_id", "foreign key orders.customer_id: no table 'missing'"),
                ("ORM301", "Person.pets", "mapper configuration fails for Person: relationship target 'Nope'")]),
    ("ambiguous", [("ORM104", "Customer", "mapper configuration fails for Invoice: relationship target 'Customer' "
                                          "matches several classes")]),
    ("duplicates", [("ORM101", "customers", "table 'customers' is defined 2 times"),
                    ("ORM101", "orders", "table 'orders' is defined 2 times")]),
])
def test_static_and_runtime_findings_about_one_problem_merge(tmp_path, project, expected):
    root = tmp_path / project
    shutil.copytree(RUNTIME / project, root)
    result = ormdoctor("check", str(root), "--import", "--no-cache", "--format", "json", "--exit-zero")
    diagnostics = json.loads(result.stdout)["diagnostics"]
    # What is only seen by --import (an import error) may stand alone; nothing else does.
    alone = [(d["code"], d["subject"]) for d in diagnostics if d["source"] == "import" and d["code"] != "ORM900"]
    assert alone == []
    text = ormdoctor("check", str(root), "--import", "--no-cache", "--exit-zero").stdout
    for code, subject, note in expected:
        [finding] = [d for d in diagnostics if (d["code"], d["subject"]) == (code, subject)]
        if note.startswith("mapper configuration fails"):  # the import proved a crash: an error
            assert finding["severity"] == "error", finding
        block = text.split(f": {code} ")[1:]
        assert any(f"note: confirmed by --import: {note}" in part.split("\n\n")[0] for part in block), text


def test_one_class_name_in_two_registries_named_base_stays_two_findings_each_confirmed(tmp_path):
    model = """\
        from sqlalchemy import Column, Integer
        from {db} import Base


        class Customer(Base):
            __tablename__ = "{table}"
            id = Column(Integer, primary_key=True)
        """
    root = write(tmp_path / "p", {
        "app/__init__.py": "", "app/analytics/__init__.py": "", "app/db.py": BASE, "app/analytics/db.py": BASE,
        "app/a.py": model.format(db="app.db", table="a_customers"),
        "app/b.py": model.format(db="app.db", table="b_customers"),
        "app/analytics/c.py": model.format(db="app.analytics.db", table="c_customers"),
        "app/analytics/d.py": model.format(db="app.analytics.db", table="d_customers"),
        "app/main.py": "from app import a, b\nfrom app.analytics import c, d\n\nif __name__ == '__main__':\n    pass\n"})
    result = ormdoctor("check", str(root), "--import", "--no-cache", "--format", "json", "--exit-zero")
    diagnostics = json.loads(result.stdout)["diagnostics"]
    assert [(d["code"], d["source"], d["message"].split(" (app/")[0]) for d in diagnostics] == [
        ("ORM104", "static", "class name 'Customer' is mapped 2 times in registry Base (app.analytics.db)"),
        ("ORM502", "static", "2 declarative bases (MetaData) map tables in one database, loaded together by app/main.py: "
                             "Base (app.analytics.db)"),
        ("ORM104", "static", "class name 'Customer' is mapped 2 times in registry Base (app.db)"),
    ]
    text = ormdoctor("check", str(root), "--import", "--no-cache", "--exit-zero").stdout
    for module in ("app.analytics.db", "app.db"):
        assert (f"note: confirmed by --import: class name 'Customer' is mapped 2 times in registry "
                f"Base ({module})\n") in text

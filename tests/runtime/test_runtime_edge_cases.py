"""Smaller cases written on the fly: reload, a missing module, a syntax error, the project's warnings."""

from __future__ import annotations

import sys
import textwrap

from rthelpers import ERROR, finding

from ormdoctor.runtime import run_tracer, to_findings
from ormdoctor.runtime.report import Site, WarningInfo

BASE = """\
from sqlalchemy import Column, Integer
from sqlalchemy.orm import declarative_base

Base = declarative_base()
"""


def run(root, files: dict[str, str], *modules: str):
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text))
    request = {"project_root": str(root), "sys_path": [str(root)], "configure": True, "verify": None,
               "modules": [{"name": name, "path": str(root / f"{name}.py")} for name in modules]}
    report = run_tracer(request, sys.executable)
    return report, to_findings(report, root)


def test_reload_redefines_every_table_at_the_same_line(tmp_path):
    models = "from sqlalchemy import Column, Integer\nfrom db import Base\n\n\nclass User(Base):\n" \
             "    __tablename__ = 'users'\n    id = Column(Integer, primary_key=True)\n"
    files = {"db.py": BASE, "models.py": models, "reloader.py": "import importlib, models\nimportlib.reload(models)\n"}
    _, findings = run(tmp_path, files, "models", "reloader")
    # One module name, so not ORM107: the repeat at one line stays a duplicate table (the class name
    # is not reported again: both classes map 'users', as in the static rule).
    assert [(f.code, f.subject, str(f.location), str(f.related[0].location)) for f in findings] == [
        ("ORM101", "users", "models.py:5:1", "models.py:5:1"),
    ]


def test_missing_module_has_no_location(tmp_path):
    _, findings = run(tmp_path, {}, "nowhere")
    assert findings == [finding(
        "ORM900", "import-error", ERROR, "nowhere",
        "importing nowhere fails: ModuleNotFoundError: No module named 'nowhere'", None, None,
        hint="check the import roots ([tool.ormdoctor] roots, sys.path) and that the dependencies are installed",
        details=["No module named 'nowhere'"])]


def test_syntax_error_points_at_its_line(tmp_path):
    _, findings = run(tmp_path, {"models.py": BASE + "\nclass User(Base)\n    pass\n"}, "models")
    assert [(f.code, f.subject, str(f.location)) for f in findings] == [("ORM900", "models", "models.py:6:1")]
    assert findings[0].message.startswith("importing models fails: SyntaxError: ")


def test_warnings_are_recorded_at_the_project_line(tmp_path):
    code = "import warnings\nwarnings.warn('legacy settings', DeprecationWarning)\n"
    report, findings = run(tmp_path, {"models.py": code}, "models")
    assert report.warnings == (WarningInfo("DeprecationWarning", "legacy settings", Site("models.py", 2)),)
    assert findings == []

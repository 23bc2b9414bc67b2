"""ORM503 and env.py's include_object / include_name hooks (ckan/ckan's Alembic environments).

The fixture traps_alembic_include_name_hook covers a hook that names the table (silent, proved
with `alembic check`). A hook that compares only a known prefix (`name.startswith(PLUGIN)` with
PLUGIN a constant, or env.py's folder name) leaves other tables out: silent. A hook that filters
by something computed may or may not: a warning, not an error. No hook: an error, as before.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ormdoctor.pipeline import analyse

ENV = """\
from alembic import context
from app.db import Base
target_metadata = Base.metadata
{hook}
def run_migrations_online():
    context.configure(connection=None, target_metadata=target_metadata{argument})
run_migrations_online()
"""
HOOKS = {
    "none": ("", ""),
    "computed": (("import os\ndef include_object(object, name, type_, reflected, compare_to):\n"
                  "    return name.startswith(PLUGIN)\nPLUGIN = os.environ.get('PLUGIN', 'activity')\n"),
                 ", include_object=include_object"),
    "prefix": (("def include_object(object, name, type_, reflected, compare_to):\n"
                "    return name.startswith(PLUGIN)\nPLUGIN = 'activity'\n"), ", include_object=include_object"),
    "named": (("def include_object(object, name, type_, reflected, compare_to):\n"
               "    return name != 'tracking_raw'\n"), ", include_object=include_object"),
    "lambda": ("", ", include_name=lambda name, type_, parents: name not in {'tracking_raw'}"),
}


def _project(root: Path, hook: str) -> None:
    files = {
        "alembic.ini": "[alembic]\nscript_location = migrations\nprepend_sys_path = .\n",
        "app/__init__.py": "",
        "app/db.py": "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase):\n    pass\n",
        "app/tracking.py": "from sqlalchemy import Column, Integer\nfrom app.db import Base\n"
                           "class TrackingRaw(Base):\n    __tablename__ = 'tracking_raw'\n"
                           "    id = Column(Integer, primary_key=True)\n",
        "migrations/env.py": ENV.format(hook=HOOKS[hook][0], argument=HOOKS[hook][1]),
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize(("hook", "expected"), [
    ("none", [("ORM503", "app.tracking", "error")]),
    ("computed", [("ORM503", "app.tracking", "warning")]),
    ("prefix", []),  # only tables starting with 'activity' are compared: tracking_raw is left alone
    ("named", []),
    ("lambda", []),
])
def test_include_hooks_decide_what_autogenerate_drops(tmp_path, hook, expected):
    _project(tmp_path, hook)
    findings = analyse([str(tmp_path)], use_cache=False).findings
    assert [(f.code, f.subject, f.severity.value) for f in findings] == expected
    if hook == "computed":
        assert findings[0].message.endswith("unless its include_object filter leaves them out")

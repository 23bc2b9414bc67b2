"""Which test files pytest runs together (tiangolo/sqlmodel's docs_src/**/test_main.py).

Fixture traps_docs_example_test_files covers the top-level tests/ convention; these pin the
`testpaths` setting and the unchanged single session of a project without a tests folder.
"""

from __future__ import annotations

from pathlib import Path

from ormdoctor.pipeline import analyse

MODEL = ("from sqlalchemy import Column, Integer\nfrom db import Base\n"
         "class Hero(Base):\n    __tablename__ = 'hero'\n    id = Column(Integer, primary_key=True)\n")
DB = "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase):\n    pass\n"


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def _sessions(root: Path) -> dict[str, list[str]]:
    graph = analyse([str(root)], use_cache=False).inventory.graph
    return {p.label: p.entries for p in graph.processes if p.label.startswith("pytest")}


def test_testpaths_decide_the_main_session(tmp_path):
    _write(tmp_path, {
        "pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = [\"suite\"]\n",
        "db.py": DB, "a/models.py": MODEL, "b/models.py": MODEL,
        "suite/test_a.py": "from a.models import Hero\n",
        "b/test_b.py": "from b.models import Hero\n",
    })
    assert _sessions(tmp_path) == {"pytest session": ["suite/test_a.py"], "pytest b": ["b/test_b.py"]}
    assert [f.code for f in analyse([str(tmp_path)], use_cache=False).findings] == []


def test_without_a_tests_folder_all_test_files_share_one_session(tmp_path):
    _write(tmp_path, {
        "db.py": DB, "a/models.py": MODEL, "b/models.py": MODEL,
        "a/test_a.py": "from a.models import Hero\n",
        "b/test_b.py": "from b.models import Hero\n",
    })
    assert _sessions(tmp_path) == {"pytest session": ["a/test_a.py", "b/test_b.py"]}
    assert [(f.code, f.subject) for f in analyse([str(tmp_path)], use_cache=False).findings] == [("ORM101", "hero")]

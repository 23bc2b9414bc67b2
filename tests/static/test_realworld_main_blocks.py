"""Definitions under `if __name__ == "__main__":` exist only where the file runs as a script.

Seen in sqlalchemy/sqlalchemy's examples/: a script imports a mixin from another example whose
models all sit in its `__main__` block. The fixture traps_main_block_scripts covers the silent
case; these tests keep the real collisions reported, and run the scripts with the real SQLAlchemy.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ormdoctor.pipeline import analyse

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "rules" / "traps_main_block_scripts"
MODELS = (
    "from sqlalchemy import Column, Integer\n"
    "from sqlalchemy.orm import DeclarativeBase\n"
    "class Base(DeclarativeBase):\n    pass\n"
    "class User(Base):\n    __tablename__ = 'users'\n    id = Column(Integer, primary_key=True)\n"
)


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _codes(root: Path) -> list[tuple[str, str, str]]:
    return [(f.code, f.subject, f.location.path) for f in analyse([str(root)], use_cache=False).findings]


def test_script_redefining_an_imported_table_in_its_main_block_is_reported(tmp_path):
    _write(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "scripts/seed.py": (
            "from sqlalchemy import Column, Integer\nfrom app.models import Base\n"
            "if __name__ == '__main__':\n"
            "    class User(Base):\n        __tablename__ = 'users'\n        id = Column(Integer, primary_key=True)\n"
        ),
    })
    assert ("ORM101", "users", "scripts/seed.py") in _codes(tmp_path)


def test_same_table_at_top_level_and_in_the_main_block_is_reported(tmp_path):
    _write(tmp_path, {
        "models.py": MODELS + (
            "if __name__ == '__main__':\n"
            "    class User(Base):\n        __tablename__ = 'users'\n        id = Column(Integer, primary_key=True)\n"
        ),
    })
    assert [c[:2] for c in _codes(tmp_path) if c[0] == "ORM101"] == [("ORM101", "users")]


def test_main_block_models_of_an_imported_file_do_not_meet_the_importer(tmp_path):
    _write(tmp_path, {
        "a.py": "from sqlalchemy.orm import declarative_base\n"
                "def helper():\n    return 1\n"
                "if __name__ == '__main__':\n" + "".join("    " + line + "\n" for line in (
                    "from sqlalchemy import Column, Integer",
                    "Base = declarative_base()",
                    "class T(Base):",
                    "    __tablename__ = 't'",
                    "    id = Column(Integer, primary_key=True)")),
        "b.py": "from sqlalchemy import Column, Integer\nfrom sqlalchemy.orm import declarative_base\n"
                "from a import helper\nBase = declarative_base()\n"
                "class T(Base):\n    __tablename__ = 't'\n    id = Column(Integer, primary_key=True)\n"
                "if __name__ == '__main__':\n    print(helper())\n",
    })
    assert _codes(tmp_path) == []


def test_fixture_scripts_run_one_at_a_time_with_the_real_sqlalchemy(tmp_path):
    # The claim behind traps_main_block_scripts: each script, run as __main__, creates its tables.
    for name in ("examples.dictlike", "examples.dictlike_polymorphic"):
        code = f"import runpy, sys; sys.path.insert(0, {str(FIXTURE)!r}); runpy.run_module({name!r}, run_name='__main__')"
        result = subprocess.run([sys.executable, "-I", "-B", "-c", code], capture_output=True, text=True,
                                timeout=120, check=False)
        assert result.returncode == 0, result.stderr


def test_two_metadata_in_one_file_sort_without_crashing(tmp_path):
    # sqlalchemy/sqlalchemy: ORM502 sorted (path, Pos) tuples and crashed on two MetaData of one file.
    _write(tmp_path, {
        "lib/ischema.py": (
            "from sqlalchemy import Column, Integer, MetaData, Table\n"
            "ischema = MetaData()\ninfo = MetaData()\n"
            "a = Table('a', ischema, Column('id', Integer))\n"
            "b = Table('b', info, Column('id', Integer))\n"
        ),
        "tests/test_ischema.py": "from lib.ischema import a, b\n",
    })
    assert [c[:2] for c in _codes(tmp_path)] == [("ORM502", "ischema")]

"""Checking the ORM libraries' own repositories (tiangolo/sqlmodel, sqlalchemy/sqlalchemy).

There `from sqlmodel import SQLModel` resolves to the project's sqlmodel/main.py, a class
ormdoctor could not trace to anything, so the 293 docs_src models went unseen (0 models) and
the tutorial trap passed for the wrong reason. The library's own classes keep their identity.
"""

from __future__ import annotations

from pathlib import Path

from ormdoctor.pipeline import analyse

HERO = ("from sqlmodel import Field, SQLModel\n"
        "class Hero(SQLModel, table=True):\n"
        "    id: int | None = Field(default=None, primary_key=True)\n"
        "    name: str\n")


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def _library(root: Path) -> None:
    _write(root, {
        "sqlmodel/__init__.py": "from .main import Field as Field\nfrom .main import SQLModel as SQLModel\n",
        "sqlmodel/main.py": "from sqlalchemy.orm import registry\n"
                            "class SQLModelMetaclass(type):\n    pass\n"
                            "def Field(*args, **kwargs):\n    return None\n"
                            "class SQLModel(metaclass=SQLModelMetaclass):\n    pass\n",
    })


def test_tutorial_scripts_in_the_sqlmodel_repository_are_models_and_stay_silent(tmp_path):
    _library(tmp_path)
    _write(tmp_path, {
        "docs_src/tutorial001.py": HERO + "if __name__ == '__main__':\n    print(Hero)\n",
        "docs_src/tutorial002.py": HERO + "if __name__ == '__main__':\n    print(Hero)\n",
    })
    analysis = analyse([str(tmp_path)], use_cache=False)
    assert analysis.scope["models"] == 2
    assert analysis.findings == []


def test_a_real_duplicate_in_the_sqlmodel_repository_is_still_found(tmp_path):
    _library(tmp_path)
    _write(tmp_path, {
        "app/__init__.py": "",
        "app/heroes.py": HERO,
        "app/legacy.py": HERO,
        "app/main.py": "from app.heroes import Hero\nfrom app.legacy import Hero as OldHero\n",
    })
    findings = analyse([str(tmp_path)], use_cache=False).findings
    assert ("ORM101", "hero") in [(f.code, f.subject) for f in findings]

"""Cases that once broke the static engine."""

from __future__ import annotations

from ormdoctor.pipeline import analyse


def _write(root, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_package_init_importing_its_own_submodules_does_not_recurse(tmp_path):
    model = 'from sqlalchemy import Column, Integer\nfrom app.db import Base\nclass {0}(Base):\n' \
            '    __tablename__ = "a"\n    id = Column(Integer, primary_key=True)\n'
    _write(tmp_path, {
        "app/__init__.py": "",
        "app/db.py": "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase):\n    pass\n",
        "app/models/__init__.py": "from . import m00\nfrom app.models import m01\n",
        "app/models/m00.py": model.format("A"),
        "app/models/m01.py": model.format("B"),
    })
    findings = analyse([str(tmp_path)], use_cache=False).findings
    assert [(f.code, f.subject, f.location.path) for f in findings] == [("ORM101", "a", "app/models/m01.py")]

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


def test_stdlib_import_does_not_resolve_to_a_project_package(tmp_path):
    # CTFd has CTFd/utils/logging/; `import logging` elsewhere is the standard library.
    _write(tmp_path, {
        "shop/__init__.py": "",
        "shop/utils/__init__.py": "",
        "shop/utils/logging/__init__.py": "from shop.models import Order\n",
        "shop/utils/helpers.py": "import logging\n",
        "shop/models.py": "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase):\n    pass\n"
                          "class Order(Base):\n    __tablename__ = 'orders'\n",
    })
    inventory = analyse([str(tmp_path)], use_cache=False).inventory
    targets = {e.target for e in inventory.graph.edges if e.source == "shop/utils/helpers.py"}
    assert targets == set()


def test_modules_in_an_orphan_cycle_belong_to_a_process(tmp_path):
    _write(tmp_path, {"a.py": "import b\n", "b.py": "import a\n"})
    graph = analyse([str(tmp_path)], use_cache=False).inventory.graph
    assert [(p.label, p.is_program, sorted(graph.members(p.members))) for p in graph.processes] == \
        [("a.py", False, ["a.py", "b.py"])]

"""What a fix must not change: encodings (coding cookie, BOM), line endings, comments,
formatting, and every byte outside the edit."""

from __future__ import annotations

from fixhelpers import snapshot

from ormdoctor.commands.fix import write_files
from ormdoctor.fix.session import Options, fix_project

BASE = b"from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n"


def _project(tmp_path, models: bytes):
    (tmp_path / "app").mkdir()
    (tmp_path / "app/__init__.py").write_bytes(b"")
    (tmp_path / "app/db.py").write_bytes(BASE)
    (tmp_path / "app/models.py").write_bytes(models)
    (tmp_path / "main.py").write_bytes(b"import app.models  # noqa: F401\n")
    return tmp_path


def _fix(project):
    outcome = fix_project(Options([str(project)], unsafe=True))
    write_files(project, {p: after for p, (_, after) in outcome.changed.items()})
    return outcome


def test_latin1_coding_cookie_and_its_bytes_survive(tmp_path):
    models = ("# -*- coding: latin-1 -*-\n"
              "from sqlalchemy import JSON, Column, Integer\n\nfrom app.db import Base\n\n\n"
              "class Caf\u00e9Snapshot(Base):\n"
              "    \"\"\"Cr\u00e8me br\u00fbl\u00e9e.\"\"\"\n"
              "    __tablename__ = \"snapshots\"\n    id = Column(Integer, primary_key=True)\n"
              "    metadata = Column(JSON)  # d\u00e9tails\n").encode("latin-1")
    project = _project(tmp_path, models)
    _fix(project)
    after = (project / "app/models.py").read_bytes()
    assert after == models.replace(b"    metadata = Column(JSON)", b'    metadata_value = Column("metadata", JSON)')
    assert b"\xe9" in after and "é".encode() not in after


def test_bom_and_crlf_line_endings_survive(tmp_path):
    models = (b"\xef\xbb\xbf\"\"\"Models.\"\"\"\r\n\r\n"
              b"from sqlalchemy import Column, Integer\r\n\r\nfrom app.db import Base\r\n\r\n\r\n"
              b"class Supplier(Base):\r\n    __tablename__ = \"suppliers\"\r\n"
              b"    __table_args__ = {\"extend_existing\": True}  # cargo cult\r\n\r\n"
              b"    id = Column(Integer, primary_key=True)  # keep this comment\r\n")
    project = _project(tmp_path, models)
    before = snapshot(project)
    outcome = _fix(project)
    assert list(outcome.changed) == ["app/models.py"]
    after = (project / "app/models.py").read_bytes()
    assert after == models.replace(b"    __table_args__ = {\"extend_existing\": True}  # cargo cult\r\n", b"")
    assert after.startswith(b"\xef\xbb\xbf") and b"\n" not in after.replace(b"\r\n", b"")
    assert {p: b for p, b in snapshot(project).items() if p != "app/models.py"} == \
        {p: b for p, b in before.items() if p != "app/models.py"}


def test_an_added_import_uses_the_files_line_endings(tmp_path):
    project = _project(tmp_path, b"import os\r\n")
    (project / "app/models.py").write_bytes(b"")
    files = {
        "app/models/__init__.py": b"from app.models.product import Product\r\n",
        "app/models/product.py": (b"from sqlalchemy import ForeignKey, Integer\r\nfrom sqlalchemy.orm import Mapped, "
                                  b"mapped_column, relationship\r\n\r\nfrom app.db import Base\r\n\r\n\r\n"
                                  b"class Product(Base):\r\n    __tablename__ = \"products\"\r\n"
                                  b"    id: Mapped[int] = mapped_column(Integer, primary_key=True)\r\n"
                                  b"    notes: Mapped[list[\"Note\"]] = relationship()\r\n"),
        "app/models/note.py": (b"from sqlalchemy import ForeignKey\r\nfrom sqlalchemy.orm import Mapped, mapped_column\r\n"
                               b"\r\nfrom app.db import Base\r\n\r\n\r\nclass Note(Base):\r\n    __tablename__ = \"notes\"\r\n"
                               b"    id: Mapped[int] = mapped_column(primary_key=True)\r\n"
                               b"    product_id: Mapped[int] = mapped_column(ForeignKey(\"products.id\"))\r\n"),
    }
    (project / "app/models.py").unlink()
    (project / "app/models").mkdir()
    for name, data in files.items():
        (project / name).write_bytes(data)
    outcome = _fix(project)
    assert [f.code for f in outcome.applied] == ["ORM304"]
    init = (project / "app/models/__init__.py").read_bytes()
    assert b"\n" not in init.replace(b"\r\n", b"")
    assert b"note" in init.lower()

"""Small projects written into a temporary folder for a test, and the findings of one code."""

from __future__ import annotations

import textwrap
from pathlib import Path

from ormdoctor.pipeline import analyse

BASE = """
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
"""


# Two models that refer to each other by string: a relationship each way and a foreign key.
USER_AND_POST = {
    "app/models/user.py": """
        from sqlalchemy import Column, Integer
        from sqlalchemy.orm import relationship
        from app.db import Base

        class User(Base):
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)
            posts = relationship("Post", back_populates="author")
    """,
    "app/models/post.py": """
        from sqlalchemy import Column, ForeignKey, Integer
        from sqlalchemy.orm import relationship
        from app.db import Base

        class Post(Base):
            __tablename__ = "posts"
            id = Column(Integer, primary_key=True)
            author_id = Column(ForeignKey("users.id"))
            author = relationship("User", back_populates="posts")
    """,
}


def write_files(root: Path, files: dict[str, str | bytes], dedent: bool = False) -> Path:
    """Each file as given: bytes exactly, text as UTF-8 (dedented when asked)."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip() if dedent else content, encoding="utf-8")
    return root


def write_project(root: Path, files: dict[str, str]) -> Path:
    """``app/`` with a DeclarativeBase in ``app/db.py``, plus ``files`` (dedented)."""
    return write_files(root, {"app/__init__.py": "", "app/db.py": BASE, **files}, dedent=True)


def findings_of(root: Path, files: dict[str, str], code: str):
    # Only that rule runs: what one rule finds, before follow-ons are folded into their cause.
    findings = analyse([str(write_project(root, files))], select=[code, "ORM001"], use_cache=False).findings
    assert not [f for f in findings if f.code == "ORM001"], "a test project must parse"
    return [f for f in findings if f.code == code]

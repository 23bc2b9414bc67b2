"""The real CLI in a subprocess, and small projects with known findings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from support.projects import write_files

BASE = """\
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
"""
# Two classes on one table: ORM101 at b.py:6 (the __tablename__ line of the second).
MODEL = """\
from sqlalchemy import Column, Integer
from app.db import Base


class {name}(Base):
    __tablename__ = "customers"{comment}
    id = Column(Integer, primary_key=True)
"""


def ormdoctor_command() -> list[str]:
    executable = shutil.which("ormdoctor", path=str(Path(sys.executable).parent))
    return [executable] if executable else [sys.executable, "-m", "ormdoctor"]


def ormdoctor(*args: str, cwd: Path | None = None, env: dict | None = None,
              timeout: float = 120) -> subprocess.CompletedProcess:
    result = subprocess.run([*ormdoctor_command(), *args], capture_output=True, text=True, cwd=cwd,
                            timeout=timeout, env={**os.environ, **(env or {})})
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    return result


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    return write_files(root, {name: textwrap.dedent(content) if isinstance(content, str) else content
                              for name, content in files.items()})


def duplicate_project(root: Path, comment: str = "", extra: dict | None = None) -> Path:
    """app/a.py and app/b.py both map "customers": one ORM101 at app/b.py:6."""
    return write(root, {"app/__init__.py": "", "app/db.py": BASE,
                        "app/a.py": MODEL.format(name="Customer", comment=""),
                        "app/b.py": MODEL.format(name="Client", comment=comment),
                        "app/main.py": "from app import a, b\n\nif __name__ == '__main__':\n    pass\n",
                        **(extra or {})})


def clean_project(root: Path) -> Path:
    return write(root, {"app/__init__.py": "", "app/db.py": BASE,
                        "app/a.py": MODEL.format(name="Customer", comment="")})

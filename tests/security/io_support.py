"""Helpers for the trust-io security tests: a small model project and the real CLI in a subprocess.

A module of its own (not conftest.py): test modules import it by this unique name."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from support.projects import write_files

MODEL = '''from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customers"
    id = Column(Integer, primary_key=True)
    email = Column(String(200), index=True)
'''


def model_project(root: Path, extra: dict[str, str | bytes] | None = None) -> Path:
    return write_files(root, {"app/__init__.py": "", "app/models.py": MODEL, **(extra or {})})


def ormdoctor(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 120,
              stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess:
    executable = shutil.which("ormdoctor", path=str(Path(sys.executable).parent))
    command = [executable] if executable else [sys.executable, "-m", "ormdoctor"]
    environment = {**os.environ, "NO_COLOR": "1", **(env or {})}
    environment.pop("ORMDOCTOR_DEBUG", None)
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout,
                          env=environment, stdin=stdin)


def one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    """Exit 2, nothing on stdout, exactly one line on stderr containing every fragment."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)

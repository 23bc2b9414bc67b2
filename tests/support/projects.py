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


def write_project(root: Path, files: dict[str, str]) -> Path:
    """``app/`` with a DeclarativeBase in ``app/db.py``, plus ``files`` (dedented)."""
    for name, text in {"app/__init__.py": "", "app/db.py": BASE, **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


def findings_of(root: Path, files: dict[str, str], code: str):
    # Only that rule runs: what one rule finds, before follow-ons are folded into their cause.
    findings = analyse([str(write_project(root, files))], select=[code, "ORM001"], use_cache=False).findings
    assert not [f for f in findings if f.code == "ORM001"], "a test project must parse"
    return [f for f in findings if f.code == code]

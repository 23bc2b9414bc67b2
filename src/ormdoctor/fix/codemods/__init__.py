"""Codemods by edit kind. A Python codemod locates its edit on the original tree and records
what changes (``Changes``); a text codemod rewrites a settings file's text directly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ormdoctor.fix.edits import Changes, NodeIndex


@dataclass
class Target:
    """One Python file being edited: what a codemod sees."""

    root: Path
    path: str
    module: object  # libcst.Module
    index: NodeIndex
    changes: Changes


def python_codemods() -> dict:
    from ormdoctor.fix.codemods import alembic, declarative, duplicates, imports, indexes, references

    return {**duplicates.CODEMODS, **declarative.CODEMODS, **imports.CODEMODS, **indexes.CODEMODS,
            **references.CODEMODS, **alembic.CODEMODS}


def text_codemods() -> dict:
    from ormdoctor.fix.codemods import settings

    return dict(settings.CODEMODS)

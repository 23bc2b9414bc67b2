"""Fixtures for the ``ormdoctor docs`` tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from docs_support import PROJECTS, SEED003


@pytest.fixture
def project_copy(tmp_path):
    """A copy of a docs project in tmp_path, so a run may write its cache and outputs."""

    def copy(name: str) -> Path:
        source = SEED003 if name == "seed003" else PROJECTS / name
        target = tmp_path / name
        shutil.copytree(source, target, ignore=shutil.ignore_patterns(".ormdoctor_cache", "__pycache__"))
        return target

    return copy

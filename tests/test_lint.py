"""ormdoctor's own code stays pyflakes-clean (unused imports, undefined names, dead variables)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_source_has_no_pyflakes_errors():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (it is in the test extras)")
    result = subprocess.run([ruff, "check", "--no-cache", "--select", "F", "--output-format", "concise",
                             str(ROOT / "src"), str(ROOT / "bench"), str(ROOT / "scripts")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout

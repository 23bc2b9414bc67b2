"""`ormdoctor check` without --db must not pay for importing SQLAlchemy."""

import subprocess
import sys
from pathlib import Path

import pytest

import ormdoctor

SRC = str(Path(ormdoctor.__file__).resolve().parents[1])


@pytest.mark.parametrize("module", ["ormdoctor.typefamily", "ormdoctor.database"])
def test_import_does_not_load_sqlalchemy(module):
    code = f"import sys, {module}; print('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYTHONPATH": SRC}, check=True)
    assert out.stdout.strip() == "False"

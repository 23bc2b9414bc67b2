"""The drift tests import ormdoctor from src/ when it is not installed into the venv."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

if importlib.util.find_spec("ormdoctor") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

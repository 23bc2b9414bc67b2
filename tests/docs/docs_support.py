"""Helpers for the ``ormdoctor docs`` tests: the projects, the CLI in a subprocess, text goldens.

A module of its own (not conftest.py): test modules import it by this unique name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PROJECTS = HERE / "projects"
GOLDEN = HERE / "golden"
SEED003 = ROOT / "tests" / "fixtures" / "seeds" / "seed003_alembic_missing_ml_predictions"


def docs_markdown(project: Path, **options) -> str:
    """The Markdown ``ormdoctor docs`` writes, built in process (no cache written into fixtures)."""
    from ormdoctor.docs.markdown import render_markdown

    return render_markdown(schema_of(project, **options))


def schema_of(project: Path, **options):
    from ormdoctor.docs.from_inventory import describe_inventory, finding_docs
    from ormdoctor.docs.model import build_schema
    from ormdoctor.pipeline import analyse

    analysis = analyse([str(project)], use_cache=False)
    tables, metadata = describe_inventory(analysis.inventory)
    return build_schema(tables, metadata, finding_docs(analysis.findings), **options)


def check_text_golden(path: Path, text: str, update: bool) -> None:
    if update:
        path.write_text(text, encoding="utf-8", newline="\n")
        return
    if not path.exists():
        raise AssertionError(f"no golden file {path}; run pytest --update-golden and review it")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{path.name} differs; review and run pytest --update-golden if the change is right"


def run_docs(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("NO_COLOR", None)
    return subprocess.run([sys.executable, "-m", "ormdoctor", "docs", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)

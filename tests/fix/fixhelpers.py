"""Helpers of the fix tests: copies of fixture projects, the real CLI in a subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
SEEDS = TESTS / "fixtures" / "seeds"
DRIFT = TESTS / "drift" / "projects"


def copy_project(source: Path, tmp_path: Path, name: str | None = None) -> Path:
    target = tmp_path / (name or source.name)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", ".ormdoctor_cache",
                                                                   "expect.toml", "golden.json"))
    return target


def ormdoctor(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ormdoctor", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)


def check_json(project: Path, *extra: str) -> list[dict]:
    proc = ormdoctor("check", str(project), "--format", "json", "--no-cache", "--exit-zero", *extra)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["diagnostics"]


def snapshot(project: Path) -> dict[str, bytes]:
    return {p.relative_to(project).as_posix(): p.read_bytes() for p in sorted(project.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts and ".ormdoctor_cache" not in p.parts}


def changed_files(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    return sorted(p for p in before if after.get(p) != before[p])

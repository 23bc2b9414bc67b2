"""Run from anywhere: the project root is found upward, paths are shown from where the user is."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "rules" / "ORM107_bad_pytest_pythonpath"


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ormdoctor", "check", "--no-cache", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_from_a_subfolder_the_whole_project_is_checked(tmp_path):
    project = shutil.copytree(FIXTURE, tmp_path / "shop")
    result = run(project / "src" / "shop", "--format", "github")
    assert result.returncode == 1, result.stderr
    [line] = [x for x in result.stdout.splitlines() if "ORM107" in x]
    # GitHub resolves annotation paths from the repository checkout, wherever ormdoctor ran.
    assert line.startswith("::error file=tests/test_orders.py,line=3,")
    document = json.loads(run(project / "src", "--format", "json").stdout)
    assert document["root"] == str(project.resolve())
    assert [d["location"]["path"] for d in document["diagnostics"]] == ["tests/test_orders.py"]


def test_a_checked_subfolder_is_shown_from_the_current_folder(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "repo" / "shop")
    text = run(tmp_path / "repo", "shop").stdout
    assert "shop/tests/test_orders.py:3:1: ORM107 [error]" in text
    github = run(tmp_path / "repo", "shop", "--format", "github").stdout
    assert "::error file=shop/tests/test_orders.py,line=3," in github


def test_without_any_marker_the_current_folder_is_the_project(tmp_path):
    (tmp_path / "models.py").write_text("from sqlalchemy.orm import DeclarativeBase\n\n"
                                        "class Base(DeclarativeBase):\n    pass\n")
    result = run(tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("No models found: 1 files")


def test_one_cache_per_project_wherever_it_runs_from(tmp_path):
    project = shutil.copytree(FIXTURE, tmp_path / "shop")
    for folder in (project / "src" / "shop", project / "tests", project):
        subprocess.run([sys.executable, "-m", "ormdoctor", "check"], cwd=folder, capture_output=True, timeout=120)
    assert sorted(p.parent.relative_to(project).as_posix() for p in project.rglob(".ormdoctor_cache")) == ["."]

"""The pre-commit hook, run by the real pre-commit (``try-repo``) on a fixture git repository.

try-repo clones this repository (with its uncommitted changes) and installs the hook's package
with pip into a fresh environment: PyPI must be reachable for the build backend (setuptools).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from adopthelpers import clean_project, duplicate_project, write

REPO = Path(__file__).resolve().parents[2]
PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent))


def test_the_hook_definition():
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "ormdoctor" and hook["entry"] == "ormdoctor check" and hook["language"] == "python"
    assert hook["pass_filenames"] is False  # the whole project: a duplicate spans files
    import re

    files = re.compile(hook["files"])
    assert [name for name in ("a.py", "pyproject.toml", "alembic.ini", "setup.cfg", "README.md", "x.pyc", "py")
            if files.search(name)] == ["a.py", "pyproject.toml", "alembic.ini", "setup.cfg"]


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=root,
                   check=True, capture_output=True)


def fixture_repository(root: Path) -> Path:
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "fixture")
    return root


def try_repo(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    if PRE_COMMIT is None:
        pytest.skip("pre-commit is not installed (pip install 'ormdoctor[test]')")
    return subprocess.run([PRE_COMMIT, "try-repo", str(REPO), "ormdoctor", *args], cwd=repo, capture_output=True,
                          text=True, timeout=600, env={**_env(), "PRE_COMMIT_HOME": str(home)})


def _env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}


def test_pre_commit_try_repo_fails_on_a_duplicate_and_passes_when_clean(tmp_path_factory):
    home = tmp_path_factory.mktemp("pre-commit-home")
    bad = fixture_repository(duplicate_project(tmp_path_factory.mktemp("bad")))
    result = try_repo(bad, home, "--all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ormdoctor" in result.stdout and "Failed" in result.stdout
    assert "app/b.py:6:" in result.stdout and "ORM101 [error] table 'customers' is defined 2 times" in result.stdout

    good = fixture_repository(clean_project(tmp_path_factory.mktemp("good")))
    result = try_repo(good, home, "--all-files")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout

    # Only a README changed: the hook does not run at all.
    write(bad, {"README.md": "# docs\n"})
    git(bad, "add", "README.md")
    result = try_repo(bad, home, "--files", "README.md")
    assert result.returncode == 0 and "Skipped" in result.stdout, result.stdout

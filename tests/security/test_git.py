"""Issue 9, item 6: git is run safely. A checked repository's .git/config cannot make
``git ls-files`` (which lists the project's files) start a program."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from io_support import model_project, ormdoctor

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _git(root, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def _hostile_repository(tmp_path):
    root = model_project(tmp_path / "project")
    marker = tmp_path / "pwned"
    script = tmp_path / "hook.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    script.chmod(0o755)
    _git(root, "init", "-q")
    _git(root, "add", "app/__init__.py")
    _git(root, "config", "core.fsmonitor", str(script))
    _git(root, "config", "core.hooksPath", str(tmp_path))
    return root, marker, script


def test_fsmonitor_of_the_checked_repository_never_runs(tmp_path):
    root, marker, script = _hostile_repository(tmp_path)
    # The hostile setting works: plain git runs the program.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    subprocess.run(["git", "-C", str(root), "status", "--porcelain"], capture_output=True, env=env)
    assert marker.exists(), "git did not run core.fsmonitor: the test proves nothing"
    marker.unlink()
    result = ormdoctor("check", str(root), "--no-cache")
    assert result.returncode == 0, result.stderr
    assert "2 files, 1 models" in result.stdout  # git listed the untracked model file
    assert not marker.exists()


def test_git_variables_of_the_caller_cannot_redirect_git(tmp_path):
    """GIT_DIR (set inside a git hook, say) would make git list another repository's files."""
    root = model_project(tmp_path / "project", {"app/generated/.gitignore": "*\n",
                                                "app/generated/models.py": "x = 1\n"})
    _git(root, "init", "-q")
    other = tmp_path / "other"
    _git(other.parent, "init", "-q", str(other))
    result = ormdoctor("check", str(root), "--no-cache", env={"GIT_DIR": str(other / ".git"),
                                                              "GIT_WORK_TREE": str(other)})
    assert result.returncode == 0 and "2 files, 1 models" in result.stdout, result.stdout


def test_files_are_still_listed_by_git(tmp_path):
    """.gitignore (honoured by git, nested ones too) still decides what is analysed."""
    root = model_project(tmp_path / "project", {"app/generated/.gitignore": "*\n",
                                                "app/generated/models.py": "from app.models import Base\n"
                                                "class C(Base):\n    __tablename__ = 'c'\n"})
    _git(root, "init", "-q")
    result = ormdoctor("check", str(root), "--no-cache")
    assert result.returncode == 0 and "2 files, 1 models" in result.stdout, result.stdout

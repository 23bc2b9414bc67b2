"""The composite GitHub Action (action.yml), run as the runner would: its steps' shell scripts in
bash with the GITHUB_* variables pointing at a fixture checkout. The install step really creates a
virtualenv and pip-installs this repository (PyPI is needed for the build backend)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import yaml
from adopthelpers import duplicate_project

REPO = Path(__file__).resolve().parents[2]
EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


def action() -> dict:
    return yaml.safe_load((REPO / "action.yml").read_text())


def test_inputs_reach_the_scripts_only_through_the_environment():
    steps = action()["runs"]["steps"]
    assert action()["runs"]["using"] == "composite"
    for step in steps:
        assert step["shell"] == "bash"
        assert "${{" not in step["run"], f"{step['name']}: an expression pasted into a script can inject code"


def run_step(step: dict, context: dict, env: dict) -> subprocess.CompletedProcess:
    def expand(text: str) -> str:
        return EXPRESSION.sub(lambda m: context[m.group(1)], text)

    step_env = {name: expand(str(value)) for name, value in (step.get("env") or {}).items()}
    cwd = expand(step.get("working-directory", context["github.workspace"]))
    return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**env, **step_env})


def test_the_action_installs_ormdoctor_and_annotates_repository_relative_paths(tmp_path):
    workspace = tmp_path / "checkout"
    duplicate_project(workspace / "backend")
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "GITHUB_WORKSPACE": str(workspace),
           "GITHUB_ACTION_PATH": str(REPO), "RUNNER_TEMP": str(runner_temp), "GITHUB_ACTIONS": "true"}
    inputs = {name: spec.get("default", "") for name, spec in action()["inputs"].items()}
    inputs.update(path="backend", args="--ignore ORM108")
    context = {f"inputs.{name}": value for name, value in inputs.items()}
    context["github.workspace"] = str(workspace)

    install, check = action()["runs"]["steps"]
    installed = run_step(install, context, env)
    assert installed.returncode == 0, installed.stderr
    assert (runner_temp / "ormdoctor-venv" / "bin" / "ormdoctor").exists()

    result = run_step(check, context, env)
    assert result.returncode == 1, result.stderr  # the error fails the job
    assert result.stdout.startswith("::error file=backend/app/b.py,line=6,col=")
    assert "title=ORM101 duplicate-table::table 'customers' is defined 2 times" in result.stdout

    clean = run_step(check, {**context, "inputs.args": "--ignore ORM101"}, env)
    assert (clean.returncode, clean.stdout) == (0, "")

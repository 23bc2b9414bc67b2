"""The pytest plugin and the Python API, with the real pytest in a subprocess on fixture projects."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from adopthelpers import clean_project, duplicate_project, write

PYPROJECT = "[tool.pytest.ini_options]\n{options}\n"
USER_TEST = '''
import ormdoctor


def test_models_are_clean(ormdoctor_check):
    assert ormdoctor_check() == []


def test_the_api_returns_frozen_findings():
    findings = ormdoctor.check(".", ignore=["ORM004"])
    assert all(isinstance(f, ormdoctor.Finding) for f in findings)
    assert [(f.code, f.location.path, f.location.line) for f in findings] == EXPECTED
'''


def pytest_run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", *args], cwd=root,
                          capture_output=True, text=True, timeout=300)


def project(root: Path, bad: bool, options: str = "") -> Path:
    (duplicate_project if bad else clean_project)(root)
    return write(root, {"pyproject.toml": PYPROJECT.format(options=options)})


def test_ormdoctor_option_adds_one_failing_item_with_the_findings(tmp_path):
    root = project(tmp_path, bad=True)
    result = pytest_run(root, "--ormdoctor")
    assert result.returncode == 1, result.stdout
    assert "FAILED ::ormdoctor" in result.stdout, result.stdout
    assert "app/b.py:6:5: ORM101 [error] table 'customers' is defined 2 times" in result.stdout
    assert "1 failed" in result.stdout and "Traceback" not in result.stdout


def test_without_the_option_there_is_no_item(tmp_path):
    root = project(tmp_path, bad=True)
    result = pytest_run(root)
    assert result.returncode == 5 and "no tests ran" in result.stdout  # nothing collected


def test_a_clean_project_passes(tmp_path):
    result = pytest_run(project(tmp_path, bad=False), "--ormdoctor")
    assert result.returncode == 0, result.stdout
    assert "PASSED ::ormdoctor" in result.stdout, result.stdout


def test_fail_level_and_paths_come_from_the_ini(tmp_path):
    # Only a warning (an unused suppression): passes at the default level, fails at "warning".
    root = project(tmp_path / "p", bad=False, options='ormdoctor_fail_level = "warning"\normdoctor_paths = ["app"]')
    text = (root / "app/a.py").read_text().replace("primary_key=True)", "primary_key=True)  # noqa: ORM105")
    (root / "app/a.py").write_text(text)
    result = pytest_run(root, "--ormdoctor")
    assert result.returncode == 1 and "a.py:7:1: ORM004 [warning]" in result.stdout, result.stdout
    write(root, {"pyproject.toml": PYPROJECT.format(options="")})
    assert pytest_run(root, "--ormdoctor").returncode == 0


def test_the_fixture_and_the_api_in_a_projects_own_tests(tmp_path):
    root = project(tmp_path, bad=True)
    write(root, {"tests/test_models.py": USER_TEST.replace("EXPECTED", '[("ORM101", "app/b.py", 6)]')})
    result = pytest_run(root, "tests")
    assert "PASSED tests/test_models.py::test_the_api_returns_frozen_findings" in result.stdout, result.stdout
    assert "FAILED tests/test_models.py::test_models_are_clean" in result.stdout
    assert "code='ORM101'" in result.stdout  # pytest shows the Finding dataclass that broke the assertion


def test_importing_ormdoctor_and_loading_the_plugin_is_cheap():
    code = ("import sys, ormdoctor, ormdoctor.pytest_plugin; "
            "print(sorted(m for m in sys.modules if m.startswith('ormdoctor')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "['ormdoctor', 'ormdoctor.pytest_plugin']"


def test_the_api_raises_usage_error_on_bad_input(tmp_path):
    import pytest

    import ormdoctor

    with pytest.raises(ormdoctor.UsageError, match="did you mean ORM101"):
        ormdoctor.check(clean_project(tmp_path), select=["ORM1O1"])
    with pytest.raises(ormdoctor.UsageError, match="path does not exist"):
        ormdoctor.check(tmp_path / "nowhere")

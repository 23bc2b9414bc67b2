"""Honest exits: unknown codes, missing paths and folders with nothing to check are exit 2."""

from __future__ import annotations

import pytest
from adopthelpers import clean_project, ormdoctor, write


@pytest.mark.parametrize("option, value, message", [
    ("--select", "ORM1O1", "unknown rule code 'ORM1O1' in --select/--ignore; did you mean ORM101?"),
    ("--ignore", "ORM10,ORM3O2", "unknown rule code 'ORM3O2' in --select/--ignore; did you mean ORM302?"),
    ("--select", "E501", "unknown rule code 'E501' in --select/--ignore; `ormdoctor rule` lists them"),
])
def test_unknown_codes_on_the_command_line(tmp_path, option, value, message):
    result = ormdoctor("check", str(clean_project(tmp_path)), option, value)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"ormdoctor: error: {message}\n")


def test_known_codes_prefixes_and_all_are_accepted(tmp_path):
    root = clean_project(tmp_path)
    for value in ("ORM101", "ORM1", "orm10", "ALL", "ORM"):
        assert ormdoctor("check", str(root), "--select", value, "--no-cache").returncode == 0, value


@pytest.mark.parametrize("section, where", [
    ('select = ["ORM1O1"]', "[tool.ormdoctor]"),
    ('[tool.ormdoctor.per-file-ignores]\n"app/*" = ["ORM1O1"]', "[tool.ormdoctor.per-file-ignores]"),
])
def test_unknown_codes_in_the_configuration(tmp_path, section, where):
    root = clean_project(tmp_path)
    write(root, {"pyproject.toml": f"[tool.ormdoctor]\n{section}\n"})
    result = ormdoctor("check", str(root))
    assert result.returncode == 2
    assert result.stderr == (f"ormdoctor: error: unknown rule code 'ORM1O1' in {root / 'pyproject.toml'} {where}; "
                             f"did you mean ORM101?\n")


@pytest.mark.parametrize("command", ["check", "tables", "docs", "verify"])
def test_missing_path_is_exit_2(tmp_path, command):
    result = ormdoctor(command, str(tmp_path / "nowhere"))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"ormdoctor: error: path does not exist: {tmp_path / 'nowhere'}\n"


@pytest.mark.parametrize("command", ["check", "tables", "docs", "verify"])
def test_a_folder_without_python_files_is_exit_2_not_all_checks_passed(tmp_path, command):
    write(tmp_path, {"README.md": "# not Python\n", "data/x.json": "{}"})
    result = ormdoctor(command, str(tmp_path))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"ormdoctor: error: no Python files to check in {tmp_path}\n"


def test_everything_excluded_says_so(tmp_path):
    root = clean_project(tmp_path)
    write(root, {"pyproject.toml": '[tool.ormdoctor]\nexclude = ["app/**"]\n'})
    result = ormdoctor("check", str(root))
    assert result.returncode == 2
    assert result.stderr == f"ormdoctor: error: no Python files to check in {root} (after include/exclude)\n"

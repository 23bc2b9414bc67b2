"""Bases and mixins from installed packages, read as source from the project's environment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ormdoctor.inventory.coverage import coverage
from ormdoctor.pipeline import analyse
from ormdoctor.project.discover import discover
from ormdoctor.project.environment import find_environment

RULES = Path(__file__).resolve().parent.parent / "fixtures" / "rules"
LIBRARY_BASE = RULES / "ORM101_bad_installed_library_base"
MIXIN = RULES / "ORM303_bad_installed_mixin_table_name"
GOOD = RULES / "ORM101_good_installed_library_base"
SITE = ".venv/lib/python3.11/site-packages"


def _copy(fixture: Path, tmp_path: Path, venv: bool = True) -> Path:
    target = tmp_path / fixture.name
    shutil.copytree(fixture, target, ignore=None if venv else shutil.ignore_patterns(".venv"))
    return target


def _codes(analysis) -> list[tuple[str, str]]:
    return [(f.code, f.subject) for f in analysis.findings]


def test_discovery_never_lists_the_environment():
    assert not [p for p in discover(GOOD, [], []) if ".venv" in p]
    assert discover(GOOD, [], []) == ["app/__init__.py", "app/models.py", "app/plugins/__init__.py",
                                      "app/plugins/segments.py", "app/server.py", "app/users.py"]


def test_library_base_shares_one_registry_named_by_its_module():
    analysis = analyse([str(LIBRARY_BASE)], use_cache=False)
    assert _codes(analysis) == [("ORM101", "ports")]
    assert "on metadata BASEV2.metadata (fakebase.model_base, installed)" in analysis.findings[0].message
    metadata = {c.metadata_id for c in analysis.inventory.mapped_classes()}
    assert metadata == {"<installed>/fakebase/model_base.py:BASEV2.metadata"}
    assert coverage(analysis.inventory).as_dict()["resolved"] == 3


def test_mixin_table_name_and_columns_come_from_the_installed_source():
    analysis = analyse([str(GOOD)], use_cache=False)
    assert analysis.findings == []
    user = next(c for c in analysis.inventory.classes if c.name == "User")
    assert (user.kind, user.table_name) == ("table", "user")
    assert {c.attr for c in user.columns} >= {"id", "email", "hashed_password", "is_active"}
    seen = coverage(analysis.inventory)
    assert seen.looks_mapped == seen.resolved == 5 and seen.unseen == []


def test_only_the_files_needed_are_read(tmp_path):
    project = _copy(GOOD, tmp_path)
    unused = project / SITE / "unusedpkg"
    unused.mkdir()
    (unused / "__init__.py").write_text("import sqlalchemy\nclass Base: ...\n")
    analysis = analyse([str(project)], use_cache=False)
    assert sorted(analysis.inventory.installed.loaded) == [
        "<installed>/fakebase/model_base.py", "<installed>/fakeusers/__init__.py", "<installed>/fakeusers/db.py"]


def test_without_the_environment_the_bases_stay_opaque(tmp_path):
    base = analyse([str(_copy(LIBRARY_BASE, tmp_path, venv=False))], use_cache=False)
    assert _codes(base) == [("ORM101", "ports")]
    assert "on metadata BASEV2.metadata (app/models.py:11 Port" in base.findings[0].message
    assert {c.metadata_id for c in base.inventory.mapped_classes()} == {"opaque:fakebase.model_base.BASEV2.metadata"}
    assert base.inventory.environment is None
    mixin = analyse([str(_copy(MIXIN, tmp_path, venv=False))], use_cache=False)
    assert _codes(mixin) == [("ORM002", "User")]
    assert "which ormdoctor does not read" in mixin.findings[0].message


def test_python_option_and_virtual_env_name_the_environment(tmp_path, monkeypatch):
    project = _copy(MIXIN, tmp_path)
    elsewhere = tmp_path / "envs" / "app"
    shutil.move(str(project / ".venv"), str(elsewhere))
    assert find_environment(project) is None
    found = find_environment(project, str(elsewhere / "bin" / "python"))
    assert found.reason == "--python" and found.paths == (str(elsewhere / "lib/python3.11/site-packages"),)
    assert _codes(analyse([str(project)], use_cache=False, python=str(elsewhere / "bin" / "python"))) == [
        ("ORM303", "items.owner_id")]
    monkeypatch.setenv("VIRTUAL_ENV", str(elsewhere))
    assert find_environment(project).reason == "VIRTUAL_ENV"


def test_pth_folders_are_searched_but_never_run(tmp_path):
    project = _copy(MIXIN, tmp_path)
    site = project / SITE
    editable = tmp_path / "checkout" / "src"
    shutil.move(str(site / "fakeusers"), str(editable / "fakeusers"))
    (site / "fakeusers.pth").write_text(f"# an editable install\n{editable}\n")
    found = find_environment(project)
    assert found.paths == (str(site), str(editable))
    assert _codes(analyse([str(project)], use_cache=False)) == [("ORM303", "items.owner_id")]


def test_result_cache_follows_the_installed_files(tmp_path):
    project = _copy(MIXIN, tmp_path)
    first = analyse([str(project)], reuse_result=True)
    again = analyse([str(project)], reuse_result=True)
    assert again.inventory is None and _codes(again) == _codes(first) == [("ORM303", "items.owner_id")]
    mixin = project / SITE / "fakeusers" / "db.py"
    mixin.write_text(mixin.read_text().replace('__tablename__ = "user"', '__tablename__ = "users"'))
    upgraded = analyse([str(project)], reuse_result=True)
    assert upgraded.inventory is not None and upgraded.findings == []


def test_roots_shows_the_environment_and_what_was_read():
    result = subprocess.run([sys.executable, "-m", "ormdoctor", "roots", "--no-cache", "--format", "json", str(GOOD)],
                            capture_output=True, text=True, check=True, env={**os.environ, "PYTHONSAFEPATH": "1"})
    environment = json.loads(result.stdout)["environment"]
    assert environment["reason"] == ".venv in the project"
    assert environment["site_packages"] == [str(GOOD / SITE)]
    assert environment["read"] == ["fakebase.model_base", "fakeusers", "fakeusers.db"]
    text = subprocess.run([sys.executable, "-m", "ormdoctor", "check", "--show-settings", "--no-cache", str(GOOD)],
                          capture_output=True, text=True, check=True).stdout
    assert f"Installed packages: {GOOD / '.venv'} (.venv in the project)" in text
    assert "read to resolve bases and mixins: fakebase.model_base, fakeusers, fakeusers.db" in text


def test_a_second_base_next_to_an_installed_one_is_reported_in_the_project(tmp_path):
    """ORM502 sits at an installed base's first project class, never inside .venv."""
    project = _copy(GOOD, tmp_path)
    users = project / "app" / "users.py"
    users.write_text(users.read_text().replace("class Item(BASEV2):", "class Own(DeclarativeBase):\n    pass\n\n\n"
                                               "class Item(Own):").replace(
        "from sqlalchemy.orm import relationship", "from sqlalchemy.orm import DeclarativeBase, relationship"))
    found = [f for f in analyse([str(project)], use_cache=False).findings if f.code == "ORM502"]
    assert [(f.location.path, f.location.line) for f in found] == [("app/models.py", 6)]  # Network.__tablename__

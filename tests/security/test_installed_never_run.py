"""Issue 11, item 1: installed packages are read as text, never imported or run. A hostile
environment (a `.pth` with an `import` line, `sitecustomize.py`, a package whose import has side
effects, a FIFO named like a module, a huge file) changes nothing but what can be resolved."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ormdoctor.pipeline import analyse

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "rules" / "ORM303_bad_installed_mixin_table_name"
SITE = ".venv/lib/python3.11/site-packages"


def _write_marker(marker: Path) -> str:
    return f"import pathlib; pathlib.Path({str(marker)!r}).write_text('ran')"


def test_hostile_environment_is_never_executed(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    site = project / SITE
    markers = {name: tmp_path / f"{name}.ran" for name in ("pth", "sitecustomize", "usercustomize", "package")}
    (site / "evil.pth").write_text(_write_marker(markers["pth"]) + "\n")
    (site / "sitecustomize.py").write_text(_write_marker(markers["sitecustomize"]) + "\n")
    (site / "usercustomize.py").write_text(_write_marker(markers["usercustomize"]) + "\n")
    init = site / "fakeusers" / "__init__.py"
    init.write_text(_write_marker(markers["package"]) + "\n" + init.read_text())
    os.mkfifo(site / "fakeusers" / "blocking.py")  # a FIFO named like a module: never opened blocking
    (site / "fakeusers" / "huge.py").write_bytes(b"#" * (9 * 1024 * 1024))
    (site / "fakeusers" / "__init__.py").write_text(init.read_text() + "from fakeusers.blocking import X\n"
                                                    "from fakeusers.huge import Y\n")
    for args in (["check", "--no-cache", "--format", "json"], ["check", "--show-settings"], ["roots"]):
        result = subprocess.run([sys.executable, "-m", "ormdoctor", *args, str(project)],
                                capture_output=True, text=True, timeout=60)
        assert "Traceback" not in result.stderr, result.stderr
        assert result.returncode in (0, 1), result.stderr
    analysis = analyse([str(project)], use_cache=False)
    assert [(f.code, f.subject) for f in analysis.findings] == [("ORM303", "items.owner_id")]
    assert not [name for name, marker in markers.items() if marker.exists()]


def test_no_finding_is_located_in_an_installed_package():
    """The library's own code is not the project's: a finding there is dropped, a related place
    there is left out (the rules see installed classes only through the project's)."""
    from ormdoctor.findings import Finding, Location, Related, Severity
    from ormdoctor.rules.engine import project_only

    inside = Location("<installed>/fakebase/model_base.py", 3)
    related = (Related(inside, "defined here"), Related(Location("app/models.py", 2), "first definition"))
    findings = [Finding("ORM101", "duplicate-table", Severity.ERROR, "t", "m", inside),
                Finding("ORM101", "duplicate-table", Severity.ERROR, "t", "m", Location("app/x.py", 1), related)]
    assert [(f.location.path, [r.location.path for r in f.related]) for f in project_only(findings)] == [
        ("app/x.py", ["app/models.py"])]

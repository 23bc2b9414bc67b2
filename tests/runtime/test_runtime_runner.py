"""Running the tracer in the project's interpreter, and the one-line errors when that is impossible."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rthelpers import request_for, trace

from ormdoctor.runtime import RuntimeUnavailable, find_interpreter, run_tracer


def test_find_interpreter_prefers_explicit_then_project_venv_then_ours(tmp_path):
    assert find_interpreter(tmp_path) == sys.executable
    venv_python = tmp_path / ".venv" / "bin" / "python"
    venv_python.parent.mkdir(parents=True)
    venv_python.write_text("")
    assert find_interpreter(tmp_path) == str(venv_python)
    assert find_interpreter(tmp_path, explicit=sys.executable) == sys.executable
    assert find_interpreter(tmp_path, explicit="no/such/python") == str(Path("no/such/python").absolute())


def test_nothing_of_the_project_is_imported_into_our_process():
    trace("double_import", "shop.models", "shop.service")
    assert not [name for name in sys.modules if name == "shop" or name.startswith(("shop.", "src.shop"))]


def test_project_modules_named_like_ours_are_the_projects():
    report = trace("name_clash", "findings")
    assert report.modules[0].ok and report.modules[0].file == "findings.py"
    assert [(t.key, t.class_name) for t in report.tables] == [("findings", "Finding")]


def test_missing_interpreter():
    with pytest.raises(RuntimeUnavailable) as raised:
        run_tracer(request_for("good", ["app.models"]), "/no/such/bin/python")
    assert str(raised.value) == "Python interpreter not found: /no/such/bin/python (pass --python PATH)"


def test_interpreter_without_sqlalchemy(tmp_path):
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True)
    python = str(tmp_path / "bare" / "bin" / "python")
    with pytest.raises(RuntimeUnavailable) as raised:
        run_tracer(request_for("good", ["app.models"]), python)
    assert str(raised.value) == (f"SQLAlchemy is not installed for {python}; "
                                 "install the project's dependencies or pass --python")


def test_broken_interpreter(tmp_path):
    python = tmp_path / "python"
    python.write_text("#!/bin/sh\necho 'error while loading shared libraries: libpython3.11.so' >&2\nexit 127\n")
    python.chmod(0o755)
    with pytest.raises(RuntimeUnavailable) as raised:
        run_tracer(request_for("good", ["app.models"]), str(python))
    assert str(raised.value) == (f"{python} is not a working Python interpreter (a version query exited "
                                 "with code 127: error while loading shared libraries: libpython3.11.so)")


def test_not_executable(tmp_path):
    python = tmp_path / "python"
    python.write_text("")
    with pytest.raises(RuntimeUnavailable, match=r"^not an executable Python interpreter: .*/python$"):
        run_tracer(request_for("good", ["app.models"]), str(python))


def test_tracer_crash_is_one_line():
    request = request_for("good", ["app.models"])
    del request["modules"]
    with pytest.raises(RuntimeUnavailable) as raised:
        run_tracer(request, sys.executable)
    assert str(raised.value) == f"ormdoctor's tracer failed under {sys.executable}: KeyError: 'modules'"


def test_timeout_stops_the_import_and_everything_it_started(tmp_path, monkeypatch):
    pid_file = tmp_path / "pid"
    monkeypatch.setenv("ORMDOCTOR_TEST_PID_FILE", str(pid_file))
    with pytest.raises(RuntimeUnavailable) as raised:
        run_tracer(request_for("slow", ["app.slow"]), sys.executable, timeout=3)
    assert str(raised.value) == ("importing the models took longer than 3 s and was stopped "
                                 "(guard slow import-time work with the ORMDOCTOR_RUNTIME environment variable)")
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)


def test_project_sees_ormdoctor_runtime_and_its_root_as_cwd(tmp_path):
    (tmp_path / "probe.py").write_text(
        "import os\nprint(os.environ['ORMDOCTOR_RUNTIME'], os.getcwd())\n")
    request = {"project_root": str(tmp_path), "sys_path": [str(tmp_path)],
               "modules": [{"name": "probe", "path": str(tmp_path / "probe.py")}], "configure": True, "verify": None}
    report = run_tracer(request, sys.executable)
    assert report.stdout == f"1 {os.path.realpath(tmp_path)}\n"
    assert not list(tmp_path.rglob("__pycache__"))  # nothing written into the project


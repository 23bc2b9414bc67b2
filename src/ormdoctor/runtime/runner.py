"""Runs the tracer in the project's own interpreter and turns its result into a RuntimeReport.

Nothing of the project is imported into ormdoctor's process: the tracer runs in a subprocess, with the
project root as working directory and ``ORMDOCTOR_RUNTIME=1`` so a project can skip side effects.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from .process import Timeout, run_isolated
from .report import RuntimeReport

TRACER = Path(__file__).resolve().with_name("tracer.py")
VENV_PYTHONS = (".venv/bin/python", "venv/bin/python", ".venv/Scripts/python.exe", "venv/Scripts/python.exe")
KEPT_OUTPUT = 20_000  # characters of the project's stdout/stderr kept in the report


class RuntimeUnavailable(Exception):
    """The project could not be imported at all; the message is one line for a human."""


def find_interpreter(project_root: str | Path, explicit: str | None = None) -> str:
    """``--python PATH`` (or a command name on PATH), else the project's .venv/venv, else ours."""
    if explicit:
        return _absolute(explicit)
    for candidate in VENV_PYTHONS:
        path = Path(project_root) / candidate
        if path.exists():
            return str(path)
    return sys.executable


def run_tracer(request: dict, python: str, timeout: float = 60) -> RuntimeReport:
    """Import the request's modules in ``python`` and report what happened.
    Raises RuntimeUnavailable when the interpreter or the tracer cannot do it."""
    python = _absolute(python)
    _check_interpreter(python)
    root = request["project_root"]
    with tempfile.TemporaryDirectory(prefix="ormdoctor-") as scratch:
        request_file, result_file = Path(scratch, "request.json"), Path(scratch, "result.json")
        request_file.write_text(json.dumps(request))
        started = time.perf_counter()
        proc = _run([python, str(TRACER), str(request_file), str(result_file)], root, timeout)
        data = _read_result(result_file, proc, python)
    report = RuntimeReport.from_json(data, _tail(proc.stdout), _tail(proc.stderr))
    # Wall time, interpreter start and SQLAlchemy's own import included: what the user waits for.
    return replace(report, seconds=round(time.perf_counter() - started, 3))


def _absolute(python: str) -> str:
    """The subprocess runs in the project root: a relative path must not change meaning. Symlinks are
    kept, a virtualenv's python is one."""
    if os.sep not in python:
        return shutil.which(python) or python
    return str(Path(python).expanduser().absolute())


def _check_interpreter(python: str) -> None:
    if not Path(python).exists():
        raise RuntimeUnavailable(f"Python interpreter not found: {python} (pass --python PATH)")
    if not os.access(python, os.X_OK) or Path(python).is_dir():
        raise RuntimeUnavailable(f"not an executable Python interpreter: {python}")


def _run(command: list[str], cwd: str, timeout: float) -> subprocess.CompletedProcess:
    try:
        return run_isolated(command, cwd, timeout)
    except OSError as exc:
        raise RuntimeUnavailable(f"cannot start {command[0]}: {exc.strerror or exc}") from None
    except Timeout:
        raise RuntimeUnavailable(
            f"importing the models took longer than {timeout:g} s and was stopped "
            "(guard slow import-time work with the ORMDOCTOR_RUNTIME environment variable)") from None


def _read_result(result_file: Path, proc: subprocess.CompletedProcess, python: str) -> dict:
    if not result_file.exists():
        raise RuntimeUnavailable(f"{python} exited with code {proc.returncode} before the tracer finished"
                                 f"{_last_line(proc.stderr)}")
    try:
        data = json.loads(result_file.read_text())
    except ValueError:
        raise RuntimeUnavailable(f"the tracer wrote an unreadable result under {python}") from None
    fatal = data.get("fatal")
    if fatal:
        raise RuntimeUnavailable(_fatal_message(fatal, python))
    return data


def _fatal_message(fatal: dict, python: str) -> str:
    if fatal["kind"] == "no-sqlalchemy":
        return f"SQLAlchemy is not installed for {python}; install the project's dependencies or pass --python"
    last = fatal["message"].strip().splitlines()[-1]
    return f"ormdoctor's tracer failed under {python}: {last}"


def _last_line(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return f": {lines[-1].strip()}" if lines else ""


def _tail(text: str) -> str:
    return text[-KEPT_OUTPUT:]


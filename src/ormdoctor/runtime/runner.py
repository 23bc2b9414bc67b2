"""Runs the tracer in the project's own interpreter and turns its result into a RuntimeReport.

Nothing of the project is imported into ormdoctor's process: the tracer runs in a subprocess, with the
project root as working directory and ``ORMDOCTOR_RUNTIME=1`` so a project can skip side effects.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path

from .process import Finished, ForgedResult, Timeout, run_isolated
from .report import RuntimeReport

TRACER = Path(__file__).resolve().with_name("tracer.py")
VENV_PYTHONS = (".venv/bin/python", "venv/bin/python", ".venv/Scripts/python.exe", "venv/Scripts/python.exe")
KEPT_OUTPUT = 20_000  # characters of the project's stdout/stderr kept in the report
MIN_PYTHON = (3, 8)
# Valid in Python 2 and 3; the prefix tells a real answer from whatever a script prints.
_VERSION_QUERY = "import sys; sys.stdout.write('ormdoctor-python %d.%d' % sys.version_info[:2])"
_VERSION_TIMEOUT = 30


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
    python = checked_interpreter(python, request["project_root"])
    started = time.perf_counter()
    finished = _run([python, str(TRACER)], request["project_root"], timeout, request)
    data = _read_result(finished, python)
    report = RuntimeReport.from_json(data, _tail(finished.stdout), _tail(finished.stderr))
    # Wall time, interpreter start and SQLAlchemy's own import included: what the user waits for.
    return replace(report, seconds=round(time.perf_counter() - started, 3))


def checked_interpreter(python: str, cwd: str) -> str:
    """`python` made absolute, once it answered a version query as Python 3.8 or newer, asked in
    `cwd` (the project root: a pyenv shim picks the version from the folder it runs in).

    Asking costs one interpreter start; it turns a shell script, python2, a directory or a
    missing file into one clear line instead of a tracer that fails to parse."""
    python = _absolute(python)
    if not Path(python).exists():
        raise RuntimeUnavailable(f"Python interpreter not found: {python} (pass --python PATH)")
    if Path(python).is_dir() or not os.access(python, os.X_OK):
        raise RuntimeUnavailable(f"not an executable Python interpreter: {python}")
    try:
        answer = run_isolated([python, "-S", "-c", _VERSION_QUERY], cwd, _VERSION_TIMEOUT)
    except OSError as exc:
        raise RuntimeUnavailable(f"cannot start {python}: {exc.strerror or exc}") from None
    except Timeout:
        raise RuntimeUnavailable(f"{python} did not answer a version query in {_VERSION_TIMEOUT} s") from None
    version = _parse_version(answer.stdout) if answer.returncode == 0 else None
    if version is None:
        raise RuntimeUnavailable(f"{python} is not a working Python interpreter (a version query exited "
                                 f"with code {answer.returncode}{_last_line(answer.stderr)})")
    if version < MIN_PYTHON:
        raise RuntimeUnavailable(f"{python} is Python {version[0]}.{version[1]}; ormdoctor needs Python "
                                 f"{MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer to import the project")
    return python


def _parse_version(text: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"ormdoctor-python (\d+)\.(\d+)", text.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def _absolute(python: str) -> str:
    """The subprocess runs in the project root: a relative path must not change meaning. Symlinks are
    kept, a virtualenv's python is one."""
    if os.sep not in python:
        return shutil.which(python) or python
    return str(Path(python).expanduser().absolute())


def _run(command: list[str], cwd: str, timeout: float, request: dict) -> Finished:
    try:
        return run_isolated(command, cwd, timeout, request)
    except OSError as exc:
        raise RuntimeUnavailable(f"cannot start {command[0]}: {exc.strerror or exc}") from None
    except ForgedResult:
        raise RuntimeUnavailable(f"the tracer's result under {command[0]} was not authentic "
                                 "(something else wrote to ormdoctor's result channel)") from None
    except Timeout:
        raise RuntimeUnavailable(
            f"importing the models took longer than {timeout:g} s and was stopped "
            "(guard slow import-time work with the ORMDOCTOR_RUNTIME environment variable)") from None


def _read_result(finished: Finished, python: str) -> dict:
    data = finished.result
    if data is None:
        raise RuntimeUnavailable(f"{python} exited with code {finished.returncode} before the tracer finished"
                                 f"{_last_line(finished.stderr)}")
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


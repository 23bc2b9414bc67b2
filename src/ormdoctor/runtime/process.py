"""Running project code in a child process: its own session, a timeout, the runtime flag set."""

from __future__ import annotations

import os
import signal
import subprocess

# What every process that imports project code gets: ORMDOCTOR_RUNTIME=1 lets an application
# skip side effects at import; no bytecode is written into the user's tree.
RUNTIME_ENV = {"ORMDOCTOR_RUNTIME": "1", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8"}


class Timeout(Exception):
    """The child ran longer than allowed; it and everything it started were killed."""


def run_isolated(command: list[str], cwd: str, timeout: float) -> subprocess.CompletedProcess:
    """Raises OSError when the command cannot start, Timeout when it runs too long."""
    # A session of its own, so a timeout also ends whatever the project's imports started.
    proc = subprocess.Popen(command, cwd=cwd, env={**os.environ, **RUNTIME_ENV}, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace",
                            start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise Timeout from None
    return subprocess.CompletedProcess(command, proc.returncode, stdout, stderr)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate()

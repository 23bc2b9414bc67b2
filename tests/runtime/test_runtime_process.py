"""The one way ormdoctor runs project code: its own session, a timeout, the runtime flag."""

from __future__ import annotations

import os
import sys
import time

import pytest

from ormdoctor.runtime.process import Timeout, run_isolated


def test_the_child_sees_the_runtime_flag(tmp_path):
    result = run_isolated([sys.executable, "-c", "import os; print(os.environ['ORMDOCTOR_RUNTIME'])"],
                          str(tmp_path), 30)
    assert result.returncode == 0 and result.stdout == "1\n"


def test_a_timeout_kills_the_child_and_what_it_started(tmp_path):
    marker = tmp_path / "grandchild.pid"
    script = ("import subprocess, sys, time\n"
              f"p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
              f"open({str(marker)!r}, 'w').write(str(p.pid))\n"
              "time.sleep(60)\n")
    started = time.monotonic()
    with pytest.raises(Timeout):
        run_isolated([sys.executable, "-c", script], str(tmp_path), 2)
    assert time.monotonic() - started < 20
    grandchild = int(marker.read_text())
    time.sleep(0.2)
    assert not _running(grandchild)


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan is reaped by init, which may take its time)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False

"""Long runs: progress on a terminal's stderr (and nowhere else), and Ctrl-C at any moment is one
line and exit 130, also while the worker processes parse the files."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from adopthelpers import clean_project, ormdoctor_command

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def large_tree(tmp_path_factory) -> Path:
    """~3000 files, over the size that makes the parse run in worker processes."""
    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    from ormdoctor.static.scan import PARALLEL_MIN_BYTES

    root = generate(tmp_path_factory.mktemp("large"), files=3000, models=400)
    assert sum(p.stat().st_size for p in root.rglob("*.py")) > PARALLEL_MIN_BYTES
    return root


def run_with_terminal_stderr(*args: str, timeout: float = 300) -> tuple[int, str, str]:
    """stdout to a pipe, stderr to a pseudo-terminal (as in a shell with the output redirected)."""
    parent, child = pty.openpty()
    process = subprocess.Popen([*ormdoctor_command(), *args], stdout=subprocess.PIPE, stderr=child, text=True)
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(parent, 4096)
        except OSError:  # the terminal closed: the process exited
            break
        if not data:
            break
        chunks.append(data)
    stdout = process.stdout.read()
    process.wait(timeout=timeout)
    os.close(parent)
    return process.returncode, stdout, b"".join(chunks).decode("utf-8", "replace")


def test_a_long_run_shows_progress_on_the_terminal_only(large_tree):
    code, stdout, stderr = run_with_terminal_stderr("check", str(large_tree), "--no-cache")
    assert code == 0
    assert "\rormdoctor: parsing files " in stderr and "/3" in stderr
    assert stderr.endswith("\r")  # the line is cleared before the report
    assert "ormdoctor:" not in stdout and stdout.startswith("All checks passed: 30")


@pytest.mark.parametrize("fmt", ["json", "sarif", "github"])
def test_machine_output_never_shows_progress(large_tree, fmt):
    code, stdout, stderr = run_with_terminal_stderr("check", str(large_tree), "--no-cache", "--format", fmt)
    assert (code, stderr) == (0, "")
    assert "parsing files" not in stdout


def test_a_quick_run_shows_no_progress(tmp_path):
    code, stdout, stderr = run_with_terminal_stderr("check", str(clean_project(tmp_path)), "--no-cache")
    assert (code, stderr) == (0, "") and stdout.startswith("All checks passed")


def _duration(root: Path) -> float:
    started = time.monotonic()
    subprocess.run([*ormdoctor_command(), "check", str(root), "--no-cache"], capture_output=True, timeout=300)
    return time.monotonic() - started


def interrupt_after(root: Path, delay: float) -> tuple[int, str, str, float]:
    # Ctrl-C signals the terminal's whole foreground process group: the workers get it too.
    process = subprocess.Popen([*ormdoctor_command(), "check", str(root), "--no-cache"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(delay)
    sent = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    return process.returncode, stdout, stderr, time.monotonic() - sent


def test_ctrl_c_at_any_moment_is_one_line_and_exit_130(large_tree):
    whole = min(_duration(large_tree) for _ in range(2))  # the warm run: the machine's load varies
    # From 5% on: before that the interpreter itself may still be starting, which no program controls.
    for fraction in (0.05, 0.15, 0.3, 0.45):
        code, stdout, stderr, took = interrupt_after(large_tree, whole * fraction)
        assert (code, stdout, stderr) == (130, "", "ormdoctor: interrupted\n"), f"at {fraction:.0%} of the run"
        assert took < 10, f"took {took:.1f} s to stop at {fraction:.0%} of the run"

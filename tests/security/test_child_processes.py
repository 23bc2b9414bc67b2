"""Project code that ormdoctor runs (`check --import`, `verify`) dies with the run: after a timeout, on
Ctrl-C, on SIGTERM and at a normal exit, daemons that left the session included; a finished import
is never a timeout; the project's output costs no memory; its code cannot forge the tracer's result.
Every case runs the real CLI in a subprocess on a small project written for it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.projects import write_project

MODELS = """
from sqlalchemy.orm import Mapped, mapped_column
from app.db import Base


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
"""

# Imported by the tracer: starts a child in the tracer's session, a daemon that double-forks and
# setsid()s, and from that daemon a process with an emptied environment; each writes its pid.
SPAWNING = MODELS + '''
import os, subprocess, sys, time
from pathlib import Path

PIDS = Path(os.environ["PIDS_DIR"])


def _record(name, pid):
    (PIDS / (name + ".tmp")).write_text(str(pid))
    (PIDS / (name + ".tmp")).rename(PIDS / name)


child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
_record("child", child.pid)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        bare = subprocess.Popen(["sleep", "600"], env={}, stdout=subprocess.DEVNULL)
        _record("bare", bare.pid)
        _record("daemon", os.getpid())
        time.sleep(600)
    os._exit(0)
while len(list(PIDS.iterdir())) < 3:
    time.sleep(0.01)
if os.environ.get("HANG"):
    time.sleep(600)
'''
NAMES = ("child", "daemon", "bare")


def ormdoctor(project: Path, *args: str, env: dict | None = None, **popen) -> subprocess.Popen:
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    full_env.pop("ORMDOCTOR_DATABASE_URL", None)
    return subprocess.Popen([sys.executable, "-m", "ormdoctor", "check", str(project), "--import", "--no-cache",
                             *args], env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **popen)


def finish(proc: subprocess.Popen, timeout: float = 120) -> tuple[str, str]:
    """Its output; killed (and the test failed) when it does not end in time."""
    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan is reaped by init, which may take its time)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


def started(pids_dir: Path) -> dict[str, int]:
    return {name: int((pids_dir / name).read_text()) for name in NAMES if (pids_dir / name).exists()}


def assert_all_gone(pids: dict[str, int]) -> None:
    assert sorted(pids) == sorted(NAMES)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(running(pid) for pid in pids.values()):
        time.sleep(0.05)
    alive = {name: pid for name, pid in pids.items() if running(pid)}
    for pid in alive.values():  # do not leave them to the next test
        os.kill(pid, signal.SIGKILL)
    assert alive == {}


@pytest.fixture
def spawning(tmp_path):
    pids = tmp_path / "pids"
    pids.mkdir()
    yield write_project(tmp_path / "p", {"app/models.py": SPAWNING}), pids
    # Whatever a failing run left behind: the recorded pids and any process given this PIDS_DIR.
    needle = f"PIDS_DIR={pids}\0".encode()
    for pid in [*started(pids).values(), *_with_environment(needle)]:
        if running(pid):
            os.kill(pid, signal.SIGKILL)


def _with_environment(needle: bytes) -> list[int]:
    found = []
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            if needle in Path(f"/proc/{name}/environ").read_bytes():
                found.append(int(name))
        except OSError:
            pass
    return found


def test_normal_exit_kills_what_the_import_started_and_is_not_a_timeout(spawning):
    project, pids = spawning
    started_at = time.monotonic()
    proc = ormdoctor(project, "--timeout", "20", env={"PIDS_DIR": str(pids)})
    out, err = finish(proc)
    # The daemon holds the tracer's stdout open for 600 s: waiting for end-of-file would be a timeout.
    assert "took longer than" not in err
    assert (proc.returncode, err) == (0, ""), out + err
    assert time.monotonic() - started_at < 20
    assert_all_gone(started(pids))


def test_timeout_kills_the_whole_run(spawning):
    project, pids = spawning
    proc = ormdoctor(project, "--timeout", "3", env={"PIDS_DIR": str(pids), "HANG": "1"})
    out, err = finish(proc)
    assert proc.returncode == 2
    assert err == ("ormdoctor: error: importing the models took longer than 3 s and was stopped "
                   "(guard slow import-time work with the ORMDOCTOR_RUNTIME environment variable)\n")
    assert_all_gone(started(pids))


@pytest.mark.parametrize("signum,code", [(signal.SIGINT, 130), (signal.SIGTERM, 128 + signal.SIGTERM)])
def test_ctrl_c_and_sigterm_kill_the_whole_run(spawning, signum, code):
    project, pids = spawning
    proc = ormdoctor(project, "--timeout", "120", env={"PIDS_DIR": str(pids), "HANG": "1"})
    deadline = time.monotonic() + 60
    while len(started(pids)) < len(NAMES) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signum)
    out, err = finish(proc, 60)
    assert proc.returncode == code, err
    assert "Traceback" not in err
    assert_all_gone(started(pids))


def test_project_output_is_not_held_in_memory(tmp_path):
    """200 MB on stdout and stderr: ormdoctor's peak RSS stays far below it."""
    chatty = MODELS + '''
import sys
line = "x" * 1023 + "\\n"
for _ in range(100 * 1024):
    sys.stdout.write(line)
    sys.stderr.write(line)
sys.stdout.write("LAST LINE\\n")
'''
    project = write_project(tmp_path / "p", {"app/models.py": chatty})
    measure = ("import resource, subprocess, sys\n"
               "proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
               "print(proc.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
               "sys.stderr.buffer.write(proc.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", measure, sys.executable, "-m", "ormdoctor", "check",
                           str(project), "--import", "--no-cache"], capture_output=True, text=True, timeout=300)
    returncode, peak_kb = map(int, proc.stdout.split())
    assert (returncode, proc.stderr) == (0, "")
    assert peak_kb < 120 * 1024, f"peak RSS {peak_kb // 1024} MB"  # 523 MB before output was streamed


# Forks a process that outlives the import and tries both ways a result could be forged: rewriting
# the result file named on the tracer's command line after the tracer wrote it, and writing into
# every pipe it inherited besides stdin/stdout/stderr.
FORGING = MODELS + '''
import json, os, time
from pathlib import Path

FAKE = b'{"tracer": 1, "python_version": "9.9.9"}'
if os.fork() == 0:
    try:
        for fd in sorted(int(name) for name in os.listdir("/proc/self/fd")):
            try:
                if fd > 2 and os.readlink("/proc/self/fd/%d" % fd).startswith("pipe:"):
                    os.write(fd, FAKE + b"\\n")
            except OSError:
                pass
        argv = Path("/proc/%d/cmdline" % os.getppid()).read_bytes().split(b"\\0")
        result = [Path(arg.decode()) for arg in argv if arg.endswith(b"result.json")]
        deadline = time.time() + 20
        while result and time.time() < deadline:
            if result[0].exists() and result[0].stat().st_size:
                time.sleep(0.05)
                data = json.loads(result[0].read_text())
                data["python_version"] = "9.9.9"
                result[0].write_text(json.dumps(data))
                break
            time.sleep(0.01)
    finally:
        os._exit(0)
'''


@pytest.mark.parametrize("command", [["verify"], ["check", "--import", "--format", "json"]])
def test_project_code_cannot_forge_the_tracer_result(tmp_path, command):
    project = write_project(tmp_path / "p", {"app/models.py": FORGING})
    proc = subprocess.run([sys.executable, "-m", "ormdoctor", *command, str(project), "--no-cache"],
                          capture_output=True, text=True, timeout=120)
    assert "9.9.9" not in proc.stdout + proc.stderr
    assert (proc.returncode, proc.stdout) == (2, ""), proc.stdout + proc.stderr
    assert proc.stderr == (f"ormdoctor: error: the tracer's result under {sys.executable} was not authentic "
                           "(something else wrote to ormdoctor's result channel)\n")


def test_the_real_result_still_arrives_when_the_project_prints_a_fake_one(tmp_path):
    """The silent case: a project that prints result-looking JSON to stdout changes nothing."""
    printing = MODELS + '\nprint(\'{"tracer": 1, "python_version": "9.9.9"}\')\n'
    project = write_project(tmp_path / "p", {"app/models.py": printing})
    proc = subprocess.run([sys.executable, "-m", "ormdoctor", "verify", str(project), "--no-cache"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[0].startswith(f"python {sys.version.split()[0]}, SQLAlchemy ")
    assert "9.9.9" not in proc.stdout


def test_the_sweep_never_reaches_beyond_the_run():
    """The guard for the sweep itself: a marked process in OUR session is the run's, but nothing
    else of our session is, nor this process or its ancestors, even when they carry the marker."""
    from ormdoctor.runtime import reaper

    marker = reaper.new_marker()
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    bystander = subprocess.Popen(sleeper)
    marked = subprocess.Popen(sleeper, env={**os.environ, reaper.MARKER_VAR: marker})
    try:
        assert reaper.members(marked.pid, marker) == {marked.pid}
        inherited = subprocess.Popen(sleeper, env={**os.environ, reaper.MARKER_VAR: marker}, start_new_session=True)
        try:
            assert reaper.members(inherited.pid, marker) == {marked.pid, inherited.pid}
        finally:
            inherited.kill()
            inherited.wait()
    finally:
        for proc in (bystander, marked):
            proc.kill()
            proc.wait()
    assert running(os.getpid())

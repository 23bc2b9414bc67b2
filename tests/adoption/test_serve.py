"""``ormdoctor serve`` with the real CLI: a server process, ``check`` commands answered by it,
each edit seen, and every doubt (a stale socket, a foreign folder, a check that writes or runs
code) settled by checking in the process instead."""

from __future__ import annotations

import os
import queue
import shutil
import socket
import stat
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from adopthelpers import MODEL, clean_project, ormdoctor, ormdoctor_command

pytestmark = pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="Unix sockets only")


@pytest.fixture
def runtime(monkeypatch):
    """A short private folder for the sockets (a Unix socket path holds about 100 bytes)."""
    folder = tempfile.mkdtemp(prefix="od", dir="/tmp")
    monkeypatch.setenv("XDG_RUNTIME_DIR", folder)
    yield Path(folder)
    shutil.rmtree(folder, ignore_errors=True)


class Server:
    def __init__(self, root: Path, *options: str):
        self.process = subprocess.Popen([*ormdoctor_command(), "serve", str(root), *options],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(line) for line in self.process.stderr], daemon=True).start()
        self.log: list[str] = []

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            self.log.append(line)
            if text in line:
                return line
        raise AssertionError(f"no {text!r} from the server within {timeout} s; saw {self.log}")

    def answered(self) -> int:
        """Checks the server has answered so far."""
        while not self.lines.empty():
            self.log.append(self.lines.get())
        return sum("ormdoctor: checked " in line for line in self.log)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)


@pytest.fixture
def served(tmp_path, runtime):
    root = clean_project(tmp_path / "project")
    server = Server(root)
    server.wait_for("serving")
    yield root, server
    server.close()


def without_timing(text: str) -> str:
    return "\n".join(line.rsplit(" in ", 1)[0] if " s." in line else line for line in text.splitlines())


def test_the_server_answers_check_and_sees_every_edit(served):
    root, server = served
    first = ormdoctor("check", cwd=root)
    assert first.returncode == 0 and "All checks passed" in first.stdout
    assert server.answered() == 1
    (root / "app/b.py").write_text(MODEL.format(name="Client", comment=""))
    answered = ormdoctor("check", cwd=root)
    here = ormdoctor("check", "--no-server", cwd=root)
    assert server.answered() == 2  # --no-server was checked here
    assert "app/b.py:6:5: ORM101 [warning] table 'customers' is defined 2 times" in answered.stdout
    assert (answered.returncode, without_timing(answered.stdout)) == (here.returncode, without_timing(here.stdout))
    (root / "app/b.py").unlink()
    assert "All checks passed" in ormdoctor("check", "--format", "json", cwd=root).stdout.replace(
        '"diagnostics": []', "All checks passed")
    assert server.answered() == 3


def test_what_the_terminal_asks_for_is_what_the_server_prints(served):
    root, server = served
    (root / "app/b.py").write_text(MODEL.format(name="Client", comment=""))
    coloured = ormdoctor("check", cwd=root, env={"FORCE_COLOR": "1"})
    plain = ormdoctor("check", cwd=root, env={"NO_COLOR": "1"})
    assert server.answered() == 2
    assert "\033[" in coloured.stdout and "\033[" not in plain.stdout


def test_checks_that_write_files_or_want_a_fresh_run_stay_in_the_process(served, tmp_path):
    root, server = served
    assert ormdoctor("check", "--no-cache", cwd=root).returncode == 0
    assert ormdoctor("check", "-o", str(tmp_path / "report.txt"), cwd=root).returncode == 0
    assert ormdoctor("check", "--baseline", str(tmp_path / "baseline.json"), cwd=root).returncode == 0
    assert ormdoctor("check", "--no-server", cwd=root).returncode == 0
    with_database = ormdoctor("check", cwd=root, env={"ORMDOCTOR_DATABASE_URL": "sqlite://"})
    assert with_database.returncode == 2 and "in-memory SQLite database is always empty" in with_database.stderr
    assert server.answered() == 0
    assert (tmp_path / "report.txt").exists() and (tmp_path / "baseline.json").exists()


def test_stop_removes_the_socket_and_a_second_server_is_refused(served, runtime):
    root, server = served
    sockets = list((runtime / "ormdoctor").iterdir())
    assert len(sockets) == 1
    assert stat.S_IMODE((runtime / "ormdoctor").stat().st_mode) == 0o700
    assert stat.S_IMODE(sockets[0].stat().st_mode) == 0o600
    second = ormdoctor("serve", str(root))
    assert second.returncode == 2 and "a server already answers" in second.stderr
    stopped = ormdoctor("serve", "--stop", str(root))
    assert stopped.returncode == 0 and "stopped the server" in stopped.stderr
    assert server.process.wait(timeout=30) == 0
    assert not sockets[0].exists()
    assert ormdoctor("serve", "--stop", str(root)).returncode == 1


def test_a_stale_socket_is_checked_here_and_replaced_by_the_next_server(tmp_path, runtime):
    root = clean_project(tmp_path / "project")
    server = Server(root)
    server.wait_for("serving")
    server.process.kill()  # no chance to remove its socket
    server.process.wait(timeout=30)
    (stale,) = (runtime / "ormdoctor").iterdir()
    result = ormdoctor("check", cwd=root)
    assert result.returncode == 0 and "All checks passed" in result.stdout
    again = Server(root)
    try:
        again.wait_for("serving")
        assert ormdoctor("check", cwd=root).returncode == 0 and again.answered() == 1
    finally:
        again.close()
    assert stale.name == next((runtime / "ormdoctor").iterdir()).name


def test_a_folder_others_can_enter_is_refused_and_checks_run_here(tmp_path, runtime):
    root = clean_project(tmp_path / "project")
    (runtime / "ormdoctor").mkdir(mode=0o700)
    os.chmod(runtime / "ormdoctor", 0o777)
    refused = ormdoctor("serve", str(root))
    assert refused.returncode == 2 and "no one else can enter (mode 0700)" in refused.stderr
    assert ormdoctor("check", cwd=root).returncode == 0


def test_an_idle_server_stops_by_itself(tmp_path, runtime):
    root = clean_project(tmp_path / "project")
    server = Server(root, "--idle-timeout", "1")
    try:
        server.wait_for("serving")
        server.wait_for("no check for 1 s; stopping", timeout=30)
        assert server.process.wait(timeout=30) == 0
        assert not list((runtime / "ormdoctor").iterdir())
    finally:
        server.close()


def test_another_version_or_a_foreign_request_is_refused():
    from argparse import Namespace

    from ormdoctor.pipeline import RunMemory
    from ormdoctor.server.answer import _answer

    root = Path("/nonexistent")
    assert "runs ormdoctor" in _answer({"version": "0.0.0", "args": {}, "cwd": "/"}, root, RunMemory(), None)["refused"]
    fields = vars(Namespace(command="check", watch=False, no_server=False, no_cache=False, import_=True,
                            show_settings=False, add_ignore=False, baseline=None, output_file=None, db=None))
    from ormdoctor import __version__

    reply = _answer({"version": __version__, "args": fields, "cwd": "/"}, root, RunMemory(), None)
    assert reply == {"refused": "this check does not go to a server"}

"""``check --watch`` with the real CLI: start, edit, see the new result, stop with Ctrl-C."""

from __future__ import annotations

import queue
import signal
import subprocess
import threading
import time

from adopthelpers import MODEL, clean_project, ormdoctor, ormdoctor_command


class Watcher:
    def __init__(self, *args: str):
        self.process = subprocess.Popen([*ormdoctor_command(), "check", "--watch", *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue = queue.Queue()
        for stream in (self.process.stdout, self.process.stderr):
            threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream) -> None:
        for line in stream:
            self.lines.put(line)

    def wait_for(self, *texts: str, timeout: float = 60) -> list[str]:
        """Every line until each of ``texts`` has appeared, in any order: stdout and stderr are
        read by two threads, so a result and the stderr line after it may arrive swapped."""
        seen, missing, deadline = [], list(texts), time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            seen.append(line)
            missing = [text for text in missing if text not in line]
            if not missing:
                return seen
        raise AssertionError(f"no {missing!r} within {timeout} s; saw {seen}")

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=30)
        rest = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        return self.process.returncode, "".join(rest)


def test_watch_rechecks_after_an_edit_and_stops_on_ctrl_c(tmp_path):
    root = clean_project(tmp_path)
    watcher = Watcher(str(root))
    try:
        watcher.wait_for("All checks passed", "watching for changes")
        (root / "app/b.py").write_text(MODEL.format(name="Client", comment=""))
        seen = watcher.wait_for("Found 1 finding", "watching for changes")
        assert any("app/b.py:6:5: ORM101 [warning] table 'customers' is defined 2 times" in line for line in seen)
        (root / "app/b.py").unlink()
        watcher.wait_for("All checks passed")
    finally:
        code, rest = watcher.stop()
    assert code == 130 and rest.endswith("ormdoctor: interrupted\n") and "Traceback" not in rest


def test_watch_survives_a_broken_config_and_recovers(tmp_path):
    root = clean_project(tmp_path)
    watcher = Watcher(str(root))
    try:
        watcher.wait_for("watching for changes")
        (root / "pyproject.toml").write_text("[tool.ormdoctor\n")
        watcher.wait_for("invalid TOML", "watching for changes")
        (root / "pyproject.toml").write_text("[tool.ormdoctor]\n")
        watcher.wait_for("All checks passed")
    finally:
        watcher.stop()


def test_watch_refuses_options_that_write(tmp_path):
    result = ormdoctor("check", "--watch", "--baseline", str(tmp_path / "b.json"), str(clean_project(tmp_path)))
    assert result.returncode == 2
    assert result.stderr == ("ormdoctor: error: --watch prints each result; it cannot be used with --add-ignore, "
                             "--baseline or -o\n")


def test_a_run_under_watch_checks_the_tree_as_the_watch_last_saw_it(tmp_path):
    """The look that saw a change hands its file list and stats to the run (no second walk of
    the tree): a file added after that look is not in this run, and the next look differs from
    it, so the watch checks again and the new file is seen then."""
    from ormdoctor.pipeline import RunMemory, analyse
    from ormdoctor.watch import snapshot

    root = clean_project(tmp_path)
    memory = RunMemory()
    look = snapshot([str(root)], None)
    memory.look = look
    first = analyse([str(root)], memory=memory, reuse_result=True)
    (root / "app" / "late.py").write_text("from app.db import Base\n\nclass Late(Base):\n    __tablename__ = 'late'\n")
    memory.look = look  # the same look: the late file is not listed in it
    assert analyse([str(root)], memory=memory, reuse_result=True).scope["files"] == first.scope["files"]
    later = snapshot([str(root)], None)
    assert later != look
    memory.look = later
    seen = analyse([str(root)], memory=memory, reuse_result=True)
    fresh = analyse([str(root)], use_cache=False)
    assert seen.scope["files"] == first.scope["files"] + 1
    assert [f.message for f in seen.findings] == [f.message for f in fresh.findings]
    assert seen.scope == fresh.scope

"""Running project code in a child process: the one way ormdoctor does it.

- The child leads a session of its own and carries a per-run marker (see reaper.py); when the
  run ends for any reason (normal exit, timeout, Ctrl-C, SIGTERM, an exception here) everything
  it started is killed, daemons that called setsid() included.
- The request goes to the child's stdin and the result comes back signed on a private pipe
  (see channel.py): no file holds the database URL, and project code cannot forge the result.
- The project's stdout and stderr are drained as they come and only their last KEPT_BYTES are
  kept: a project that prints gigabytes costs no memory.
- A run that finished is never reported as a timeout: the child's exit and its closed result
  pipe are checked before the clock.
"""

from __future__ import annotations

import os
import secrets
import selectors
import signal
import subprocess
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from ormdoctor.database.url import ENV_VAR as DATABASE_URL_VAR

from . import channel, reaper

# What every process that imports project code gets: ORMDOCTOR_RUNTIME=1 lets an application
# skip side effects at import; no bytecode is written into the user's tree.
RUNTIME_ENV = {"ORMDOCTOR_RUNTIME": "1", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8"}
KEPT_BYTES = 64 * 1024  # of each of stdout and stderr
MAX_RESULT_BYTES = 1 << 30  # a larger "result" is not the tracer's
_READ = 1 << 16
_DRAIN_AFTER_EXIT = 2.0  # seconds to collect output still in the pipes once the child is gone


class Timeout(Exception):
    """The child ran longer than allowed; it and everything it started were killed."""


class ForgedResult(Exception):
    """The result channel carried bytes the child's tracer did not sign."""


@dataclass(frozen=True)
class Finished:
    returncode: int
    stdout: str  # the last KEPT_BYTES, decoded
    stderr: str
    result: dict | None  # what the child sent with channel.receive_request's `send`; None: nothing


def run_isolated(command: list[str], cwd: str, timeout: float, request: dict | None = None) -> Finished:
    """Run `command`; with a `request`, the command is a script that calls channel.receive_request.

    Raises OSError when the command cannot start, Timeout when it runs too long, ForgedResult
    when something other than the child's own `send` wrote to the result pipe."""
    marker, key = reaper.new_marker(), secrets.token_bytes(channel.KEY_BYTES)
    env = {**os.environ, **RUNTIME_ENV, reaper.MARKER_VAR: marker}
    env.pop(DATABASE_URL_VAR, None)  # project code gets no database URL; a probe gets it in its request
    with _sigterm_raises():
        result_read, result_write = map(_above_stdio, os.pipe())
        try:
            proc = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, start_new_session=True, pass_fds=(result_write,))
        except BaseException:
            os.close(result_read)
            raise
        finally:
            os.close(result_write)  # from here on only the child holds the write end
        streams = _Streams(proc, result_read)
        try:
            _feed(proc, channel.envelope(request, result_write, key) if request is not None else b"")
            finished = streams.pump(time.monotonic() + timeout)
        finally:
            with _signals_blocked():  # a second Ctrl-C must not interrupt the cleanup
                reaper.kill_run(proc.pid, marker)
                proc.wait()
                streams.drain(time.monotonic() + _DRAIN_AFTER_EXIT)
                streams.close()
    if not finished:
        raise Timeout
    return Finished(proc.returncode, streams.text("stdout"), streams.text("stderr"), streams.result(key))


def _above_stdio(fd: int) -> int:
    """`fd`, or a copy numbered 3 or more: with ormdoctor's own stdin closed a pipe could get fd 0,
    which the child's stdin would then replace."""
    if fd > 2:
        return fd
    import fcntl

    copy = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3)
    os.close(fd)
    return copy


def _feed(proc: subprocess.Popen, data: bytes) -> None:
    """Write the request from a thread: the child may print before it reads, and must be drained."""

    def write() -> None:
        try:
            proc.stdin.write(data)
        except OSError:  # the child exited without reading (not Python, a crash): reported by its exit
            pass
        finally:
            try:
                proc.stdin.close()
            except OSError:
                pass

    threading.Thread(target=write, name="ormdoctor-request", daemon=True).start()


class _Tail:
    """The last `limit` bytes written to it, in amortised constant memory."""

    def __init__(self, limit: int = KEPT_BYTES):
        self.limit = limit
        self.data = bytearray()

    def add(self, chunk: bytes) -> None:
        self.data += chunk
        if len(self.data) > 2 * self.limit:
            del self.data[:-self.limit]

    def text(self) -> str:
        return bytes(self.data[-self.limit:]).decode("utf-8", errors="replace")


class _Streams:
    """The child's stdout, stderr (tails kept) and result pipe (kept whole, up to a cap)."""

    def __init__(self, proc: subprocess.Popen, result_fd: int):
        self.proc = proc
        self.tails = {"stdout": _Tail(), "stderr": _Tail()}
        self.payload = bytearray()
        self.oversized = False
        self.result_closed = False
        self.selector = selectors.DefaultSelector()
        self.selector.register(proc.stdout, selectors.EVENT_READ, "stdout")
        self.selector.register(proc.stderr, selectors.EVENT_READ, "stderr")
        self.result_file = os.fdopen(result_fd, "rb", buffering=0)
        self.selector.register(self.result_file, selectors.EVENT_READ, "result")

    def pump(self, deadline: float) -> bool:
        """Read until the child is done (True) or the deadline passes first (False)."""
        while True:
            if self.proc.poll() is not None:
                return True
            if self.result_closed and self.payload:  # the tracer sent its result and is exiting
                try:
                    self.proc.wait(timeout=max(0.0, min(1.0, deadline - time.monotonic())))
                except subprocess.TimeoutExpired:
                    pass
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._read_ready(min(remaining, 0.05))

    def drain(self, deadline: float) -> None:
        """What is left in the pipes once the run is over; a writer nobody could kill is given up on."""
        while self.selector.get_map() and time.monotonic() < deadline:
            self._read_ready(deadline - time.monotonic())

    def close(self) -> None:
        for key in list(self.selector.get_map().values()):
            self.selector.unregister(key.fileobj)
        self.selector.close()
        for stream in (self.proc.stdout, self.proc.stderr, self.result_file):
            stream.close()

    def text(self, name: str) -> str:
        return self.tails[name].text()

    def result(self, key: bytes) -> dict | None:
        if not self.payload and not self.oversized:
            return None
        found = None if self.oversized else channel.open_result(bytes(self.payload), key)
        if found is None:
            raise ForgedResult
        return found

    def _read_ready(self, wait: float) -> None:
        for key, _ in self.selector.select(wait):
            chunk = os.read(key.fd, _READ)
            if not chunk:
                self.selector.unregister(key.fileobj)
                self.result_closed |= key.data == "result"
            elif key.data != "result":
                self.tails[key.data].add(chunk)
            elif len(self.payload) + len(chunk) <= MAX_RESULT_BYTES:
                self.payload += chunk
            else:
                self.oversized = True


@contextmanager
def _sigterm_raises():
    """SIGTERM ends ormdoctor through SystemExit (exit 143), so the cleanup above runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def _terminated(signum, _frame):
    raise SystemExit(128 + signum)


@contextmanager
def _signals_blocked():
    """Ctrl-C and SIGTERM wait until the block is over; their handlers run then."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    blocked = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)

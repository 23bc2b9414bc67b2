"""The server: ``ormdoctor serve``. One project, one request at a time, each a check of the
tree as it is at that moment (the files are listed and stat'ed again, as ``check --watch``
does on every look), run with what the previous checks left in memory."""

from __future__ import annotations

import argparse
import gc
import io
import os
import socket
import struct
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from ormdoctor import __version__
from ormdoctor.pipeline import RunMemory, UsageError, _load_analysis, prepare
from ormdoctor.server.address import AddressError, socket_path, supported
from ormdoctor.server.ask import FORWARDED, servable
from ormdoctor.server.wire import MAX_REQUEST, WireError, receive, send

QUIET = 1.0  # seconds without a request after which the last run's garbage is collected


def serve(root: Path, idle_timeout: float | None, log=sys.stderr) -> int:
    if not supported():
        raise UsageError("ormdoctor serve needs Unix sockets, which this system does not have")
    try:
        path = socket_path(root, create=True)
    except AddressError as exc:
        raise UsageError(str(exc)) from None
    if _answers(path):
        raise UsageError(f"a server already answers for {root} (stop it with `ormdoctor serve --stop`)")
    memory = RunMemory()
    print(f"ormdoctor: reading {root} ...", file=log, flush=True)
    prepare(memory, [str(root)])  # the first check is then as fast as the later ones
    _load_analysis()  # the rules too
    listener, inode = _listen(path)
    print(f"ormdoctor: serving {root}: `ormdoctor check` run in this project is answered here "
          f"(Ctrl-C or `ormdoctor serve --stop` stops)", file=log, flush=True)
    try:
        return _loop(listener, root, memory, idle_timeout, log)
    finally:
        listener.close()
        _remove_own(path, inode)


def stop(root: Path) -> int:
    """Ask the server of ``root`` to stop: 0 when one did, 1 when none was running."""
    from ormdoctor.server.wire import MAX_REPLY

    try:
        path = socket_path(root)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(5.0)
            connection.connect(str(path))
            send(connection, {"version": __version__, "stop": True})
            receive(connection, MAX_REPLY)
    except (AddressError, OSError, WireError):
        print(f"ormdoctor: no server runs for {root}", file=sys.stderr)
        return 1
    print(f"ormdoctor: stopped the server of {root}", file=sys.stderr)
    return 0


def _answers(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(1.0)
            probe.connect(str(path))
        return True
    except OSError:
        return False


def _listen(path: Path) -> tuple[socket.socket, int]:
    """The listening socket and its inode (removed at exit only if still this one)."""
    try:
        path.unlink()  # a server that was killed leaves its socket behind
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    previous = os.umask(0o177)  # the socket is born 0600: no moment when others could connect
    try:
        listener.bind(str(path))
    finally:
        os.umask(previous)
    listener.listen(8)
    return listener, path.stat().st_ino


def _remove_own(path: Path, inode: int) -> None:
    try:
        if path.stat().st_ino == inode:
            path.unlink()
    except OSError:
        pass


def _loop(listener: socket.socket, root: Path, memory: RunMemory, idle_timeout: float | None, log) -> int:
    collected = True
    while True:
        listener.settimeout(QUIET if not collected else idle_timeout)
        try:
            connection, _ = listener.accept()
        except socket.timeout:
            if not collected:
                gc.collect()  # what the run left (runs are never collected: pipeline.without_gc)
                collected = True
                continue
            print(f"ormdoctor: no check for {idle_timeout:g} s; stopping", file=log, flush=True)
            return 0
        with connection:
            if not _same_user(connection):
                continue
            connection.settimeout(30.0)  # for the request; the answer may take longer to compute
            try:
                message = receive(connection, MAX_REQUEST)
            except (OSError, WireError):
                continue
            if message.get("stop"):
                _reply(connection, {"stopped": True})
                print("ormdoctor: stopped on request", file=log, flush=True)
                return 0
            _reply(connection, _answer(message, root, memory, log))
            collected = False


def _reply(connection: socket.socket, message: dict) -> None:
    try:
        connection.settimeout(60.0)
        send(connection, message)
    except OSError:
        pass  # the client gave up waiting and checked itself


def _same_user(connection: socket.socket) -> bool:
    """The folder already keeps other users out; the peer's credentials say it again (Linux)."""
    if not hasattr(socket, "SO_PEERCRED"):
        return True
    credentials = struct.Struct("3i")
    _, uid, _ = credentials.unpack(connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, credentials.size))
    return uid == os.getuid()


def _answer(message: dict, root: Path, memory: RunMemory, log) -> dict:
    if message.get("version") != __version__:
        return {"refused": f"it runs ormdoctor {__version__}, this is {message.get('version')}"}
    fields, cwd = message.get("args"), message.get("cwd")
    if not isinstance(fields, dict) or not isinstance(cwd, str):
        return {"refused": "not a check request"}
    args = argparse.Namespace(**fields)
    if not servable(args):
        return {"refused": "this check does not go to a server"}
    started = time.perf_counter()
    try:
        os.chdir(cwd)
    except OSError:
        return {"refused": f"cannot enter {cwd}"}
    env = {k: v for k, v in (message.get("env") or {}).items() if k in FORWARDED and isinstance(v, str)}
    with _environment(env), _captured(bool(message.get("tty"))) as (out, err):
        try:
            status = _check(args, root, memory)
        except UsageError as exc:
            from ormdoctor.report.sanitize import printable

            print(f"ormdoctor: error: {printable(str(exc))}", file=sys.stderr)
            status = 2
        except Exception as exc:  # noqa: BLE001 - the client checks by itself and reports it
            print(f"ormdoctor: failed on a check in {cwd}: {type(exc).__name__}: {exc}", file=log, flush=True)
            return {"refused": "the server failed on this check"}
    if status is None:
        return {"refused": f"this check is not of {root}"}
    print(f"ormdoctor: checked {cwd} (exit {status}) in {time.perf_counter() - started:.2f} s", file=log, flush=True)
    return {"status": status, "stdout": out.getvalue(), "stderr": err.getvalue()}


def _check(args, root: Path, memory: RunMemory) -> int | None:
    from ormdoctor.commands.check import run_once
    from ormdoctor.watch import snapshot

    look = snapshot(args.paths, args.config)
    if look.root is not None and look.root != root:
        return None
    memory.look = look
    return run_once(args, memory)


class _Terminal(io.StringIO):
    """The client's stdout as the report sees it: a terminal when the client's is one."""

    def __init__(self, tty: bool):
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@contextmanager
def _captured(tty: bool):
    out, err = _Terminal(tty), _Terminal(False)  # progress goes to a terminal only: none here
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        yield out, err
    finally:
        sys.stdout, sys.stderr = saved


@contextmanager
def _environment(values: dict[str, str]):
    saved = {name: os.environ.get(name) for name in FORWARDED}
    for name in FORWARDED:
        if name in values:
            os.environ[name] = values[name]
        else:
            os.environ.pop(name, None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

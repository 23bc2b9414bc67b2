"""Finding and killing every process a run started, daemons included, without cgroups.

A run's child leads a session of its own, and its environment carries a per-run marker that
every descendant inherits. A process belongs to the run when it is in the child's session, when
its initial environment (/proc/PID/environ, which changing os.environ does not rewrite) holds the
marker, or when it is in a session that a marked process created (``setsid()`` in a daemon).

What escapes: a process that leaves the session AND replaces its environment by exec'ing with an
emptied one (``env -i``), before ormdoctor looks; only a cgroup could follow that. Without /proc
(macOS) only the child's session is killed.
"""

from __future__ import annotations

import os
import secrets
import signal
import time

MARKER_VAR = "ORMDOCTOR_RUN_ID"
_ROUNDS = 20  # a fork bomb gets this many sweeps before ormdoctor gives up on it


def new_marker() -> str:
    return f"{os.getpid()}-{secrets.token_hex(8)}"


def kill_run(leader: int, marker: str) -> None:
    """SIGKILL the child's process group and every process of the run, until none is found."""
    if leader <= 1:  # os.killpg(0) would be our own group
        return
    _kill_group(leader)
    for _ in range(_ROUNDS):
        victims = members(leader, marker)
        if not victims:
            return
        for pid in victims:
            _kill(pid)
        time.sleep(0.005)


def members(leader: int, marker: str) -> set[int]:
    """Live processes of the run (the leader's own session included), zombies left out.

    Never ormdoctor itself, its ancestors, or anything in their sessions: a session counts only
    when the run's leader or a marked process lives in it and it is none of ours."""
    needle = f"{MARKER_VAR}={marker}".encode()
    table = dict(_processes())  # pid -> (ppid, session)
    ours = _ancestors(table)
    foreign = {0} | {table[pid][1] for pid in ours if pid in table}
    marked = {pid for pid in table if pid not in ours and needle in _environ(pid)}
    sessions = ({leader} | {table[pid][1] for pid in marked}) - foreign
    return {pid for pid, (_, sid) in table.items() if pid not in ours and (pid in marked or sid in sessions)}


def _ancestors(table: dict[int, tuple[int, int]]) -> set[int]:
    """This process, its parents up to init, and init itself."""
    found, pid = {1}, os.getpid()
    while pid > 1 and pid not in found:
        found.add(pid)
        pid = table.get(pid, (0, 0))[0]
    return found


def _processes():
    """(pid, (parent pid, session id)) of every live, non-zombie process we can see."""
    try:
        names = os.listdir("/proc")
    except OSError:
        return
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                fields = handle.read().rpartition(b")")[2].split()
        except OSError:
            continue
        if len(fields) > 3 and fields[0] not in (b"Z", b"X"):  # state ppid pgrp session ...
            yield int(name), (int(fields[1]), int(fields[3]))


def _environ(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            return handle.read()
    except OSError:  # another user's process, or gone
        return b""


def _kill_group(leader: int) -> None:
    try:
        os.killpg(leader, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass

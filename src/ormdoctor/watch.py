"""``check --watch``: check, then check again whenever a Python file or a setting changes.

Polls the stat of the project's files (stdlib only, no file-system events library): a change of
mtime, size or inode, a new or a deleted file. Each run uses the facts cache, so only the changed
files are parsed again, and keeps what still holds in memory for the next (pipeline.RunMemory:
the facts, and the import graph when the edit left every file's imports as they were; when a
run answered from the stored result, they are read while the tree is quiet). Ctrl-C
ends the watch (exit 130, like any interrupted run).
"""

from __future__ import annotations

import gc
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ormdoctor.pipeline import UsageError

INTERVAL = 0.5  # seconds between two looks at the tree
SETTINGS = ("pyproject.toml", "setup.cfg", "pytest.ini", "tox.ini", ".gitignore")


@dataclass(eq=False)
class Look:
    """One look at the tree: the files the check reads, each with its (mtime, size, inode), and
    their full stats, which the run that follows uses instead of taking them again. Two looks
    are equal when every file has the same signature (an atime that moves is no change)."""

    root: Path | None = None
    files: list[str] = field(default_factory=list)  # the .py files to check, as discover lists them
    signatures: dict[str, tuple] = field(default_factory=dict)
    stats: dict[str, os.stat_result] = field(default_factory=dict)

    def __eq__(self, other) -> bool:
        return isinstance(other, Look) and self.signatures == other.signatures


def watch(run_once, paths: list[str], config_path: str | None, interval: float = INTERVAL, idle=None) -> int:
    """``run_once(look)``: a check of the tree as ``look`` saw it. ``idle()``: work that pays off
    at the next change, done once the tree has been quiet for an interval after a run
    (pipeline.prepare)."""
    before = snapshot(paths, config_path)
    while True:
        _clear_screen()
        try:
            run_once(before)
        except UsageError as exc:  # a broken config, the last file deleted: say so and keep watching
            print(f"ormdoctor: error: {exc}", file=sys.stderr)
        print("ormdoctor: watching for changes (Ctrl-C to stop)", file=sys.stderr, flush=True)
        collected = False
        # The look that sees a change is the state the next run starts from: a change made
        # while it runs is seen by the look after it.
        while (now := snapshot(paths, config_path)) == before:
            time.sleep(interval)
            if not collected:
                if idle is not None:
                    try:
                        idle()
                    except UsageError:  # the next run says what is wrong
                        pass
                # What the run left behind: runs are never collected (pipeline.without_gc). Once
                # nothing changed for an interval, so that a quick second save is not kept waiting.
                gc.collect()
                collected = True
        before = now


def snapshot(paths: list[str], config_path: str | None) -> Look:
    """(mtime, size, inode) of every file the check reads; no file while the path is missing."""
    from ormdoctor.config import Config, ConfigError, load_config
    from ormdoctor.pipeline import project_root
    from ormdoctor.project.discover import alembic_ini_files, discover

    try:
        root, includes = project_root(paths)
    except UsageError:
        return Look()
    try:
        config = load_config(root, Path(config_path) if config_path else None)
    except ConfigError:  # the run reports it; the files are still watched
        config = Config()
    python = discover(root, config.include + includes, config.exclude)
    files = python + [name for name in SETTINGS if (root / name).exists()]
    files += [p.relative_to(root).as_posix() for p in alembic_ini_files(root)]
    if config_path:
        files.append(str(Path(config_path).resolve()))
    look = Look(root, python)
    folder = os.fspath(root) + os.sep  # a string join: a Path per file costs a fifth of the look
    for name in files:
        try:
            stat = os.stat(name if os.path.isabs(name) else folder + name)
        except OSError:
            look.signatures[name] = ()
            continue
        look.stats[name] = stat
        look.signatures[name] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    return look


def _clear_screen() -> None:
    if sys.stdout.isatty() and os.environ.get("TERM") != "dumb":
        sys.stdout.write("\033[2J\033[H")
        sys.stdout.flush()

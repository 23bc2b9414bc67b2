"""Progress of a long run: one status line on stderr, rewritten in place.

Shown only when stderr is a terminal and the report is text (never in machine output), and only
once a run has lasted half a second, so quick runs print nothing extra. Stages report
``(stage, done, total)``; the line is cleared before the report or an error is printed.
"""

from __future__ import annotations

import sys
import time

DELAY = 0.5  # seconds before the first line: a quick run shows nothing
INTERVAL = 0.1  # at most ten updates a second


def silent(stage: str, done: int = 0, total: int = 0) -> None:
    """The progress of a run nobody watches."""


class TerminalProgress:
    def __init__(self, stream=None, delay: float = DELAY):
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.delay = delay
        self.last = 0.0
        self.width = 0

    def __call__(self, stage: str, done: int = 0, total: int = 0) -> None:
        now = time.monotonic()
        if now - self.started < self.delay or (now - self.last < INTERVAL and 0 < done < total):
            return
        self.last = now
        line = f"ormdoctor: {stage}" + (f" {done}/{total}" if total else "") + "…"
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def close(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


def for_run(fmt: str, stream=None):
    """A TerminalProgress for a text report on a terminal, else ``None`` (use ``silent``)."""
    stream = stream or sys.stderr
    if fmt == "text" and hasattr(stream, "isatty") and stream.isatty():
        return TerminalProgress(stream)
    return None

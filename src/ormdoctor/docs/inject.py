"""Put generated text into a file: whole, or between the ormdoctor:docs markers; check staleness.

The file's line endings are kept: the new text is written with the ending the file already uses.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

START = "<!-- ormdoctor:docs:start -->"
END = "<!-- ormdoctor:docs:end -->"
_START = re.compile(r"<!--\s*ormdoctor:docs:start\s*-->")
_END = re.compile(r"<!--\s*ormdoctor:docs:end\s*-->")


class MarkerError(Exception):
    """The file has no usable pair of markers (one line, for exit status 2)."""


def read_text(path: Path) -> str | None:
    """The file as stored, line endings untouched; None when it does not exist."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def line_ending(text: str | None) -> str:
    if text and "\r\n" in text:
        return "\r\n"
    return "\n"


def with_ending(text: str, ending: str) -> str:
    text = text.replace("\r\n", "\n")
    return text if ending == "\n" else text.replace("\n", ending)


def replace_block(current: str, generated: str, name: str) -> str:
    """``current`` with the text between the markers replaced by ``generated``."""
    start = _START.search(current)
    end = _END.search(current, start.end()) if start else None
    if start is None or end is None:
        missing = "start and end markers" if start is None and not _END.search(current) else \
            "start marker" if start is None else "end marker after the start marker"
        raise MarkerError(f"{name} has no {missing}: add {START} and {END} where the documentation goes")
    ending = line_ending(current)
    body = with_ending("\n" + generated.rstrip("\n") + "\n", ending)
    return current[:start.end()] + body + current[end.start():]


def whole_file(current: str | None, generated: str) -> str:
    return with_ending(generated, line_ending(current))


def unified_diff(old: str | None, new: str, name: str) -> str:
    old_lines = (old or "").replace("\r\n", "\n").splitlines(keepends=True)
    new_lines = new.replace("\r\n", "\n").splitlines(keepends=True)
    diff = difflib.unified_diff(old_lines, new_lines, f"a/{name}", f"b/{name}")
    out = "".join(line if line.endswith("\n") else line + "\n" for line in diff)
    if not out and old != new:  # only the line endings differ
        out = f"--- a/{name}\n+++ b/{name}\n(line endings differ)\n"
    return out

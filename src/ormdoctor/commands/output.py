"""Writing a command's output to stdout or a file, never destructively (see ``safe_write``)."""

from __future__ import annotations

import sys
from pathlib import Path

from ormdoctor.pipeline import UsageError
from ormdoctor.safe_write import WriteRefused, write_bytes, write_text


def emit(text: str, path: str | None = None) -> None:
    if not path:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_file(path, text)


def write_file(path: str | Path, content: str | bytes) -> None:
    try:
        if isinstance(content, bytes):
            write_bytes(Path(path), content)
        else:
            write_text(path, content)
    except WriteRefused as exc:
        raise UsageError(str(exc)) from None


def write_atomic(path: str | Path, text: str, encoding: str = "utf-8", newline: str | None = None) -> None:
    """A project file or a report written whole or not at all (symlinks followed, mode kept)."""
    try:
        write_text(path, text, encoding=encoding, newline=newline)
    except WriteRefused as exc:
        raise UsageError(str(exc)) from None


def split_codes(values) -> list[str]:
    return [c.strip() for v in values or [] for c in v.split(",") if c.strip()]

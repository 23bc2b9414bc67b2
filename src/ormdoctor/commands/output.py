"""Writing a command's output to stdout or a file, atomically."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from ormdoctor.pipeline import UsageError


def emit(text: str, path: str | None = None) -> None:
    if not path:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_atomic(Path(path), text)


def write_atomic(path: Path, text: str, encoding: str = "utf-8", newline: str | None = None) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding=encoding, newline=newline) as handle:
            handle.write(text)
        os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else _new_file_mode())
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def _new_file_mode() -> int:
    """What open() would give a new file: 0o666 less the umask (mkstemp makes it 0o600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def split_codes(values) -> list[str]:
    return [c.strip() for v in values or [] for c in v.split(",") if c.strip()]

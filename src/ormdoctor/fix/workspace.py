"""A scratch copy of the project where fixes are applied, re-checked and rolled back before
anything in the real project changes; then the difference, as a diff or as atomic writes."""

from __future__ import annotations

import difflib
import shutil
import tempfile
from pathlib import Path

from ormdoctor.fix.source import decode

_SKIP = {".git", ".hg", ".svn", ".venv", "venv", ".venvs", "node_modules", "__pycache__", ".ormdoctor_cache",
         ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox", ".nox", "build", "dist"}


class Workspace:
    def __init__(self, root: Path):
        self.root = root
        self._dir = tempfile.TemporaryDirectory(prefix="ormdoctor-fix-")
        self.scratch = Path(self._dir.name) / root.name
        shutil.copytree(root, self.scratch, ignore=self._ignore, symlinks=True)
        self.original: dict[str, bytes] = {}  # files changed in the scratch copy, as they were

    @staticmethod
    def _ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if n in _SKIP or n.endswith((".pyc", ".egg-info"))}

    def close(self) -> None:
        self._dir.cleanup()

    def read(self, path: str) -> bytes:
        return (self.scratch / path).read_bytes()

    def write(self, path: str, data: bytes) -> None:
        if path not in self.original:
            self.original[path] = (self.root / path).read_bytes()
        (self.scratch / path).write_bytes(data)

    def restore(self, path: str) -> bytes:
        """Put the original back in the scratch copy; returns what the fix had written."""
        fixed = self.read(path)
        (self.scratch / path).write_bytes(self.original[path])
        return fixed

    def changed(self) -> dict[str, bytes]:
        """path → new bytes, for files whose bytes really differ from the project's."""
        found = {}
        for path, before in sorted(self.original.items()):
            after = self.read(path)
            if after != before:
                found[path] = after
        return found


def unified_diff(path: str, before: bytes, after: bytes) -> str:
    old = decode(path, before).splitlines(keepends=True)
    new = decode(path, after).splitlines(keepends=True)
    lines = difflib.unified_diff(old, new, fromfile=f"a/{path}", tofile=f"b/{path}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)

"""Per-file facts keyed by content hash and tool version, in one file under .ormdoctor_cache/."""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

from ormdoctor import __version__
from ormdoctor.static.facts import FileFacts

CACHE_DIR = ".ormdoctor_cache"


class FactsCache:
    def __init__(self, root: Path):
        self.file = root / CACHE_DIR / f"facts-{__version__}.pickle"
        self.entries: dict[str, FileFacts] = self._load()
        self.dirty = False

    def _load(self) -> dict[str, FileFacts]:
        try:
            with open(self.file, "rb") as handle:
                data = pickle.load(handle)
            return data if isinstance(data, dict) else {}
        except Exception:  # a damaged or foreign cache is rebuilt, never fatal
            return {}

    def get(self, path: str, digest: str) -> FileFacts | None:
        facts = self.entries.get(path)
        return facts if facts is not None and facts.digest == digest else None

    def put(self, facts: FileFacts) -> None:
        if facts.digest:
            self.entries[facts.path] = facts
            self.dirty = True

    def save(self, live: set[str]) -> None:
        stale = set(self.entries) - live
        if not self.dirty and not stale:
            return
        for path in stale:
            del self.entries[path]
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            gitignore = self.file.parent / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("*\n", encoding="utf-8")
            fd, tmp = tempfile.mkstemp(dir=self.file.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(self.entries, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.file)
        except OSError:
            pass  # a read-only project is still checked, just not cached

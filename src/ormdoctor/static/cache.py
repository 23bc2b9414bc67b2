"""What an unchanged tree does not need to compute again, under .ormdoctor_cache/.

- ``index``: path → (mtime_ns, size, content digest). A file whose stat is unchanged is not
  even read (the same trade-off git's index makes).
- ``facts``: per-file facts keyed by content digest; loaded only when some file changed.
- ``result``: the findings of the last run, keyed by every digest, the configuration and the
  selected codes, so re-checking an unchanged tree skips the inventory and the rules.
Everything is keyed by the tool version; a damaged or foreign cache is ignored, never fatal.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from ormdoctor import __version__
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ormdoctor.static.facts import FileFacts

CACHE_DIR = ".ormdoctor_cache"


class FactsCache:
    def __init__(self, root: Path):
        self.root = root
        self.folder = root / CACHE_DIR
        self.index: dict[str, tuple[int, int, str]] = self._load("index") or {}
        self._entries: dict[str, FileFacts] | None = None
        self.dirty = False

    # Stat index --------------------------------------------------------------------------
    def known_digest(self, path: str, stat: os.stat_result) -> str | None:
        entry = self.index.get(path)
        if entry is not None and entry[0] == stat.st_mtime_ns and entry[1] == stat.st_size:
            return entry[2]
        return None

    def remember(self, path: str, stat: os.stat_result, digest: str) -> None:
        if self.index.get(path) != (stat.st_mtime_ns, stat.st_size, digest):
            self.index[path] = (stat.st_mtime_ns, stat.st_size, digest)
            self.dirty = True

    # Facts -------------------------------------------------------------------------------
    @property
    def entries(self) -> dict[str, FileFacts]:
        if self._entries is None:
            self._entries = self._load("facts") or {}
        return self._entries

    def get(self, path: str, digest: str) -> FileFacts | None:
        facts = self.entries.get(path)
        return facts if facts is not None and facts.digest == digest else None

    def put(self, facts: FileFacts) -> None:
        if facts.digest:
            self.entries[facts.path] = facts
            self.dirty = True

    def save(self, live: set[str]) -> None:
        for table in (self.index, self._entries or {}):
            for path in set(table) - live:
                del table[path]
                self.dirty = True
        if self.dirty:
            self._store("index", self.index)
            if self._entries is not None:
                self._store("facts", self._entries)
            self.dirty = False

    # Results -----------------------------------------------------------------------------
    def load_result(self, key: str):
        stored = self._load("result")
        return stored["value"] if isinstance(stored, dict) and stored.get("key") == key else None

    def save_result(self, key: str, value) -> None:
        self._store("result", {"key": key, "value": value})

    # Files -------------------------------------------------------------------------------
    def _file(self, name: str) -> Path:
        return self.folder / f"{name}-{__version__}.pickle"

    def _load(self, name: str):
        try:
            with open(self._file(name), "rb") as handle:
                stored = pickle.load(handle)
        except Exception:
            return None
        return stored[1] if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == tool_fingerprint() else None

    def _store(self, name: str, value) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            gitignore = self.folder / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("*\n", encoding="utf-8")
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump((tool_fingerprint(), value), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self._file(name))
        except OSError:
            pass  # a read-only project is still checked, just not cached


_FINGERPRINT: list[str] = []


def tool_fingerprint() -> str:
    """The version plus the stat of ormdoctor's own source: a reinstall or an edit of the
    tool invalidates every cached fact and result, even without a version bump."""
    if not _FINGERPRINT:
        package = Path(__file__).resolve().parent.parent
        hasher = hashlib.blake2b(__version__.encode(), digest_size=12)
        for folder, _, files in sorted(os.walk(package)):
            for name in sorted(files):
                if name.endswith(".py"):
                    stat = os.stat(os.path.join(folder, name))
                    hasher.update(f"{folder}/{name}:{stat.st_mtime_ns}:{stat.st_size}".encode())
        _FINGERPRINT.append(hasher.hexdigest())
    return _FINGERPRINT[0]


def result_key(digests: dict[str, str], *parts: object) -> str:
    hasher = hashlib.blake2b(digest_size=20)
    hasher.update(__version__.encode())
    for part in parts:
        hasher.update(repr(part).encode())
    for path in sorted(digests):
        hasher.update(f"{path}\0{digests[path]}\n".encode())
    return hasher.hexdigest()

"""What an unchanged tree does not need to compute again, under .ormdoctor_cache/.

The cache lives in the checked project, so it is untrusted input: a repository can commit one.
It therefore holds data only (SQLite rows of plain values; facts and findings as JSON decoded
by their declared types, see ``codec``) and every row carries a MAC keyed by a per-user secret
kept outside the project (the user cache directory, mode 0600). A row whose MAC does not
verify (forged, copied from another user or machine, or written by another ormdoctor or
Python) is ignored and rewritten.

- ``stat``: the stat index, one MAC'd document: each file's stat signature (mtime, ctime, size,
  inode: ``cp -p`` keeps the mtime but not the ctime), content digest and facts digest. A file
  whose signature is unchanged is not even read (the same trade-off git's index makes); any
  other file is hashed, and a file whose content is unchanged keeps its facts. One document and
  one MAC, not a row each: an unchanged re-check of a large tree reads it in a few milliseconds.
- ``files``: one row per file: its content digest and its facts as JSON.
- ``results``: the findings of the last run, keyed by every file's *facts* digest, the
  configuration and the selected codes. The findings are a function of the facts, so an edit
  that changes no fact (a function body, a comment, code below the imports of a module without
  models) re-checks from the stored result: only the edited file is extracted again (the
  "early cutoff" of incremental build systems).

Only changed rows are written, so one edited file costs one row, not a rewrite of the cache.
A damaged, locked or unwritable cache is ignored, never fatal.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
import stat as stat_mode
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ormdoctor import __version__
from ormdoctor.static import codec

if TYPE_CHECKING:
    from ormdoctor.static.facts import FileFacts

CACHE_DIR = ".ormdoctor_cache"
DATABASE = "cache.sqlite3"
SCHEMA = 2
WRITE_BATCH = 2_000  # rows held before they are written: the JSON of a large tree is never held whole


def stat_signature(stat: os.stat_result) -> str:
    """What changes whenever a file's content can have changed: user tools can set the mtime
    back (``cp -p``, ``rsync -t``, ``tar``) but not the ctime nor the inode of a new file."""
    return f"{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_size}:{stat.st_ino}"


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class FactsCache:
    def __init__(self, root: Path):
        self.root = root
        self.folder = root / CACHE_DIR
        self._key = _row_key()
        self._db: sqlite3.Connection | None = None
        self._opened = False
        self._index: dict[str, tuple[str, str, str]] | None = None
        self._writes: list[tuple[str, str, str]] = []  # (path, digest, facts as JSON)
        self._index_changed = False
        self._loader = None  # a thread reading the index (preload)
        self._restamped = 0  # files touched, content unchanged: only their stat is new

    @property
    def usable(self) -> bool:
        return self._key is not None

    # Stat index --------------------------------------------------------------------------
    @property
    def index(self) -> dict[str, tuple[str, str, str]]:
        """path → (stat signature, content digest, facts digest or ""), when the stored index's
        MAC verifies (else empty: every file is then read and hashed again)."""
        if self._loader is not None:
            self._loader.join()
            self._loader = None
        if self._index is None:
            self._index = self._read_index()
        return self._index

    def preload(self) -> None:
        """Read the index in a thread while the caller waits for something else (git listing
        the files): on an unchanged re-check of a large tree each costs a tenth of the run."""
        if self._key is None or self._index is not None or self._loader is not None:
            return
        self._loader = threading.Thread(target=self._read_index_quietly, daemon=True)
        self._loader.start()

    def _read_index_quietly(self) -> None:
        try:
            self._index = self._read_index()  # assigned whole: a partial index is never seen
        except Exception:  # noqa: BLE001 - the caller reads it again and meets the error itself
            pass

    def _read_index(self) -> dict[str, tuple[str, str, str]]:
        db = self._connect()
        row = db.execute("SELECT value, mac FROM stat WHERE id = 1").fetchone() if db else None
        if row is not None and hmac.compare_digest(self._mac("i", row[0]), row[1] or b""):
            return _parse_index(row[0])
        return {}

    def known_digest(self, path: str, stat: os.stat_result) -> str | None:
        """Asked once per file on every run: the loaded index is read without the property."""
        entry = (self._index if self._index is not None and self._loader is None else self.index).get(path)
        return entry[1] if entry is not None and entry[0] == stat_signature(stat) else None

    def cached_digest(self, path: str) -> str | None:
        """The digest of the file when it was last read, whatever its stat says now."""
        entry = self.index.get(path)
        return entry[1] if entry is not None else None

    def remember(self, path: str, stat: os.stat_result, digest: str) -> None:
        signature = stat_signature(stat)
        entry = self.index.get(path)
        if entry is None or entry[0] != signature or entry[1] != digest:
            same_content = entry is not None and entry[1] == digest
            self._restamped += same_content
            self.index[path] = (signature, digest, entry[2] if same_content else "")
            self._index_changed = True

    def release_index(self) -> None:
        """Drop the loaded index (written already); it is read again if asked for."""
        if not self._index_changed:
            self._index = None

    def analysis_digests(self, paths: list[str]) -> dict[str, str] | None:
        """What the result is keyed on, per file: the digest of its facts (the content digest
        when its facts could not be stored); None when a file is not in the index."""
        index = self.index
        found = {}
        for path in paths:
            entry = index.get(path)
            if entry is None:
                return None
            found[path] = entry[2] or "content:" + entry[1]
        return found

    # Facts -------------------------------------------------------------------------------
    def load_facts(self, paths: list[str]) -> dict[str, FileFacts]:
        """The stored facts of ``paths`` whose MAC verifies and whose digest is current."""
        from ormdoctor.static.facts import FileFacts

        db = self._connect()
        if db is None or not paths:
            return {}
        found: dict[str, FileFacts] = {}
        wanted = set(paths)
        for path, digest, text, mac in db.execute("SELECT path, digest, facts, fmac FROM files"):
            if path not in wanted or self.cached_digest(path) != digest:
                continue
            if not hmac.compare_digest(self._mac("f", path, digest, text), mac or b""):
                continue
            try:
                facts = codec.loads(text, FileFacts)
            except codec.CodecError:
                continue
            if facts.path == path and facts.digest == digest:
                found[path] = facts
        return found

    def put(self, facts: FileFacts, stored: tuple[str, str] | None = None) -> None:
        """Keep ``facts``; ``stored`` is their JSON and facts digest when a worker made them."""
        if facts.digest:
            if stored is None:
                stored = stored_form(facts)
                if stored is None:
                    return  # not cached: extracted again next time
            encoded, digest = stored
            self._writes.append((facts.path, facts.digest, encoded))
            entry = self.index.get(facts.path)
            if entry is not None and entry[1] == facts.digest and digest != entry[2]:
                self.index[facts.path] = (entry[0], entry[1], digest)
                self._index_changed = True
            if len(self._writes) >= WRITE_BATCH:
                self._flush([], with_index=False)  # the index is written once, at the end

    def flush(self) -> None:
        """Write what is pending, forgetting nothing (``save`` also drops the files gone)."""
        if self._writes or self._index_changed:
            self._flush([])

    def save(self, live: set[str]) -> None:
        """Write the changed rows and the index; forget the files that are gone."""
        gone = [p for p in self.index if p not in live]
        if self._writes or gone or self._index_changed:
            self._flush(gone)

    def save_stamps(self, live: set[str]) -> None:
        """After a run answered from the stored result: the new stats of files touched but
        unchanged are written only when there are many. A few cost less to read and hash again
        next time (tens of microseconds each) than the whole index costs to write (about 1.5
        microseconds per file of the tree: 25 ms at 16k files)."""
        if self._writes or len(self.index) != len(live) or self._restamped * 32 > len(self.index):
            self.save(live)

    def _flush(self, gone: list[str], with_index: bool = True) -> None:
        db = self._connect()
        if db is None:
            self._writes.clear()
            return
        try:
            with db:
                for path in gone:
                    del self.index[path]
                    self._index_changed = True
                db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in gone])
                db.executemany("INSERT OR REPLACE INTO files (path, digest, facts, fmac) VALUES (?, ?, ?, ?)",
                               [(path, digest, text, self._mac("f", path, digest, text))
                                for path, digest, text in self._writes])
                if self._index_changed and with_index:
                    text = _format_index(self.index)
                    db.execute("INSERT OR REPLACE INTO stat (id, value, mac) VALUES (1, ?, ?)",
                               (text, self._mac("i", text)))
                    self._index_changed = False
        except sqlite3.Error:
            pass  # busy or read-only: the next run simply does the work again
        self._writes.clear()

    # Results -----------------------------------------------------------------------------
    def load_result(self, key: str, kind: object):
        db = self._connect()
        row = db.execute("SELECT value, mac FROM results WHERE key = ?", (key,)).fetchone() if db else None
        if row is None or not hmac.compare_digest(self._mac("r", key, row[0]), row[1] or b""):
            return None
        try:
            return codec.loads(row[0], kind)
        except codec.CodecError:
            return None

    def save_result(self, key: str, value) -> None:
        db = self._connect()
        if db is None:
            return
        text = codec.dumps(value)
        try:
            with db:
                db.execute("DELETE FROM results")
                db.execute("INSERT INTO results (key, value, mac) VALUES (?, ?, ?)", (key, text, self._mac("r", key, text)))
        except sqlite3.Error:
            pass

    # Storage -----------------------------------------------------------------------------
    def _mac(self, *parts: str) -> bytes:
        return hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogateescape"), key=self._key,
                               digest_size=16).digest()

    def _connect(self) -> sqlite3.Connection | None:
        loader = self._loader
        if loader is not None and loader.ident != threading.get_ident():
            loader.join()  # one connection, opened by the preloading thread
            self._loader = None
        if not self._opened:
            self._opened = True
            self._db = self._open() if self._key is not None else None
        return self._db

    def _open(self) -> sqlite3.Connection | None:
        path = self.folder / DATABASE
        try:
            if _is_link(self.folder) or _is_link(path):
                return None  # a committed symlink must not send our writes elsewhere
            self.folder.mkdir(exist_ok=True)
            gitignore = self.folder / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("*\n", encoding="utf-8")
        except OSError:
            return None
        for attempt in range(2):
            try:
                return _prepare(sqlite3.connect(path, timeout=2, isolation_level=None, check_same_thread=False))
            except sqlite3.Error:
                if attempt:
                    return None
                try:
                    path.unlink()  # damaged or not a database: start again
                except OSError:
                    return None
        return None


def _prepare(db: sqlite3.Connection) -> sqlite3.Connection:
    db.isolation_level = ""  # transactions through `with db:`
    db.execute("PRAGMA synchronous = OFF")
    version = db.execute("PRAGMA user_version").fetchone()[0]
    fingerprint = tool_fingerprint()
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    stored = db.execute("SELECT value FROM meta WHERE name = 'tool'").fetchone() if "meta" in tables else None
    if version != SCHEMA or stored is None or stored[0] != fingerprint:
        with db:
            for table in tables:
                db.execute(f'DROP TABLE IF EXISTS "{table}"')
            db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)")
            db.execute("CREATE TABLE stat (id INTEGER PRIMARY KEY, value TEXT, mac BLOB)")
            db.execute("CREATE TABLE files (path TEXT PRIMARY KEY, digest TEXT, facts TEXT, fmac BLOB)")
            db.execute("CREATE TABLE results (key TEXT PRIMARY KEY, value TEXT, mac BLOB)")
            db.execute("INSERT INTO meta VALUES ('tool', ?)", (fingerprint,))
            db.execute(f"PRAGMA user_version = {SCHEMA}")
    return db


def _format_index(index: dict[str, tuple[str, str, str]]) -> str:
    """path, signature, digest, facts digest, path, ... joined by NUL, which no path holds."""
    return "\0".join(f"{path}\0{signature}\0{digest}\0{facts}"
                      for path, (signature, digest, facts) in index.items())


def _parse_index(text: str) -> dict[str, tuple[str, str, str]]:
    if not text:
        return {}
    parts = text.split("\0")
    if len(parts) % 4:
        return {}
    return dict(zip(parts[0::4], zip(parts[1::4], parts[2::4], parts[3::4])))


def _is_link(path: Path) -> bool:
    try:
        return stat_mode.S_ISLNK(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False


# The per-user secret ------------------------------------------------------------------------

def secret_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ormdoctor" / "cache-key"


def _row_key() -> bytes | None:
    """The MAC key of this user and this ormdoctor build, or None (then nothing is cached)."""
    secret = _user_secret()
    if secret is None:
        return None
    return hashlib.blake2b(tool_fingerprint().encode(), key=secret, digest_size=32).digest()


def _user_secret() -> bytes | None:
    path = secret_path()
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
        return _read_secret(path)
    except FileExistsError:  # another ormdoctor created it meanwhile
        try:
            return _read_secret(path)
        except OSError:
            return None
    except OSError:
        return None


def _read_secret(path: Path) -> bytes | None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        owned = not hasattr(os, "getuid") or info.st_uid == os.getuid()
        if not owned or info.st_mode & 0o077 or not stat_mode.S_ISREG(info.st_mode):
            return None  # someone else could know it: cache nothing rather than trust it
        secret = handle.read(64)
    return secret if len(secret) >= 32 else None


# What the cache is keyed on -------------------------------------------------------------------

_FINGERPRINT: list[str] = []


def tool_fingerprint() -> str:
    """ormdoctor's version, the content of its own source and the Python that runs it: a new
    interpreter, a reinstall or an edit of the tool invalidates every cached fact and result."""
    if not _FINGERPRINT:
        package = Path(__file__).resolve().parent.parent
        hasher = hashlib.blake2b(f"{__version__}\0{sys.implementation.name}\0{sys.version}".encode(), digest_size=16)
        for folder, dirs, files in os.walk(package):
            dirs.sort()
            for name in sorted(files):
                if name.endswith(".py"):
                    with open(os.path.join(folder, name), "rb") as handle:
                        hasher.update(f"{os.path.relpath(folder, package)}/{name}\0".encode())
                        hasher.update(hashlib.blake2b(handle.read(), digest_size=16).digest())
        _FINGERPRINT.append(hasher.hexdigest())
    return _FINGERPRINT[0]


def stale_files(root: Path, paths: list[str], cache: FactsCache, limit: int,
                stats: dict[str, os.stat_result] | None = None) -> list[str] | None:
    """The files whose content the cache has not seen (new, or edited since): the ones to
    extract before the stored result can be looked up. A file only touched (same content) gets
    its new stat, so the next run need not read it. None when the cache is unusable, a file
    cannot be read (then the scan reads the files and reports why) or more than ``limit`` files
    are stale (a first run: the stored result cannot hold, and the scan extracts them all).
    Here, not in the scan, so that an unchanged re-check imports nothing of the extraction.
    ``stats`` holds the stats already taken (by ``check --watch``) and receives each one taken
    here: the scan that follows need not stat the tree a second time (a tenth of a second at
    16k files)."""
    if not cache.usable:
        return None
    from ormdoctor.static.source import read_source

    stale = []
    index = cache.index
    base = str(root) + os.sep
    known = stats or {}
    for rel in paths:
        stat = known.get(rel)
        if stat is None:
            try:
                stat = os.stat(base + rel)
            except OSError:
                return None
            if stats is not None:
                stats[rel] = stat
        entry = index.get(rel)
        if entry is None:
            stale.append(rel)
        elif entry[0] != stat_signature(stat):
            data, error = read_source(base + rel)
            if error is not None:
                return None
            if content_digest(data) != entry[1]:
                stale.append(rel)
            else:
                cache.remember(rel, stat, entry[1])
        if len(stale) > limit:
            return None
    return stale


def facts_digest(facts: FileFacts, encoded: str) -> str:
    """The digest of a file's stored facts without its path and content digest (the JSON list
    starts with both): two contents that give the same facts give the same findings. Inside a
    JSON string every quote is escaped, so the first `,"<digest>",` ends the path."""
    marker = f',"{facts.digest}",'
    end = encoded.find(marker) if encoded.startswith('["') else -1
    if end < 0:
        return ""
    return content_digest(encoded[end + len(marker):].encode("utf-8", "surrogatepass"))


def result_key(digests: dict[str, str], *parts: object) -> str:
    hasher = hashlib.blake2b(digest_size=20)
    hasher.update(__version__.encode())
    for part in parts:
        hasher.update(repr(part).encode())
    for path in sorted(digests):
        hasher.update(f"{path}\0{digests[path]}\n".encode())
    return hasher.hexdigest()


def storable(facts: FileFacts) -> str | None:
    """The facts as the cache's JSON, or None when a value has no JSON form (a bug in
    extraction, which must not cost the run: the file is then simply not cached)."""
    try:
        return codec.dumps(facts)
    except (TypeError, ValueError):
        return None


def stored_form(facts: FileFacts) -> tuple[str, str] | None:
    """(the facts as the cache's JSON, their facts digest), or None when they have no JSON form."""
    encoded = storable(facts)
    return (encoded, facts_digest(facts, encoded)) if encoded is not None else None

"""Read every file, parse only those that can matter, in parallel, with a per-file facts cache."""

from __future__ import annotations

import ast
import hashlib
import os
import re
import sys
import warnings
from pathlib import Path

from ormdoctor.static.cache import FactsCache
from ormdoctor.static.compat import rewrite_newer_syntax
from ormdoctor.static.extract import read_module
from ormdoctor.static.facts import FileFacts, ParseErrorFact, Pos
from ormdoctor.static.imports_scan import scan_imports
from ormdoctor.static.source import decode, ignore_comments

# A file with none of these never defines or references a model: its imports are enough.
# Plain substring tests: far faster than one regex alternation over every file.
ORM_HINTS = (
    b"sqlalchemy", b"sqlmodel", b"__table", b"__abstract__", b"__mapper_args__", b"olumn(", b"Mapped[",
    b"elationship(", b"MetaData", b"declarative", b"registry", b"target_metadata", b"sys.path", b".Model",
    b"table=True", b"Index(",
)


def mentions_orm(data: bytes) -> bool:
    return any(hint in data for hint in ORM_HINTS)


# The parse-free path's equivalent of extract's dynamic-import test (a literal name is a plain import).
_DYNAMIC_IMPORT = re.compile(r"\b(?:walk_packages|iter_modules)\(|\b(?:import_module|__import__|import_string)\(\s*(?!\s*[rRbBuU]{0,2}['\"])")

# Substrings first: the regex is only worth running on the few files that can match.
_DYNAMIC_WORDS = ("walk_packages(", "iter_modules(", "import_module(", "__import__(", "import_string(")

PARALLEL_MIN_BYTES = 4_000_000  # below this, starting workers costs more than it saves


def scan(root: Path, paths: list[str], use_cache: bool = True, cache: FactsCache | None = None,
         progress=None) -> list[FileFacts]:
    """``progress(stage, done, total)`` is told how far reading and parsing are."""
    cache = cache if cache is not None else (FactsCache(root) if use_cache else None)
    results: dict[str, FileFacts] = {}
    pending: list[tuple[str, bytes, str]] = []
    for number, rel in enumerate(paths, start=1):
        if progress:
            progress("reading files", number, len(paths))
        data, digest, error = read_digest(root, rel, cache)
        if error:
            results[rel] = FileFacts(path=rel, digest="", parsed=False, error=error)
            continue
        cached = cache.get(rel, digest) if cache else None
        if cached is not None:
            results[rel] = cached
        else:
            if data is None:
                data, _, error = read_digest(root, rel, None)
            pending.append((rel, data, digest))
    for number, facts in enumerate(_extract_all(pending), start=1):
        if progress:
            progress("parsing files", number, len(pending))
        results[facts.path] = facts
        if cache:
            cache.put(facts)
    if cache:
        cache.save(set(paths))
    return [results[p] for p in paths]


def read_digest(root: Path, rel: str, cache: FactsCache | None):
    """(bytes or None, digest, error). With an unchanged stat the file is not read at all."""
    path = root / rel
    try:
        stat = path.stat()
        digest = cache.known_digest(rel, stat) if cache else None
        if digest is not None:
            return None, digest, None
        data = path.read_bytes()
    except OSError as exc:
        return b"", "", ParseErrorFact(f"cannot read: {exc.strerror or exc}", Pos(1, 1), "unreadable")
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    if cache:
        cache.remember(rel, stat, digest)
    return data, digest, None


def file_digests(root: Path, paths: list[str], cache: FactsCache) -> dict[str, str] | None:
    """Every file's digest from the stat index, or None as soon as one file changed."""
    digests = {}
    base = str(root)
    for rel in paths:
        try:
            digest = cache.known_digest(rel, os.stat(os.path.join(base, rel)))
        except OSError:
            return None
        if digest is None:
            return None
        digests[rel] = digest
    return digests


def _extract_all(pending: list[tuple[str, bytes, str]]):
    """FileFacts one by one, in order (workers in parallel for a large tree)."""
    if sum(len(p[1]) for p in pending) >= PARALLEL_MIN_BYTES and (os.cpu_count() or 1) > 1 \
            and sys.platform != "win32":
        return _parallel(pending)
    return (_extract_one(item) for item in pending)


def _extract_one(item: tuple[str, bytes, str]) -> FileFacts:
    return extract_file(*item) if mentions_orm(item[1]) else _light(*item)


def _parallel(items):
    import multiprocessing

    workers = min(os.cpu_count() or 1, 8)
    # Ctrl-C is for the main process alone: a worker that ignores SIGINT prints no traceback, and
    # leaving the ``with`` block terminates the pool at once, queued work and all.
    with multiprocessing.get_context("fork").Pool(workers, initializer=_ignore_interrupts) as pool:
        yield from pool.imap(_extract_one, items, chunksize=max(1, len(items) // (workers * 8)))


def _ignore_interrupts() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _light(rel: str, data: bytes, digest: str) -> FileFacts:
    text, encoding, error = decode(data)
    if error:
        return FileFacts(path=rel, digest=digest, parsed=False, error=error)
    facts = scan_imports(rel, digest, text)
    facts.imports_dynamically = any(word in text for word in _DYNAMIC_WORDS) and _DYNAMIC_IMPORT.search(text) is not None
    facts.encoding = encoding
    facts.noqa = ignore_comments(text)
    return facts


def extract_file(rel: str, data: bytes, digest: str) -> FileFacts:
    text, encoding, error = decode(data)
    facts = FileFacts(path=rel, digest=digest, encoding=encoding)
    if error:
        facts.error, facts.parsed = error, False
        return facts
    facts.line_count = text.count("\n") + 1
    facts.noqa = ignore_comments(text)
    try:
        tree = _parse(text, rel)
    except SyntaxError as exc:
        tree = _parse_newer_syntax(text, rel)
        if tree is None:
            facts.error, facts.parsed = _syntax_error(exc), False
            return facts
    except (ValueError, RecursionError, MemoryError) as exc:
        facts.error, facts.parsed = ParseErrorFact(f"cannot parse: {type(exc).__name__}", Pos(1, 1), "syntax"), False
        return facts
    try:
        return read_module(tree, facts)
    except RecursionError:
        facts.error = ParseErrorFact("too deeply nested to analyse", Pos(1, 1), "syntax")
        return facts


def _parse(text: str, rel: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escape sequences etc. are not our business
        return ast.parse(text, filename=rel)


def _parse_newer_syntax(text: str, rel: str) -> ast.Module | None:
    """Python 3.12+ syntax this interpreter cannot parse, rewritten (see ``compat``)."""
    rewritten = rewrite_newer_syntax(text)
    if rewritten is None:
        return None
    try:
        return _parse(rewritten, rel)
    except (SyntaxError, ValueError):
        return None


def _syntax_error(exc: SyntaxError) -> ParseErrorFact:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    message = f"cannot parse with Python {version}: {exc.msg}"
    return ParseErrorFact(message, Pos(exc.lineno or 1, max(exc.offset or 1, 1)), "syntax")

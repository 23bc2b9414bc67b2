"""Read every file, parse only those that can matter, in parallel, with a per-file facts cache."""

from __future__ import annotations

import ast
import hashlib
import os
import sys
import warnings
from pathlib import Path

from ormdoctor.static.cache import FactsCache
from ormdoctor.static.extract import read_module
from ormdoctor.static.facts import FileFacts, ParseErrorFact, Pos
from ormdoctor.static.imports_scan import scan_imports
from ormdoctor.static.source import decode, ignore_comments

# A file with none of these never defines or references a model: its imports are enough.
# Plain substring tests: far faster than one regex alternation over every file.
ORM_HINTS = (
    b"sqlalchemy", b"sqlmodel", b"flask_sqlalchemy", b"__tablename__", b"__table_args__", b"__table__",
    b"__abstract__", b"__mapper_args__", b"Column(", b"mapped_column", b"Mapped[", b"relationship(",
    b"Relationship(", b"Table(", b"MetaData", b"declarative", b"registry", b"target_metadata", b"sys.path",
    b".Model", b"table=True", b"Index(",
)


def mentions_orm(data: bytes) -> bool:
    return any(hint in data for hint in ORM_HINTS)


PARALLEL_MIN_BYTES = 3_000_000  # below this, starting workers costs more than it saves


def scan(root: Path, paths: list[str], use_cache: bool = True) -> list[FileFacts]:
    cache = FactsCache(root) if use_cache else None
    results: dict[str, FileFacts] = {}
    pending: list[tuple[str, bytes, str]] = []
    for rel in paths:
        data, error = _read(root / rel)
        if error:
            results[rel] = FileFacts(path=rel, digest="", parsed=False, error=error)
            continue
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        cached = cache.get(rel, digest) if cache else None
        if cached is not None:
            results[rel] = cached
        else:
            pending.append((rel, data, digest))
    for facts in _extract_all(pending):
        results[facts.path] = facts
        if cache:
            cache.put(facts)
    if cache:
        cache.save(set(paths))
    return [results[p] for p in paths]


def _read(path: Path) -> tuple[bytes, ParseErrorFact | None]:
    try:
        return path.read_bytes(), None
    except OSError as exc:
        return b"", ParseErrorFact(f"cannot read: {exc.strerror or exc}", Pos(1, 1), "unreadable")


def _extract_all(pending: list[tuple[str, bytes, str]]) -> list[FileFacts]:
    heavy, light = [], []
    for item in pending:
        (heavy if mentions_orm(item[1]) else light).append(item)
    out = [_light(*item) for item in light]
    if sum(len(p[1]) for p in heavy) >= PARALLEL_MIN_BYTES and (os.cpu_count() or 1) > 1 and sys.platform != "win32":
        out += _parallel(heavy)
    else:
        out += [extract_file(*item) for item in heavy]
    return out


def _parallel(items):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    workers = min(os.cpu_count() or 1, 8)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(_extract_packed, items, chunksize=max(1, len(items) // (workers * 4))))


def _extract_packed(item):
    return extract_file(*item)


def _light(rel: str, data: bytes, digest: str) -> FileFacts:
    text, encoding, error = decode(data)
    if error:
        return FileFacts(path=rel, digest=digest, parsed=False, error=error)
    facts = scan_imports(rel, digest, text)
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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences etc. are not our business
            tree = ast.parse(text, filename=rel)
    except SyntaxError as exc:
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


def _syntax_error(exc: SyntaxError) -> ParseErrorFact:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    message = f"cannot parse with Python {version}: {exc.msg}"
    return ParseErrorFact(message, Pos(exc.lineno or 1, max(exc.offset or 1, 1)), "syntax")

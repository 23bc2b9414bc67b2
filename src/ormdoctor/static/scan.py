"""Read every file, parse only those that can matter, in parallel, with a per-file facts cache."""

from __future__ import annotations

import ast
import gc
import os
import re
import sys
import warnings
from pathlib import Path

from ormdoctor.crash import blame
from ormdoctor.static import codec
from ormdoctor.static.cache import FactsCache, content_digest, stored_form
from ormdoctor.static.compat import rewrite_newer_syntax
from ormdoctor.static.extract import read_module
from ormdoctor.static.facts import MODULE, FileFacts, ParseErrorFact, Pos
from ormdoctor.static.imports_scan import scan_imports
from ormdoctor.static.source import decode, generated_header, ignore_comments
from ormdoctor.static.source import read_source_and_stat

# A file with none of these never defines or references a model: its imports are enough.
# Plain substring tests: far faster than one regex alternation over every file.
ORM_HINTS = (
    b"sqlalchemy", b"sqlmodel", b"__table", b"__abstract__", b"__mapper_args__", b"olumn(", b"Mapped[",
    b"elationship(", b"MetaData", b"target_metadata", b"sys.path", b".Model", b"table=True",
)
# Words that mean other things too (a plugin registry, pandas' Index, prose about declarative
# code): they send a file to the full parse only in the forms extraction reads: a call
# (`registry()`, `declarative_base()`, `Index(...)`) or an alias (`reg = Base.registry`).
# Each form is found by a substring first: a pattern that starts with a character class or a
# lookbehind is tried at every position, seconds over a tree that says "registry" everywhere
# (Home Assistant's entity and device registries).
_REGISTRY_CALL = re.compile(rb"\bregistry\(")
_REGISTRY_ATTRIBUTE = re.compile(rb"\.registry\b")
_INDEX_CALL = re.compile(rb"(?<![\w.])Index\(|(?<!\bpd)(?<!\bpandas)\.Index\(")


def mentions_orm(data: bytes) -> bool:
    if any(hint in data for hint in ORM_HINTS):
        return True
    if b"declarative_base" in data or b"as_declarative" in data:
        return True
    if b"registry(" in data and _REGISTRY_CALL.search(data) is not None:
        return True
    if b".registry" in data and _REGISTRY_ATTRIBUTE.search(data) is not None:
        return True
    return b"Index(" in data and _INDEX_CALL.search(data) is not None


# The parse-free path's equivalent of extract's dynamic-import test (a literal name is a plain import).
_DYNAMIC_IMPORT = re.compile(r"\b(?:walk_packages|iter_modules)\(|\b(?:import_module|__import__|import_string)\(\s*(?!\s*[rRbBuU]{0,2}['\"])"
                             r"|\bconfig(?:urator)?\.(?:include|scan)\(")

# `config.tacker_config = CONF`: a migration command handing its settings to env.py (facts.config_attrs_set)
_CONFIG_ASSIGNED = re.compile(r"_config[ \t]*=(?!=)")  # a literal first: found fast, then the owner checked
_ATTRIBUTE_BEFORE = re.compile(r"\b[A-Za-z_]\w*\.\w+\Z")
_LITERAL_IMPORT_WORDS = ("import_module(", "__import__(", "import_string(", "try_import(")
_LITERAL_IMPORT = re.compile(r"\b(?:import_module|__import__|import_string|try_import)\(\s*[rRuU]?['\"]")

# Substrings first: the regex is only worth running on the few files that can match.
# Words in the names of the helpers that turn a class name into a table name.
_NAMING_WORDS = ("snake", "camel", "plural", "tablename", "table_name")
_DYNAMIC_WORDS = ("walk_packages(", "iter_modules(", "import_module(", "__import__(", "import_string(",
                  "config.include(", "config.scan(", "configurator.include(", "configurator.scan(")

PARALLEL_MIN_BYTES = 1_000_000  # below this (about 300 files), starting workers costs more than it saves


def scan(root: Path, paths: list[str], use_cache: bool = True, cache: FactsCache | None = None,
         progress=None, meanwhile=None, known: dict[str, FileFacts] | None = None,
         stats: dict[str, os.stat_result] | None = None) -> list[FileFacts]:
    """Facts of every file. The main process only stats the files; reading, hashing and
    extracting happen where the work is (in the workers on a large cold tree), and a file whose
    content is unchanged keeps its cached facts without being parsed again.
    ``progress(stage, done, total)`` is told how far reading and parsing are; ``meanwhile()``
    runs once, while the workers parse (the caller's own preparation: its imports).
    ``known``: facts a long-lived process still holds from its last run; an unchanged file
    whose content digest they carry takes them instead of its stored row. ``stats``: the
    files' stats as this run already took them (cache.stale_files); a file missing there is
    stat'ed here."""
    cache = cache if cache is not None else (FactsCache(root) if use_cache else None)
    if cache is not None and not cache.usable:
        cache = None
    results: dict[str, FileFacts] = {}
    unchanged, pending = _triage(root, paths, cache, stats)
    _extract(root, pending, cache, results, unchanged, progress, meanwhile)
    if unchanged and known:
        held = [(rel, size) for rel, size in unchanged
                if (facts := known.get(rel)) is not None and facts.digest and facts.digest == cache.cached_digest(rel)]
        results.update((rel, known[rel]) for rel, _ in held)
        unchanged = [(rel, size) for rel, size in unchanged if rel not in results]
    if unchanged:
        stored = cache.load_facts([rel for rel, _ in unchanged])
        missing = [(rel, size, None) for rel, size in unchanged if rel not in stored]
        results.update(stored)
        for outcome in _run(root, missing, True):  # a row that did not verify: extract again
            _settle(outcome, results, [], cache)
    if cache is not None:
        cache.save(set(paths))
    return [results[p] for p in paths]


def refresh(root: Path, paths: list[str], cache: FactsCache, progress=None) -> None:
    """Extract ``paths`` (new or edited files) into the cache and its index, building nothing:
    the stored result may still hold if their facts did not change."""
    _, pending = _triage(root, paths, cache)
    _extract(root, pending, cache, {}, [], progress)
    cache.flush()


def _extract(root: Path, pending: list, cache: FactsCache | None, results: dict[str, FileFacts],
             unchanged: list, progress=None, meanwhile=None) -> None:
    """Read and extract ``pending``, settling each outcome as it comes (see ``_settle``)."""
    for number, outcome in enumerate(_run(root, pending, cache is not None, meanwhile), start=1):
        if progress:
            progress("parsing files", number, len(pending))
        _settle(outcome, results, unchanged, cache)


def _triage(root: Path, paths: list[str], cache: FactsCache | None, stats: dict[str, os.stat_result] | None = None):
    """([(file, size)] whose stat is unchanged, [(file, size, digest it had)] to read)."""
    unchanged, pending = [], []
    base = str(root) + os.sep
    stats = stats or {}
    for rel in paths:
        stat = stats.get(rel)
        if stat is None:
            try:
                stat = os.stat(base + rel)
            except OSError:
                pending.append((rel, 0, None))  # the reader reports why
                continue
        if cache is not None and cache.known_digest(rel, stat) is not None:
            unchanged.append((rel, stat.st_size))
        else:
            pending.append((rel, stat.st_size, cache.cached_digest(rel) if cache is not None else None))
    return unchanged, pending


def _settle(outcome, results: dict[str, FileFacts], unchanged: list, cache: FactsCache | None) -> None:
    rel, stat, digest, facts, stored = outcome
    if cache is not None and stat is not None:
        cache.remember(rel, stat, digest)
    if facts is None:
        unchanged.append((rel, stat.st_size))  # touched, same content: the cached facts still hold
        return
    results[rel] = facts
    if cache is not None:
        cache.put(facts, stored)


def read_source(root: Path | str, rel: str):
    """(stat, bytes, error) of one project file: only regular files, size-capped (source.py).
    Plain strings, no Path objects: this runs once per file of a cold run."""
    stat, data, error = read_source_and_stat(os.path.join(root, rel))
    if error is not None:
        return None, b"", error
    return stat, data, None


def _run(root: Path, pending: list[tuple[str, int, str | None]], encode: bool, meanwhile=None):
    jobs = [(str(root), rel, known, encode) for rel, _, known in pending]
    if jobs and sum(p[1] for p in pending) >= PARALLEL_MIN_BYTES and (os.cpu_count() or 1) > 1 \
            and sys.platform != "win32":
        return _parallel(jobs, meanwhile)
    if meanwhile is not None:
        meanwhile()
    return (_work(job) for job in jobs)


def _work(job: tuple[str, str, str | None, bool]):
    """(path, stat, digest, facts or None when the content is the known one, (facts as JSON,
    facts digest) or None)."""
    root, rel, known, encode = job
    stat, data, error = read_source(root, rel)
    if error:
        return rel, None, "", FileFacts(path=rel, digest="", parsed=False, error=error), None
    digest = content_digest(data)
    if digest == known:
        return rel, stat, digest, None, None
    try:
        facts = extract_file(rel, data, digest) if mentions_orm(data) else _light(rel, data, digest)
        if facts.error is not None and facts.error.kind == "syntax" and _parsed_for_its_path_only(data):
            facts = _light(rel, data, digest)  # no model can be lost: read like any file without ORM code
    except Exception as exc:
        blame(exc, rel)  # a bug: the report names the file that triggered it
        raise
    return rel, stat, digest, facts, stored_form(facts) if encode else None


def _parsed_for_its_path_only(data: bytes) -> bool:
    """Whether the only ORM hint in the file is `sys.path` (sent to the parser for the import
    roots it adds): a file that does not parse then defines no model either (a vendored Python 2
    `ez_setup.py`), and is read by the scanner like the other files without ORM code, silently."""
    return b"sys.path" in data and not mentions_orm(data.replace(b"sys.path", b""))


def _parallel(jobs, meanwhile=None):
    import multiprocessing

    workers = min(os.cpu_count() or 1, 8)
    # Ctrl-C is for the main process alone: a worker that ignores SIGINT prints no traceback, and
    # leaving the ``with`` block terminates the pool at once, queued work and all.
    with multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start) as pool:
        outcomes = pool.imap(_work_in_worker, jobs, chunksize=max(1, min(200, len(jobs) // (workers * 8))))
        if meanwhile is not None:
            meanwhile()  # the workers are forked and busy: the main process would only wait
        for outcome in outcomes:  # one at a time: the JSON of the whole tree is never held at once
            yield _received(outcome)


def _worker_start() -> None:
    import signal

    gc.disable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _work_in_worker(job):
    """Facts travel back as their JSON (which the cache stores anyway): encoding and sending a
    string costs the workers far less than pickling the objects, and decoding it in the main
    process less than unpickling them."""
    rel, stat, digest, facts, stored = _work(job[:3] + (True,))
    return (rel, stat, digest, facts, stored) if facts is None or stored is None or facts.error and not facts.digest \
        else (rel, stat, digest, None, stored)


def _received(outcome):
    rel, stat, digest, facts, stored = outcome
    if facts is None and stored is not None:
        facts = codec.loads(stored[0], FileFacts)
    return rel, stat, digest, facts, stored


def needs_parser(text: str, scanned: FileFacts) -> bool:
    """Whether a file without ORM code still needs the parser: for an import under a module-level
    try/if (which arm it sits in: a fallback, an alternative), a module imported by a literal
    name (`__import__("app.models")`) or named in `pytest_plugins`, or a migration command's
    `config.x_config = ...`, a package's `__all__` (`from package import *` imports the
    submodules it names), or a string helper a model's `__tablename__` may call
    (`camel_to_snake_case(cls.__name__)`, mage-ai's), which the scanner does not read."""
    return any(i.context == MODULE and i.pos.column > 1 for i in scanned.imports) or imports_by_name(text) \
        or "_config" in text and _sets_config(text) \
        or "__all__" in text and scanned.path.endswith("__init__.py") \
        or "\ndef " in text and any(word in text for word in _NAMING_WORDS)


def _sets_config(text: str) -> bool:
    """`config.tacker_config = CONF`: an attribute ending in `_config` assigned on an object."""
    return any(_ATTRIBUTE_BEFORE.search(text, max(0, found.start() - 200), found.start()) is not None
               for found in _CONFIG_ASSIGNED.finditer(text))


def imports_by_name(text: str) -> bool:
    """Whether the file may import a module by a string the scanner does not read:
    `import_module("app.models")`, `pytest_plugins = ("fixtures.db",)`."""
    return "pytest_plugins" in text or any(word in text for word in _LITERAL_IMPORT_WORDS) \
        and _LITERAL_IMPORT.search(text) is not None


def _light(rel: str, data: bytes, digest: str) -> FileFacts:
    text, encoding, error = decode(data)
    if error:
        return FileFacts(path=rel, digest=digest, parsed=False, error=error)
    facts = scan_imports(rel, digest, text)
    if needs_parser(text, facts):
        # Rare enough to cost nothing; a file that does not parse keeps the scanner's answer,
        # as every file without ORM code does.
        full = extract_file(rel, data, digest)
        if full.error is None:
            return full
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
    facts.noqa = ignore_comments(text)
    facts.generated = generated_header(text)
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
        return read_module(tree, facts, text)
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
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # The retry fails for its own reasons (deep nesting elsewhere in the file): the file
        # keeps the first syntax error, which is the one the user must see.
        return None


def _syntax_error(exc: SyntaxError) -> ParseErrorFact:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    message = f"cannot parse with Python {version}: {exc.msg}"
    return ParseErrorFact(message, Pos(exc.lineno or 1, max(exc.offset or 1, 1)), "syntax")

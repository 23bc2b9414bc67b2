"""One analysis run: project → inventory → rules → findings, timed. Commands call this."""

from __future__ import annotations

import gc
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ormdoctor.inventory.model import Inventory

from ormdoctor.config import Config, load_config
from ormdoctor.findings import Finding, Severity, sort_findings
from ormdoctor.project.discover import alembic_ini_files, discover
from ormdoctor.static.cache import FactsCache, content_digest, result_key, stale_files

# The inventory and the rules are imported on a cache miss only: an unchanged tree answers
# from .ormdoctor_cache/ without paying for them.


@dataclass
class StoredResult:
    """What the result cache keeps of a run: enough to report without the inventory."""

    findings: list[Finding]
    scope: dict[str, int]
    codes: list[str]
    installed: dict[str, str] = field(default_factory=dict)  # installed module read → its digest ("" absent)


@dataclass
class RunMemory:
    """What a long-lived process (``check --watch``) keeps from one run of a project for the
    next: the facts it read (an unchanged file is not decoded from the cache again) and the
    import layout (roots, module names, import graph: not built again when the edit left every
    file's imports and module-level names as they were, see inventory/layout.py)."""

    facts: dict = field(default_factory=dict)  # path → FileFacts
    layout: object | None = None  # inventory.layout.ImportLayout
    # The watch's look at the tree right before this run (watch.Look): its file list and stats
    # stand for the run's own (a change after it is seen by the next look, and checked then).
    look: object | None = None


class UsageError(Exception):
    """The tool cannot do what was asked (exit 2). The message is one line."""


@dataclass
class Analysis:
    root: Path
    config: Config
    inventory: "Inventory | None"  # None when the result came from the cache (unchanged tree)
    findings: list[Finding]
    started: float
    codes: set[str] = field(default_factory=set)
    scope: dict = field(default_factory=dict)  # files / models / tables counts

    def summary(self) -> dict:
        counts = {s: sum(1 for f in self.findings if f.severity is s) for s in Severity}
        return {
            **self.scope,
            "errors": counts[Severity.ERROR],
            "warnings": counts[Severity.WARNING],
            "infos": counts[Severity.INFO],
            "seconds": round(time.perf_counter() - self.started, 3),
        }

    def add(self, extra: list[Finding]) -> None:
        self.findings = sort_findings(self.findings + [f for f in extra if f.code in self.codes])


# What makes a folder a project root when ormdoctor runs without a path, as ruff finds its root.
ROOT_MARKERS = ("pyproject.toml", "setup.cfg", ".git")


def project_root(paths: list[str]) -> tuple[Path, list[str]]:
    """The folder to analyse and, when files were named, an include list relative to it.
    Without a path: the nearest folder from here upward with a pyproject.toml, setup.cfg or
    .git, so that `cd src && ormdoctor check` sees the configuration and the tests too."""
    if not paths:
        return find_root_upward(Path.cwd()), []
    resolved = [Path(p) for p in paths]
    for path in resolved:
        if not path.exists():
            raise UsageError(f"path does not exist: {path}")
    first = resolved[0].resolve()
    root = first if first.is_dir() else first.parent
    includes = []
    for path in resolved:
        absolute = path.resolve()
        if absolute == root:
            continue
        try:
            includes.append(absolute.relative_to(root).as_posix())
        except ValueError:
            raise UsageError(f"{path} is outside {root}; check one project at a time") from None
    return root, includes


def find_root_upward(start: Path) -> Path:
    start = start.resolve()
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in ROOT_MARKERS):
            return folder
    return start


def shown_path(path: str, root: Path, cwd: Path | None = None) -> str:
    """A project path as the user should see it: relative to the folder ormdoctor runs from
    when the project and that folder are one inside the other (run from a subfolder, or a
    subfolder checked), else absolute."""
    cwd = (cwd or Path.cwd()).resolve()
    if root == cwd or not path:
        return path
    if not (root.is_relative_to(cwd) or cwd.is_relative_to(root)):
        return (root / path).as_posix()
    return os.path.relpath(root / path, cwd).replace(os.sep, "/")


def analyse(paths: list[str], config_path: str | None = None, select=None, ignore=None,
            use_cache: bool = True, reuse_result: bool = False, canonical: dict | None = None,
            progress=None, python: str | None = None, memory: RunMemory | None = None) -> Analysis:
    """``reuse_result``: the caller needs only the findings, so an unchanged tree may answer
    from the cache without building the inventory. ``canonical``: decisions of a plan file,
    over those of [tool.ormdoctor.canonical]. ``progress``: see ``ormdoctor.progress``.
    ``memory``: kept by a caller that checks the same project again and again (see RunMemory)."""
    with without_gc(freeze=memory is None):
        return _analyse(paths, config_path, select, ignore, use_cache, reuse_result, canonical, progress, python,
                        memory)


# Edited files extracted before the stored result is looked up: beyond this many (a branch
# switched, a first run) the result cannot plausibly hold, and the scan extracts them in one go.
EARLY_CUTOFF_FILES = 64

# Objects allocated during a run beyond which re-enabling the collector would start a pass
# over all of them (seconds on a large tree) right before the command prints and exits.
LARGE_RUN = 300_000


@contextmanager
def without_gc(freeze: bool = True):
    """A run allocates millions of objects that live until it ends and builds few cycles:
    the collector would only re-scan them, a fifth of a cold run on a large tree. After a
    large run the survivors are frozen (moved out of the collector's sight) instead: the
    process is about to exit; a small run (a test, an editor) is collected as usual. A process
    that runs again (``check --watch``, ``freeze=False``) must not freeze them: what a run
    leaves behind would never be collected; it collects while it waits instead."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze and gc.get_count()[0] > LARGE_RUN:
            gc.freeze()
        if enabled:
            gc.enable()


def _analyse(paths: list[str], config_path: str | None, select, ignore, use_cache: bool,
             reuse_result: bool, canonical: dict | None, progress, python: str | None = None,
             memory: RunMemory | None = None) -> Analysis:
    started = time.perf_counter()
    look = memory.look if memory is not None else None
    located = project_root(paths)
    cache = FactsCache(located[0]) if use_cache else None
    if cache is not None and look is None:
        cache.preload()  # while git lists the files
    root, config, paths = _project(paths, config_path, canonical, python, look, located)
    # What the stored result depends on besides the files' facts: read once per run.
    settings = ((sorted(select or []), sorted(ignore or [])), _config_state(root, config, paths)) \
        if cache is not None and reuse_result else ()
    # each file's stat, taken once for the stored result's check and the scan (or by the watch)
    stats: dict = dict(look.stats) if look is not None and look.root == root else {}
    if cache is not None and reuse_result:
        stored = _stored_result(root, config, paths, cache, settings, progress, stats)
        if stored is not None:
            return Analysis(root, config, None, stored.findings, started, set(stored.codes), stored.scope)
    from ormdoctor.static.scan import scan

    # Codes that were named are checked before the scan (a typo must not wait for a large
    # tree); without any, the rules are loaded while the workers parse.
    named = bool(select or ignore or config.select or config.ignore or config.per_file_ignores)
    codes = _selected_codes(config, select, ignore) if named else None
    facts = scan(root, paths, use_cache, cache, progress, meanwhile=_load_analysis,
                 known=memory.facts if memory is not None else None, stats=stats)
    key = None
    if cache is not None and reuse_result:
        key = _result_key(cache, paths, settings)
        cache.release_index()  # a dict of every file: not needed again, and a large tree's peak is yet to come
    if codes is None:
        codes = _selected_codes(config, select, ignore)
    if progress:
        progress("resolving models")
    from ormdoctor.inventory.build import inventory_from_facts
    from ormdoctor.rules.engine import run_rules

    if memory is None:
        inventory = inventory_from_facts(root, config, facts)
    else:
        memory.facts = {f.path: f for f in facts}
        layout_settings = settings[1] if settings else _config_state(root, config, paths)
        inventory = inventory_from_facts(root, config, facts, memory.layout, layout_settings)
        memory.layout = inventory.layout
    if progress:
        progress("running the rules")
    findings = run_rules(inventory, config, codes)
    from ormdoctor.inventory.coverage import coverage

    scope = {"files": len(inventory.modules), "models": len(inventory.mapped_classes()),
             "tables": len({(t.metadata_id, t.schema, t.name) for t in inventory.tables}),
             "coverage": coverage(inventory).as_dict()}
    if key is not None:
        installed = inventory.installed.used if inventory.installed is not None else {}
        cache.save_result(key, StoredResult(findings, scope, sorted(codes), dict(installed)))
    return Analysis(root, config, inventory, findings, started, codes, scope)


def _project(paths: list[str], config_path: str | None, canonical: dict | None = None,
             python: str | None = None, look=None, located: tuple | None = None) -> tuple[Path, Config, list[str]]:
    """The project's root, its configuration and the files to check (UsageError when there is
    none, or the configuration is broken). ``look``: the watch's, which listed the files with
    the same configuration a moment ago. ``located``: what ``project_root(paths)`` returned."""
    root, includes = located if located is not None else project_root(paths)
    from ormdoctor.config import ConfigError

    try:
        config = load_config(root, Path(config_path) if config_path else None)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if includes:
        config.include = config.include + includes
    if canonical:
        config.canonical = {**config.canonical, **canonical}
    config.python = python
    files = list(look.files) if look is not None and look.root == root else discover(root, config.include,
                                                                                       config.exclude)
    if not files:
        raise UsageError(f"no Python files to check in {root}" + (" (after include/exclude)" if
                                                                   config.include or config.exclude else ""))
    return root, config, files


def prepare(memory: RunMemory, paths: list[str], config_path: str | None = None, python: str | None = None,
            use_cache: bool = True) -> None:
    """Fill ``memory`` while a watching process waits, when its last run answered from the
    stored result (an unchanged tree at start): the facts and the import layout, so that the
    first edit is checked as fast as the later ones instead of building everything. No rule
    runs and nothing is reported; a project that cannot be checked is left to the next run."""
    if memory.layout is not None:
        return
    from ormdoctor.inventory.build import inventory_from_facts
    from ormdoctor.static.scan import scan

    with without_gc(freeze=False):
        try:
            root, config, files = _project(paths, config_path, python=python)
        except UsageError:
            return
        facts = scan(root, files, use_cache, known=memory.facts)
        inventory = inventory_from_facts(root, config, facts, None, _config_state(root, config, files))
        memory.facts = {f.path: f for f in facts}
        memory.layout = inventory.layout


def _stored_result(root: Path, config: Config, paths: list[str], cache: FactsCache, settings: tuple,
                   progress, stats: dict | None = None) -> StoredResult | None:
    """The stored result, when it still holds: every file's facts are the ones it was computed
    from (an edited file is extracted first: if its facts did not change, neither did the
    result), and so are the settings (selected codes, configuration) and the installed modules it read."""
    stale = stale_files(root, paths, cache, EARLY_CUTOFF_FILES, stats)
    if stale:
        from ormdoctor.static.scan import refresh

        refresh(root, stale, cache, progress)
    key = _result_key(cache, paths, settings) if stale is not None else None
    stored = cache.load_result(key, StoredResult) if key else None
    if stored is None or not _installed_unchanged(root, config, stored.installed):
        return None
    cache.save_stamps(set(paths))  # touched files: their new stat, so the next run need not read them
    return stored


def _result_key(cache: FactsCache, paths: list[str], settings: tuple) -> str | None:
    """The stored result's key: every file's facts digest and the settings."""
    digests = cache.analysis_digests(paths)
    return result_key(digests, *settings) if digests is not None else None


def _selected_codes(config: Config, select, ignore) -> set[str]:
    from ormdoctor.rules.engine import UnknownCodeError, selected_codes

    try:
        return selected_codes(config, select, ignore)
    except UnknownCodeError as exc:
        raise UsageError(str(exc)) from None


def _load_analysis() -> None:
    """Import the inventory and the rules (a fifth of a small check's time) while the workers
    parse, instead of before they start."""
    import ormdoctor.inventory.build  # noqa: F401
    from ormdoctor.rules.registry import load_rules

    load_rules()


def _installed_unchanged(root: Path, config: Config, used: dict[str, str]) -> bool:
    """Whether every installed module the stored result was resolved with is still the same
    file (an upgraded package gives its classes other tables, columns or bases)."""
    if not used:
        return True
    from ormdoctor.inventory.installed import InstalledModules
    from ormdoctor.project.environment import find_environment

    environment = find_environment(root, config.python)
    if environment is None:
        return False
    installed = InstalledModules(environment)
    return all(installed.digest(dotted) == digest for dotted, digest in used.items())


def _config_state(root: Path, config: Config, paths: list[str] = ()) -> tuple:
    """Everything besides the .py files that changes the result: settings, ini files, and the
    evidence of import roots (sub-project settings, Dockerfiles)."""
    from ormdoctor.project.evidence import evidence_files

    files = ["pyproject.toml", "setup.cfg", "pytest.ini", "tox.ini", ".gitignore"] + evidence_files(root, paths)
    digests = []
    for name in files + [p.relative_to(root).as_posix() for p in alembic_ini_files(root)]:
        path = root / name
        try:
            if path.is_file():  # a FIFO or a device named like a settings file would block or never end
                digests.append((name, content_digest(path.read_bytes())))
        except OSError:
            continue
    from ormdoctor.project.environment import find_environment

    environment = find_environment(root, config.python)  # paths only: a few stats
    return (repr(config.pyproject), config.include, config.exclude, config.per_file_ignores,
            repr(sorted(config.canonical.items())), tuple(digests),
            environment.paths if environment is not None else None)

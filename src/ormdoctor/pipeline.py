"""One analysis run: project → inventory → rules → findings, timed. Commands call this."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ormdoctor.inventory.model import Inventory

from ormdoctor.config import Config, load_config
from ormdoctor.findings import Finding, Severity, sort_findings
from ormdoctor.project.discover import alembic_ini_files, discover
from ormdoctor.static.cache import FactsCache, result_key

# The inventory and the rules are imported on a cache miss only: an unchanged tree answers
# from .ormdoctor_cache/ without paying for them.


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


def project_root(paths: list[str]) -> tuple[Path, list[str]]:
    """The folder to analyse and, when files were named, an include list relative to it."""
    if not paths:
        paths = ["."]
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


def analyse(paths: list[str], config_path: str | None = None, select=None, ignore=None,
            use_cache: bool = True, reuse_result: bool = False, progress=None) -> Analysis:
    """``reuse_result``: the caller needs only the findings, so an unchanged tree may answer
    from the cache without building the inventory. ``progress``: see ``ormdoctor.progress``."""
    started = time.perf_counter()
    root, includes = project_root(paths)
    from ormdoctor.config import ConfigError

    try:
        config = load_config(root, Path(config_path) if config_path else None)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if includes:
        config.include = config.include + includes
    paths = discover(root, config.include, config.exclude)
    if not paths:
        raise UsageError(f"no Python files to check in {root}" + (" (after include/exclude)" if
                                                                   config.include or config.exclude else ""))
    cache = FactsCache(root) if use_cache else None
    choice = (sorted(select or []), sorted(ignore or []))
    if cache is not None and reuse_result:
        from ormdoctor.static.scan import file_digests

        digests = file_digests(root, paths, cache)
        key = result_key(digests, choice, _config_state(root, config)) if digests is not None else None
        stored = cache.load_result(key) if key else None
        if stored is not None:
            return Analysis(root, config, None, stored["findings"], started, set(stored["codes"]), stored["scope"])
    from ormdoctor.inventory.build import build_inventory
    from ormdoctor.rules.engine import run_rules, selected_codes

    from ormdoctor.rules.engine import UnknownCodeError

    try:
        codes = selected_codes(config, select, ignore)
    except UnknownCodeError as exc:
        raise UsageError(str(exc)) from None
    inventory = build_inventory(root, config, use_cache=use_cache, paths=paths, cache=cache, progress=progress)
    if progress:
        progress("running the rules")
    findings = run_rules(inventory, config, codes)
    scope = {"files": len(inventory.modules), "models": len(inventory.mapped_classes()),
             "tables": len({(t.metadata_id, t.schema, t.name) for t in inventory.tables})}
    if cache is not None and reuse_result:
        digests = {m.path: m.facts.digest for m in inventory.modules.values()}
        key = result_key(digests, choice, _config_state(root, config))
        cache.save_result(key, {"findings": findings, "scope": scope, "codes": sorted(codes)})
    return Analysis(root, config, inventory, findings, started, codes, scope)


def _config_state(root: Path, config: Config) -> tuple:
    """Everything besides the .py files that changes the result: settings and ini files."""
    files = ["pyproject.toml", "setup.cfg", "pytest.ini", "tox.ini", ".gitignore"]
    stats = []
    for name in files + [p.relative_to(root).as_posix() for p in alembic_ini_files(root)]:
        try:
            stat = (root / name).stat()
            stats.append((name, stat.st_mtime_ns, stat.st_size))
        except OSError:
            continue
    return (repr(config.pyproject), config.include, config.exclude, config.per_file_ignores, tuple(stats))

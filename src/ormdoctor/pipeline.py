"""One analysis run: project → inventory → rules → findings, timed. Commands call this."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from ormdoctor.config import Config, load_config
from ormdoctor.findings import Finding, Severity, sort_findings
from ormdoctor.inventory.build import build_inventory
from ormdoctor.inventory.model import Inventory
from ormdoctor.rules.engine import run_rules, selected_codes


class UsageError(Exception):
    """The tool cannot do what was asked (exit 2). The message is one line."""


@dataclass
class Analysis:
    root: Path
    config: Config
    inventory: Inventory
    findings: list[Finding]
    started: float
    codes: set[str] = field(default_factory=set)

    def summary(self) -> dict:
        counts = {s: sum(1 for f in self.findings if f.severity is s) for s in Severity}
        return {
            "files": len(self.inventory.modules),
            "models": len(self.inventory.mapped_classes()),
            "tables": len({(t.metadata_id, t.schema, t.name) for t in self.inventory.tables}),
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
            use_cache: bool = True) -> Analysis:
    started = time.perf_counter()
    root, includes = project_root(paths)
    from ormdoctor.config import ConfigError

    try:
        config = load_config(root, Path(config_path) if config_path else None)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if includes:
        config.include = config.include + includes
    codes = selected_codes(config, select, ignore)
    inventory = build_inventory(root, config, use_cache=use_cache)
    findings = run_rules(inventory, config, codes)
    return Analysis(root, config, inventory, findings, started, codes)

"""Run the selected rules over an inventory; apply suppressions; hide follow-on findings."""

from __future__ import annotations

import fnmatch

from ormdoctor.config import Config
from ormdoctor.crash import blame
from ormdoctor.findings import Finding, sort_findings
from ormdoctor.inventory.model import Inventory
from ormdoctor.rules.context import Context
from ormdoctor.rules.registry import load_rules


def selected_codes(config: Config, select: list[str] | None = None, ignore: list[str] | None = None) -> set[str]:
    rules = load_rules()
    chosen = select or config.select or ["ORM"]
    dropped = (ignore or []) + config.ignore
    return {code for code in rules if _matches(code, chosen) and not _matches(code, dropped)}


def _matches(code: str, prefixes: list[str]) -> bool:
    return any(code.startswith(p.strip().upper()) for p in prefixes if p.strip()) or "ALL" in [p.upper() for p in prefixes]


def run_rules(inventory: Inventory, config: Config, codes: set[str]) -> list[Finding]:
    context = Context(inventory, config)
    findings: list[Finding] = []
    for code, rule in load_rules().items():
        if code in codes and rule.check is not None:
            try:
                findings.extend(rule.check(context))
            except Exception as exc:
                blame(exc, f"rule {code}")  # a bug: the one-line report names the rule
                raise
    return sort_findings(dedupe(suppress(findings, inventory, config)))


def suppress(findings: list[Finding], inventory: Inventory, config: Config) -> list[Finding]:
    return [f for f in findings if not _suppressed(f, inventory, config)]


def _suppressed(finding: Finding, inventory: Inventory, config: Config) -> bool:
    if finding.location is None:
        return False
    path, line = finding.location.path, finding.location.line
    module = inventory.modules.get(path)
    if module is not None:
        codes = module.facts.noqa.get(line, [])
        if "*" in codes or finding.code in codes:
            return True
    for pattern, codes in config.per_file_ignores.items():
        if fnmatch.fnmatch(path, pattern) or path.startswith(pattern.rstrip("/") + "/"):
            if any(finding.code.startswith(c.upper()) for c in codes):
                return True
    return False


def dedupe(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for finding in findings:
        key = (finding.code, finding.subject, finding.location, finding.message)
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out

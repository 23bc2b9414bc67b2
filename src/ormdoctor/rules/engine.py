"""Run the selected rules over an inventory; apply suppressions; fold follow-on findings into their cause."""

from __future__ import annotations

import difflib
import fnmatch
from dataclasses import replace

from ormdoctor.config import Config
from ormdoctor.crash import blame
from ormdoctor.findings import Finding, sort_findings
from ormdoctor.inventory.installed import is_installed
from ormdoctor.inventory.model import Inventory
from ormdoctor.rules.context import Context
from ormdoctor.rules.grouping import group_follow_ons
from ormdoctor.rules.registry import load_rules
from ormdoctor.static.source import WHOLE_FILE

# Runs after the others: it reports the suppression comments that silenced none of their findings.
UNUSED_SUPPRESSION = "ORM004"


class UnknownCodeError(ValueError):
    """A code or prefix in --select/--ignore/the configuration that names no rule."""


def selected_codes(config: Config, select: list[str] | None = None, ignore: list[str] | None = None) -> set[str]:
    rules = load_rules()
    check_known(rules, (select or []) + (ignore or []), "--select/--ignore")
    check_known(rules, config.select + config.ignore, f"{config.path} [tool.ormdoctor]")
    check_known(rules, [c for codes in config.per_file_ignores.values() for c in codes],
                f"{config.path} [tool.ormdoctor.per-file-ignores]")
    chosen = select or config.select or ["ORM"]
    dropped = (ignore or []) + config.ignore
    return {code for code in rules if _matches(code, chosen) and not _matches(code, dropped)}


def check_known(rules, prefixes: list[str], where: str) -> None:
    """Every entry is ALL, a code, or a prefix of codes (ORM1, ORM10); else one line with a suggestion."""
    for prefix in prefixes:
        wanted = prefix.strip().upper()
        if wanted and wanted != "ALL" and not any(code.startswith(wanted) for code in rules):
            # E501 is another linter's code, not a typo of ORM501: suggest only for ORM-like input.
            close = difflib.get_close_matches(wanted, list(rules), n=1, cutoff=0.6) if wanted[:1] == "O" else []
            suggestion = f"; did you mean {close[0]}?" if close else "; `ormdoctor rule` lists them"
            raise UnknownCodeError(f"unknown rule code {prefix.strip()!r} in {where}{suggestion}")


def _matches(code: str, prefixes: list[str]) -> bool:
    return any(code.startswith(p.strip().upper()) for p in prefixes if p.strip()) or "ALL" in [p.upper() for p in prefixes]


def run_rules(inventory: Inventory, config: Config, codes: set[str]) -> list[Finding]:
    context = Context(inventory, config)
    findings: list[Finding] = []
    rules = load_rules()
    for code, rule in rules.items():
        if code in codes and rule.check is not None and code != UNUSED_SUPPRESSION:
            try:
                findings.extend(rule.check(context))
            except Exception as exc:
                blame(exc, f"rule {code}")  # a bug: the one-line report names the rule
                raise
    findings = project_only(findings)
    suppressions = Suppressions(inventory, config)
    kept = suppressions.apply(findings)
    if UNUSED_SUPPRESSION in codes:
        context.used_suppressions = suppressions.used
        context.selected_codes = codes
        unused = rules[UNUSED_SUPPRESSION].check(context)
        kept += [f for f in unused if not suppressions.silences(f, explicit_only=True)]
    return sort_findings(group_follow_ons(dedupe(kept)))


def project_only(findings: list[Finding]) -> list[Finding]:
    """Installed packages are read only to resolve the project's classes: a finding located in
    one is not the project's, and a related place in one is left out."""
    kept = []
    for finding in findings:
        if finding.location is not None and is_installed(finding.location.path):
            continue
        if any(is_installed(r.location.path) for r in finding.related):
            finding = replace(finding, related=tuple(r for r in finding.related if not is_installed(r.location.path)))
        kept.append(finding)
    return kept


def suppress(findings: list[Finding], inventory: Inventory, config: Config) -> list[Finding]:
    return Suppressions(inventory, config).apply(findings)


class Suppressions:
    """The inline comments and per-file ignores, and which comment silenced a finding: ``used``
    holds (path, line, code) for every code of a comment that did."""

    def __init__(self, inventory: Inventory, config: Config):
        self.inventory = inventory
        self.config = config
        self.used: set[tuple[str, int, str]] = set()

    def apply(self, findings: list[Finding]) -> list[Finding]:
        return [f for f in findings if not self.silences(f)]

    def silences(self, finding: Finding, explicit_only: bool = False) -> bool:
        """``explicit_only``: only a comment naming the code on the line counts (a bare or a
        file-level ignore must not silence the report that it is itself unused)."""
        if finding.location is None:
            return False
        path = finding.location.path
        found = False
        module = self.inventory.modules.get(path)
        if module is not None:
            lines = (finding.location.line,) if explicit_only else (finding.location.line, WHOLE_FILE)
            for line in lines:
                codes = module.facts.noqa.get(line, [])
                for code in (finding.code,) if explicit_only else ("*", finding.code):
                    if code in codes:
                        self.used.add((path, line, code))
                        found = True
        return found or self._ignored_by_config(finding.code, path)

    def _ignored_by_config(self, code: str, path: str) -> bool:
        for pattern, codes in self.config.per_file_ignores.items():
            if fnmatch.fnmatch(path, pattern) or path.startswith(pattern.rstrip("/") + "/"):
                if any(code.startswith(c.upper()) for c in codes):
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

"""The code table: every rule with its code, name, default severity, fix applicability and
documentation (its docstring). Rules register at import; nothing here changes during a run."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable, Iterable

from ormdoctor.findings import Applicability, Finding, Severity

# Where the generated rule pages live; a rule's page is RULES_URL#orm101 (see gen_rule_docs.py).
RULES_URL = "https://github.com/ormdoctor/ormdoctor/blob/main/RULES.md"
DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety")


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    family: str
    doc: str
    check: Callable[["object"], Iterable[Finding]] | None  # None: reported by --import / --db
    fix: Applicability | None = None
    source: str = "static"

    @property
    def help_uri(self) -> str:
        return f"{RULES_URL}#{self.code.lower()}"


RULES: dict[str, Rule] = {}


def rule(code: str, name: str, severity: Severity, fix: Applicability | None = None, source: str = "static"):
    def register(func):
        if code in RULES:
            raise RuntimeError(f"rule code {code} registered twice")
        family = func.__module__.rsplit(".", 1)[-1]
        RULES[code] = Rule(code, name, severity, family, inspect.getdoc(func) or "",
                           func if source == "static" else None, fix, source)
        return func
    return register


def load_rules() -> dict[str, Rule]:
    """Import every rule family once; the table is then complete."""
    from ormdoctor.rules import (alembic, declarative, drift, duplicates, files, indexes,  # noqa: F401
                                 other_sources, references, structure, suppressions)
    return dict(sorted(RULES.items()))


def by_name_or_code(key: str) -> Rule | None:
    rules = load_rules()
    key = key.strip()
    if key.upper() in rules:
        return rules[key.upper()]
    for found in rules.values():
        if found.name == key:
            return found
    return None

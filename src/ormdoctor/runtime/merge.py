"""One problem, one finding: what the import saw, merged into what the static rules reported.

A runtime finding confirms a static one about the same thing, whatever line each points at:
the same code and subject (a duplicate table, a class name), a foreign key that does not
resolve (ORM902 and ORM303 name the same ``table.column``), or a relationship that breaks mapper
configuration (ORM901 for class ``C`` and target ``T``: the static finding about ``C.<attr>``
that targets ``T``, else the duplicated class name ``T``). The confirmation is added to the
static finding as a note (with the more severe of the two severities); what only the import saw
is kept as its own finding.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..findings import Finding

RELATIONSHIP_CODES = ("ORM301", "ORM302", "ORM304", "ORM306")
_TARGET = re.compile(r"relationship target '([^']+)'")


def merge_runtime(static: list[Finding], runtime: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(the static findings with their confirmations, the runtime findings nothing static covers)."""
    merged = list(static)
    extra = []
    for found in runtime:
        index = _confirmed(merged, found)
        if index is None:
            extra.append(found)
            continue
        note = f"confirmed by --import: {found.message}"
        static_finding = merged[index]
        # What the import proved is at least as severe as what it saw: a warning that really
        # breaks mapper configuration is an error (and the exit status says so).
        severity = min(static_finding.severity, found.severity, key=lambda s: s.rank)
        merged[index] = replace(static_finding, severity=severity,
                                details=static_finding.details + (note,) + found.details[:1])
    return merged, extra


def _confirmed(static: list[Finding], found: Finding) -> int | None:
    for matches in (_same_problem, _same_relationship, _same_class_name):
        for index, candidate in enumerate(static):
            if candidate.source == "static" and matches(candidate, found):
                return index
    return None


def _same_problem(static: Finding, found: Finding) -> bool:
    if found.code == "ORM902" and static.code == "ORM303":
        return static.subject == found.subject
    if (static.code, static.subject) != (found.code, found.subject):
        return False
    if found.code == "ORM104":  # one class name in two registries is two problems
        registry = found.message.rsplit(" in registry ", 1)[-1]
        return f" in registry {registry} (" in static.message or static.message.endswith(f" in registry {registry}")
    return True


def _same_relationship(static: Finding, found: Finding) -> bool:
    if found.code != "ORM901" or static.code not in RELATIONSHIP_CODES:
        return False
    if not static.subject.startswith(found.subject + "."):
        return False
    target = _TARGET.search(found.message)
    return static.code == "ORM306" or target is None or re.search(
        rf"targets '?{re.escape(target.group(1))}\b", static.message) is not None


def _same_class_name(static: Finding, found: Finding) -> bool:
    """Mapper configuration fails because the target name matches several classes: ORM104."""
    target = _TARGET.search(found.message)
    return (found.code == "ORM901" and static.code == "ORM104" and target is not None
            and "matches several classes" in found.message and static.subject == target.group(1))

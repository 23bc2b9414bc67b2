"""One problem, one finding: follow-on findings are folded into the finding of their cause.

- ORM302 (a string reference matches several classes) into ORM104 (two classes with that name),
  when ORM104 lists the reference: the duplicated name is the cause, the reference is where it
  crashes. The reference stays as a related place; the severity is the higher of the two.
- ORM105 (extend_existing hides the second definition of a double import) into ORM107 (the module
  imported under two names): each flagged table becomes a related place of ORM107.
- ORM202 (an index repeats another of the table) into ORM201 (the two share one name, so
  create_all fails): `index=True` plus `Index("ix_t_col", "col")` is one mistake. ORM201 takes
  ORM202's fix, which removes the repeat and so the collision.

Folded findings are related places ("related" in JSON), never nested children: every reporter
and the schema already show related places. A follow-on whose cause is not reported (not
selected, suppressed) stays a finding of its own.
"""

from __future__ import annotations

from dataclasses import replace

from ormdoctor.findings import Finding, Related


def group_follow_ons(findings: list[Finding]) -> list[Finding]:
    return _fold_repeated_index_names(_fold_masked_double_imports(_fold_ambiguous_references(findings)))


def _partition(findings: list[Finding], cause_of) -> tuple[list[Finding], dict[Finding, list[Finding]]]:
    """(the findings that stay, each cause → its follow-ons); ``cause_of(finding)`` is the
    finding a follow-on folds into, or None."""
    folded: dict[Finding, list[Finding]] = {}
    kept = []
    for finding in findings:
        cause = cause_of(finding)
        if cause is None:
            kept.append(finding)
        else:
            folded.setdefault(cause, []).append(finding)
    return kept, folded


def _fold(findings: list[Finding], cause_of, place) -> list[Finding]:
    kept, folded = _partition(findings, cause_of)
    return [_absorb(f, folded[f], place) if f in folded else f for f in kept]


def _fold_repeated_index_names(findings: list[Finding]) -> list[Finding]:
    collisions = {(f.subject, place): f for f in findings if f.code == "ORM201"
                  for place in (f.location, *(r.location for r in f.related))}
    kept, folded = _partition(findings, lambda f: collisions.get((f.subject, f.location)) if f.code == "ORM202" else None)
    out = []
    for finding in kept:
        if finding in folded:  # the collision takes the repeat's fix, which removes both problems
            merged = _absorb(finding, folded[finding], _repeat_place)
            fix = finding.fix or next((f.fix for f in folded[finding] if f.fix is not None), None)
            finding = replace(merged, fix=fix, hint=finding.hint if fix is None else f"{fix.description}: one index, one name")
        out.append(finding)
    return out


def _repeat_place(follow_on: Finding) -> Related:
    return Related(follow_on.location, f"{follow_on.message} (ORM202)")


def _fold_ambiguous_references(findings: list[Finding]) -> list[Finding]:
    causes = {r.location: f for f in findings if f.code == "ORM104" for r in f.related}
    return _fold(findings, lambda f: causes.get(f.location) if f.code == "ORM302" else None, _reference_place)


def _reference_place(follow_on: Finding) -> Related:
    return Related(follow_on.location, f"{follow_on.subject} is ambiguous here (ORM302): {follow_on.hint}")


def _fold_masked_double_imports(findings: list[Finding]) -> list[Finding]:
    double_imports = {f.message.split(" is imported as ", 1)[0]: f for f in findings if f.code == "ORM107"}

    def cause_of(finding: Finding) -> Finding | None:
        if finding.code == "ORM105" and " is imported as " in finding.message:
            return double_imports.get(finding.message.split("hides that ", 1)[-1].split(" is imported as ", 1)[0])
        return None

    return _fold(findings, cause_of, _masked_place)


def _masked_place(follow_on: Finding) -> Related:
    flag = follow_on.message.split("=True", 1)[0]
    return Related(follow_on.location, f"{flag}=True on '{follow_on.subject}' hides its second definition (ORM105)")


def _absorb(cause: Finding, follow_ons: list[Finding], place) -> Finding:
    known = {r.location for r in cause.related}
    related = [r for r in cause.related if r.location not in {f.location for f in follow_ons}]
    related += [place(f) for f in follow_ons]
    related += [r for f in follow_ons for r in f.related if r.location not in known and r.location != cause.location]
    severity = min([cause.severity, *(f.severity for f in follow_ons)], key=lambda s: s.rank)
    return replace(cause, related=tuple(_unique(related)), severity=severity)


def _unique(related):
    seen = set()
    for item in related:
        if item.location not in seen:
            seen.add(item.location)
            yield item

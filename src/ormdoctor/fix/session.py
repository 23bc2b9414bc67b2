"""`ormdoctor fix` from start to end: fix rounds in a scratch copy until nothing is left to fix,
the whole project re-checked, files rolled back one by one while the check finds something
new, then the diff, or atomic writes followed by a boot check that restores every file when
the project stopped booting."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from ormdoctor.findings import Finding, Severity
from ormdoctor.fix.apply import apply_round, fixable, unsafe_only
from ormdoctor.fix.workspace import Workspace
from ormdoctor.pipeline import analyse

MAX_ROUNDS = 6  # each round may uncover the next fix (ORM107, then the flag it made needless)


@dataclass
class Outcome:
    root: Path
    changed: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)  # path → (before, after)
    applied: list[Finding] = field(default_factory=list)
    skipped: list[tuple[Finding, str]] = field(default_factory=list)
    rolled_back: list[tuple[str, str]] = field(default_factory=list)  # path, why
    unsafe_left: int = 0
    remaining: list[Finding] = field(default_factory=list)


@dataclass
class Options:
    paths: list[str]
    config: str | None = None
    unsafe: bool = False
    select: list[str] | None = None
    canonical: dict | None = None
    python: str | None = None  # the project's interpreter: its environment's packages are read


def fix_project(options: Options) -> Outcome:
    before = _check(options.paths, options)
    environment = before.inventory.environment if before.inventory is not None else None
    if environment is not None and options.python is None:
        # The scratch copy holds the project's files, not its environment (`.venv` in the project):
        # its checks read the same installed packages, so they find what the project's check found.
        options = replace(options, python=str(Path(environment.prefix) / "bin" / "python"))
    outcome = Outcome(before.root)
    workspace = Workspace(before.root)
    try:
        scratch = [str(workspace.scratch / Path(p).resolve().relative_to(before.root)) if Path(p).resolve() != before.root
                   else str(workspace.scratch) for p in (options.paths or ["."])]
        after = _rounds(workspace, scratch, options, outcome)
        after = _roll_back_regressions(workspace, scratch, options, before.findings, after, outcome)
        outcome.remaining = after.findings
        outcome.unsafe_left = len(unsafe_only(after.findings, options.select)) if not options.unsafe else 0
        outcome.changed = {p: (workspace.original[p], data) for p, data in workspace.changed().items()}
    finally:
        workspace.close()
    return outcome


def _check(paths, options: Options):
    return analyse(paths, options.config, None, None, use_cache=False, canonical=options.canonical,
                   python=options.python)


def _rounds(workspace, scratch: list[str], options: Options, outcome: Outcome):
    analysis = _check(scratch, options)
    for _ in range(MAX_ROUNDS):
        failed = {(f.code, f.subject) for f, _ in outcome.skipped}
        todo = [f for f in fixable(analysis.findings, options.unsafe, options.select) if (f.code, f.subject) not in failed]
        if not todo:
            break
        python_files = sorted(p for p, m in analysis.inventory.modules.items() if m.facts.error is None)
        done = apply_round(workspace, todo, python_files)
        outcome.skipped += done.skipped
        if not done.files:
            break
        outcome.applied += done.applied
        analysis = _check(scratch, options)
    return analysis


def new_findings(before: list[Finding], after: list[Finding]) -> list[Finding]:
    """What the fixes introduced: a finding about a subject nothing reported before, or an
    error that was not there (a flag turning from ORM105 into ORM106 is the same subject)."""
    subjects = {f.subject for f in before}
    keys = {(f.code, f.subject) for f in before}
    return [f for f in after if f.subject not in subjects or
            (f.severity is Severity.ERROR and (f.code, f.subject) not in keys)]


def _roll_back_regressions(workspace, scratch, options, before: list[Finding], after, outcome: Outcome):
    regressions = new_findings(before, after.findings)
    for path in sorted(workspace.changed(), reverse=True):
        if not regressions:
            break
        fixed = workspace.restore(path)
        trial = _check(scratch, options)
        left = new_findings(before, trial.findings)
        if len(left) < len(regressions):
            why = "; ".join(f"{f.code} {f.subject}" for f in regressions if f not in left)
            outcome.rolled_back.append((path, f"the fix made the check report {why}"))
            regressions, after = left, trial
        else:
            workspace.write(path, fixed)
    if regressions:  # nothing single-file explains them: keep no change at all
        for path in list(workspace.changed()):
            workspace.restore(path)
            outcome.rolled_back.append((path, "the fixes together made the check report " +
                                        "; ".join(f"{f.code} {f.subject}" for f in regressions)))
        after = _check(scratch, options)
    return after

"""One round of fixes: choose the findings whose fix may apply, group their edits by file, and
rewrite each file once (libcst for Python, a text codemod for settings), re-parsed before it
is kept."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ormdoctor.findings import Applicability, Edit, Finding
from ormdoctor.fix.source import EditError, SourceFile, check_parses, decode, encode_like


@dataclass
class Round:
    applied: list[Finding] = field(default_factory=list)
    skipped: list[tuple[Finding, str]] = field(default_factory=list)  # with the reason
    files: set[str] = field(default_factory=set)


def fixable(findings: list[Finding], unsafe: bool, select: list[str] | None = None) -> list[Finding]:
    chosen = []
    for finding in findings:
        if finding.fix is None or not finding.fix.edits:
            continue
        if select and not any(finding.code.startswith(s.upper()) for s in select):
            continue
        if finding.fix.applicability is Applicability.UNSAFE and not unsafe:
            continue
        chosen.append(finding)
    return chosen


def unsafe_only(findings: list[Finding], select: list[str] | None = None) -> list[Finding]:
    """Fixes that ``--unsafe-fixes`` would add."""
    safe = {id(f) for f in fixable(findings, False, select)}
    return [f for f in fixable(findings, True, select) if id(f) not in safe]


def apply_round(workspace, findings: list[Finding], python_files: list[str]) -> Round:
    done = Round()
    by_file: dict[str, list[tuple[Finding, Edit]]] = defaultdict(list)
    for finding in findings:
        for edit in _expanded(finding.fix.edits, python_files):
            by_file[edit.path].append((finding, edit))
    failed: dict[int, str] = {}
    rewritten = _rewrite_all(workspace, by_file, failed)
    if failed:  # a fix applies whole or not at all: redo the files without the fixes that failed
        by_file = {p: [(f, e) for f, e in items if id(f) not in failed] for p, items in by_file.items()}
        rewritten = _rewrite_all(workspace, by_file, failed)
    for path, new in rewritten.items():
        workspace.write(path, new)
        done.files.add(path)
    for finding in findings:
        if id(finding) in failed:
            done.skipped.append((finding, failed[id(finding)]))
        else:
            done.applied.append(finding)
    return done


def _rewrite_all(workspace, by_file: dict, failed: dict) -> dict[str, bytes]:
    rewritten = {}
    for path, items in sorted(by_file.items()):
        if not items:
            continue
        try:
            new = _rewrite(workspace, path, items, failed)
        except EditError as exc:
            for finding, _ in items:
                failed.setdefault(id(finding), str(exc))
            continue
        if new is not None:
            rewritten[path] = new
    return rewritten


def _expanded(edits, python_files: list[str]) -> list[Edit]:
    """A renamed attribute's uses may be anywhere in the project: every file gets a look."""
    out = list(edits)
    for edit in edits:
        if edit.kind == "rename-attribute":
            owner, old, new, _ = edit.args
            out += [Edit("rename-uses", p, 0, (owner, old, new)) for p in python_files]
    return out


def _rewrite(workspace, path: str, items, failed: dict) -> bytes | None:
    before = workspace.read(path)
    if not path.endswith(".py"):
        return _rewrite_text(path, before, items, failed)
    from ormdoctor.fix.codemods import Target, python_codemods
    from ormdoctor.fix.edits import Changes, NodeIndex, apply_changes

    source = SourceFile.read(workspace.scratch, path)
    target = Target(workspace.scratch, path, source.module, NodeIndex.of(source.module), Changes())
    codemods = python_codemods()
    for finding, edit in items:
        try:
            codemods[edit.kind](target, edit)
        except EditError as exc:
            failed.setdefault(id(finding), str(exc))
    after = apply_changes(source.module, target.changes).bytes
    if after == before:
        return None
    check_parses(path, after)
    return after


def _rewrite_text(path: str, before: bytes, items, failed: dict) -> bytes | None:
    from ormdoctor.fix.codemods import text_codemods

    text = decode(path, before)
    codemods = text_codemods()
    for finding, edit in items:
        try:
            text = codemods[edit.kind](text, edit)
        except EditError as exc:
            failed.setdefault(id(finding), str(exc))
    after = encode_like(before, text)
    return None if after == before else after

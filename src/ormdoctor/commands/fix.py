"""``ormdoctor fix``: apply the fixes findings carry. A diff by default; ``--write`` writes,
re-checks and (with an interpreter) boots the project, restoring every file when it no longer
boots. Only safe fixes unless ``--unsafe-fixes``."""

from __future__ import annotations

import sys
from pathlib import Path

from ormdoctor.commands.output import emit, split_codes, write_atomic
from ormdoctor.pipeline import UsageError


def run(args) -> int:
    _require_libcst()
    from ormdoctor.fix.session import Options, fix_project

    options = Options(args.paths, args.config, args.unsafe_fixes, split_codes(args.select),
                      _plan_decisions(args.plan) if args.plan else None, args.python)
    outcome = fix_project(options)
    if not args.write:
        emit(_diff(outcome) + _summary(outcome, written=False))
        return 1 if outcome.changed else 0
    booted_before = _boots(outcome.root, args) if outcome.changed and _should_verify(outcome.root, args) else None
    write_files(outcome.root, {p: after for p, (_, after) in outcome.changed.items()})
    if booted_before is None:
        emit(_summary(outcome, written=True))
    else:
        booted_after = _boots(outcome.root, args)
        if booted_before[0] and not booted_after[0]:
            write_files(outcome.root, {p: before for p, (before, _) in outcome.changed.items()})
            print(f"ormdoctor: fixes rolled back: the project booted before and no longer does "
                  f"({booted_after[1]})", file=sys.stderr)
            return 1
        emit(_summary(outcome, written=True) + f"verify after the fixes: {booted_after[1]}\n")
    return 1 if any(f.severity.value == "error" for f in outcome.remaining) else 0


def _require_libcst() -> None:
    try:
        import libcst  # noqa: F401
    except ImportError:
        raise UsageError("`ormdoctor fix` needs libcst: pip install 'ormdoctor[fix]'") from None


def _plan_decisions(path: str) -> dict:
    from ormdoctor.fix.decisions import read_decisions

    return read_decisions(Path(path))


def _should_verify(root: Path, args) -> bool:
    """--verify, or an interpreter of the project's own (--python, .venv, venv) was found."""
    if args.verify or args.python:
        return True
    from ormdoctor.runtime.runner import VENV_PYTHONS

    return any((root / candidate).exists() for candidate in VENV_PYTHONS)


def _boots(root: Path, args) -> tuple[bool, str]:
    from ormdoctor.commands.verify import boot

    _, report, ok = boot([str(root)], args)
    verify = report.verify
    return ok, verify.summary_line() if verify is not None else "the models could not be imported"


def write_files(root: Path, files: dict[str, bytes]) -> None:
    from ormdoctor.fix.source import text_and_encoding

    for path, data in files.items():
        text, encoding = text_and_encoding(path, data)
        write_atomic(root / path, text, encoding=encoding, newline="")


def _diff(outcome) -> str:
    from ormdoctor.fix.workspace import unified_diff

    return "".join(unified_diff(p, before, after) for p, (before, after) in outcome.changed.items())


def _summary(outcome, written: bool) -> str:
    lines = []
    if outcome.applied and outcome.changed:
        verb = "Fixed" if written else "Would fix"
        lines.append(f"{verb} {len(outcome.applied)} finding(s) in {len(outcome.changed)} file(s):")
        lines += [f"  {f.location or f.subject} {f.code} {f.fix.description}" for f in outcome.applied]
    else:
        lines.append("No fixes to apply.")
    lines += [f"  skipped {f.code} {f.subject}: {why}" for f, why in outcome.skipped]
    lines += [f"  rolled back {path}: {why}" for path, why in outcome.rolled_back]
    if outcome.unsafe_left:
        lines.append(f"{outcome.unsafe_left} more fix(es) available with --unsafe-fixes.")
    return "\n".join(lines) + "\n"

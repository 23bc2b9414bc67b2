"""``ormdoctor rule [CODE]``: a rule's documentation page, or the list."""

from __future__ import annotations

import json

from ormdoctor.commands.output import emit
from ormdoctor.pipeline import UsageError
from ormdoctor.rules.registry import by_name_or_code, load_rules


def run(args) -> int:
    rules = load_rules()
    if args.code is None:
        if args.format == "json":
            emit(json.dumps([_entry(r) for r in rules.values()], indent=2) + "\n")
        else:
            width = max(len(r.name) for r in rules.values())
            emit("".join(f"{r.code}  {r.name:<{width}}  {r.severity.value:<7}  {r.source}\n" for r in rules.values()))
        return 0
    found = by_name_or_code(args.code)
    if found is None:
        raise UsageError(f"unknown rule {args.code!r}; `ormdoctor rule` lists them")
    if args.format == "json":
        emit(json.dumps(_entry(found), indent=2) + "\n")
    else:
        emit(page(found))
    return 0


def page(found) -> str:
    fix = found.fix.value if found.fix else "none"
    header = (f"# {found.name} ({found.code})\n\nDefault severity: {found.severity.value}. "
              f"Reported by: {found.source}. Fix: {fix}.\n\n")
    return header + found.doc.strip() + "\n"


def _entry(found) -> dict:
    return {"code": found.code, "name": found.name, "severity": found.severity.value, "family": found.family,
            "source": found.source, "fix": found.fix.value if found.fix else None, "doc": found.doc}

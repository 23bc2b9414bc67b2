"""Regenerate the rule table in README.md from the code table (tests fail when it is stale)."""

from __future__ import annotations

import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def rule_table() -> str:
    from ormdoctor.rules.registry import load_rules

    rows = ["| code | name | severity | reported by |", "|---|---|---|---|"]
    rows += [f"| {r.code} | {r.name} | {r.severity.value} | {r.source} |" for r in load_rules().values()]
    return "\n".join(rows)


def render(text: str) -> str:
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{rule_table()}\n{END}{tail}"


if __name__ == "__main__":
    README.write_text(render(README.read_text(encoding="utf-8")), encoding="utf-8")
    sys.exit(0)

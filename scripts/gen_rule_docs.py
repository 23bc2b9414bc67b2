"""Regenerate the rule documentation from the code table: the table in README.md and every
rule's page in RULES.md. Tests fail when either is stale: run this after changing a rule."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
RULES = ROOT / "RULES.md"
START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def rule_table() -> str:
    from ormdoctor.rules.registry import load_rules

    rows = ["| code | name | severity | reported by |", "|---|---|---|---|"]
    rows += [f"| [{r.code}](RULES.md#{r.code.lower()}) | {r.name} | {r.severity.value} | {r.source} |"
             for r in load_rules().values()]
    return "\n".join(rows)


def render_readme(text: str) -> str:
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{rule_table()}\n{END}{tail}"


def render_rules() -> str:
    from ormdoctor.commands.rule import page
    from ormdoctor.rules.registry import load_rules

    parts = ["# ormdoctor rules\n\nGenerated from the rules' docstrings by `scripts/gen_rule_docs.py`; "
             "`ormdoctor rule CODE` prints the same page.\n"]
    for found in load_rules().values():
        body = page(found).replace("\n## ", "\n### ").replace("# ", f'## <a id="{found.code.lower()}"></a>', 1)
        parts.append(body)
    return "\n".join(parts)


if __name__ == "__main__":
    README.write_text(render_readme(README.read_text(encoding="utf-8")), encoding="utf-8")
    RULES.write_text(render_rules(), encoding="utf-8")

"""Suppression comments that silence nothing."""

from __future__ import annotations

from ormdoctor.findings import Location, Severity
from ormdoctor.rules.registry import RULES, rule
from ormdoctor.static.source import WHOLE_FILE


@rule("ORM004", "unused-suppression", Severity.WARNING)
def unused_suppression(ctx):
    """## What it does
    Reports a suppression comment that silenced no finding: `# ormdoctor: ignore[ORM101]` or
    `# noqa: ORM101` on a line where ORM101 is not reported, a bare `# ormdoctor: ignore` on a
    line with no finding, `# ormdoctor: ignore-file` in a file with none, and a code in a
    suppression that is not an ormdoctor rule. Like ruff's RUF100.

    Only what a static run can judge is reported: a code that is not selected, and the codes
    seen only by `--import` or `--db` (ORM6xx, ORM9xx), are left alone. A bare `# noqa` (no
    codes) is for other linters: it never silences ormdoctor and is never reported.

    ## Why is this bad?
    A stale suppression hides the next real problem on that line: once the duplicate it was
    written for is gone, a new duplicate of the same table is silenced too. Unknown codes are
    usually typos (`ORM10l`), so the finding they were meant for is still shown.

    ## Example
    ```python
    class Customer(Base):
        __tablename__ = "customers"  # ormdoctor: ignore[ORM101]   (the duplicate was removed)
    ```

    ## Use instead
    Delete the comment, or the stale code in it:
    ```python
    class Customer(Base):
        __tablename__ = "customers"
    ```

    ## Fix safety
    No automatic fix. `ormdoctor check --add-ignore` writes only the comments that are needed.
    """
    judged = {code for code in ctx.selected_codes if RULES[code].source == "static"}
    everything = judged >= {code for code, found in RULES.items() if found.source == "static"}
    for path, module in sorted(ctx.inventory.modules.items()):
        for line, codes in sorted(module.facts.noqa.items()):
            for code in codes:
                message = _unused(code, (path, line, code) in ctx.used_suppressions, judged, everything)
                if message:
                    where = "this file" if line == WHOLE_FILE else "this line"
                    yield ctx.finding("ORM004", code, message.format(where=where),
                                      Location(path, max(line, 1), 1),
                                      hint="remove the suppression comment (or the stale code in it)")


def _unused(code: str, used: bool, judged: set[str], everything: bool) -> str:
    if used:
        return ""
    if code == "*":
        return "suppression comment silences no finding in {where}" if everything else ""
    if code not in RULES:
        return f"suppression in {{where}} names {code}, which is not an ormdoctor rule code"
    return f"suppression of {code} silences no {code} finding in {{where}}" if code in judged else ""

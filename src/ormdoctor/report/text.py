"""Human output, laid out like ruff's: one block per finding, related places indented, a hint."""

from __future__ import annotations

import os

from ormdoctor.report.sanitize import path_at_line_start, printable

_COLORS = {"error": "\033[1;31m", "warning": "\033[1;33m", "info": "\033[1;36m", "path": "\033[1m",
           "dim": "\033[2m", "code": "\033[1;31m", "reset": "\033[0m", "hint": "\033[32m"}


def use_color(stream) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


class Painter:
    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __call__(self, kind: str, text: str) -> str:
        return f"{_COLORS[kind]}{text}{_COLORS['reset']}" if self.enabled else text


def render_text(findings, summary: dict, color: bool = False) -> str:
    paint = Painter(color)
    blocks = [_block(f, paint) for f in findings]
    return "\n".join(blocks + [_summary_line(summary, paint)]) + "\n"


def _block(finding, paint: Painter) -> str:
    """Every project string (paths, messages, names in them) goes through ``printable``."""
    where = path_at_line_start(str(finding.location)) if finding.location else f"<{finding.source}>"
    severity = finding.severity.value
    lines = [f"{paint('path', where)}: {paint(severity, finding.code)} [{severity}] {printable(finding.message)}"]
    for rel in finding.related:
        lines.append(f"    {paint('dim', path_at_line_start(str(rel.location)))}: {printable(rel.message)}")
    for detail in finding.details:
        lines.append(f"    note: {printable(detail)}")
    if finding.hint:
        lines.append(f"    {paint('hint', 'hint')}: {printable(finding.hint)}")
    if finding.source != "static":
        lines.append(f"    {paint('dim', 'seen by')}: {finding.source}")
    return "\n".join(lines) + "\n"


def _summary_line(summary: dict, paint: Painter) -> str:
    total = summary["errors"] + summary["warnings"] + summary["infos"]
    parts = [f"{summary['errors']} error{'s' * (summary['errors'] != 1)}",
             f"{summary['warnings']} warning{'s' * (summary['warnings'] != 1)}",
             f"{summary['infos']} info"]
    scope = (f"{summary['files']} files, {summary['models']} models, {summary['tables']} tables "
             f"in {summary['seconds']:.2f} s")
    seen = _coverage_line(summary.get("coverage"))
    if not summary["files"]:
        return f"Nothing checked: no Python files found ({scope})."
    if total == 0 and not summary["models"] and not summary["tables"]:
        return f"No models found: {scope}.{seen}"
    if total == 0:
        return f"All checks passed: {scope}.{seen}"
    return f"Found {total} finding{'s' * (total != 1)} ({', '.join(parts)}): {scope}.{seen}"


def _coverage_line(coverage: dict | None) -> str:
    """`Seen: 40 of 42 classes that look mapped (2 base not traceable).`, and the tables made
    inside functions, which no static reading sees."""
    if not coverage:
        return ""
    line = ""
    if coverage.get("looks_mapped"):
        looks, resolved = coverage["looks_mapped"], coverage["resolved"]
        reasons = ", ".join(f"{n} {reason}" for reason, n in coverage.get("unresolved", {}).items())
        line = f"\nSeen: {resolved} of {looks} classes that look mapped" + (f" ({reasons})." if reasons else ".")
    bases = coverage.get("empty_bases", [])
    if bases:
        shown = ", ".join(bases[:3]) + (f" and {len(bases) - 3} more" if len(bases) > 3 else "")
        line += (f"\nNo model on {shown}: a base for other projects' models (a library), or classes made "
                 f"at run time (`type(...)`, a factory) or in code ormdoctor does not read.")
    tables = coverage.get("tables_in_functions", 0)
    if tables:
        line += f"\nNot read: {tables} Table() call{'s' * (tables != 1)} inside functions (made when the function runs)."
    return line


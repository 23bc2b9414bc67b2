"""``--format github``: workflow commands that GitHub Actions shows as annotations."""

from __future__ import annotations

from ormdoctor.report.ci import checkout_prefix, shown_path

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape(text).replace(":", "%3A").replace(",", "%2C")


def render_github(findings, summary: dict, root: str = "") -> str:
    """``file=`` paths are relative to the repository checkout (see ``report.ci``)."""
    prefix = checkout_prefix(root) if root else ""
    lines = []
    for finding in findings:
        body = finding.message
        body += "".join(f"\n{prefix}{r.location}: {r.message}" for r in finding.related)
        if finding.hint:
            body += f"\nhint: {finding.hint}"
        title = _escape_property(f"{finding.code} {finding.rule}")
        level = _LEVEL[finding.severity.value]
        if finding.location:
            loc = finding.location
            props = (f"file={_escape_property(shown_path(loc, prefix))},line={loc.line},col={loc.column},"
                     f"title={title}")
        else:
            props = f"title={title}"
        lines.append(f"::{level} {props}::{_escape(body)}")
    return "\n".join(lines) + ("\n" if lines else "")

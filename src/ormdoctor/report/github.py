"""``--format github``: workflow commands that GitHub Actions shows as annotations."""

from __future__ import annotations

from ormdoctor.report.sanitize import printable
from ormdoctor.report.ci import checkout_prefix, shown_path

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _escape(text: str) -> str:
    """GitHub's escaping of a command's data (the runner's ``_escapeDataMappings``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """GitHub's escaping of a property value: ``:`` and ``,`` would end it."""
    return _escape(text).replace(":", "%3A").replace(",", "%2C")


def render_github(findings, summary: dict, root: str = "") -> str:
    """One ``::level props::data`` line per finding; ``file=`` paths are relative to the
    repository checkout (see ``report.ci``). Project strings are ``printable`` first (no newline
    or control character of theirs survives), then escaped by GitHub's rules; the only newlines
    left are ours, between the message, the related places and the hint."""
    prefix = checkout_prefix(root) if root else ""
    lines = []
    for finding in findings:
        body = printable(finding.message)
        body += "".join(f"\n{printable(prefix + str(r.location))}: {printable(r.message)}" for r in finding.related)
        if finding.hint:
            body += f"\nhint: {printable(finding.hint)}"
        title = _escape_property(f"{finding.code} {finding.rule}")
        level = _LEVEL[finding.severity.value]
        if finding.location:
            loc = finding.location
            props = (f"file={_escape_property(printable(shown_path(loc, prefix)))},line={loc.line},col={loc.column},"
                     f"title={title}")
        else:
            props = f"title={title}"
        lines.append(f"::{level} {props}::{_escape(body)}")
    return "\n".join(lines) + ("\n" if lines else "")

"""``--format json``: the schema in SPEC.md, version 1 (``schema/report-v1.json``)."""

from __future__ import annotations

import json


def finding_dict(finding) -> dict:
    location = finding.location
    return {
        "code": finding.code,
        "rule": finding.rule,
        "severity": finding.severity.value,
        "subject": finding.subject,
        "message": finding.message,
        "location": {"path": location.path, "line": location.line, "column": location.column} if location else None,
        "related": [{"path": r.location.path, "line": r.location.line, "column": r.location.column,
                     "message": r.message} for r in finding.related],
        "source": finding.source,
        "fix": {"applicability": finding.fix.applicability.value, "description": finding.fix.description}
        if finding.fix else None,
        "hint": finding.hint,
    }


def render_json(findings, summary: dict, root: str) -> str:
    document = {"version": 1, "root": root, "summary": summary, "diagnostics": [
        {**finding_dict(f), "fingerprint": f.fingerprint} for f in findings]}
    return json.dumps(document, indent=2) + "\n"

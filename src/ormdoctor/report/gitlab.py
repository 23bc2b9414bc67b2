"""``--format gitlab``: GitLab Code Quality JSON (``artifacts: reports: codequality``).

One issue per finding; ``fingerprint`` is the finding's stable fingerprint, made unique within the
report (GitLab keeps one issue per fingerprint). A finding without a source line (runtime,
database) points at line 1 of its first related place, else of the project folder.
"""

from __future__ import annotations

import json

from ormdoctor.report.ci import checkout_prefix, shown_path, unique_fingerprints

_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def render_gitlab(findings, root: str) -> str:
    prefix = checkout_prefix(root)
    return json.dumps([_issue(f, fingerprint, prefix) for f, fingerprint in unique_fingerprints(findings)],
                      indent=2) + "\n"


def _issue(finding, fingerprint: str, prefix: str) -> dict:
    description = f"{finding.code} {finding.message}" + (f" (hint: {finding.hint})" if finding.hint else "")
    location = finding.location or (finding.related[0].location if finding.related else None)
    path = shown_path(location, prefix) if location else (prefix.rstrip("/") or ".")
    return {
        "description": description,
        "check_name": f"{finding.code} {finding.rule}",
        "fingerprint": fingerprint,
        "severity": _SEVERITY[finding.severity.value],
        "location": {"path": path, "lines": {"begin": location.line if location else 1}},
    }

"""``--format sarif``: SARIF 2.1.0 for code-scanning dashboards."""

from __future__ import annotations

import json

from ormdoctor import __version__

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _location(location, message: str | None = None) -> dict:
    found = {"physicalLocation": {"artifactLocation": {"uri": location.path, "uriBaseId": "%SRCROOT%"},
                                  "region": {"startLine": location.line, "startColumn": location.column}}}
    if message:
        found["message"] = {"text": message}
    return found


def render_sarif(findings, rules: dict, root: str) -> str:
    used = sorted({f.code for f in findings})
    driver_rules = [{
        "id": code, "name": rules[code].name,
        "shortDescription": {"text": rules[code].name.replace("-", " ")},
        "fullDescription": {"text": rules[code].doc.split("\n\n")[1] if "\n\n" in rules[code].doc else rules[code].doc},
        "help": {"text": rules[code].doc, "markdown": rules[code].doc},
        "defaultConfiguration": {"level": _LEVEL[rules[code].severity.value]},
    } for code in used if code in rules]
    results = []
    for finding in findings:
        result = {"ruleId": finding.code, "level": _LEVEL[finding.severity.value],
                  "message": {"text": finding.message + (f"\nhint: {finding.hint}" if finding.hint else "")}}
        if finding.location:
            result["locations"] = [_location(finding.location)]
        if finding.related:
            result["relatedLocations"] = [dict(_location(r.location, r.message), id=i) for i, r in enumerate(finding.related)]
        results.append(result)
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "ormdoctor", "version": __version__, "rules": driver_rules}},
                  "originalUriBaseIds": {"%SRCROOT%": {"uri": f"file://{root}/"}},
                  "results": results}],
    }
    return json.dumps(document, indent=2) + "\n"

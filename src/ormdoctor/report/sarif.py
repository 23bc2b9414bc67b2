"""``--format sarif``: SARIF 2.1.0 for code-scanning dashboards.

URIs are relative to the repository checkout (``%SRCROOT%``, see ``report.locations``); every
result carries ``partialFingerprints`` (code + subject + file, not the line), so a dashboard keeps
tracking one alert when the code around it moves.
"""

from __future__ import annotations

import json
from pathlib import Path

from ormdoctor import __version__
from ormdoctor.report.ci import checkout_prefix, shown_path, unique_fingerprints

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT_KEY = "ormdoctor/v1"


def _location(location, prefix: str, message: str | None = None) -> dict:
    found = {"physicalLocation": {"artifactLocation": {"uri": shown_path(location, prefix), "uriBaseId": "%SRCROOT%"},
                                  "region": {"startLine": location.line, "startColumn": location.column}}}
    if message:
        found["message"] = {"text": message}
    return found


def _rule(rule) -> dict:
    doc = rule.doc
    return {
        "id": rule.code, "name": rule.name,
        "shortDescription": {"text": rule.name.replace("-", " ")},
        "fullDescription": {"text": doc.split("\n\n")[1] if "\n\n" in doc else doc},
        "help": {"text": doc, "markdown": doc},
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": _LEVEL[rule.severity.value]},
    }


def render_sarif(findings, rules: dict, root: str) -> str:
    prefix = checkout_prefix(root)
    used = sorted({f.code for f in findings})
    results = []
    for finding, fingerprint in unique_fingerprints(findings):
        result = {"ruleId": finding.code, "level": _LEVEL[finding.severity.value],
                  "message": {"text": finding.message + (f"\nhint: {finding.hint}" if finding.hint else "")},
                  "partialFingerprints": {FINGERPRINT_KEY: fingerprint}}
        if finding.location:
            result["locations"] = [_location(finding.location, prefix)]
        if finding.related:
            result["relatedLocations"] = [dict(_location(r.location, prefix, r.message), id=i)
                                          for i, r in enumerate(finding.related)]
        results.append(result)
    base = Path(root).resolve()
    for _ in prefix.strip("/").split("/") if prefix else ():
        base = base.parent
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "ormdoctor", "version": __version__, "informationUri": rules_home(),
                                      "rules": [_rule(rules[code]) for code in used if code in rules]}},
                  "originalUriBaseIds": {"%SRCROOT%": {"uri": base.as_uri().rstrip("/") + "/"}},
                  "results": results}],
    }
    return json.dumps(document, indent=2) + "\n"


def rules_home() -> str:
    from ormdoctor.rules.registry import RULES_URL

    return RULES_URL.rsplit("/blob/", 1)[0]

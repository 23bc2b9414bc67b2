"""``--statistics``: how many findings of each code, most frequent first (like ruff's)."""

from __future__ import annotations

import json
from collections import Counter


def statistics(findings) -> list[dict]:
    counts = Counter(f.code for f in findings)
    first = {}
    for finding in findings:
        first.setdefault(finding.code, finding)
    return [{"code": code, "rule": first[code].rule, "severity": first[code].severity.value, "count": count}
            for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def render_statistics(findings, fmt: str) -> str:
    rows = statistics(findings)
    if fmt == "json":
        return json.dumps(rows, indent=2) + "\n"
    width = max([len(str(row["count"])) for row in rows] + [1])
    lines = [f"{row['count']:>{width}}  {row['code']}  [{row['severity']}] {row['rule']}" for row in rows]
    total = sum(row["count"] for row in rows)
    return "\n".join(lines + [f"Found {total} finding{'s' * (total != 1)}."]) + "\n"

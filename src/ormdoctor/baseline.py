"""``check --baseline FILE``: adopt ormdoctor on a legacy codebase, report only new findings.

The first run writes every current finding to FILE (JSON, sorted, reviewable in a diff) and
reports none; later runs hide the findings recorded there. A finding is recorded by its
fingerprint (code + subject + file, never the line), with a count, so moving code keeps it
baselined while a second copy of the same problem in the same file is new.
To refresh (after fixing some, or to accept new ones): delete FILE and run again.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ormdoctor.findings import Finding

VERSION = 1


class BaselineError(ValueError):
    """The baseline file cannot be used; the message is one line."""


@dataclass(frozen=True)
class BaselineResult:
    new: list[Finding]
    baselined: int  # findings hidden because FILE lists them
    written: bool  # True when this run created FILE


def apply_baseline(path: Path, findings: list[Finding], write) -> BaselineResult:
    """``write(path, text)`` creates the file on the first run (the caller's atomic writer)."""
    if not path.exists():
        write(path, render(findings))
        return BaselineResult([], len(findings), True)
    known = load(path)
    new = []
    for finding in findings:
        if known[finding.fingerprint] > 0:
            known[finding.fingerprint] -= 1
        else:
            new.append(finding)
    return BaselineResult(new, len(findings) - len(new), False)


def render(findings: list[Finding]) -> str:
    counts = Counter(f.fingerprint for f in findings)
    entries = {}
    for finding in findings:
        entries.setdefault(finding.fingerprint, {
            "fingerprint": finding.fingerprint, "code": finding.code, "subject": finding.subject,
            "path": finding.location.path if finding.location else None, "count": counts[finding.fingerprint]})
    ordered = sorted(entries.values(), key=lambda e: (e["path"] or "", e["code"], e["subject"]))
    return json.dumps({"version": VERSION, "tool": "ormdoctor", "findings": ordered}, indent=2) + "\n"


def load(path: Path) -> Counter:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BaselineError(f"baseline {path} is not valid JSON: {exc}") from None
    entries = data.get("findings") if isinstance(data, dict) and data.get("version") == VERSION else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("fingerprint"), str)
                                                and isinstance(e.get("count", 1), int) for e in entries):
        raise BaselineError(f"{path} is not an ormdoctor baseline (version {VERSION}); delete it to write a new one")
    return Counter({e["fingerprint"]: e.get("count", 1) for e in entries})

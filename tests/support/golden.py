"""Golden files of the full findings, next to each fixture; rewritten only with --update-golden."""

from __future__ import annotations

import json
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from ormdoctor.pipeline import analyse
from ormdoctor.report.json_report import finding_dict

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"


def fixture_dirs() -> list[Path]:
    found = sorted(p.parent for p in FIXTURES.rglob("expect.toml"))
    found += sorted(p.parent for p in EXAMPLES.glob("*/expect.toml"))
    return found


def fixture_id(path: Path) -> str:
    for base in (FIXTURES, EXAMPLES.parent):
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            continue
    return path.name


def static_findings(project: Path) -> list[dict]:
    analysis = analyse([str(project)], use_cache=False)
    return [finding_dict(f) for f in analysis.findings]


def expectations(project: Path) -> dict:
    with open(project / "expect.toml", "rb") as handle:
        return tomllib.load(handle)


def check_golden(path: Path, actual, update: bool) -> None:
    text = json.dumps(actual, indent=2, sort_keys=True) + "\n"
    if update or not path.exists():
        if not update:
            raise AssertionError(f"no golden file {path}; run pytest --update-golden and review it")
        path.write_text(text, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{path} differs; review and run pytest --update-golden if the change is right"


def check_expectations(project: Path, findings: list[dict]) -> None:
    """The hand-written expect.toml: same findings (code, subject), location among the paths."""
    expected = expectations(project).get("findings", [])
    remaining = list(findings)
    problems = []
    for entry in expected:
        match = _take(remaining, entry)
        if match is None:
            problems.append(f"missing {entry.get('code')} {entry.get('subject')} {entry.get('paths')}")
    problems += [f"unexpected {f['code']} {f['subject']} at {f['location']}: {f['message']}" for f in remaining]
    assert not problems, "\n".join(problems)


def _take(findings: list[dict], entry: dict):
    for finding in findings:
        if finding["code"] != entry.get("code") or finding["subject"] != entry.get("subject", finding["subject"]):
            continue
        if "severity" in entry and finding["severity"] != entry["severity"]:
            continue
        paths = set(entry.get("paths", []))
        involved = {r["path"] for r in finding["related"]}
        if finding["location"]:
            involved.add(finding["location"]["path"])
        if paths and not (paths <= involved and (finding["location"] is None or finding["location"]["path"] in paths)):
            continue
        findings.remove(finding)
        return finding
    return None

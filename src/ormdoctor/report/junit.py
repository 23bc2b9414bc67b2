"""``--format junit``: JUnit XML for GitLab's test report and Jenkins.

Laid out like ruff's: one ``<testsuite>`` per file, one failing ``<testcase>`` per finding (its
``name`` is the code and subject, so GitLab's and Jenkins' test views list each problem). A clean
run is one passing test case, so the report is never empty.
"""

from __future__ import annotations

from itertools import groupby
from xml.etree import ElementTree as ET

from ormdoctor.report.ci import checkout_prefix, shown_path

_NO_FILE = "(no source line)"


def render_junit(findings, summary: dict, root: str) -> str:
    prefix = checkout_prefix(root)
    suites = ET.Element("testsuites", name="ormdoctor", tests=str(max(len(findings), 1)),
                        failures=str(len(findings)), time=f"{summary.get('seconds', 0):.3f}")
    if not findings:
        suite = ET.SubElement(suites, "testsuite", name="ormdoctor", tests="1", failures="0")
        ET.SubElement(suite, "testcase", name="ormdoctor check", classname="ormdoctor")
    for path, group in groupby(findings, key=lambda f: shown_path(f.location, prefix) if f.location else _NO_FILE):
        group = list(group)
        suite = ET.SubElement(suites, "testsuite", name=path, tests=str(len(group)), failures=str(len(group)))
        for finding in group:
            _testcase(suite, finding, path, prefix)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _testcase(suite, finding, path: str, prefix: str) -> None:
    line = f":{finding.location.line}:{finding.location.column}" if finding.location else ""
    where = {"file": path, "line": str(finding.location.line)} if finding.location else {}
    case = ET.SubElement(suite, "testcase", name=f"{finding.code} {finding.subject}", classname=path, **where)
    failure = ET.SubElement(case, "failure", message=finding.message, type=finding.severity.value)
    body = [f"{path}{line}: {finding.code} [{finding.severity.value}] {finding.message}"]
    body += [f"    {shown_path(r.location, prefix)}:{r.location.line}: {r.message}" for r in finding.related]
    body += [f"    hint: {finding.hint}"] if finding.hint else []
    failure.text = "\n".join(body)

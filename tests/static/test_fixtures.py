"""Every fixture project: its golden findings, and the hand-written expectations in expect.toml."""

from __future__ import annotations

import pytest

from support.golden import check_expectations, check_golden, fixture_dirs, fixture_id, static_findings

FIXTURES = fixture_dirs()


@pytest.mark.parametrize("project", FIXTURES, ids=[fixture_id(p) for p in FIXTURES])
def test_fixture_findings(project, update_golden):
    findings = static_findings(project)
    check_golden(project / "golden.json", findings, update_golden)
    check_expectations(project, findings)

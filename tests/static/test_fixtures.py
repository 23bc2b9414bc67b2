"""Every fixture project: its golden findings, the hand-written expectations in expect.toml, and
the findings as the result cache gives them back (a warm run must report exactly these)."""

from __future__ import annotations

import pytest

from ormdoctor.pipeline import StoredResult, analyse
from ormdoctor.static import codec
from support.golden import check_expectations, check_golden, finding_dict, fixture_dirs, fixture_id

FIXTURES = fixture_dirs()


@pytest.mark.parametrize("project", FIXTURES, ids=[fixture_id(p) for p in FIXTURES])
def test_fixture_findings(project, update_golden):
    analysis = analyse([str(project)], use_cache=False)
    findings = [finding_dict(f) for f in analysis.findings]
    check_golden(project / "golden.json", findings, update_golden)
    check_expectations(project, findings)
    stored = StoredResult(analysis.findings, analysis.scope, sorted(analysis.codes))
    assert codec.loads(codec.dumps(stored), StoredResult) == stored

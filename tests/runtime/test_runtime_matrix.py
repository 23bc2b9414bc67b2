"""The same projects under SQLAlchemy 1.4, 2.0 and 2.1 give the same findings.

The virtualenvs come from ``scripts/make_sa_matrix.sh`` (``--with-21`` adds 2.1); a missing one is
skipped. Only ``details`` may differ: it keeps SQLAlchemy's own wording, which changes between versions."""

from __future__ import annotations

from pathlib import Path

import pytest
from rthelpers import PROJECTS, trace

from ormdoctor.runtime import to_findings

VENVS = Path(__file__).resolve().parents[2] / ".venvs"
CASES = [
    ("duplicates", ("app.models.customer", "app.models.legacy"), None),
    ("double_import", ("shop.models", "shop.service"), None),
    ("double_import_relative", ("shop.models", "shop.service"), "sqlite://"),
    ("broken", ("app.db", "app.people", "app.orders", "app.boom", "app.helpers"), "sqlite://"),
    ("ambiguous", ("app.crm", "app.billing"), None),
    ("index_clash", ("app.models",), "sqlite://"),
    ("good", ("app.models", "app.extra"), "sqlite://"),
]


def comparable(case, modules, verify, python=None):
    report = trace(case, *modules, verify=verify, **({"python": python} if python else {}))
    findings = [(f.code, f.severity, f.subject, f.location, f.related, f.message, f.hint)
                for f in to_findings(report, PROJECTS / case)]
    tables = [(t.key, t.outcome, t.site, t.class_name, t.columns) for t in report.tables]
    created = [result.created for result in report.verify.results] if report.verify else None
    return report.sqlalchemy_version, findings, tables, created


@pytest.mark.matrix
@pytest.mark.parametrize("venv, prefix", [("sa14", "1.4."), ("sa20", "2.0."), ("sa21", "2.1.")])
@pytest.mark.parametrize("case, modules, verify", CASES, ids=[case for case, _, _ in CASES])
def test_same_findings_on_every_sqlalchemy(venv, prefix, case, modules, verify):
    python = VENVS / venv / "bin" / "python"
    if not python.exists():
        pytest.skip(f"{python} is absent: run scripts/make_sa_matrix.sh --with-21")
    version, *theirs = comparable(case, modules, verify, str(python))
    _, *ours = comparable(case, modules, verify)
    assert version.startswith(prefix)
    assert theirs == ours

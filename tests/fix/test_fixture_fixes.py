"""Every fix on every rule fixture, the way ruff tests its fixes: apply until nothing is left,
the result parses, the finding is gone, nothing new appears, a second run changes nothing, and
files without a fix keep their bytes. Projects that are fine (good_ and traps_ fixtures) are
never touched."""

from __future__ import annotations

import ast

import pytest
from fixhelpers import TESTS, copy_project, snapshot

from ormdoctor.commands.fix import write_files
from ormdoctor.fix.session import Options, fix_project, new_findings
from ormdoctor.pipeline import analyse
from ormdoctor.rules.registry import load_rules

RULES = TESTS / "fixtures" / "rules"
BAD = sorted(p.name for p in RULES.iterdir() if "_bad_" in p.name)
FINE = sorted(p.name for p in RULES.iterdir() if "_good_" in p.name or p.name.startswith("traps_"))
FIXABLE = {"ORM101", "ORM105", "ORM106", "ORM107", "ORM202", "ORM302", "ORM304", "ORM401", "ORM402", "ORM503",
           "ORM506"}
APPLIED: set[str] = set()


def _fix(project):
    outcome = fix_project(Options([str(project)], unsafe=True))
    write_files(project, {path: after for path, (_, after) in outcome.changed.items()})
    return outcome


@pytest.mark.parametrize("name", BAD)
def test_fixes_converge_and_introduce_nothing(name, tmp_path):
    project = copy_project(RULES / name, tmp_path)
    before_findings = analyse([str(project)], use_cache=False).findings
    fixable = [f for f in before_findings if f.fix is not None and f.fix.edits]
    if not fixable:
        pytest.skip("no fixable finding")
    before = snapshot(project)
    outcome = _fix(project)
    assert not outcome.skipped and not outcome.rolled_back
    after = snapshot(project)
    for path in outcome.changed:
        if path.endswith(".py"):
            ast.parse(after[path])
    untouched = [p for p in before if p not in outcome.changed]
    assert all(after[p] == before[p] for p in untouched)
    findings = analyse([str(project)], use_cache=False).findings
    assert new_findings(before_findings, findings) == []
    assert [f for f in findings if f.fix is not None and f.fix.edits] == []
    gone = {(f.code, f.subject) for f in fixable} - {(f.code, f.subject) for f in findings}
    assert gone == {(f.code, f.subject) for f in fixable}
    again = fix_project(Options([str(project)], unsafe=True))
    assert again.changed == {}
    APPLIED.update(f.code for f in outcome.applied)


def test_every_fixable_rule_was_applied_above():
    if len(APPLIED) == 0:
        pytest.skip("run with the parametrized cases")
    assert FIXABLE <= APPLIED


@pytest.mark.parametrize("name", FINE)
def test_a_project_without_findings_is_never_touched(name, tmp_path):
    project = copy_project(RULES / name, tmp_path)
    before = snapshot(project)
    outcome = _fix(project)
    assert outcome.changed == {} and outcome.applied == []
    assert snapshot(project) == before


@pytest.mark.parametrize("name", BAD)
def test_a_fix_in_the_json_is_backed_by_edits_and_the_rule_table(name):
    rules = load_rules()
    for finding in analyse([str(RULES / name)], use_cache=False).findings:
        if finding.fix is None:
            continue
        assert finding.fix.edits, (finding.code, finding.fix.description)
        assert rules[finding.code].fix is not None, finding.code

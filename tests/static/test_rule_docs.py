"""The code table and the documentation that comes from it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from ormdoctor.rules.registry import DOC_SECTIONS, load_rules

ROOT = Path(__file__).resolve().parents[2]
RULES = load_rules()


def test_codes_are_unique_and_well_formed():
    assert all(re.fullmatch(r"ORM\d{3}", code) for code in RULES)
    names = [r.name for r in RULES.values()]
    assert len(names) == len(set(names)), "two rules share a name"


def test_spec_codes_are_all_registered():
    spec = (ROOT.parent / "shared" / "SPEC.md")
    if not spec.exists():
        pytest.skip("shared/SPEC.md is not next to the repository")
    listed = set(re.findall(r"\| (ORM\d{3}) \|", spec.read_text(encoding="utf-8")))
    assert listed <= set(RULES), f"in SPEC but not implemented: {sorted(listed - set(RULES))}"


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_has_every_doc_section(code):
    doc = RULES[code].doc
    missing = [s for s in DOC_SECTIONS if f"## {s}" not in doc]
    assert not missing, f"{code} lacks sections {missing}"


def test_generated_rule_docs_are_current():
    sys.path.insert(0, str(ROOT / "scripts"))
    from gen_rule_docs import README, RULES, render_readme, render_rules

    text = README.read_text(encoding="utf-8")
    assert render_readme(text) == text, "README rule table is stale: run python scripts/gen_rule_docs.py"
    assert RULES.read_text(encoding="utf-8") == render_rules(), "RULES.md is stale: run python scripts/gen_rule_docs.py"


def test_rule_command_prints_the_doc_page():
    result = subprocess.run([sys.executable, "-m", "ormdoctor", "rule", "ORM105"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.startswith("# extend-existing-masks-duplicate (ORM105)\n")
    assert "## Why is this bad?" in result.stdout


def test_rule_command_unknown_code_is_a_usage_error():
    result = subprocess.run([sys.executable, "-m", "ormdoctor", "rule", "ORM999"], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip() == "ormdoctor: error: unknown rule 'ORM999'; `ormdoctor rule` lists them"

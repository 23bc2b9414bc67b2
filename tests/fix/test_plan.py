"""`ormdoctor plan` without a database, its decisions file, and `fix --plan` applying them."""

from __future__ import annotations

from fixhelpers import SEEDS, copy_project, ormdoctor, snapshot

SEED002 = SEEDS / "seed002_three_customer_systems"


def test_plan_lists_versions_differences_choice_rewrites_and_risks(tmp_path):
    proc = ormdoctor("plan", str(SEED002), "--no-cache")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "- [customers](#customers): keep src/models/customer.py:9 Customer" in text
    assert ("| 2 | `src/models/legacy_core.py:12` | Customer | core | Base.metadata (models.legacy_base) | 5 | `src/main.py` | `src/main.py` |"
            in text)
    assert "| station_id | — | Uuid NOT NULL | — | differs |" in text
    assert "**Keep** version 1, `src/models/customer.py:9 Customer`: the others have legacy-looking names." in text
    assert ("- `src/main.py:5`: `from models.legacy_core import Customer as LegacyCustomer` → "
            "`from models.customer import Customer as LegacyCustomer`") in text
    assert ("id: Uuid in src/models/legacy_core.py:12 Customer vs int in the kept version: changing the type "
            "(Uuid → int) needs a data migration") in text
    assert "## Steps" in text and "(run with `--db URL` to see which version the database holds)" in text


def test_a_project_without_duplicates_has_nothing_to_plan():
    proc = ormdoctor("plan", str(SEEDS / "seed000_duplicate_core_models_fixed"), "--no-cache")
    assert proc.stdout == "# Consolidation plan\n\nNothing to consolidate: no table is defined twice or in parallel.\n"


def test_decisions_file_written_by_plan_is_what_fix_applies(tmp_path):
    project = copy_project(SEEDS / "seed000_duplicate_core_models", tmp_path)
    decisions = tmp_path / "plan.toml"
    out = tmp_path / "plan.md"
    proc = ormdoctor("plan", str(project), "--no-cache", "--decisions", str(decisions), "-o", str(out))
    assert proc.returncode == 0 and proc.stdout == ""
    assert 'customers = "backend/models_universal.py:Customer"' in decisions.read_text()
    assert "ormdoctor fix --unsafe-fixes --plan " in out.read_text()
    # Change the decisions: keep the copies in models.py.
    decisions.write_text(decisions.read_text().replace("backend/models_universal.py:", "backend/models.py:"))
    proc = ormdoctor("fix", str(project), "--plan", str(decisions), "--unsafe-fixes", "--write", "--no-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    universal = (project / "backend/models_universal.py").read_text()
    assert "from models import Category, Customer, InventoryItem, Invoice, OAuth2Token  # noqa: F401" in universal
    assert "class Customer(Base):" in (project / "backend/models.py").read_text()
    assert "class Customer(Base):" not in universal and "class User(Base):" in universal


def test_a_decision_that_would_create_an_import_cycle_is_rolled_back(tmp_path):
    project = copy_project(SEEDS / "seed000_duplicate_core_models", tmp_path)
    decisions = tmp_path / "plan.toml"
    decisions.write_text('[canonical]\ncustomers = "backend/models.py:Customer"\n')
    proc = ormdoctor("fix", str(project), "--plan", str(decisions), "--unsafe-fixes", "--no-cache")
    # models.py would import models_universal (four tables) and models_universal models.py (customers).
    assert "  rolled back backend/models_universal.py: the fix made the check report ORM501" in proc.stdout
    assert "+++ b/backend/models_universal.py" not in proc.stdout


def test_bad_plan_files_and_options_are_one_line_errors(tmp_path):
    bad = tmp_path / "plan.toml"
    bad.write_text("[canonical]\ncustomers = 3\n")
    proc = ormdoctor("fix", str(SEED002), "--plan", str(bad), "--no-cache")
    assert proc.returncode == 2 and proc.stderr.startswith("ormdoctor: error: ") and len(proc.stderr.splitlines()) == 1
    proc = ormdoctor("plan", str(SEED002), "--migration", str(tmp_path), "--no-cache")
    assert proc.returncode == 2
    assert proc.stderr == ("ormdoctor: error: --migration needs --db URL: the revision is written for what the "
                           "database holds\n")


def test_plan_writes_nothing_in_the_project(tmp_path):
    project = copy_project(SEED002, tmp_path)
    before = snapshot(project)
    ormdoctor("plan", str(project), "--no-cache")
    assert {p: b for p, b in snapshot(project).items() if ".ormdoctor_cache" not in p} == before

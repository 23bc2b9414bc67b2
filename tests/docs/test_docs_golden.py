"""Golden documents: the whole Markdown of ``ormdoctor docs`` for three projects.

Rewritten only with ``pytest --update-golden``; review the diff like code.
"""

from __future__ import annotations

import re

import pytest
from docs_support import GOLDEN, PROJECTS, SEED003, check_text_golden, docs_markdown

CASES = {
    "seed003": SEED003,  # the Smart Inventory incident: seven tables, ML predictions never imported
    "inventory_documented": PROJECTS / "inventory_documented",  # the same models with docstrings and checks
    "multi": PROJECTS / "multi",  # two metadata, three schemas, m2m, one-to-one, STI, naming convention
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_markdown(name, update_golden):
    if not CASES[name].exists():
        pytest.skip(f"{CASES[name]} is not in this checkout")
    check_text_golden(GOLDEN / f"{name}.md", docs_markdown(CASES[name]), update_golden)


def test_seed003_documents_the_setup_guide():
    """What the hand-written Database Setup Guide of seed 003 says, generated."""
    text = docs_markdown(SEED003)
    tables = ["products", "inventory_transactions", "vendors", "vendor_prices", "users", "alerts", "ml_predictions"]
    for table in tables:
        assert f'## <a id="table-{table}"></a>`{table}`' in text
    for cls in ["Product", "InventoryTransaction", "Vendor", "VendorPrice", "User", "Alert", "MLPrediction"]:
        assert f"| `{cls}` |" in text
    assert "| unique | `uq_vendor_product` | `vendor_id, product_id` |" in text
    assert "Deleting a product deletes its alerts, inventory transactions, ML predictions and vendor prices." in text
    assert "Deleting a vendor deletes its vendor prices." in text
    assert "Deleting a user keeps its inventory transactions." in text
    assert "    products ||--o{ vendor_prices : \"product_id\"" in text
    assert "    users |o--o{ inventory_transactions : \"user_id\"" in text
    # The two findings of the incident are linked from the tables they concern.
    assert re.search(r"\[`ml_predictions`\]\(#table-ml_predictions\) \| `MLPrediction` \| 6 \| "
                     r"\[2\]\(#table-ml_predictions-findings\)", text)
    assert "- [ORM304](#finding-orm304-1) target-not-imported (error): " in text
    assert "- [ORM503](#finding-orm503-1) alembic-metadata-incomplete (error): " in text
    assert '<a id="finding-orm503-1"></a>**ORM503**' in text


def test_golden_is_the_cli_output(project_copy):
    """The goldens are built in process; the CLI must print exactly the same document."""
    from docs_support import run_docs

    project = project_copy("multi")
    result = run_docs(str(project), "--no-cache")
    assert result.returncode == 0, result.stderr
    assert result.stdout == docs_markdown(project)

"""The HTML report in a real headless Chromium: headings at their size (not the 13 px of inline
code), the table of contents grouped by metadata, hints next to the findings."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from adopthelpers import BASE, ormdoctor, write

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs chromium at /usr/bin/chromium")

# Same-origin frame: with file access allowed, the probe reads the report's computed styles.
PROBE = """<!DOCTYPE html><html><body><iframe id="r" src="{report}" width="1400" height="900"></iframe>
<script>
document.getElementById("r").onload = function () {{
  var d = this.contentDocument, w = this.contentWindow, out = [];
  function px(el) {{ return parseFloat(w.getComputedStyle(el).fontSize); }}
  d.querySelectorAll("h2 code, h3 code").forEach(function (c) {{
    out.push(c.parentNode.tagName + " " + px(c.parentNode) + " " + px(c));
  }});
  var pre = document.createElement("pre"); pre.id = "sizes"; pre.textContent = out.join("\\n");
  document.body.appendChild(pre);
}};
</script></body></html>"""


def two_metadata_project(root: Path) -> Path:
    return write(root, {
        "app/__init__.py": "", "app/db.py": BASE,
        "app/models.py": """\
            from sqlalchemy import Column, Integer
            from app.db import Base


            class Customer(Base):
                __tablename__ = "customers"
                __table_args__ = {"extend_existing": True}
                id = Column(Integer, primary_key=True)
            """,
        "app/warehouse.py": """\
            from sqlalchemy import Column, Integer, MetaData, Table

            warehouse = MetaData()
            customers = Table("customers", warehouse, Column("id", Integer, primary_key=True))
            """})


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    root = two_metadata_project(tmp_path_factory.mktemp("project"))
    out = root.parent / "schema.html"
    result = ormdoctor("docs", str(root), "--no-cache", "--format", "html", "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_headings_with_code_keep_the_heading_size(report, tmp_path):
    probe = tmp_path / "probe.html"
    probe.write_text(PROBE.format(report=report.as_uri()))
    result = subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             f"--user-data-dir={tmp_path / 'profile'}", "--allow-file-access-from-files",
                             "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
                            capture_output=True, text=True, timeout=180)
    sizes = re.search(r'<pre id="sizes">(.*?)</pre>', result.stdout, re.S)
    assert sizes, result.stdout[-2000:] + result.stderr[-2000:]
    rows = [line.split() for line in sizes.group(1).splitlines()]
    assert {tag for tag, _, _ in rows} == {"H2", "H3"}
    for tag, heading, code in rows:
        assert float(code) >= 0.9 * float(heading), (tag, heading, code)  # was 13 px in a 21 px heading


def test_table_of_contents_tells_the_two_metadata_apart(report):
    html = report.read_text()
    toc = re.search(r'<nav class="toc".*?</nav>', html, re.S).group(0)
    groups = re.findall(r'<span class="toc-title">(.*?)</span>(.*?)</div>', toc)
    titles = [re.sub(r"<[^>]+>", "", title) for title, _ in groups]
    assert titles == ["Base.metadata (app/db.py), default schema", "warehouse (app/warehouse.py), default schema"]
    assert [re.findall(r'href="#([^"]+)"', links) for _, links in groups] == [["table-customers"],
                                                                             ["table-customers-2"]]


def test_findings_show_their_hint(report):
    html = report.read_text()
    [item] = re.findall(r'<li id="finding-orm106-1">(.*?)</li>', html)
    assert "<strong>Hint:</strong> remove extend_existing: it would only hide a future duplicate" in item

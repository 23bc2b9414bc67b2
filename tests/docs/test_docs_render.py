"""Rendering: Mermaid names and types, Markdown escaping, the SVG diagram, the HTML page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from docs_support import PROJECTS, SEED003, schema_of

from ormdoctor.docs.document import Code, Text
from ormdoctor.docs.html import render_html
from ormdoctor.docs.markdown import code, escape, inline, render_markdown
from ormdoctor.docs.mermaid import identifier, mermaid_type, render_diagram, short_type
from ormdoctor.docs.model import ColumnDoc, Definition, MetadataDoc, TableDoc, build_schema
from ormdoctor.docs.svg import render_svg

ATTRIBUTE = re.compile(r"^        ([A-Za-z_][A-Za-z0-9_]*) ([A-Za-z_][A-Za-z0-9_]*)( (PK|FK|UK)(, (PK|FK|UK))*)?$")
ENTITY = re.compile(r"^    ([A-Za-z_][A-Za-z0-9_]*)( \{)?$")
RELATION = re.compile(r'^    [A-Za-z_][A-Za-z0-9_]* (\|\||\|o|\}o)--(o\{|o\||o\{) [A-Za-z_][A-Za-z0-9_]* : "[^"]*"$')


@pytest.mark.parametrize("written, short, mermaid", [
    ("String(50)", "String(50)", "String_50"),
    ("sa.String(length=50)", "String(50)", "String_50"),
    ("Numeric(10, 2)", "Numeric(10, 2)", "Numeric_10_2"),
    ("postgresql.UUID(as_uuid=True)", "UUID", "UUID"),
    ("DateTime(timezone=True)", "DateTime", "DateTime"),
    ("Enum(Status, name='status')", "Enum(Status)", "Enum_Status"),
    ("ARRAY(String(20))", "ARRAY(String(20))", "ARRAY_String_20"),
    ("Integer", "Integer", "Integer"),
    (None, None, "unknown"),
])
def test_types(written, short, mermaid):
    assert short_type(written) == short
    assert mermaid_type(written) == mermaid


def test_identifiers():
    assert identifier("core.customers") == "core_customers"
    assert identifier("2fa codes") == "_2fa_codes"
    assert identifier("ünïcode") == "n_code"
    assert identifier("...") == "x"


def test_mermaid_keywords_are_not_names():
    """Found with the real Mermaid 11: these names are parse errors as written."""
    columns = (ColumnDoc("id", "Integer", False, primary_key=True), ColumnDoc("pk", "PK", True),
               ColumnDoc("end", "Integer", True))
    tables = [TableDoc(f"m|{name}", name, None, "m", (Definition("table", name, "a.py", 1, 1),), None, columns)
              for name in ("end", "style", "one", "to")]
    schema = build_schema(tables, [MetadataDoc("m", "md", "a.py")], [])
    text = render_diagram(schema, schema.diagrams[0])
    assert "    end_ {\n" in text and "    style_ {\n" in text and "    one_ {\n" in text and "    to_ {\n" in text
    assert "        PK_ pk_\n" in text
    assert "        Integer end\n" in text  # a keyword for entities only

@pytest.mark.parametrize("project", [SEED003, PROJECTS / "multi", PROJECTS / "inventory_documented"])
def test_every_mermaid_line_fits_the_er_grammar(project):
    schema = schema_of(project)
    for diagram in schema.diagrams:
        lines = render_diagram(schema, diagram).splitlines()
        assert lines[0] == "erDiagram"
        for line in lines[1:]:
            assert line == "    }" or ATTRIBUTE.match(line) or ENTITY.match(line) or RELATION.match(line), line


def test_markdown_escaping():
    assert escape("__table_args__ and snake_case") == r"\_\_table_args\_\_ and snake_case"
    assert escape("a | b *c* <d>", in_table=True) == r"a \| b \*c\* \<d\>"
    assert code("x ` y") == "``x ` y``"
    assert code("a|b", in_table=True) == r"`a\|b`"
    assert inline((Text("see "), Code("x"))) == "see `x`"


def _one_table_schema(description: str, column_type: str = "String(50)"):
    table = TableDoc("m|t", "t", None, "m", (Definition("class", "T", "a.py", 1, 5),), description,
                     (ColumnDoc("id", "Integer", False, primary_key=True), ColumnDoc("name", column_type, True)))
    return build_schema([table], [MetadataDoc("m", "Base.metadata", "a.py")], [])


def test_docstring_cannot_start_a_list_or_heading():
    text = render_markdown(_one_table_schema("1. first\n\n# not a heading\n\n- nor a list"))
    assert "\n1\\. first\n" in text
    assert "\n\\# not a heading\n" in text
    assert "\n\\- nor a list\n" in text


def test_html_escapes_everything_and_fetches_nothing():
    html = render_html(_one_table_schema('<script>alert("x")</script> & `code`', "Weird<b>(1)"))
    assert "<script" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; <code>code</code>" in html
    assert "Weird&lt;b&gt;(1)" in html
    # Self-contained: the only URL is the SVG namespace.
    assert re.findall(r"https?://[^\s\"'<>]+", html) == ["http://www.w3.org/2000/svg"]
    assert not re.search(r"<(link|img|iframe|object|embed)\b", html)


@pytest.mark.parametrize("project", [SEED003, PROJECTS / "multi"])
def test_svg_is_well_formed_with_one_box_per_entity(project):
    schema = schema_of(project)
    for diagram in schema.diagrams:
        svg = render_svg(schema, diagram)
        root = ET.fromstring(svg)
        ns = {"s": "http://www.w3.org/2000/svg"}
        boxes = root.findall(".//s:g[@class='entity']", ns) + root.findall(".//s:g[@class='entity stub']", ns)
        assert len(boxes) == len(diagram.entities) + len(diagram.stubs)
        assert len(root.findall(".//s:path[@class='edge']", ns) + root.findall(".//s:path[@class='edge m2m']", ns)) \
            == len(diagram.edges)
        assert svg == render_svg(schema, diagram)  # same picture every run


def test_svg_boxes_do_not_overlap():
    schema = schema_of(SEED003)
    svg = render_svg(schema, schema.diagrams[0])
    rects = [tuple(float(v) for v in m) for m in
             re.findall(r'<rect class="box" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', svg)]
    assert len(rects) == 7
    for i, (x, y, w, h) in enumerate(rects):
        for (x2, y2, w2, h2) in rects[i + 1:]:
            assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y


def test_html_page_has_diagram_mermaid_source_findings_and_tables():
    html = render_html(schema_of(SEED003))
    assert html.startswith("<!DOCTYPE html>")
    assert re.search(r'<div class="diagram" id="diagram-base-metadata-svg"><svg ', html)
    assert '<pre class="mermaid-source">erDiagram\n' in html
    assert "products ||--o{ vendor_prices : &quot;product_id&quot;" in html
    assert '<h2 id="findings">Findings</h2>' in html
    assert '<li id="finding-orm304-1"><strong>ORM304</strong>' in html
    assert '<h2 id="table-vendor_prices"><code>vendor_prices</code></h2>' in html

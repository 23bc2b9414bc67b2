"""The document blocks → one self-contained HTML page.

No script, no font, no image is fetched: styles are inline and each diagram is inline SVG drawn
by ``docs.svg``. The Mermaid source of every diagram is on the page too, for copy-paste.
"""

from __future__ import annotations

from html import escape

from ormdoctor.docs.document import (
    Anchor, Bullets, Code, DiagramBlock, Heading, Link, Para, Strong, Table, Text, document, group_title,
)
from ormdoctor.docs.mermaid import Names, render_diagram
from ormdoctor.docs.model import SchemaDoc
from ormdoctor.docs.svg import render_svg

_CSS = """
:root{--ink:#1f2933;--muted:#66768a;--line:#d5dbe3;--accent:#2f4a70;--warn:#9a5b00;--err:#b42318}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);
background:#fafbfc}
main{max-width:1400px;margin:0 auto;padding:24px 32px 64px}
h1{font-size:28px;margin:8px 0 12px}
h2{font-size:21px;margin:40px 0 12px;padding-top:8px;border-top:1px solid var(--line)}
h3{font-size:16px;margin:24px 0 8px}
code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;background:#eef1f5;
padding:1px 4px;border-radius:3px}
h1 code,h2 code,h3 code{font-size:.95em;font-weight:600}
a{color:#1d5fa8;text-decoration:none}a:hover{text-decoration:underline}
table{border-collapse:collapse;margin:6px 0 16px;background:#fff;font-size:14px}
th,td{border:1px solid var(--line);padding:4px 10px;text-align:left;vertical-align:top}
th{background:#eef1f5}
ul{padding-left:22px}li{margin:3px 0}
nav.toc{columns:3 260px;font-size:14px;margin:8px 0 16px}
nav.toc a{display:block}
nav.toc .toc-group{break-inside:avoid;margin:0 0 10px}
nav.toc .toc-title{display:block;font-weight:600;color:var(--muted);margin:2px 0}
nav.toc .toc-group a{padding-left:12px}
.diagram{overflow:auto;border:1px solid var(--line);background:#fff;border-radius:6px;margin:8px 0;
max-height:85vh}
.diagram svg{display:block}
details{margin:6px 0 18px}
pre{background:#f3f5f8;border:1px solid var(--line);padding:10px;overflow:auto;font-size:12px;max-height:420px}
.sev-error{color:var(--err);font-weight:600}.sev-warning{color:var(--warn);font-weight:600}
:target{scroll-margin-top:12px}
li:target,p:target{background:#fff6d6}
"""


def render_html(schema: SchemaDoc) -> str:
    names = Names(schema)
    blocks = document(schema)
    body = [_block(b, schema, names) for b in blocks]
    toc = _toc(blocks, schema)
    if toc:
        body.insert(2 + (1 if schema.findings else 0), toc)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"generator\" content=\"ormdoctor docs\">\n"
        f"<title>{escape(schema.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body) + "\n</main>\n</body>\n</html>\n"
    )


TOC_TABLES = 40  # more tables than this: the summary tables are the index


def _toc(blocks, schema: SchemaDoc) -> str:
    """The sections, with the tables listed under their metadata and schema, where the table
    sections are: two tables named `customers` on two metadata are told apart by their group."""
    sections = [b for b in blocks if isinstance(b, Heading) and b.level == 2 and b.anchor]
    tables = [b for b in sections if b.anchor.startswith("table-")]
    links = []
    for block in sections:
        if block not in tables:
            links.append(_toc_link(block.anchor, block.line))
        elif block is tables[0] and len(tables) <= TOC_TABLES:
            links += [_toc_group(schema, group) for group in schema.groups]
    if not links:
        return ""
    return '<nav class="toc" aria-label="Contents">' + "".join(links) + "</nav>"


def _toc_group(schema: SchemaDoc, group) -> str:
    entries = "".join(_toc_link(schema.by_id[t].anchor, (Code(schema.by_id[t].key),)) for t in group.tables)
    return (f'<div class="toc-group"><span class="toc-title">{_inline(group_title(schema, group))}</span>'
            f"{entries}</div>")


def _toc_link(anchor: str, line) -> str:
    return f'<a href="#{escape(anchor)}">{_inline(line)}</a>'


def _block(block, schema: SchemaDoc, names: Names) -> str:
    if isinstance(block, Heading):
        anchor = f' id="{escape(block.anchor)}"' if block.anchor else ""
        return f"<h{block.level}{anchor}>{_inline(block.line)}</h{block.level}>"
    if isinstance(block, Para):
        return f"<p>{_inline(block.line)}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(_item(item) for item in block.items) + "</ul>"
    if isinstance(block, Table):
        head = "".join(f"<th>{escape(h)}</th>" for h in block.header)
        rows = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>" for row in block.rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    if isinstance(block, DiagramBlock):
        return _diagram(block, schema, names)
    raise TypeError(block)


def _item(line) -> str:
    """A list item that starts with an anchor carries the id itself, so :target highlights it."""
    if line and isinstance(line[0], Anchor):
        return f'<li id="{escape(line[0].id)}">{_inline(line[1:])}</li>'
    return f"<li>{_inline(line)}</li>"


def _diagram(block: DiagramBlock, schema: SchemaDoc, names: Names) -> str:
    diagram = block.diagram
    svg = render_svg(schema, diagram)
    source = escape(render_diagram(schema, diagram, names))
    return (f'<div class="diagram" id="{escape(diagram.group.anchor)}-svg">{svg}</div>\n'
            f"<details><summary>Mermaid source (paste into GitHub Markdown or mermaid.live)</summary>"
            f'<pre class="mermaid-source">{source}</pre></details>')


def _inline(line) -> str:
    return "".join(_one(item) for item in line)


def _one(item) -> str:
    if isinstance(item, Text):
        return escape(item.text)
    if isinstance(item, Code):
        return f"<code>{escape(item.text)}</code>"
    if isinstance(item, Strong):
        return f"<strong>{escape(item.text)}</strong>"
    if isinstance(item, Link):
        return f'<a href="{escape(item.href)}">{_inline(item.label)}</a>'
    if isinstance(item, Anchor):
        return f'<a id="{escape(item.id)}"></a>'
    raise TypeError(item)

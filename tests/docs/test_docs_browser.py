"""The HTML page in a real headless Chromium: it loads cleanly, the diagram is SVG, the picture is not blank.

Optional extra: with ORMDOCTOR_MERMAID_JS=/path/to/mermaid.min.js (``npm pack mermaid``), the
Mermaid source of every golden document is rendered by the real Mermaid in the same browser.
"""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from docs_support import GOLDEN, run_docs

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                                                     "(apt-get install chromium)"),
]
HEADER_FILL = (0x2F, 0x4A, 0x70)  # the table headers of the SVG diagram


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
               "--enable-logging=stderr", "--v=0", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "Uncaught" in line or "ERROR:CONSOLE" in line
            or ":CONSOLE(" in line and "error" in line.lower()]


@pytest.fixture(scope="module")
def page(tmp_path_factory, request) -> Path:
    from docs_support import SEED003

    tmp = tmp_path_factory.mktemp("html")
    out = tmp / "schema.html"
    result = run_docs(str(SEED003), "--no-cache", "--format", "html", "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_page_loads_without_console_errors_and_the_diagram_is_svg(page, tmp_path):
    result = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_errors(result.stderr) == []
    dom = result.stdout
    match = re.search(r'<div class="diagram" id="diagram-base-metadata-svg"><svg [^>]*>(.*?)</svg>', dom, re.S)
    assert match, dom[:2000]
    assert match.group(0).count('<g class="entity">') == 7
    assert "<title>products</title>" in match.group(0)


def test_screenshot_is_not_blank_and_shows_the_diagram(page, tmp_path):
    shot = tmp_path / "shot.png"
    result = chromium(tmp_path, "--window-size=1400,2400", "--hide-scrollbars", f"--screenshot={shot}",
                      page.as_uri())
    assert result.returncode == 0 and shot.exists(), result.stderr[-2000:]
    width, height, pixels = decode_png(shot.read_bytes())
    assert (width, height) == (1400, 2400)
    colours = set(pixels)
    assert len(colours) > 200, f"only {len(colours)} distinct colours: the page looks blank"
    headers = sum(1 for p in pixels if p[:3] == HEADER_FILL)
    assert headers > 7 * 100, f"{headers} pixels of the table-header colour: the diagram did not draw"


@pytest.mark.skipif(not os.environ.get("ORMDOCTOR_MERMAID_JS"),
                    reason="set ORMDOCTOR_MERMAID_JS to a mermaid.min.js (npm pack mermaid) to render the "
                           "Mermaid source with the real Mermaid")
def test_golden_mermaid_renders_with_real_mermaid(tmp_path):
    script = Path(os.environ["ORMDOCTOR_MERMAID_JS"]).resolve()
    texts = [t for golden in sorted(GOLDEN.glob("*.md")) for t in
             re.findall(r"```mermaid\n(.*?)```", golden.read_text(), re.S)]
    assert texts
    texts += _keyword_diagrams()
    html = tmp_path / "mermaid.html"
    html.write_text(_MERMAID_PAGE.replace("SCRIPT", script.as_uri()).replace("TEXTS", json.dumps(texts)))
    result = chromium(tmp_path, "--allow-file-access-from-files", "--virtual-time-budget=30000", "--dump-dom",
                      html.as_uri())
    results = re.findall(r'<p class="(ok|bad)">(.*?)</p>', result.stdout, re.S)
    assert len(results) == len(texts), result.stdout[-2000:]
    assert [r for r in results if r[0] == "bad"] == []


_MERMAID_PAGE = """<!DOCTYPE html><html><body><div id="out"></div>
<script src="SCRIPT"></script>
<script>
mermaid.initialize({startOnLoad: false});
(async () => {
  const out = document.getElementById("out");
  const texts = TEXTS;
  for (let i = 0; i < texts.length; i++) {
    const p = document.createElement("p");
    try { await mermaid.render("d" + i, texts[i]); p.className = "ok"; p.textContent = "diagram " + i; }
    catch (e) { p.className = "bad"; p.textContent = "diagram " + i + ": " + (e.message || e); }
    out.appendChild(p);
  }
})();
</script></body></html>
"""


def _keyword_diagrams() -> list[str]:
    """Tables and columns named like Mermaid keywords, a stub, a self reference and a link table."""
    from ormdoctor.docs.mermaid import render_diagram
    from ormdoctor.docs.model import ColumnDoc, Definition, ForeignKeyDoc, MetadataDoc, TableDoc, build_schema

    def table(name, columns, fks=(), schema=None):
        key = f"{schema}.{name}" if schema else name
        return TableDoc(f"m|{key}", name, schema, "m", (Definition("table", name, "a.py", 1, 1),), None,
                        tuple(ColumnDoc(c, t, n, primary_key=c == "id") for c, t, n in columns), tuple(fks))

    def fk(column, target):
        return ForeignKeyDoc((column,), target, ("id",), f"m|{target}")

    tables = [
        table("end", [("id", "Integer", False), ("pk", "PK", True), ("class", "Enum(Kind)", True)]),
        table("style", [("id", "Integer", False), ("end_id", "Integer", True), ("parent_id", "Integer", True)],
              [fk("end_id", "end"), fk("parent_id", "style")]),
        table("links", [("a_id", "Integer", False), ("b_id", "Integer", False)],
              [fk("a_id", "end"), fk("b_id", "style")]),
        table("2fa codes", [("id", "Integer", False), ("end_id", "Integer", False)], [fk("end_id", "end")],
              schema="other"),
    ]
    schema = build_schema(tables, [MetadataDoc("m", "md", "a.py")], [])
    return [render_diagram(schema, d) for d in schema.diagrams]


# PNG, decoded in pure Python -------------------------------------------------------------------
def decode_png(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    pixels, previous = [], bytearray(stride)
    for row in range(height):
        start = row * (stride + 1)
        line = _unfilter(raw[start], bytearray(raw[start + 1:start + 1 + stride]), previous, channels)
        pixels += [tuple(line[i:i + channels]) for i in range(0, stride, channels)]
        previous = line
    return width, height, pixels


def _unfilter(kind: int, line: bytearray, prev: bytearray, bpp: int) -> bytearray:
    if kind == 0:
        return line
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        up = prev[i]
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 2:
            line[i] = (line[i] + up) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            corner = prev[i - bpp] if i >= bpp else 0
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
    return line

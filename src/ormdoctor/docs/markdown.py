"""The document blocks → GitHub-flavoured Markdown with Mermaid diagrams."""

from __future__ import annotations

import re
from functools import lru_cache

from ormdoctor.docs.document import (
    Anchor, Bullets, Code, DiagramBlock, Heading, Link, Para, Strong, Table, Text, document,
)
from ormdoctor.docs.mermaid import GITHUB_MAX_TEXT, Names, render_diagram
from ormdoctor.docs.model import SchemaDoc

# Characters that start Markdown syntax anywhere; "_" only matters at a word boundary in GFM.
_SPECIAL = re.compile(r"([\\`*\[\]<>]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
_BLOCK_START = re.compile(r"^(#|[-+] |\d+[.)] |=|>)")


def render_markdown(schema: SchemaDoc, heading_offset: int = 0) -> str:
    names = Names(schema)
    parts = [_block(b, schema, names, heading_offset) for b in document(schema)]
    return "\n\n".join(p for p in parts if p) + "\n"


def _block(block, schema: SchemaDoc, names: Names, offset: int) -> str:
    if isinstance(block, Heading):
        level = min(6, block.level + offset)
        anchor = f'<a id="{block.anchor}"></a>' if block.anchor else ""
        return f"{'#' * level} {anchor}{inline(block.line)}"
    if isinstance(block, Para):
        return _not_a_block(inline(block.line))
    if isinstance(block, Bullets):
        return "\n".join(f"- {inline(item)}" for item in block.items)
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, DiagramBlock):
        text = render_diagram(schema, block.diagram, names)
        fence = f"```mermaid\n{text}```"
        if len(text) > GITHUB_MAX_TEXT:
            return fence + ("\n\n_This diagram is larger than GitHub renders (50,000 characters); narrow it "
                            "with `--tables` / `--exclude-tables`._")
        return fence
    raise TypeError(block)


def _not_a_block(text: str) -> str:
    """A paragraph that would start a heading or a list (a docstring's "1. Foo") stays a paragraph."""
    match = _BLOCK_START.match(text)
    if not match:
        return text
    if match.group(1)[0].isdigit():
        digits = match.group(1)[:-2]
        return f"{digits}\\{text[len(digits):]}"
    return "\\" + text


def _table(table: Table) -> str:
    lines = ["| " + " | ".join(table.header) + " |", "|" + "|".join(" --- " for _ in table.header) + "|"]
    for row in table.rows:
        cells = [inline(cell, in_table=True) for cell in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def inline(line, in_table: bool = False) -> str:
    return "".join(_inline(item, in_table) for item in line)


def _inline(item, in_table: bool) -> str:
    if isinstance(item, Text):
        return escape(item.text, in_table)
    if isinstance(item, Code):
        return code(item.text, in_table)
    if isinstance(item, Strong):
        return f"**{escape(item.text, in_table)}**"
    if isinstance(item, Link):
        return f"[{inline(item.label, in_table)}]({item.href})"
    if isinstance(item, Anchor):
        return f'<a id="{item.id}"></a>'
    raise TypeError(item)


@lru_cache(maxsize=4096)
def escape(text: str, in_table: bool = False) -> str:
    text = " ".join(text.split("\n")) if in_table else text
    text = _SPECIAL.sub(r"\\\1", text)
    return text.replace("|", "\\|") if in_table else text


def code(text: str, in_table: bool = False) -> str:
    text = " ".join(text.split())
    if in_table:
        text = text.replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"

"""Mermaid ``erDiagram`` text that GitHub renders.

Mermaid's ER grammar is strict: entity and attribute names are ``[A-Za-z_][A-Za-z0-9_-]*``
and an attribute type may not hold parentheses, commas or spaces, so ``String(50)`` is written
``String_50`` and ``core.customers`` is written ``core_customers``. Relationship labels are
quoted and may not hold a double quote. Some words are keywords of the grammar (checked against
Mermaid 11): an entity may not be called ``end``, ``style``, ``class``, ``one``, ``many``, ``to``...,
an attribute name or type may not be ``PK``, ``FK`` or ``UK``; those get a trailing underscore.
"""

from __future__ import annotations

import ast
import re

from ormdoctor.docs.model import MANY_TO_MANY, ONE_TO_ONE, Diagram, SchemaDoc, TableDoc

GITHUB_MAX_TEXT = 50_000  # Mermaid's default maxTextSize: larger diagrams do not render
ENTITY_KEYWORDS = {"style", "classdef", "class", "erdiagram", "end", "one", "many", "to", "direction", "title",
                   "acctitle", "accdescr"}
ATTRIBUTE_KEYWORDS = {"pk", "fk", "uk"}


def identifier(text: str, fallback: str = "x", keywords: set[str] = frozenset()) -> str:
    word = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_") or fallback
    word = word if re.match(r"[A-Za-z_]", word) else f"_{word}"
    return f"{word}_" if word.lower() in keywords else word


def short_type(written: str | None) -> str | None:
    """``sa.String(50)`` → ``String(50)``; ``postgresql.UUID(as_uuid=True)`` → ``UUID``;
    ``Numeric(precision=10, scale=2)`` → ``Numeric(10, 2)``; ``Enum(Status)`` → ``Enum(Status)``."""
    if not written:
        return None
    try:
        node = ast.parse(written, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return written
    if isinstance(node, ast.Subscript):  # list[int], Optional[str] leftovers
        node = node.value
    if not isinstance(node, ast.Call):
        return _tail(node) or written
    name = _tail(node.func) or "?"
    args = [a for a in map(_arg, node.args) if a]
    args += [a for a in (_arg(k.value) for k in node.keywords if k.arg in ("length", "precision", "scale")) if a]
    if name in ("ARRAY",) and node.args:
        return f"ARRAY({short_type(ast.unparse(node.args[0]))})"
    return f"{name}({', '.join(args)})" if args else name


def _tail(node) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _tail(node.func)
    return None


def _arg(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return str(node.value)
    if isinstance(node, (ast.Name, ast.Attribute)):
        return _tail(node)
    if isinstance(node, ast.Call):
        return _tail(node.func)
    return None


def mermaid_type(written: str | None) -> str:
    short = short_type(written)
    return identifier(short or "unknown", "unknown", ATTRIBUTE_KEYWORDS)


def key_markers(table: TableDoc, column) -> list[str]:
    marks = []
    if column.primary_key:
        marks.append("PK")
    if any(column.name in fk.columns for fk in table.foreign_keys):
        marks.append("FK")
    if column.unique and not column.primary_key:
        marks.append("UK")
    return marks


class Names:
    """One Mermaid-safe, unique entity name per table id."""

    def __init__(self, schema: SchemaDoc):
        self.names: dict[str, str] = {}
        used: set[str] = set()
        for table in schema.tables:
            base = identifier(table.key, "table", ENTITY_KEYWORDS)
            name, n = base, 1
            while name in used:
                n += 1
                name = f"{base}_{n}"
            used.add(name)
            self.names[table.id] = name

    def __getitem__(self, table_id: str) -> str:
        return self.names[table_id]


def render_diagram(schema: SchemaDoc, diagram: Diagram, names: Names | None = None) -> str:
    names = names or Names(schema)
    lines = ["erDiagram"]
    for table_id in diagram.entities:
        table = schema.by_id[table_id]
        if not table.columns:
            lines.append(f"    {names[table_id]}")
            continue
        lines.append(f"    {names[table_id]} {{")
        for column in table.columns:
            marks = key_markers(table, column)
            suffix = f" {', '.join(marks)}" if marks else ""
            name = identifier(column.name, "column", ATTRIBUTE_KEYWORDS)
            lines.append(f"        {mermaid_type(column.type)} {name}{suffix}")
        lines.append("    }")
    for table_id in diagram.stubs:
        lines.append(f"    {names[table_id]}")
    for edge in diagram.edges:
        lines.append(f"    {names[edge.parent]} {_cardinality(edge)} {names[edge.child]} : \"{_label(edge.label)}\"")
    return "\n".join(lines) + "\n"


def _cardinality(edge) -> str:
    if edge.kind == MANY_TO_MANY:
        return "}o--o{"
    left = "|o" if edge.optional else "||"
    right = "o|" if edge.kind == ONE_TO_ONE else "o{"
    return f"{left}--{right}"


def _label(text: str) -> str:
    return text.replace('"', "'").replace("\n", " ") or "references"

"""``source_text`` takes a shortcut for simple expressions; it must give ``ast.unparse``'s text
exactly, since column types are compared as text across duplicate definitions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ormdoctor.static.exprs import _simple_text, source_text

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("expression", [
    "Integer", "sa.String", "String(50)", "sa.Numeric(10, 2)", "DateTime(timezone=True)",
    "Enum('a', 'b', name='kind')", "String(length=None)", "ForeignKey('users.id')",
    "String('it''s')", "String('a\\\\b')", "String('ü')", "f(x)(y)", "String(*args)", "f(**kw)",
    "Numeric(-1)", "a[0].b", "(1).real", "String(1.5)", "f(g(1))", "String(0x10)", "f(True, None)",
])
def test_shortcut_matches_unparse(expression):
    node = ast.parse(expression, mode="eval").body
    assert source_text(node) == ast.unparse(node)


def test_shortcut_matches_unparse_on_every_expression_of_the_fixtures():
    checked = 0
    for path in sorted((ROOT / "tests" / "fixtures").rglob("*.py")) + sorted((ROOT / "examples").rglob("*.py")):
        try:
            tree = ast.parse(path.read_bytes())
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.expr):
                simple = _simple_text(node)
                if simple is not None:
                    assert simple == ast.unparse(node), f"{path}:{node.lineno}"
                    checked += 1
    assert checked > 10_000

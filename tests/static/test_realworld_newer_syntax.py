"""Python 3.12-3.14 syntax read by an older parser (polarsource/polar, pypi/warehouse).

On 3.11, `type X = ...`, `class Repo[T]:` and `except A, B:` made whole model files ORM001 and
every reference into them an ORM301/ORM303 error. The fixture traps_newer_python_syntax covers
the end-to-end case; these pin the rewrite itself.
"""

from __future__ import annotations

import ast

import pytest

from ormdoctor.pipeline import analyse
from ormdoctor.static.compat import rewrite_newer_syntax


@pytest.mark.parametrize(("line", "expected"), [
    ("type FeeCents = int", "FeeCents = int"),
    ("    type Pair[T] = tuple[T, T]", "    Pair = tuple[T, T]"),
    ("type Nested[K: dict[str, int], V] = dict[K, V]", "Nested = dict[K, V]"),
    ("class Repo[M: Model](Base, Generic):", "class Repo(Base, Generic):"),
    ("class Box[T]:", "class Box:"),
    ("async def fetch[T: (int, str)](x: T) -> T:", "async def fetch(x: T) -> T:"),
    ("    except ValueError, TypeError:", "    except (ValueError, TypeError):"),
    ("except* errors.A, errors.B:  # grouped", "except* (errors.A, errors.B):  # grouped"),
])
def test_newer_constructs_are_rewritten_on_their_line(line, expected):
    assert rewrite_newer_syntax(line) == expected


@pytest.mark.parametrize("line", [
    "type = 5",
    "kind = type(x)",
    "type(x).__name__",
    "except (ValueError, TypeError):",
    "except ValueError as exc:",
    "class Box(Generic[T]):",
    "items[0] = 1",
])
def test_valid_older_syntax_is_left_alone(line):
    assert rewrite_newer_syntax(line) is None


def test_line_numbers_are_kept():
    text = "type A = int\nclass B[T]:\n    try:\n        pass\n    except KeyError, IndexError:\n        pass\nx = 1\n"
    rewritten = rewrite_newer_syntax(text)
    assert rewritten.count("\n") == text.count("\n")
    assert [n.lineno for n in ast.parse(rewritten).body] == [1, 2, 7]


def test_other_newer_syntax_is_still_a_parse_error(tmp_path):
    # PEP 701 f-strings cannot be rewritten line by line: ORM001, as before.
    (tmp_path / "models.py").write_text('from sqlalchemy import Column\nx = f"{d["k"]}"\n', encoding="utf-8")
    findings = analyse([str(tmp_path)], use_cache=False).findings
    assert [(f.code, f.location.line) for f in findings] == [("ORM001", 2)]


def test_newer_syntax_in_a_too_deeply_nested_file_is_a_parse_error(tmp_path):
    # Found by the fuzzer: the rewritten text is retried and the parser's own recursion limit
    # fires on the retry. That is ORM001 on the file, never an internal error.
    nested = "x = a" + ".b" * 10_000 + "\n"  # deeper than the AST builder goes
    (tmp_path / "models.py").write_text(
        "from sqlalchemy import Column\ntype FeeCents = int\n" + nested, encoding="utf-8")
    findings = analyse([str(tmp_path)], use_cache=False).findings
    assert [(f.code, f.location.line) for f in findings] == [("ORM001", 2)]

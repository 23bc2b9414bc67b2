"""Python 3.12-3.14 syntax read by an older parser (polarsource/polar, pypi/warehouse).

On 3.11, `type X = ...`, `class Repo[T]:` and `except A, B:` made whole model files ORM001 and
every reference into them an ORM301/ORM303 error. The fixture traps_newer_python_syntax covers
the end-to-end case; these pin the rewrite itself.
"""

from __future__ import annotations

import ast
import sys

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


@pytest.mark.parametrize(("line", "fstring"), [
    # Mailu's models.py: the f-string's own quote inside a replacement field (PEP 701).
    ("        return f'{idna.encode(self.name).decode('ascii')}. 600 IN MX 10 {host}.'",
     "f'{idna.encode(self.name).decode('ascii')}. 600 IN MX 10 {host}.'"),
    ('x = f"{d["k"]}" + other', 'f"{d["k"]}"'),
    ("msg = f\"{'\\n'.join(lines)}\"  # a backslash in the field", "f\"{'\\n'.join(lines)}\""),
    ('a, b = f"{x["k"]}", F"{y}"', 'f"{x["k"]}"'),
])
def test_fstrings_only_python_3_12_reads_become_blank_strings_of_the_same_length(line, fstring):
    expected = line.replace(fstring, '"' + " " * (len(fstring) - 2) + '"')
    assert rewrite_newer_syntax(line) == expected
    assert len(expected) == len(line)
    ast.parse(expected.strip())


@pytest.mark.parametrize("line", [
    "x = f\"{d['k']}\"",                         # the other quote: valid before 3.12
    'w = f"{x!r:>{width}}" + "{not a field}"',
    "v = \"it's # not {a comment}\"  # f\"{d[\"k\"]}\" in a comment",
    "u = rf\"\\d{d['k']}\"",
    "t = f" + "'" * 3 + "{d['k']}" + "'" * 3,     # triple-quoted: left alone
])
def test_fstrings_older_pythons_read_are_left_alone(line):
    assert rewrite_newer_syntax(line) is None


MAILU_LIKE = '''from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import declarative_base
Base = declarative_base()
class Domain(Base):
    __tablename__ = "domain"
    id = Column(Integer, primary_key=True)
    def mx(self):
        return f"{self.name.encode().decode("ascii")}. 600 IN MX"
class Alias(Base):
    __tablename__ = "alias"
    id = Column(Integer, primary_key=True)
    domain_id = Column(ForeignKey("domains.id"))
'''


def test_a_newer_fstring_no_longer_hides_a_models_file(tmp_path):
    (tmp_path / "models.py").write_text(MAILU_LIKE, encoding="utf-8")
    findings = analyse([str(tmp_path)], use_cache=False).findings
    assert [(f.code, f.location.line) for f in findings] == [("ORM303", 12)]  # the file is read: its typo is found


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="Python 3.12+ parses it")
def test_an_fstring_whose_field_spans_lines_is_still_a_parse_error(tmp_path):
    (tmp_path / "models.py").write_text('from sqlalchemy import Column\nx = f"{d[\n"k"]}"\n', encoding="utf-8")
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

"""Issue 9, item 7: project strings never reach a terminal or CI log raw. A table name with an
escape sequence, a newline and a GitHub workflow command is shown escaped in every format."""

from __future__ import annotations

import json
import re

import pytest
from io_support import model_project, ormdoctor

EVIL = "evil\x1b]0;owned\x07\x1b[2J\r\n::error file=ci_yml,line=1::forged\u202e ##[add-mask]secret"
# The same text as the Python literal the model file holds.
LITERAL = repr(EVIL)

MODELS = f'''from sqlalchemy import Column, Integer
from app.db import Base


class First(Base):
    __tablename__ = {LITERAL}
    id = Column(Integer, primary_key=True)


class Second(Base):
    __tablename__ = {LITERAL}
    id = Column(Integer, primary_key=True)
'''
BASE = "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n"
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("escaping") / "p"
    return model_project(root, {"app/db.py": BASE, "app/models.py": MODELS,
                                "::warning title=x::forged/__init__.py": "",
                                "::warning title=x::forged/bad.py": "import sqlalchemy\nclass (:\n"})


def _assert_safe_for_a_terminal_and_ci(text: str) -> None:
    assert not RAW.search(text), repr(text)
    assert "##[" not in text
    for line in text.splitlines():
        assert not line.lstrip().startswith("::"), line


def test_text_output_escapes_project_strings(project):
    # Run from the project, so that paths are printed relative and one can start with "::".
    result = ormdoctor("check", "--no-cache", cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    _assert_safe_for_a_terminal_and_ci(result.stdout)
    assert "evil\\x1b]0;owned\\x07\\x1b[2J\\r\\n::error file=ci_yml" in result.stdout  # readable, one line
    assert "./::warning title=x::forged/bad.py:2:" in result.stdout  # same file, no command


def test_github_format_cannot_be_injected(project):
    result = ormdoctor("check", str(project), "--no-cache", "--format", "github")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines and all(re.match(r"::(error|warning|notice) ", line) for line in lines), lines
    assert not RAW.search(result.stdout)
    duplicate = next(line for line in lines if "ORM101" in line)
    assert "::forged" in duplicate.split("::", 2)[2]  # only ever inside the data part
    orm001 = next(line for line in lines if "ORM001" in line)
    assert "file=%3A%3Awarning title=x%3A%3Aforged/bad.py," in orm001  # properties escaped


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_json_formats_carry_the_exact_text(project, fmt):
    result = ormdoctor("check", str(project), "--no-cache", "--format", fmt)
    assert result.returncode == 1
    assert result.stdout.isascii() and not RAW.search(result.stdout)
    document = json.loads(result.stdout)
    findings = document["diagnostics"] if fmt == "json" else document["runs"][0]["results"]
    messages = [f["message"] if fmt == "json" else f["message"]["text"] for f in findings]
    assert any(f"'{EVIL}'" in message for message in messages), messages  # the data is exact


def test_tables_and_compare_text_are_escaped(project):
    tables = ormdoctor("tables", str(project), "--no-cache")
    assert tables.returncode == 0, tables.stderr
    _assert_safe_for_a_terminal_and_ci(tables.stdout)
    assert "evil\\x1b]0;owned" in tables.stdout
    compare = ormdoctor("compare", EVIL, str(project), "--no-cache")
    assert compare.returncode == 0, compare.stderr
    _assert_safe_for_a_terminal_and_ci(compare.stdout)


def test_error_messages_are_escaped(project):
    result = ormdoctor("compare", "no\x1b[2Jsuch\n::error::x", str(project), "--no-cache")
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    _assert_safe_for_a_terminal_and_ci(result.stderr)


def test_file_name_that_is_not_utf8(tmp_path):
    root = model_project(tmp_path / "p", {"app/x.py": "import sqlalchemy\nclass (:\n"})
    (root / "app" / "x.py").rename(root / "app" / "caf\udce9.py")  # the byte 0xe9: Latin-1, not UTF-8
    result = ormdoctor("check", str(root), "--no-cache", env={"PYTHONIOENCODING": "utf-8"})
    assert "Traceback" not in result.stderr, result.stderr
    assert "app/caf\\xe9.py:2:" in result.stdout
    github = ormdoctor("check", str(root), "--no-cache", "--format", "github")
    assert "Traceback" not in github.stderr and "caf\\xe9.py" in github.stdout


def test_printable_helper():
    from ormdoctor.report.sanitize import path_at_line_start, printable, terminal_safe

    assert printable("plain text, ünïcode: ok") == "plain text, ünïcode: ok"
    assert printable("a\x1b[31mb\x9bc\x7f\n\t\u2028\u202e\udcff##[x]") == \
        "a\\x1b[31mb\\x9bc\\x7f\\n\\t\\u2028\\u202e\\xff#\\x23[x]"
    assert path_at_line_start("app/models.py") == "app/models.py"
    assert path_at_line_start(" ::error::x/m.py") == "./ ::error::x/m.py"
    assert terminal_safe("\x1b[1mok\x1b[0m\n::x\n", color=True) == "\x1b[1mok\x1b[0m\n\\x3a:x\n"
    assert terminal_safe("\x1b[1mok\x1b[0m\n", color=False) == "\\x1b[1mok\\x1b[0m\n"

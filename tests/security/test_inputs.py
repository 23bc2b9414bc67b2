"""Issue 9, item 5: no input crashes or hangs a static command. Each hostile input becomes a
finding (ORM001) or a one-line error with exit 2: never a traceback, never exit 1 for a crash."""

from __future__ import annotations

import ast
import json
import os
import random
import time

import pytest
from io_support import model_project, ormdoctor

from ormdoctor.static.extract import read_module
from ormdoctor.static.facts import FileFacts
from ormdoctor.static.imports_scan import scan_imports
from ormdoctor.static.source import MAX_BYTES


def _diagnostics(result) -> list[dict]:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), (result.returncode, result.stderr)
    return json.loads(result.stdout)["diagnostics"]


def _orm001(result) -> dict[str, str]:
    return {d["location"]["path"]: d["message"] for d in _diagnostics(result) if d["code"] == "ORM001"}


def test_computed_column_name_with_index_is_not_a_crash(tmp_path):
    root = model_project(tmp_path / "p", {"app/tables.py": '''
from sqlalchemy import Column, Integer, MetaData, Table
from app.names import NAME_CONST, OTHER

metadata = MetaData()
t = Table("t", metadata, Column("id", Integer, primary_key=True), Column(NAME_CONST, Integer, index=True))
u = Table("u", metadata, Column("id", Integer, primary_key=True), Column(NAME_CONST, Integer, unique=True),
          Column(OTHER, Integer, index=True))
'''})
    diagnostics = _diagnostics(ormdoctor("check", str(root), "--no-cache", "--format", "json"))
    # Two columns whose names are unknown are not "the same column indexed twice" (ORM202).
    assert [d["code"] for d in diagnostics if d["code"].startswith("ORM2")] == []
    docs = ormdoctor("docs", str(root), "--no-cache")
    assert docs.returncode == 0 and "Traceback" not in docs.stderr, docs.stderr


def test_naming_convention_constant_that_is_not_text_is_not_a_crash(tmp_path):
    """Found by the fuzz test: a convention constant with a bytes template (``"ix": b"x"``)."""
    root = model_project(tmp_path / "p", {"app/models.py": '''
from sqlalchemy import Column, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase

convention = {"ix": b"ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s"}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=convention)


class Customer(Base):
    __tablename__ = "customers"
    id = Column(Integer, primary_key=True)
    email = Column(String(200), index=True)
    code = Column(String(20), unique=True)
'''})
    result = ormdoctor("check", str(root), "--no-cache", "--format", "json")
    assert _diagnostics(result) == []


@pytest.mark.parametrize("codec", ["rot13", "hex", "punycode", "undefined", "base64", "no-such-codec"])
def test_unusable_coding_cookie_is_orm001(tmp_path, codec):
    root = model_project(tmp_path / "p", {"app/odd.py": f"# -*- coding: {codec} -*-\nimport sqlalchemy\nx = 1\n"})
    found = _orm001(ormdoctor("check", str(root), "--no-cache", "--format", "json"))
    assert list(found) == ["app/odd.py"] and "encoding" in found["app/odd.py"], found


def test_special_files_are_skipped_not_read(tmp_path):
    """A symlink to /dev/zero would be read forever, a FIFO would block: both are ORM001."""
    root = model_project(tmp_path / "p")
    (root / "app" / "zero.py").symlink_to("/dev/zero")
    os.mkfifo(root / "app" / "pipe.py")
    (root / "app" / "huge.py").write_bytes(b"import sqlalchemy\n" + b"# padding\n" * (MAX_BYTES // 10 + 1))
    started = time.perf_counter()
    found = _orm001(ormdoctor("check", str(root), "--no-cache", "--format", "json", timeout=60))
    assert time.perf_counter() - started < 60
    assert "not a regular file" in found.pop("app/zero.py")
    assert "not a regular file" in found.pop("app/pipe.py")
    assert "over the 8 MB limit; skipped" in found.pop("app/huge.py")
    assert found == {}


@pytest.mark.parametrize("name", [".gitignore", "alembic.ini", "migrations/alembic.ini", "pyproject.toml",
                                  "setup.cfg", "pytest.ini", "tox.ini", "Dockerfile", "backend/pyproject.toml",
                                  "backend/setup.cfg", "backend/Dockerfile"])
def test_fifo_among_the_settings_files_is_not_read(tmp_path, name):
    """Outside a git repository the .gitignore is read as text; alembic.ini, pytest/setuptools
    settings and Dockerfiles (also a sub-project's) give import roots; the result cache's key
    digests them. A FIFO under any of these names is skipped, with and without the cache."""
    root = model_project(tmp_path / "p")
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / "backend").mkdir(exist_ok=True)
    (root / "backend" / "app.py").write_text("from models import x\n")
    os.mkfifo(root / name)
    for cache in (["--no-cache"], []):
        result = ormdoctor("check", str(root), *cache, timeout=60)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr


def test_ten_thousand_indented_imports_are_scanned_in_linear_time():
    text = "def load():\n" + "".join(f"    import module_{i}\n" for i in range(10_000))
    started = time.perf_counter()
    facts = scan_imports("x.py", "", text)
    assert time.perf_counter() - started < 5  # was 32 s: each import walked back over all before it
    assert len(facts.imports) == 10_000 and {i.context for i in facts.imports} == {"function"}


def _keys(facts):
    return sorted((i.module, i.level, i.context, i.pos.line, tuple(n for n, _ in i.names)) for i in facts.imports)


def _random_module(rng: random.Random) -> str:
    """Nested defs, ifs (TYPE_CHECKING among them), try blocks, docstrings, comments, blank lines.
    (No nested classes: the AST reader records imports in a class body only one level deep.)"""
    lines, depth = ["from typing import TYPE_CHECKING"], 0
    for n in range(rng.randint(20, 80)):
        pad = "    " * depth
        choice = rng.random()
        if choice < 0.2 and depth < 8:
            lines.append(pad + rng.choice(["def f%d():" % n, "async def g%d():" % n,
                                           "if TYPE_CHECKING:", "if x:", "try:"]))
            if lines[-1].endswith("try:"):
                lines += [pad + "    pass", pad + "except Exception:"]
            depth += 1
            lines.append("    " * depth + rng.choice(["pass", '"""Doc.\n\nimport inside_a_docstring\n"""']))
        elif choice < 0.35 and depth:
            depth = rng.randint(0, depth - 1)
        elif choice < 0.7:
            lines.append(pad + rng.choice([f"import m{n}", f"from p{n} import a, b as c", f"from . import s{n}",
                                           f"import m{n}.sub as alias"]))
        else:
            lines.append(rng.choice(["", pad + "# import nothing", pad + f"value_{n} = {n}"]))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_scanner_agrees_with_the_ast_on_random_nesting(newline):
    rng = random.Random(9)
    for _ in range(300):
        text = _random_module(rng).replace("\n", newline)
        expected = _keys(read_module(ast.parse(text), FileFacts("x.py", "")))
        assert _keys(scan_imports("x.py", "", text)) == expected, text


def test_docs_of_a_huge_generated_file_is_fast(tmp_path):
    """30,000 classes in one file took 263 s: each table scanned every class for its subclasses."""
    from ormdoctor.docs.from_inventory import describe_inventory
    from ormdoctor.pipeline import analyse

    lines = ["from sqlalchemy import Column, Integer", "from sqlalchemy.orm import DeclarativeBase",
             "class Base(DeclarativeBase):", "    pass"]
    for i in range(20_000):
        lines += [f"class C{i}(Base):", f"    __tablename__ = 't{i}'", "    id = Column(Integer, primary_key=True)"]
    root = tmp_path / "p"
    (root / "app").mkdir(parents=True)
    (root / "app" / "models.py").write_text("\n".join(lines) + "\n")
    analysis = analyse([str(root)], use_cache=False)
    started = time.perf_counter()
    tables, _ = describe_inventory(analysis.inventory)
    assert time.perf_counter() - started < 30  # was about 100 s for 20,000
    assert len(tables) == 20_000


def test_internal_error_is_one_line_naming_the_file(tmp_path, monkeypatch, capsys):
    """A bug (here forced into the extractor) prints one line and exits 2; the traceback only
    with ORMDOCTOR_DEBUG=1."""
    import ormdoctor.static.scan as scan
    from ormdoctor.cli import main

    root = model_project(tmp_path / "p")

    def broken(*args):
        raise TypeError("sequence item 0: expected str\ninstance")

    monkeypatch.setattr(scan, "read_module", broken)
    monkeypatch.delenv("ORMDOCTOR_DEBUG", raising=False)
    assert main(["check", str(root), "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "while processing app/models.py" in err and "TypeError: sequence item 0: expected str\\ninstance" in err
    assert "this is a bug in ormdoctor, please report it" in err
    monkeypatch.setenv("ORMDOCTOR_DEBUG", "1")
    assert main(["check", str(root), "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and err.rstrip().splitlines()[-1].startswith("ormdoctor: error: internal error")


def test_internal_error_in_a_rule_names_the_rule(tmp_path, monkeypatch, capsys):
    import ormdoctor.rules.indexes as indexes
    from ormdoctor.cli import main

    root = model_project(tmp_path / "p")  # email has index=True: the index rules name it

    def broken(*args, **kwargs):
        raise KeyError("column_0_label")

    monkeypatch.setattr(indexes, "final_name", broken)
    monkeypatch.delenv("ORMDOCTOR_DEBUG", raising=False)
    assert main(["check", str(root), "--no-cache", "--format", "json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith("ormdoctor: error: internal error while processing rule ORM20")
    assert "KeyError: 'column_0_label'" in captured.err and "this is a bug in ormdoctor" in captured.err


def test_nothing_is_read_from_a_special_file_given_by_name(tmp_path):
    """`ormdoctor check app/pipe.py` names the FIFO itself: still ORM001, never a hang."""
    root = model_project(tmp_path / "p")
    os.mkfifo(root / "app" / "pipe.py")
    found = _orm001(ormdoctor("check", str(root / "app" / "pipe.py"), "--no-cache", "--format", "json", timeout=60))
    assert list(found) == ["pipe.py"]  # the folder named is the root


@pytest.mark.parametrize("size", [0, 1, 9, 10, 11, 50])
def test_a_file_is_read_whole_up_to_the_limit_with_the_stat_of_what_was_read(tmp_path, monkeypatch, size):
    from ormdoctor.static import source

    monkeypatch.setattr(source, "MAX_BYTES", 10)
    path = tmp_path / "m.py"
    path.write_bytes(bytes(range(65, 65 + size)))
    stat, data, error = source.read_source_and_stat(str(path))
    if size <= 10:
        assert error is None and data == path.read_bytes() and stat.st_size == size == len(data)
        assert stat.st_ino == os.stat(path).st_ino
    else:
        assert stat is None and data is None and error.kind == "too-large"


def test_reading_a_device_through_a_symlink_reads_nothing(tmp_path):
    from ormdoctor.static.source import read_source_and_stat

    (tmp_path / "zero.py").symlink_to("/dev/zero")
    stat, data, error = read_source_and_stat(str(tmp_path / "zero.py"))
    assert (stat, data, error.kind) == (None, None, "not-a-file")
    stat, data, error = read_source_and_stat(str(tmp_path / "missing.py"))
    assert (stat, data, error.kind) == (None, None, "unreadable") and "No such file" in error.message


@pytest.mark.parametrize("data", [
    b"", b"x = 1\n", b"x = 1", b"# plain\nx = 1\n", b"# -*- coding: latin-1 -*-\nx = 1\n",
    b"#!/usr/bin/env python\n# coding: cp1252\nx = 1\n", b"\n\n# coding: latin-1\n",
    b"x = 1\n# coding: latin-1\n", b"x = 'coding'\ny = 2\n", b"\xef\xbb\xbfx = 1\n", b"x = '\xc3\xa9'\n",
    b"# vim: set fileencoding=koi8-r :\nx = 1\r\n",
])
def test_decoding_names_the_encoding_python_would_use(data):
    import io
    import tokenize

    from ormdoctor.static.source import decode

    text, encoding, error = decode(data)
    assert error is None and encoding == tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    assert text == data.decode(encoding)

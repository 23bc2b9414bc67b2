"""Issue 9, done-when: thousands of mutated model files through ormdoctor, zero tracebacks.

The seeds are the real fixture projects (tests/fixtures, examples, the docs and drift projects).
Each case copies one of them and mutates its Python files with a seeded mutator: tokens deleted
or duplicated, string literals replaced by computed expressions, random bytes, coding cookies
and encodings, deep nesting, huge literals, odd decorators, truncation, shuffled or re-indented
lines. Many cases share one project folder (``case<N>/...``), so one run reads hundreds of files.

* In process: ``cli.main`` (the real command line, without a new interpreter per run) runs
  ``check`` in every format and ``docs`` on each batch; it must return 0 or 1 and never report
  an internal error.
* The real executable on a few dozen batches: exit 0 or 1, no "Traceback", no "internal error".

Seeded, so a failure is reproducible: the message names the seed and keeps the project folder.
``ORMDOCTOR_FUZZ_SCALE=10`` runs ten times as many cases; ``ORMDOCTOR_FUZZ_SEED=N`` other ones.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import tokenize
from pathlib import Path

import pytest
from io_support import ormdoctor

ROOT = Path(__file__).resolve().parents[2]
SCALE = float(os.environ.get("ORMDOCTOR_FUZZ_SCALE", "1"))
SEED = int(os.environ.get("ORMDOCTOR_FUZZ_SEED", "20261203"))
IN_PROCESS_BATCHES = int(30 * SCALE)
CLI_BATCHES = int(24 * SCALE)
CASES_PER_BATCH = 16


def _seed_projects() -> list[Path]:
    parents = [ROOT / "tests" / "fixtures" / "rules", ROOT / "tests" / "fixtures" / "seeds",
               ROOT / "tests" / "docs" / "projects", ROOT / "tests" / "drift" / "projects"]
    found = [p for parent in parents if parent.is_dir() for p in sorted(parent.iterdir()) if p.is_dir()]
    found.append(ROOT / "examples" / "shop")
    return [p for p in found if any(p.rglob("*.py"))]


PROJECTS = _seed_projects()


# --- the mutator ----------------------------------------------------------------------------------

def _tokens(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the tokens, as far as the tokenizer gets."""
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    spans = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.string and token.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER):
                (l1, c1), (l2, c2) = token.start, token.end
                spans.append((starts[l1 - 1] + c1, starts[l2 - 1] + c2))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return spans or [(0, min(len(text), 1))]


def delete_token(rng, text):
    start, end = rng.choice(_tokens(text))
    return text[:start] + text[end:]


def duplicate_token(rng, text):
    start, end = rng.choice(_tokens(text))
    return text[:end] + rng.choice(["", " "]) + text[start:end] + text[end:]


def replace_string(rng, text):
    """A literal (a table name, a column name, a ForeignKey target) becomes something computed."""
    strings = [span for span in _tokens(text) if text[span[0]:span[1]][-1:] in "'\""]
    if not strings:
        return text
    start, end = rng.choice(strings)
    other = rng.choice(["NAME_CONST", "name()", "f'{x}_t'", "None", "42", "b'x'", "'a' + 'b'", "'x'.upper()",
                        "'\\x1b[2J\\n::error::x'", "''", "'.'", "'a.b.c.d'", "'%(table_name)s'", "...",
                        "'t' * 3", "{'k': 1}", "[1, 2]", "('a', 'b')", "lambda: 'x'"])
    return text[:start] + other + text[end:]


def random_bytes(rng, text):
    position = rng.randrange(len(text) + 1)
    junk = "".join(chr(rng.choice([0, 7, 9, 10, 11, 12, 13, 27, 92, 0x85, 0x2028, 0x202E, 0xFEFF,
                                   rng.randrange(32, 127), rng.randrange(0x80, 0x3000)]))
                   for _ in range(rng.randint(1, 8)))
    return text[:position] + junk + text[position:]


def deep_nesting(rng, text):
    depth = rng.choice([30, 99, 150, 400, 1000])
    kind = rng.choice(["parens", "lists", "attrs", "blocks", "calls", "binop"])
    if kind == "parens":
        snippet = "x = " + "(" * depth + "1" + ")" * depth
    elif kind == "lists":
        snippet = "x = " + "[" * depth + "]" * depth
    elif kind == "attrs":
        snippet = "x = a" + ".b" * depth * 10
    elif kind == "calls":
        snippet = "x = Column(" * min(depth, 150) + "Integer" + ")" * min(depth, 150)
    elif kind == "binop":
        snippet = "x = " + " + ".join(["'a'"] * depth * 10)
    else:
        levels = min(depth, 98)  # the tokenizer allows 100 levels of indentation
        snippet = "\n".join("    " * i + "if x:" for i in range(levels)) + "\n" + "    " * levels + "pass"
    return _insert_line(rng, text, snippet)


def huge_literal(rng, text):
    size = rng.choice([5_000, 50_000, 300_000])
    snippet = rng.choice([f"x = '{'a' * size}'", f"x = {'9' * min(size, 6000)}", f"x = b'{'z' * size}'",
                          "x = [" + "1, " * (size // 10) + "]", f"__tablename__ = '{'t' * size}'"])
    return _insert_line(rng, text, snippet)


def odd_decorator(rng, text):
    lines = text.splitlines(keepends=True)
    heads = [i for i, line in enumerate(lines) if line.lstrip().startswith(("class ", "def "))]
    if not heads:
        return text
    i = rng.choice(heads)
    indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
    decorator = rng.choice(["@(lambda c: c)", "@x[0].y(1)(2)", "@declared_attr", "@declared_attr.directive",
                            "@mapper_registry.mapped", "@reg.mapped_as_dataclass", "@event.listens_for(X, 'y')",
                            "@dataclass(frozen=True)", "@property", "@staticmethod", "@a if b else c"])
    return "".join(lines[:i] + [f"{indent}{decorator}\n"] + lines[i:])


def shuffle_lines(rng, text):
    lines = text.splitlines(keepends=True)
    if len(lines) < 2:
        return text
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines)


def reindent(rng, text):
    lines = text.splitlines(keepends=True)
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if not filled:
        return text
    i = rng.choice(filled)
    indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
    lines[i] = rng.choice([x for x in ("", "    ", "\t", "        ", " ") if x != indent]) + lines[i].lstrip()
    return "".join(lines)


def truncate(rng, text):
    return text[: rng.randrange(len(text) + 1)]


def model_snippet(rng, text):
    """Lines that stress the model readers: odd Column, relationship, table args, Table() calls."""
    snippet = rng.choice([
        "class Odd(Base):\n    __tablename__ = NAME\n    id = Column(NAME_CONST, Integer, index=True)",
        "class Odd(Base):\n    __tablename__ = 'odd'\n    __table_args__ = 5\n    id = Column(Integer)",
        "class Odd(Base):\n    __tablename__ = 'odd'\n    __table_args__ = ({'schema': None}, Index(None))",
        "class Odd(Base):\n    __tablename__ = 'odd'\n    x = relationship(1, back_populates=2, secondary=3)",
        "class Odd(Base):\n    __tablename__ = 'odd'\n    x: Mapped[list[]] = mapped_column(ForeignKey(None))",
        "odd = Table(NAME, metadata, Column(NAME, Integer, index=True, unique=True), Index(None, NAME))",
        "odd = Table('odd', MetaData(naming_convention={'ix': '%(column_0_label)s_%(bogus)s'}), Column(X))",
        "Base = declarative_base(metadata=MetaData(schema=1), cls=None)",
        "class Odd(Base, Base, Base):\n    __abstract__ = NAME\n    __mapper_args__ = {'polymorphic_identity': []}",
        "import sys; sys.path.insert(0, str(Path(__file__).parents[99]))",
        "from . import *\nfrom .... import x\nimport importlib; importlib.import_module(f'app.{name}')",
        "class Odd(Odd):\n    __tablename__ = 'odd'\n    __table__ = odd",
        "__all__ = [1, NAME, *x]\nTYPE_CHECKING = True\nif TYPE_CHECKING:\n    from app import *",
    ])
    return _insert_line(rng, text, snippet)


def _insert_line(rng, text, snippet):
    lines = text.splitlines(keepends=True)
    tops = [i for i, line in enumerate(lines) if line[:1] not in (" ", "\t", ")", "]", "}")] + [len(lines)]
    i = rng.choice(tops)
    return "".join(lines[:i] + [snippet + "\n"] + lines[i:])


TEXT_MUTATIONS = [delete_token, duplicate_token, replace_string, replace_string, random_bytes, deep_nesting,
                  huge_literal, odd_decorator, shuffle_lines, reindent, truncate, model_snippet, model_snippet]
COOKIES = ["rot13", "hex", "punycode", "undefined", "no-such-codec", "latin-1", "utf-16", "utf-8-sig", "ascii",
           "base64", "utf-7", "idna", "zlib", "cp1252", "utf-32"]


def mutate(rng: random.Random, text: str) -> bytes:
    for _ in range(rng.choice([1, 1, 2, 3, 5])):
        text = rng.choice(TEXT_MUTATIONS)(rng, text)
    return _encode(rng, text)


def _encode(rng: random.Random, text: str) -> bytes:
    roll = rng.random()
    if roll < 0.08:
        text = f"# -*- coding: {rng.choice(COOKIES)} -*-\n" + text
    elif roll < 0.1:
        return "\ufeff".encode() + text.encode("utf-8", "surrogatepass")
    elif roll < 0.12:
        return text.encode("utf-16", "surrogatepass")
    elif roll < 0.14:
        return text.encode("latin-1", "replace")
    elif roll < 0.16:
        data = bytearray(text.encode("utf-8", "surrogatepass"))
        for _ in range(rng.randint(1, 5)):
            if data:
                data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    return text.encode("utf-8", "surrogatepass")


# --- the batches ----------------------------------------------------------------------------------

def write_batch(rng: random.Random, folder: Path) -> int:
    """CASES_PER_BATCH mutated copies of seed projects under ``folder``; the number of .py files."""
    files = 0
    for case in range(CASES_PER_BATCH):
        source = rng.choice(PROJECTS)
        for path in sorted(source.rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts or ".ormdoctor_cache" in path.parts:
                continue
            target = folder / f"case{case}" / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix != ".py":
                if path.name in ("alembic.ini", "pyproject.toml", "setup.cfg"):
                    shutil.copyfile(path, target)
                continue
            text = path.read_text(encoding="utf-8", errors="surrogateescape")
            target.write_bytes(mutate(rng, text) if rng.random() < 0.85 else text.encode("utf-8", "surrogateescape"))
            files += 1
    return files


def test_in_process_fuzz(tmp_path, capsys):
    """``cli.main`` on every batch: check in all four formats, then docs."""
    from ormdoctor.cli import main

    rng = random.Random(SEED)
    files = 0
    for batch in range(IN_PROCESS_BATCHES):
        folder = tmp_path / f"batch{batch}"
        files += write_batch(rng, folder)
        for args in (["check", "--format", rng.choice(["text", "json", "github", "sarif"])], ["docs"]):
            status = main([args[0], str(folder), "--no-cache", *args[1:]])
            err = capsys.readouterr().err
            assert status in (0, 1) and "internal error" not in err, \
                f"seed {SEED} batch {batch}: ormdoctor {' '.join(args)} {folder} -> {status}\n{err}"
        shutil.rmtree(folder)  # kept only when a batch fails
    assert files >= 2_000 * min(SCALE, 1)


def test_cli_fuzz(tmp_path):
    """The real executable, a new interpreter per run, on other batches."""
    rng = random.Random(SEED + 1)
    files = 0
    for batch in range(CLI_BATCHES):
        folder = tmp_path / f"batch{batch}"
        files += write_batch(rng, folder)
        command = rng.choice([["check", "--format", "text"], ["check", "--format", "github"],
                              ["check", "--format", "json"], ["docs"], ["tables"]])
        result = ormdoctor(command[0], str(folder), "--no-cache", *command[1:], timeout=120)
        assert result.returncode in (0, 1), \
            f"seed {SEED + 1} batch {batch}: ormdoctor {' '.join(command)} {folder} -> {result.returncode}\n" \
            f"{result.stderr[-3000:]}"
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr[-3000:]
        shutil.rmtree(folder)
    assert files >= 1_000 * min(SCALE, 1)


@pytest.mark.parametrize("mutation", TEXT_MUTATIONS[:1] + TEXT_MUTATIONS[2:4] + TEXT_MUTATIONS[5:],
                         ids=lambda m: m.__name__)
def test_each_mutation_changes_real_model_text(mutation):
    """The mutator is not a no-op: each mutation changes a real model file for most seeds."""
    text = (ROOT / "examples" / "shop" / "app" / "models" / "order.py").read_text(encoding="utf-8")
    changed = sum(mutation(random.Random(seed), text) != text for seed in range(20))
    assert changed >= 15, (mutation.__name__, changed)

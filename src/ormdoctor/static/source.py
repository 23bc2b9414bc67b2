"""Bytes → text the way Python itself would decode a module, with clear reasons when it can't."""

from __future__ import annotations

import io
import os
import re
import stat
import tokenize
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ormdoctor.static.facts import ParseErrorFact

# Generated files beyond this are data, not a model layer: the largest hand-written model modules
# we know are a few hundred KB, a 30,000-class generated one under 3 MB. Bigger files are ORM001
# "too large; skipped", so a runaway file (a 2 GB dump named .py) costs no memory and no time.
MAX_BYTES = 8 * 1024 * 1024

# O_NONBLOCK: opening a FIFO must not wait for a writer. The type is checked on the open file
# (fstat), so a file swapped for a FIFO or device after a check cannot slip through.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)

# ``# ormdoctor: ignore[ORM101, ORM105]``, a bare ``# ormdoctor: ignore``, ``# ormdoctor: ignore-file``.
_IGNORE_RE = re.compile(r"#\s*ormdoctor:\s*ignore(-file)?(?![\w-])(?:\[([A-Z0-9_,\s]+)\])?", re.I)
# ruff's noqa comment with codes (F401, ORM101). Only ORM codes count: a bare noqa comment is meant for other
# linters and does not silence ormdoctor.
_NOQA_RE = re.compile(r"#\s*noqa\s*:\s*([A-Z]+[0-9][A-Z0-9]*(?:[\s,]+[A-Z]+[0-9][A-Z0-9]*)*)", re.I)
WHOLE_FILE = 0  # the line number under which ``ignore-file`` is recorded
# A line that could hold either directive, in lowered text: tokenizing a file to find its real
# comments costs more than parsing it, and most noqa comments name other linters' codes only.
_MAY_DIRECT_RE = re.compile(r"ormdoctor|noqa[^\n]*orm[^\s,]*[0-9]")


def read_source(path: Path | str) -> tuple[bytes | None, ParseErrorFact | None]:
    """(bytes, None), or (None, why not) for anything but a regular file of at most MAX_BYTES:
    a symlink to /dev/zero or a FIFO named ``x.py`` is skipped, never read."""
    _, data, error = read_source_and_stat(path)
    return data, error


def read_source_and_stat(path: Path | str) -> tuple[os.stat_result | None, bytes | None, ParseErrorFact | None]:
    """``read_source`` with the stat of the file it read (taken on the open file: the stat and
    the bytes belong to the same file). Plain ``os`` calls, no file object: a cold run reads
    every file of the tree, and a buffered reader's set-up cost a third of the reading."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        return None, None, _problem(f"cannot read: {exc.strerror or exc}", 1, "unreadable")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, None, _problem("not a regular file (a device, FIFO or socket); skipped", 1, "not-a-file")
        if info.st_size > MAX_BYTES:
            return None, None, _too_large(info.st_size)
        chunks, size = [], 0
        while size <= MAX_BYTES:  # the file may have grown since fstat: read to its end, capped
            chunk = os.read(fd, info.st_size + 1 if not chunks else 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        return None, None, _problem(f"cannot read: {exc.strerror or exc}", 1, "unreadable")
    finally:
        os.close(fd)
    if size > MAX_BYTES:
        return None, None, _too_large(size)
    return info, chunks[0] if len(chunks) == 1 else b"".join(chunks), None


def read_text(path: Path, encoding: str = "utf-8", errors: str = "strict") -> str | None:
    """A settings file's text (pyproject.toml, setup.cfg, a Dockerfile...), or None when it is
    not a regular file of at most MAX_BYTES or cannot be decoded: a FIFO named pyproject.toml
    must not hang the run."""
    data, error = read_source(path)
    if error is not None or data is None:
        return None
    try:
        return data.decode(encoding, errors)
    except (UnicodeDecodeError, LookupError):
        return None


def _problem(message: str, line: int, kind: str) -> ParseErrorFact:
    # Imported on a problem only: reading settings files and the unchanged re-check's hashing
    # need no facts (their dataclasses cost a sixth of the CLI's start).
    from ormdoctor.static.facts import ParseErrorFact, Pos

    return ParseErrorFact(message, Pos(line, 1), kind)


def _too_large(size: int) -> ParseErrorFact:
    return _problem(f"file is {size / 2**20:.0f} MB, over the {MAX_BYTES // 2**20} MB limit; skipped", 1,
                    "too-large")


def decode(data: bytes) -> tuple[str | None, str, ParseErrorFact | None]:
    """(text, encoding, error). BOM and coding cookies are honoured; CRLF is kept as-is."""
    if len(data) > MAX_BYTES:
        return None, "", _too_large(len(data))
    if data.isascii() and b"coding" not in data[:_second_line_end(data)]:
        encoding = "utf-8"  # what detect_encoding answers without a BOM or cookie, at a tenth of its cost
    else:
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as exc:
            return None, "", _problem(f"unknown source encoding: {exc}", 1, "encoding")
    try:
        return data.decode(encoding), encoding, None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = (f"not valid {encoding} (byte 0x{data[exc.start]:02x} on line {line}) and no coding "
                   f"declaration: Python cannot import it either")
        return None, encoding, _problem(message, line, "encoding")
    except (LookupError, UnicodeError, ValueError):
        # `coding: rot13`, `hex`, `undefined`, ...: codecs, but not text encodings Python accepts
        message = f"unusable source encoding {encoding!r}: Python cannot import it either"
        return None, encoding, _problem(message, 1, "encoding")


def _second_line_end(data: bytes) -> int:
    """Where the second line ends: a coding cookie counts on the first two lines only."""
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1) if first >= 0 else -1
    return len(data) if second < 0 else second


def ignore_comments(text: str) -> dict[int, list[str]]:
    """Suppression comments: {line: codes}; ``["*"]`` means every code, and line ``WHOLE_FILE`` (0)
    holds ``# ormdoctor: ignore-file``. Only real comments count, never text inside a string."""
    found: dict[int, list[str]] = {}
    lowered = text.lower()  # twenty times faster than a case-insensitive search of the text
    if ("noqa" not in lowered and "ormdoctor" not in lowered) or _MAY_DIRECT_RE.search(lowered) is None:
        return found
    for line, comment in _comments(text):
        for number, codes in _directives(line, comment):
            found[number] = sorted(set(found.get(number, [])) | set(codes))
    return found


def _directives(line: int, comment: str):
    match = _IGNORE_RE.search(comment)
    if match:
        whole_file, codes = match.groups()
        yield (WHOLE_FILE if whole_file else line), _codes(codes) if codes else ["*"]
    match = _NOQA_RE.search(comment)
    if match:
        codes = [code for code in _codes(match.group(1)) if code.startswith("ORM")]
        if codes:
            yield line, codes


def _codes(listed: str) -> list[str]:
    return [code.upper() for code in re.split(r"[\s,]+", listed) if code]


def _comments(text: str):
    """(line, comment text) of every comment; a file tokenize rejects falls back to the lines."""
    try:
        return [(tok.start[0], tok.string) for tok in tokenize.generate_tokens(io.StringIO(text).readline)
                if tok.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError, ValueError):
        return [(number, line[line.index("#"):]) for number, line in enumerate(text.splitlines(), start=1)
                if "#" in line]


# A generated-code header among a file's first lines (sqlacodegen, protobuf, Django's
# "auto-generated", Facebook's "@generated"), or sqlacodegen 2.x's exact opening: `# coding: utf-8`
# then `from sqlalchemy import ...`.
_GENERATED_RE = re.compile(r"generated\s+by\s+(?P<tool>[\w.-]+)|auto-?generated|do\s+not\s+edit|@generated", re.I)
_HEADER_LINES = 10
_HEADER_CHARS = 8192  # the first lines of any real header fit: never split a whole large file


def generated_header(text: str) -> str | None:
    """How the file says it is generated code ("sqlacodegen", "a generated-code header"), or None.
    Only comments and a module docstring at the top count: a model that mentions generated code
    further down is hand-written."""
    lines = text[:_HEADER_CHARS].lstrip("\ufeff").splitlines()[:_HEADER_LINES]
    if len(lines) >= 2 and lines[0].strip().lower() == "# coding: utf-8" and lines[1].startswith("from sqlalchemy import "):
        return "sqlacodegen"
    in_docstring = False
    for line in lines:
        stripped = line.strip()
        quotes = stripped.count('"""') + stripped.count("'''")
        if not (in_docstring or stripped.startswith(("#", '"""', "'''")) or not stripped):
            break
        found = _GENERATED_RE.search(stripped)
        if found:
            tool = (found.group("tool") or "").rstrip(".").lower()
            return "sqlacodegen" if tool == "sqlacodegen" else "a generated-code header"
        if quotes % 2 == 1:
            in_docstring = not in_docstring
    return None

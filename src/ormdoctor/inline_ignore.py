"""``check --add-ignore``: write ``# ormdoctor: ignore[CODE]`` on the line of every finding.

The edit is minimal: the comment is appended to the line (or its codes merged into an ormdoctor
comment already there); encoding, BOM and line endings are kept. An edit that would change the
program (a line inside a multi-line string, after a backslash continuation) is detected by
comparing the syntax trees before and after, and that line is left alone.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ormdoctor.findings import Finding

_EXISTING = re.compile(r"#\s*ormdoctor:\s*ignore\[([A-Z0-9_,\s]+)\]", re.I)
_NOT_INLINE = {"ORM004"}  # suppressing "unused suppression" with another suppression helps nobody


@dataclass
class AddIgnoreResult:
    added: int = 0  # comments written or extended
    files: int = 0
    skipped: list[str] = field(default_factory=list)  # "path:line" left alone, with why


def add_ignores(root: Path, findings: list[Finding], write) -> AddIgnoreResult:
    """``write(path, text, encoding, newline)`` is the caller's atomic writer."""
    wanted: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for finding in findings:
        if finding.location is not None and finding.code not in _NOT_INLINE:
            wanted[finding.location.path][finding.location.line].add(finding.code)
    result = AddIgnoreResult()
    for path, lines in sorted(wanted.items()):
        _edit_file(root / path, path, lines, write, result)
    return result


def _edit_file(file: Path, rel: str, lines: dict[int, set[str]], write, result: AddIgnoreResult) -> None:
    data = file.read_bytes()
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    text = data.decode(encoding)
    try:
        original = ast.dump(ast.parse(text))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        result.skipped += [f"{rel}:{line} (the file does not parse)" for line in sorted(lines)]
        return
    source = text.splitlines(keepends=True)
    kept = 0
    for line, codes in sorted(lines.items()):
        edited = _with_comment(source, line, codes)
        if edited is not None and _same_program(edited, original):
            source, kept = edited, kept + 1
        else:
            result.skipped.append(f"{rel}:{line} (a comment there would change the code)")
    if kept:
        write(file, "".join(source), encoding, "")
        result.added += kept
        result.files += 1


def _with_comment(source: list[str], line: int, codes: set[str]) -> list[str] | None:
    if not 1 <= line <= len(source):
        return None
    raw = source[line - 1]
    body = raw.rstrip("\r\n")
    ending = raw[len(body):]
    existing = _EXISTING.search(body)
    if existing:
        merged = sorted({c.strip().upper() for c in existing.group(1).split(",") if c.strip()} | codes)
        body = body[:existing.start(1)] + ", ".join(merged) + body[existing.end(1):]
    else:
        body = body.rstrip() + f"  # ormdoctor: ignore[{', '.join(sorted(codes))}]"
    return source[:line - 1] + [body + ending] + source[line:]


def _same_program(source: list[str], original: str) -> bool:
    try:
        return ast.dump(ast.parse("".join(source))) == original
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False

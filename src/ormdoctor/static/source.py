"""Bytes → text the way Python itself would decode a module, with clear reasons when it can't."""

from __future__ import annotations

import io
import re
import tokenize

from ormdoctor.static.facts import ParseErrorFact, Pos

MAX_BYTES = 8 * 1024 * 1024  # generated files beyond this are data, not a model layer

_IGNORE_RE = re.compile(r"#\s*ormdoctor:\s*ignore(?:\[([A-Z0-9_,\s]+)\])?", re.I)


def decode(data: bytes) -> tuple[str | None, str, ParseErrorFact | None]:
    """(text, encoding, error). BOM and coding cookies are honoured; CRLF is kept as-is."""
    if len(data) > MAX_BYTES:
        size = len(data) / (1024 * 1024)
        return None, "", ParseErrorFact(f"file is {size:.0f} MB, over the {MAX_BYTES // 2**20} MB limit; skipped",
                                        Pos(1, 1), "too-large")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        return None, "", ParseErrorFact(f"unknown source encoding: {exc}", Pos(1, 1), "encoding")
    try:
        return data.decode(encoding), encoding, None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = (f"not valid {encoding} (byte 0x{data[exc.start]:02x} on line {line}) and no coding "
                   f"declaration: Python cannot import it either")
        return None, encoding, ParseErrorFact(message, Pos(line, 1), "encoding")


def ignore_comments(text: str) -> dict[int, list[str]]:
    """``# ormdoctor: ignore[ORM101, ORM105]`` → {line: codes}; a bare ignore → ["*"]."""
    found: dict[int, list[str]] = {}
    if "ormdoctor" not in text:
        return found
    for number, line in enumerate(text.splitlines(), start=1):
        match = _IGNORE_RE.search(line)
        if match:
            codes = match.group(1)
            found[number] = [c.strip().upper() for c in codes.split(",") if c.strip()] if codes else ["*"]
    return found

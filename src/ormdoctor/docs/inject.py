"""Put generated text into a file: whole, or between the ormdoctor:docs markers; check staleness.

The file is kept as it is stored: its encoding (UTF-8, or UTF-16/32 with their byte order mark),
its BOM and its line endings; the new text is written the same way. Markers count only alone on
their line and outside fenced code blocks, so prose or an example that mentions them is left
alone. Anything ambiguous (a marker twice, the end before the start, a file that is not text) is
one clear error and the file is not touched: user text is never deleted.
"""

from __future__ import annotations

import codecs
import difflib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

START = "<!-- ormdoctor:docs:start -->"
END = "<!-- ormdoctor:docs:end -->"
_START = re.compile(r"[ \t]*<!--\s*ormdoctor:docs:start\s*-->[ \t]*")
_END = re.compile(r"[ \t]*<!--\s*ormdoctor:docs:end\s*-->[ \t]*")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")

# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


class MarkerError(Exception):
    """The file cannot take the block safely (one line, for exit status 2)."""


@dataclass(frozen=True)
class Stored:
    """A file as it is on disk; ``text`` is None when it is not text in a known encoding."""

    data: bytes
    text: str | None
    encoding: str = "utf-8"
    bom: bytes = b""

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode(self.encoding, "backslashreplace")  # a lone surrogate cannot stop a write


def read_stored(path: Path, name: str) -> Stored | None:
    """The file as stored, line endings untouched; None when it does not exist. Only a regular
    file is read (a FIFO would block, a device never end)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise MarkerError(f"cannot read {name}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise MarkerError(f"{name} is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise MarkerError(f"{name} is not a regular file")
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise MarkerError(f"cannot read {name}: {exc.strerror or exc}") from None
    return decoded(data)


def decoded(data: bytes) -> Stored:
    bom, encoding = next(((b, e) for b, e in _BOMS if data.startswith(b)), (b"", "utf-8"))
    try:
        return Stored(data, data[len(bom):].decode(encoding), encoding, bom)
    except UnicodeDecodeError:
        return Stored(data, None, encoding, bom)


def not_text(stored: Stored, name: str) -> MarkerError:
    return MarkerError(f"{name} is not {stored.encoding.upper()} text; ormdoctor rewrites only UTF-8 "
                       "(or UTF-16/32 with a byte order mark) files, so it was left unchanged")


def line_ending(text: str | None) -> str:
    if text and "\r\n" in text:
        return "\r\n"
    return "\n"


def with_ending(text: str, ending: str) -> str:
    text = text.replace("\r\n", "\n")
    return text if ending == "\n" else text.replace("\n", ending)


def replace_block(current: Stored, generated: str, name: str) -> bytes:
    """``current`` with the lines between the marker lines replaced by ``generated``."""
    if current.text is None:
        raise not_text(current, name)
    text = current.text
    start, end = _marker_lines(text, name)
    ending = line_ending(text)
    body = with_ending(generated.rstrip("\n") + "\n", ending)
    return current.encode(text[:start] + body + text[end:])


def _marker_lines(text: str, name: str) -> tuple[int, int]:
    """(offset just after the start marker's line, offset of the end marker's line)."""
    starts, ends = [], []  # (line number, offset after the line, offset of the line)
    for number, begin, line in _lines_outside_fences(text):
        bare = line.rstrip("\r\n")
        for found, pattern in ((starts, _START), (ends, _END)):
            if pattern.fullmatch(bare):
                found.append((number, begin + len(line), begin))
    for found, what in ((starts, "start"), (ends, "end")):
        if len(found) > 1:
            where = ", ".join(str(n) for n, _, _ in found)
            raise MarkerError(f"{name} has {len(found)} {what} markers (lines {where}): keep exactly one of each")
    if not starts or not ends:
        missing = "start and end markers" if not starts and not ends else "start marker" if not starts else \
            "end marker after the start marker"
        raise MarkerError(f"{name} has no {missing}: add {START} and {END}, each alone on its line, "
                          "where the documentation goes")
    (start_line, after_start, _), (end_line, _, end_begin) = starts[0], ends[0]
    if end_line < start_line:
        raise MarkerError(f"{name} has the end marker (line {end_line}) before the start marker (line {start_line})")
    return after_start, end_begin


def _lines_outside_fences(text: str):
    """(line number, offset, line with its ending) of each line not inside a ``` or ~~~ block."""
    fence = None
    offset = 0
    for number, match in enumerate(re.finditer(r"[^\n]*\n|[^\n]+$", text), start=1):
        line = match.group()
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)
        elif fence is not None and opening and opening.group(1)[0] == fence[0] \
                and len(opening.group(1)) >= len(fence) and not line[opening.end():].strip():
            fence = None
        elif fence is None:
            yield number, offset, line
        offset += len(line)


def whole_file(current: Stored | None, generated: str) -> bytes:
    if current is None or current.text is None:
        return generated.encode("utf-8", "backslashreplace")
    return current.encode(with_ending(generated, line_ending(current.text)))


def unified_diff(old: Stored | None, new: bytes, name: str) -> str:
    old_text = "" if old is None else old.text
    new_text = decoded(new).text or ""
    if old_text is None:
        return f"--- a/{name}\n+++ b/{name}\n(the file is not text; it would be replaced)\n"
    old_lines = old_text.replace("\r\n", "\n").splitlines(keepends=True)
    new_lines = new_text.replace("\r\n", "\n").splitlines(keepends=True)
    diff = difflib.unified_diff(old_lines, new_lines, f"a/{name}", f"b/{name}")
    out = "".join(line if line.endswith("\n") else line + "\n" for line in diff)
    if not out and (old is None or old.data != new):  # only the line endings differ
        out = f"--- a/{name}\n+++ b/{name}\n(line endings differ)\n"
    return out

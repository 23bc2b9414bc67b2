"""Project strings made safe for a terminal and a CI log: the one place output is escaped.

Table names, class names, messages and paths come from the checked project, so they can hold
anything a string literal or a file name can: ANSI escape sequences (move the cursor, rewrite the
window title, hide text), carriage returns and newlines (forge lines), bidirectional overrides
("Trojan Source"), bytes that are not UTF-8 (surrogate escapes, which would crash the write).
And GitHub Actions reads its log for workflow commands: ``::error::``, ``::add-mask::``,
``::stop-commands::`` at the start of a line (leading blanks allowed), the legacy ``##[command]``
anywhere in a line.

``printable`` shows each such character as a Python escape (``\\x1b``, ``\\n``, ``\\u202e``), so
the text stays readable and one line. The text and github reporters pass every project string
through it; the table-shaped outputs (``tables``, ``compare``, ``verify``) pass their whole text
through ``terminal_safe``. JSON and SARIF need nothing: ``json.dumps`` escapes every control and
non-ASCII character.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, line/paragraph separators, bidi embeddings/overrides/isolates and marks,
# lone surrogates (undecodable bytes of a file name), and the legacy workflow command prefix.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                     "\ud800-\udfff]|##\\[")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "##[": "#\\x23["}
_SGR = "\x1b\\[[0-9;]*m"  # a colour: the only escape sequence ormdoctor itself writes


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # the byte surrogateescape stood for
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` on one line with no character a terminal or CI log would act on."""
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def path_at_line_start(path: str) -> str:
    """``printable``, for a path that starts a line: ``./`` before one that would start a
    workflow command (a folder named ``::error::x``) names the same file and starts none."""
    path = printable(path)
    return "./" + path if path.lstrip().startswith("::") else path


_LINE_UNSAFE = re.compile(f"({_SGR})|[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                          "\u2066-\u2069\ud800-\udfff]|##\\[|^[ \t]*::", re.M)


def terminal_safe(text: str, color: bool = False) -> str:
    """A whole rendered text (lines of ormdoctor's making around project strings): every unsafe
    character escaped but the newlines, and colours kept when ``color`` (ormdoctor paints only
    then, so otherwise every escape sequence is a project's)."""
    def replace(match: re.Match) -> str:
        if match.group(1) is not None:
            return match.group(1) if color else printable(match.group(1))
        found = match.group()
        if found.endswith("::"):
            return found[:-2] + "\\x3a:"
        return _escape(match)

    return _LINE_UNSAFE.sub(replace, text)

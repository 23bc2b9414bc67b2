"""Read newer Python syntax with an older interpreter's parser.

ormdoctor may run on Python 3.11 while the project uses 3.12+ syntax: `type X = ...` aliases
and `class Repo[T]:` generics (PEP 695), `except A, B:` without parentheses (PEP 758, 3.14),
f-strings that reuse their own quote inside a replacement field (PEP 701,
`f'{name.decode('ascii')}.'`, Mailu's models.py). None of these changes what a model layer
defines, so when ``ast.parse`` fails, the same text with those constructs rewritten to their
older equivalents is parsed instead: such an f-string becomes a blank string of the same
length. Line numbers never change (columns after a rewrite on the same line may shift a
little). Anything else that fails to parse stays a parse error (ORM001), as does an f-string
whose replacement field runs over several lines.
"""

from __future__ import annotations

import re

_TYPE_ALIAS = re.compile(r"^(\s*)type\s+([A-Za-z_]\w*)\s*(?=[\[=])")
_GENERIC_DEF = re.compile(r"^(\s*(?:async\s+)?(?:def|class)\s+[A-Za-z_]\w*)\s*\[")
_BARE_EXCEPT_TUPLE = re.compile(r"^(\s*except\*?\s+)(?!\()([^:#]*?,[^:#]*?)(\s*:)")


def rewrite_newer_syntax(text: str) -> str | None:
    """The text with PEP 695 / PEP 758 constructs rewritten, or None when there are none."""
    lines = text.split("\n")
    changed = False
    for number, line in enumerate(lines):
        new = _rewrite_line(line)
        if new != line:
            lines[number] = new
            changed = True
    return "\n".join(lines) if changed else None


def _rewrite_line(line: str) -> str:
    if "f" in line or "F" in line:
        line = _blank_newer_fstrings(line)
    match = _TYPE_ALIAS.match(line)
    if match:
        # `type Pair[T] = tuple[T, T]` → `Pair = tuple[T, T]`
        rest = line[match.end():]
        if rest.startswith("["):
            end = _closing_bracket(rest)
            if end is None:
                return line
            rest = rest[end + 1:].lstrip()
        return f"{match.group(1)}{match.group(2)} {rest}" if rest.startswith("=") else line
    match = _GENERIC_DEF.match(line)
    if match:
        # `class Repo[M: Model](Base):` → `class Repo(Base):`
        start = match.end() - 1
        end = _closing_bracket(line[start:])
        return line if end is None else line[:start] + line[start + end + 1:]
    match = _BARE_EXCEPT_TUPLE.match(line)
    if match and " as " not in match.group(2):
        # `except ValueError, TypeError:` → `except (ValueError, TypeError):`
        return f"{match.group(1)}({match.group(2).strip()}){match.group(3)}{line[match.end():]}"
    return line


def _closing_bracket(text: str) -> int | None:
    """Index of the `]` that closes the `[` at text[0], on this line."""
    depth = 0
    for index, char in enumerate(text):
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
            if depth == 0:
                return index if char == "]" else None
    return None


# f-strings ------------------------------------------------------------------------------------
_PREFIX = re.compile(r"(?<![\w.])([rRbBuUfF]{1,2})$")


def _blank_newer_fstrings(line: str) -> str:
    """Each single-line f-string that only Python 3.12+ reads (its own quote, or a backslash,
    inside a replacement field) replaced by a blank string of the same length."""
    out, i = [], 0
    while i < len(line):
        char = line[i]
        if char == "#":
            break
        if char not in "'\"":
            i += 1
            continue
        if line.startswith(char * 3, i):
            return line  # a triple-quoted string may hold anything, over several lines: left alone
        prefix = _PREFIX.search(line, 0, i)
        start = prefix.start() if prefix else i
        formatted = prefix is not None and "f" in prefix.group(1).lower()
        end, newer = _string_end(line, i, formatted)
        if end is None:
            return line
        if newer:
            out.append((start, end + 1))
        i = end + 1
    for start, end in reversed(out):
        line = line[:start] + '"' + " " * (end - start - 2) + '"' + line[end:]
    return line


def _string_end(line: str, i: int, formatted: bool) -> tuple[int | None, bool]:
    """(index of the quote closing the string that opens at ``line[i]``, whether it needs
    Python 3.12: a quote or a backslash inside a replacement field). PEP 701's rules: inside
    ``{...}`` a string is an expression of its own, whatever its quotes."""
    quote, j, depth, newer = line[i], i + 1, 0, False
    while j < len(line):
        char = line[j]
        if depth == 0:
            if char == "\\":
                j += 2
                continue
            if char == quote:
                return j, newer
            if formatted and char == "{":
                if line.startswith("{{", j):
                    j += 2
                    continue
                depth = 1
        else:
            if char in "'\"":
                if line.startswith(char * 3, j):
                    return None, newer
                inner = _PREFIX.search(line, 0, j)
                end, _ = _string_end(line, j, inner is not None and "f" in inner.group(1).lower())
                if end is None:
                    return None, newer
                newer = newer or char == quote or "\\" in line[j:end]  # no backslash in a field, even quoted
                j = end + 1
                continue
            if char == "\\":
                newer = True
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
        j += 1
    return None, newer

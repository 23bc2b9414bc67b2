"""Read newer Python syntax with an older interpreter's parser.

ormdoctor may run on Python 3.11 while the project uses 3.12+ syntax: `type X = ...` aliases
and `class Repo[T]:` generics (PEP 695), `except A, B:` without parentheses (PEP 758, 3.14).
None of these changes what a model layer defines, so when ``ast.parse`` fails, the same text
with those constructs rewritten to their older equivalents is parsed instead. Line numbers
never change (columns after a rewrite on the same line may shift a little). Anything else
that fails to parse stays a parse error (ORM001).
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

"""A fast scanner for files with no ORM code: their imports and entry-point markers only.

Parsing every file of a large tree costs more than the whole rest of a check, yet files that
never mention SQLAlchemy only matter as links in the import graph. Imports are found with
substring searches; only an indented import (rare) needs the enclosing blocks, found by walking
back to the lines with less indentation: a ``def`` makes it function-level, an
``if TYPE_CHECKING:`` type-checking only.
"""

from __future__ import annotations

import bisect
import re

from ormdoctor.static.facts import FUNCTION, MODULE, TYPE_CHECKING, FileFacts, ImportFact, Pos

_MAIN_RE = re.compile(r"""^if\s+__name__\s*==\s*['"]__main__['"]""", re.M)
_APP_CALLS = ("FastAPI(", "Flask(", "Starlette(", "Quart(", "Litestar(", "Sanic(", "get_wsgi_application(",
              "get_asgi_application(")
_ROUTER_CALLS = ("APIRouter(", "Blueprint(", "Namespace(")
# A statement at column 0 that calls something: `main()`, `app.run()`, `asyncio.run(seed())`.
_TOP_LEVEL_CALL = re.compile(r"^(?!(?:def|class|if|elif|else|try|except|finally|with|for|while|import|from|return|"
                             r"async|await|assert|del|pass|raise|global|nonlocal)\b)[A-Za-z_][\w.]*\(", re.M)
_NAME = re.compile(r"[\w.]+")
_TRIPLE = re.compile(r"\"\"\"|\'\'\'")
_COMMENT = re.compile(r"#[^\n]*")
_FROM = re.compile(r"from\s+(\.*[\w.]*)\s+import\b(.*)", re.S)


def scan_imports(path: str, digest: str, text: str) -> FileFacts:
    facts = FileFacts(path=path, digest=digest, parsed=False)
    lines = list(_import_lines(text))
    # Only strings before the last import can hide one or wrap its block header.
    strings = _triple_quoted(text, lines[-1][0]) if lines else []
    for start, end in lines:
        if _inside(strings, start):
            continue  # an example in a docstring imports nothing
        statement = text[start:end]
        stripped = statement.lstrip(" \t")
        indent = len(statement) - len(stripped)
        line = text.count("\n", 0, start) + 1 if start else 1
        context, function = _context(text, start, indent, strings) if indent else (MODULE, None)
        position = Pos(line, indent + 1)
        if stripped.startswith("from"):
            found = _from_import(stripped, context, position)
            found = [found] if found else []
        else:
            found = _plain_imports(stripped[len("import"):], context, position)
        for fact in found:
            fact.function = function
        facts.imports.extend(found)
    facts.has_main_block = "__main__" in text and bool(_MAIN_RE.search(text))
    facts.creates_app = any(call in text for call in _APP_CALLS) or "def create_app" in text
    facts.calls_create_all = ".create_all(" in text
    facts.runs_code = _TOP_LEVEL_CALL.search(text) is not None
    facts.defines_router = any(call in text for call in _ROUTER_CALLS)
    facts.line_count = text.count("\n") + 1
    return facts


def _import_lines(text: str):
    """(start, end) of each statement whose line starts with ``import`` or ``from``."""
    position = 0
    while True:
        found = text.find("import", position)
        if found < 0:
            return
        position = found + 6
        start = text.rfind("\n", 0, found) + 1
        head = text[start:found].lstrip(" \t")
        if head and not (head.startswith("from ") and _NAME.fullmatch(head[5:].strip() or "x")):
            continue
        if not head and not text.startswith(("import ", "import\t"), found):
            continue
        end = text.find("\n", found)
        end = len(text) if end < 0 else end
        first_line = _COMMENT.sub("", text[found:end])
        if "(" in first_line and ")" not in first_line:
            close = text.find(")", end)
            end = len(text) if close < 0 else close + 1
        while end > start and text[end - 1] == "\\":
            nxt = text.find("\n", end + 1)
            end = len(text) if nxt < 0 else nxt
        position = max(position, end)
        yield start, end


def _triple_quoted(text: str, limit: int) -> list[tuple[int, int]]:
    """Spans of triple-quoted strings (docstrings) that start before ``limit``."""
    if '"""' not in text and "\'\'\'" not in text:
        return []
    spans, position = [], 0
    for match in _TRIPLE.finditer(text, 0, limit):
        if match.start() < position:
            continue
        end = text.find(match.group(), match.end())
        if end < 0:
            spans.append((match.start(), len(text)))
            break
        spans.append((match.start(), end + 3))
        position = end + 3
    return spans


def _inside(spans: list[tuple[int, int]], offset: int) -> bool:
    index = bisect.bisect_left(spans, (offset, offset)) - 1
    return index >= 0 and spans[index][0] < offset < spans[index][1]


def _context(text: str, start: int, indent: int, strings: list[tuple[int, int]]) -> tuple[str, str | None]:
    """Walk back line by line to the enclosing blocks of an indented import: its context, and
    the outermost function it runs in."""
    kinds = set()
    function = None
    end = start - 1
    while end > 0 and indent > 0:
        begin = text.rfind("\n", 0, end) + 1
        line = text[begin:end]
        end = begin - 1
        stripped = line.lstrip(" \t")
        if not stripped or stripped.startswith(("#", ")", "]", "}")) or _inside(strings, begin):
            continue  # blank, comment, docstring, or the closing line of a multi-line signature
        width = len(line) - len(stripped)
        if width < indent:
            indent = width
            if stripped.startswith(("def ", "async def ")):
                kinds.add(FUNCTION)
                function = stripped.split("def ", 1)[1].split("(", 1)[0].strip()
            elif stripped.startswith(("if ", "elif ")) and "TYPE_CHECKING" in stripped:
                kinds.add(TYPE_CHECKING)
    if FUNCTION in kinds:
        return FUNCTION, function
    return (TYPE_CHECKING if TYPE_CHECKING in kinds else MODULE), None


def _from_import(statement: str, context: str, position: Pos) -> ImportFact | None:
    match = _FROM.match(statement)
    if match is None:
        return None
    module, names = match.group(1), match.group(2)
    level = len(module) - len(module.lstrip("."))
    pairs = []
    for part in _COMMENT.sub("", names).replace("(", " ").replace(")", " ").replace("\\", " ").split(","):
        words = part.split()
        if words:
            pairs.append((words[0], words[2] if len(words) == 3 and words[1] == "as" else None))
    return ImportFact(module=module[level:], level=level, names=pairs, asname=None, context=context,
                      pos=position, is_from=True)


def _plain_imports(text: str, context: str, position: Pos) -> list[ImportFact]:
    found = []
    for part in _COMMENT.sub("", text).split(";")[0].split(","):
        words = part.split()
        if words and _NAME.fullmatch(words[0]):
            asname = words[2] if len(words) == 3 and words[1] == "as" else None
            found.append(ImportFact(module=words[0], level=0, names=[], asname=asname, context=context, pos=position))
    return found

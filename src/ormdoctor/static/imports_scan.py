"""A fast scanner for files with no ORM code: their imports and entry-point markers only.

Parsing every file of a large tree costs more than the whole rest of a check, yet files that
never mention SQLAlchemy only matter as links in the import graph. Imports are found with
substring searches; only an indented import needs the enclosing blocks: the lines before it with
less indentation, where a ``def`` makes it function-level, an ``if TYPE_CHECKING:`` type-checking
only. Those blocks come from one forward pass over the lines (:class:`_Blocks`), so the scan stays
linear however many indented imports a file has.
"""

from __future__ import annotations

import bisect
import re
import sys
from collections import Counter

from ormdoctor.static.facts import FUNCTION, MODULE, TYPE_CHECKING, ClassFact, FileFacts, ImportFact, Pos, is_test_file

_MAIN_RE = re.compile(r"""^if\s+__name__\s*==\s*['"]__main__['"]""", re.M)
_APP_CALLS = ("FastAPI(", "Flask(", "Starlette(", "Quart(", "Litestar(", "Sanic(", "get_wsgi_application(",
              "get_asgi_application(")
_ROUTER_CALLS = ("APIRouter(", "Blueprint(", "Namespace(")
# A statement at column 0 that calls something: `main()`, `app.run()`, `asyncio.run(seed())`.
# Searched in "\n" + text: a literal first character lets the regex engine skip to each line start,
# four times faster than ``^`` under re.M.
_TOP_LEVEL_CALL = re.compile(r"\n(?!(?:def|class|if|elif|else|try|except|finally|with|for|while|import|from|return|"
                             r"async|await|assert|del|pass|raise|global|nonlocal)\b)[A-Za-z_][\w.]*\(")
_NAME = re.compile(r"[\w.]+")
# An upper-case name assigned anywhere: `NAME = `, `NAME: str = `, `NAME += `, `f(NAME=...)`.
# The look-behind sits after the first letter: a pattern that starts with a character class is
# only tried where that class matches (at upper-case letters), one that starts with a look-behind
# at every position, three times slower over a tree of settings modules.
_ASSIGNED_NAME = re.compile(r"([A-Z](?<![\w.][A-Z])[A-Z0-9_]*)[ \t]*(?::[^=\n]*)?(?:[-+*/%&|^@]|//|\*\*|>>|<<)?=(?!=)")
_COMMENT = re.compile(r"#[^\n]*")
_FROM = re.compile(r"from\s+(\.*[\w.]*)\s+import\b(.*)", re.S)
# `CORE_SCHEMA = "core"` at column 0: a settings constant a model may name (`settings.CORE_SCHEMA`).
# `class Realm(RealmSchema):` at column 0; the bases may span lines but hold no brackets.
_CLASS = re.compile(r"\nclass[ \t]+([A-Za-z_]\w*)[ \t]*(?:\(([^()\[\]]*)\))?[ \t]*:")
_CONSTANT_ALIAS = re.compile(r"\n([A-Z][A-Z0-9_]*)[ \t]*(?::[ \t]*str[ \t]*)?=[ \t]*([A-Z][A-Z0-9_]*)[ \t]*(?:#[^\n]*)?(?=\n)")
_CONSTANT = re.compile(r"\n([A-Z][A-Z0-9_]*)[ \t]*(?::[ \t]*str[ \t]*)?=[ \t]*(?:'([^'\\\n]*)'|\"([^\"\\\n]*)\")[ \t]*(?:#[^\n]*)?(?=\n)")


def scan_imports(path: str, digest: str, text: str) -> FileFacts:
    facts = FileFacts(path=path, digest=digest, parsed=False)
    lines = list(_import_lines(text))
    # Only strings before the last import can hide one or wrap its block header.
    strings = _triple_quoted(text, lines[-1][0]) if lines else []
    blocks = _Blocks(text, strings)
    for start, end in lines:
        if _inside(strings, start):
            continue  # an example in a docstring imports nothing
        statement = text[start:end]
        stripped = statement.lstrip(" \t")
        indent = len(statement) - len(stripped)
        line = blocks.line_number(start)
        context, function = blocks.context(start, indent) if indent else (MODULE, None)
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
    facts.runs_alembic_revision = "command.revision(" in text
    facts.runs_code = _TOP_LEVEL_CALL.search("\n" + text) is not None
    facts.defines_router = any(call in text for call in _ROUTER_CALLS)
    facts.constants = _constants(text)
    # A test module's classes are test cases (nova has thousands): none is a model a program maps.
    if ("\nclass " in text or text.startswith("class ")) and not is_test_file(path):
        facts.classes = _model_candidates(_classes(text), facts.imports)
    return facts


def _model_candidates(classes: list[ClassFact], imports: list[ImportFact]) -> list[ClassFact]:
    """The classes that may descend from a model: a base bound by a module-level import from
    outside the standard library, or another such class of the file. Exceptions, enums, plain
    and builtin-based classes never do, and a large tree has tens of thousands of them."""
    bound = set()
    for fact in imports:
        if fact.context != MODULE or fact.level == 0 and fact.module.split(".")[0] in sys.stdlib_module_names:
            continue
        if fact.is_from:
            bound.update(alias or name for name, alias in fact.names)
        else:
            bound.add(fact.asname or fact.module.split(".")[0])
    kept = []
    for cls in classes:
        if any(base.split(".")[0] in bound for base in cls.bases):
            kept.append(cls)
            bound.add(cls.name)
    return kept


def _classes(text: str) -> list[ClassFact]:
    """The classes a file defines at column 0 and their bases: a file with no ORM word can still
    define a subclass of a model that adds only methods (LinOTP's `class Realm(RealmSchema)`),
    which SQLAlchemy maps like its parent and a relationship may name. Its body holds no column
    or relationship (those would have sent the file to the parser). A header the pattern cannot
    take apart (a call or brackets among the bases) is left out; so is a decorated class."""
    candidates = []
    for match in _CLASS.finditer("\n" + text):
        at = match.start()  # where `class` starts in text (the pattern's newline is the one before it)
        if not _decorated(text, at):
            candidates.append((at, match))
    if not candidates:
        return []
    strings = _triple_quoted(text, candidates[-1][0])  # only strings before the last class can hide one
    found = []
    line, counted = 1, 0
    for at, match in candidates:
        if _inside(strings, at):
            continue
        bases, keywords = [], {}
        for part in (match.group(2) or "").split(","):
            part = " ".join(part.split())
            if not part:
                continue
            name, equals, value = part.partition("=")
            if equals and _NAME.fullmatch(name.strip()):
                keywords[name.strip()] = value.strip()
            elif _NAME.fullmatch(part):
                bases.append(part)
            else:
                break  # `*mixins`, a string: the header is not read
        else:
            line, counted = line + text.count("\n", counted, at), at
            found.append(ClassFact(match.group(1), Pos(line, 1), line, bases, keywords, []))
    return found


def _decorated(text: str, at: int) -> bool:
    """Whether the line before the class starting at ``at`` is a decorator."""
    if at == 0:
        return False
    previous = text.rfind("\n", 0, at - 1) + 1
    return text[previous:at - 1].lstrip().startswith("@")


def _constants(text: str) -> dict[str, object]:
    """Upper-case names bound once, at column 0, to a plain string: what the parser would record
    for them. A name assigned anywhere else too (an `if` arm, a later line) is left out, and so is
    a line inside a docstring."""
    found = {}
    for match in _CONSTANT.finditer("\n" + text + "\n"):
        found[match.group(1)] = (match.start() - 1, match.group(2) if match.group(2) is not None else match.group(3))
    if not found:
        return {}
    aliases = [(match.group(1), match.group(2), match.start()) for match in _CONSTANT_ALIAS.finditer("\n" + text + "\n")]
    # Only strings that open before the last of these lines can hold one (a quote needs 3 characters).
    last = max([offset + 1 for offset, _ in found.values()] + [start for _, _, start in aliases])
    strings = _triple_quoted(text, last + 3)
    # One pass for every name's assignments: a pattern per name (compiled, then run over the whole
    # text) cost seconds on a tree of settings-heavy files (Home Assistant's `CONF_*` constants).
    assigned = Counter(_ASSIGNED_NAME.findall(text))
    constants: dict[str, object] = {}
    for name, (offset, value) in found.items():
        if _inside(strings, offset + 1):
            continue
        if assigned[name] == 1:
            constants[name] = value
    # `SERVER_APP_TABLE_NAME = SERVE_APP_NAME` below the literal it names (DB-GPT's configs).
    for name, target, start in aliases:
        if target in constants and found[target][0] < start - 1 and assigned[name] == 1 \
                and not _inside(strings, start):
            constants[name] = constants[target]
    return constants


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
        if (head and not (head.startswith("from ") and _NAME.fullmatch(head[5:].strip() or "x"))) \
                or (not head and not text.startswith(("import ", "import\t"), found)):
            # No later "import" on this line can start a statement either: skip the line, or a long
            # line with many of them would be searched back to its start once per occurrence.
            line_end = text.find("\n", found)
            position = len(text) if line_end < 0 else line_end
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
    # Two substring searches instead of a regex alternation, which is tried at every position
    # (a third of the scanner's time); ``scan`` moves on as the alternation's matches would.
    nowhere = len(text) + 1
    double, single = _find_from(text, '"""', 0, limit), _find_from(text, "\'\'\'", 0, limit)
    spans, position, scan = [], 0, 0
    while double < nowhere or single < nowhere:
        start = min(double, single)
        scan = start + 3
        if double < scan:
            double = _find_from(text, '"""', scan, limit)
        if single < scan:
            single = _find_from(text, "\'\'\'", scan, limit)
        if start < position:
            continue  # inside the string before
        end = text.find(text[start:start + 3], start + 3)
        if end < 0:
            spans.append((start, len(text)))
            break
        spans.append((start, end + 3))
        position = end + 3
    return spans


def _find_from(text: str, quote: str, scan: int, limit: int) -> int:
    """Where ``quote`` next starts and ends before ``limit``; past the text when nowhere."""
    found = text.find(quote, scan, limit)
    return found if found >= 0 else len(text) + 1


def _inside(spans: list[tuple[int, int]], offset: int) -> bool:
    index = bisect.bisect_left(spans, (offset, offset)) - 1
    return index >= 0 and spans[index][0] < offset < spans[index][1]


class _Blocks:
    """The enclosing blocks of indented imports, from one forward pass over the lines.

    Walking back from an import to each line with less indentation finds exactly the lines left
    on a stack that keeps, line after line, only the lines less indented than the next one (a
    line pops every line at least as indented as itself). Each stack entry carries the outermost
    function that it or a line below it opens, and whether one of them is an ``if TYPE_CHECKING:``.
    Imports are asked for in order.
    """

    def __init__(self, text: str, strings: list[tuple[int, int]]):
        self.text, self.strings = text, strings
        self.stack: list[tuple[int, str | None, bool]] = []  # (indentation, outermost def, under TYPE_CHECKING)
        self.offset = 0  # the next line to read
        self.counted, self.lines = 0, 1  # line numbers: newlines counted up to `counted`

    def line_number(self, start: int) -> int:
        self.lines += self.text.count("\n", self.counted, start)
        self.counted = start
        return self.lines

    def context(self, start: int, indent: int) -> tuple[str, str | None]:
        """The import's context, and the outermost function it runs in."""
        self._read_until(start)
        stack = self.stack
        while stack and stack[-1][0] >= indent:
            stack.pop()
        function, type_checking = (stack[-1][1], stack[-1][2]) if stack else (None, False)
        if function:
            return FUNCTION, function
        return (TYPE_CHECKING if type_checking else MODULE), None

    def _read_until(self, start: int) -> None:
        text, stack = self.text, self.stack
        while self.offset < start:
            begin = self.offset
            end = text.find("\n", begin, start)
            end = start - 1 if end < 0 else end
            self.offset = end + 1
            line = text[begin:end]
            stripped = line.lstrip(" \t")
            if not stripped.strip() or stripped.startswith(("#", ")", "]", "}")) or _inside(self.strings, begin):
                continue  # blank, comment, docstring, or the closing line of a multi-line signature
            width = len(line) - len(stripped)
            while stack and stack[-1][0] >= width:
                stack.pop()
            below = stack[-1] if stack else (0, None, False)
            function = below[1]
            if function is None and stripped.startswith(("def ", "async def ")):
                function = stripped.split("def ", 1)[1].split("(", 1)[0].strip()
            type_checking = stripped.startswith(("if ", "elif ")) and "TYPE_CHECKING" in stripped
            stack.append((width, function, type_checking or below[2]))


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

"""A fast line scanner for files with no ORM code: their imports and entry-point markers only.

Parsing every file of a large tree costs more than the whole rest of a check, yet files that
never mention SQLAlchemy only matter as links in the import graph. A block stack built from
indentation tells module-level imports from those under ``if TYPE_CHECKING:`` or in a function.
"""

from __future__ import annotations

import re

from ormdoctor.static.facts import FUNCTION, MODULE, TYPE_CHECKING, FileFacts, ImportFact, Pos

_LINE_RE = re.compile(
    r"^(?P<indent>[ \t]*)(?:"
    r"from[ \t]+(?P<from>\.*[\w.]*)[ \t]+import[ \t]+(?P<names>\([^)]*\)|[^\n#;]*)"
    r"|import[ \t]+(?P<plain>[^\n#;]+)"
    r"|(?P<block>(?:async[ \t]+)?def|class|if|elif|else|try|except|finally|with|for|while|match|case)\b(?P<rest>[^\n]*)"
    r")",
    re.M,
)
_MAIN_RE = re.compile(r"""^if\s+__name__\s*==\s*['"]__main__['"]""", re.M)
_APP_RE = re.compile(r"\b(?:FastAPI|Flask|Starlette|Quart|Litestar|Sanic)\(|^def create_app\b|get_wsgi_application\(", re.M)
_CREATE_ALL_RE = re.compile(r"\.create_all\(")


def scan_imports(path: str, digest: str, text: str) -> FileFacts:
    facts = FileFacts(path=path, digest=digest, parsed=False)
    stack: list[tuple[int, str]] = []
    line, offset = 1, 0
    for match in _LINE_RE.finditer(text):
        indent = len(match.group("indent").expandtabs())
        while stack and stack[-1][0] >= indent:
            stack.pop()
        line += text.count("\n", offset, match.start())
        offset = match.start()
        if match.group("block"):
            stack.append((indent, _block_kind(match.group("block"), match.group("rest"))))
            continue
        context = _context(stack)
        position = Pos(line, indent + 1)
        if match.group("from") is not None:
            facts.imports.append(_from_import(match.group("from"), match.group("names"), context, position))
        else:
            facts.imports.extend(_plain_imports(match.group("plain"), context, position))
    facts.has_main_block = bool(_MAIN_RE.search(text))
    facts.creates_app = bool(_APP_RE.search(text))
    facts.calls_create_all = bool(_CREATE_ALL_RE.search(text))
    facts.line_count = text.count("\n") + 1
    return facts


def _block_kind(keyword: str, rest: str) -> str:
    if keyword.endswith("def"):
        return "def"
    if keyword == "if" and "TYPE_CHECKING" in rest:
        return "type_checking"
    return "block"


def _context(stack: list[tuple[int, str]]) -> str:
    kinds = {kind for _, kind in stack}
    if "def" in kinds:
        return FUNCTION
    if "type_checking" in kinds:
        return TYPE_CHECKING
    return MODULE


def _from_import(module: str, names: str, context: str, position: Pos) -> ImportFact:
    level = len(module) - len(module.lstrip("."))
    pairs = []
    for part in names.strip().strip("()").replace("\\", " ").split(","):
        words = part.split()
        if not words:
            continue
        pairs.append((words[0], words[2] if len(words) == 3 and words[1] == "as" else None))
    return ImportFact(module=module[level:], level=level, names=pairs, asname=None, context=context,
                      pos=position, is_from=True)


def _plain_imports(text: str, context: str, position: Pos) -> list[ImportFact]:
    found = []
    for part in text.split(","):
        words = part.split()
        if words and re.fullmatch(r"[\w.]+", words[0]):
            asname = words[2] if len(words) == 3 and words[1] == "as" else None
            found.append(ImportFact(module=words[0], level=0, names=[], asname=asname, context=context, pos=position))
    return found

"""Text codemods for settings files, which libcst does not read: one entry out of pytest's
``pythonpath`` in pyproject.toml, with the rest of the file byte for byte."""

from __future__ import annotations

import re

from ormdoctor.fix.source import EditError

_ITEM = re.compile(r"""(["'])(?P<value>[^"'\n]*)\1""")


def drop_pythonpath(text: str, edit) -> str:
    (folder,) = edit.args
    lines = text.splitlines(keepends=True)
    start = next((i for i in range(max(edit.line - 1, 0), len(lines)) if lines[i].lstrip().startswith("pythonpath")), None)
    if start is None:
        raise EditError(f"{edit.path}: no pythonpath setting found")
    end = start
    while "]" not in lines[end] and end + 1 < len(lines):
        end += 1
    span = "".join(lines[start:end + 1])
    head, _, array = span.partition("=")
    new_array = _without_item(array, folder)
    if new_array == array:
        return text
    return "".join(lines[:start]) + head + "=" + new_array + "".join(lines[end + 1:])


def _without_item(array: str, folder: str) -> str:
    items = [m for m in _ITEM.finditer(array) if _normal(m.group("value")) == _normal(folder)]
    if not items:
        return array
    item = items[0]
    own_line = re.compile(r"\n[ \t]*" + re.escape(item.group(0)) + r"[ \t]*,?[ \t]*(?=\n)")
    alone = own_line.search(array)
    if alone:  # one entry per line: the line goes, the others keep their commas
        return array[:alone.start()] + array[alone.end():]
    after = re.match(r"\s*,[ \t]*", array[item.end():])
    if after and _ITEM.search(array[item.end():]):
        return array[:item.start()] + array[item.end() + after.end():]
    before = re.search(r",\s*$", array[:item.start()])
    cut = before.start() if before else item.start()
    end = item.end() + (after.end() if after else 0)
    return array[:cut] + array[end:]


def _normal(value: str) -> str:
    value = value.strip().rstrip("/")
    while value.startswith("./"):
        value = value[2:]
    return "" if value in (".", "") else value


CODEMODS = {"drop-pythonpath": drop_pythonpath}

"""Adding the import that puts a model module into a process (ORM304, ORM503), kept from
linters' unused-import autofix by `# noqa: F401`."""

from __future__ import annotations

import libcst as cst

from ormdoctor.fix.edits import one

NOQA = "  # noqa: F401"


def add_import(target, edit) -> None:
    statement, mode = edit.args
    statement = statement if "# noqa" in statement else statement + NOQA
    if mode == "add":
        target.changes.add_import(statement)
        return
    found = [n for n in target.index.starting(edit.line, cst.SimpleStatementLine)
             if any(isinstance(s, (cst.Import, cst.ImportFrom)) for s in n.body)]
    line = one(found, "the import to extend", target.path, edit.line)
    config = target.module.config_for_parsing

    def extended(node):
        new = cst.parse_statement(statement + target.module.default_newline, config=config)
        return new.with_changes(leading_lines=node.leading_lines)
    target.changes.update(line, extended)


CODEMODS = {"add-import": add_import}

"""``check --db URL``: reflect the database, compare, and say which duplicate matches it.

Without ``--import`` the static facts are compared (``database.compare``). With ``--import`` the
project's interpreter runs ``database/alembic_probe.py``, which asks Alembic's
``compare_metadata`` about the real MetaData; its diffs are mapped onto ORM603-ORM608 here.
When the probe cannot run (no Alembic there, a crash, a timeout) the static comparison is used,
with a one-line note on stderr.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from ormdoctor.database.compare import (Declared, column_extra, column_missing, database_verdict,
                                        declared_indexes, drift_findings, index_extra, index_missing, make,
                                        nullable_mismatch, table_location, type_mismatch)
from ormdoctor.database.score import definition_columns
from ormdoctor.database.url import scrub
from ormdoctor.findings import Finding, Location
from ormdoctor.pipeline import UsageError
from ormdoctor.static.facts import ColumnFact, Pos

PROBE = Path(__file__).resolve().parent.parent / "database" / "alembic_probe.py"
DUPLICATE_CODES = ("ORM101", "ORM102", "ORM103", "ORM105")


def reflect_or_fail(url: str):
    """The DbSchema, or UsageError with one password-free line (exit 2)."""
    from ormdoctor.database import DatabaseUnavailable, reflect

    try:
        return reflect(url)
    except DatabaseUnavailable as exc:
        raise UsageError(str(exc)) from None


def add_database_findings(analysis, url: str, args) -> None:
    db = reflect_or_fail(url)
    exact = bool(getattr(args, "exact_types", False))
    result = run_probe(analysis, url, args) if getattr(args, "import_", False) else None
    if result is None:
        findings = drift_findings(analysis.inventory, db, exact)
    else:
        tables = [(t["schema"], t["name"]) for md in result["metadata"] if not md["error"] for t in md["tables"]]
        findings = drift_findings(analysis.inventory, db, exact, covered=tables, also_defined=tables)
        findings += probe_findings(analysis.inventory, db, result, exact)
    from ormdoctor.rules.engine import suppress

    analysis.findings = [with_verdict(f, analysis.inventory, db, exact) for f in analysis.findings]
    analysis.add(suppress(findings, analysis.inventory, analysis.config))
    for note in db.notes:
        print(f"ormdoctor: note: {note}", file=sys.stderr)


def with_verdict(finding: Finding, inventory, db, exact: bool) -> Finding:
    """ORM101/102/103/105 messages end with which definition the database's table matches."""
    if finding.code not in DUPLICATE_CODES:
        return finding
    schema, _, name = finding.subject.rpartition(".")
    expected = None if finding.code == "ORM103" else (schema or None,)
    verdict = database_verdict(inventory, db, name, exact, expected)
    return replace(finding, message=f"{finding.message}; {verdict}")


# --- running the probe ---------------------------------------------------------------------

def run_probe(analysis, url: str, args) -> dict | None:
    """The probe's result, or None (after a note on stderr) when the static comparison must do."""
    from ormdoctor.runtime.runner import RuntimeUnavailable, checked_interpreter, find_interpreter

    timeout = float(getattr(args, "timeout", 60) or 60)
    try:
        python = find_interpreter(analysis.root, getattr(args, "python", None))
        python = checked_interpreter(python, str(analysis.root))
        data, problem = _run(python, probe_request(analysis, url), str(analysis.root), timeout), None
    except (RuntimeUnavailable, _ProbeFailed) as exc:
        data, problem = None, str(exc)
    if problem is not None or "fatal" in data:
        reason = problem or _fatal_reason(data, python)
        print(f"ormdoctor: note: {scrub(reason, url)}; comparing the models as read from the source",
              file=sys.stderr)
        return None
    for md in data["metadata"]:
        if md["error"]:
            print(f"ormdoctor: note: Alembic could not compare {md['label']}: {scrub(md['error'], url)}",
                  file=sys.stderr)
    return data


def probe_request(analysis, url: str) -> dict:
    from ormdoctor.commands.runtime_mode import import_plan

    sys_path, modules = import_plan(analysis, with_entries=False)
    return {"project_root": str(analysis.root), "sys_path": sys_path, "modules": [m["name"] for m in modules],
            "url": url}


class _ProbeFailed(Exception):
    """The probe did not deliver a result; the message says why, in one line."""


def _run(python: str, request: dict, cwd: str, timeout: float) -> dict:
    from ormdoctor.runtime.process import ForgedResult, Timeout, run_isolated

    try:
        finished = run_isolated([python, str(PROBE)], cwd, timeout, request)
    except OSError as exc:
        raise _ProbeFailed(f"cannot start {python}: {exc.strerror or exc}") from None
    except Timeout:
        raise _ProbeFailed(f"the Alembic comparison took longer than {timeout:g} s and was stopped") from None
    except ForgedResult:
        raise _ProbeFailed(f"the Alembic probe's result under {python} was not authentic") from None
    if finished.result is None:
        lines = [line for line in finished.stderr.splitlines() if line.strip()]
        raise _ProbeFailed(f"{python} exited with code {finished.returncode}"
                           + (f": {lines[-1].strip()}" if lines else ""))
    return finished.result


def _fatal_reason(data: dict, python: str) -> str:
    fatal = data["fatal"]
    library = {"no-alembic": "Alembic", "no-sqlalchemy": "SQLAlchemy"}.get(fatal["kind"])
    if library:
        return f"{library} is not installed for {python}"
    return f"the Alembic probe failed under {python}: {(fatal['message'] or '?').splitlines()[0]}"


# --- Alembic's diffs as findings -----------------------------------------------------------

def probe_findings(inventory, db, result: dict, exact: bool) -> list[Finding]:
    findings = []
    static_keys = {(_norm(db, t.schema), t.name) for t in inventory.tables}
    for md in result["metadata"]:
        files = {(t["schema"], t["name"]): t["files"] for t in md["tables"]}
        for diff in md["diffs"]:
            key = (diff.get("schema"), diff.get("table"))
            table = _definition(inventory, db, key, files.get(key, []))
            finding = _map(diff, table, inventory, db, exact, static_keys, md["label"])
            if finding is not None:
                findings.append(finding)
    return findings


def _norm(db, schema):
    return None if schema in (None, db.default_schema) else schema


def _definition(inventory, db, key, files: list[str]):
    """The static definition Alembic's table corresponds to: same key, preferably the same file."""
    root = Path(inventory.root)
    wanted = {Path(f).resolve() for f in files}
    same = [t for t in inventory.tables if (_norm(db, t.schema), t.name) == (_norm(db, key[0]), key[1])]
    for table in same:
        if (root / table.path).resolve() in wanted:
            return table
    return same[0] if same else None


def _map(diff: dict, table, inventory, db, exact: bool, static_keys: set, label: str) -> Finding | None:
    op = diff["op"]
    if op == "add_table":
        if (_norm(db, diff["schema"]), diff["table"]) in static_keys:
            return None  # its existence was checked with the static definition
        key = f"{diff['schema']}.{diff['table']}" if diff["schema"] else diff["table"]
        return make("ORM601", key, f"table '{key}' of {label} is not in the database", None,
                    hint="create the table with a migration (alembic revision --autogenerate)")
    if table is None or op in ("remove_table",):
        return None
    if op == "add_column":
        found = db.table(diff["schema"], diff["table"])
        unmapped = [c.name for c in found.columns if table.column(c.name) is None] if found else []
        return column_missing(inventory, table, _column(table, diff["column"], diff["type"]), unmapped)
    if op == "remove_column":
        found = db.table(diff["schema"], diff["table"])
        column = found.column(diff["column"]) if found else None
        return column_extra(table, column) if column else None
    if op == "modify_type":
        from ormdoctor.database.score import types_differ

        if not exact and not types_differ(diff["model"], diff["database"], db.dialect):
            return None
        column = _column(table, diff["column"], diff["model"])
        return type_mismatch(inventory, table, column, diff["database"], exact, model_type=diff["model"])
    if op == "modify_nullable":
        column = _column(table, diff["column"], None)
        return nullable_mismatch(inventory, table, column, diff["database"], model_is_nullable=diff["model"])
    if op in ("add_index", "remove_index", "add_constraint", "remove_constraint") and diff.get("columns"):
        return _index_finding(inventory, diff, table)
    return None


def _column(table, name: str, type_text: str | None) -> ColumnFact:
    found = table.column(name)
    if found is not None:
        return found
    return ColumnFact(attr=None, name=name, type=type_text, pos=table.pos, style="import")


def _index_finding(inventory, diff: dict, table) -> Finding:
    columns, unique = tuple(diff["columns"]), bool(diff["unique"])
    if diff["op"].startswith("remove"):
        kind = "unique constraint" if diff["kind"] == "UniqueConstraint" else ("unique index" if unique else "index")
        return index_extra(table, diff["name"], kind, columns)
    declared = next((d for d in declared_indexes(inventory, table, definition_columns(inventory, table))
                     if d.columns == columns and d.unique == unique), None)
    if declared is None:
        label = "UniqueConstraint" if diff["kind"] == "UniqueConstraint" else "Index"
        shown = f"{label}({diff['name']!r})" if diff["name"] else f"{label}({', '.join(columns)})"
        location = _constraint_location(table, list(columns), diff["name"])
        declared = Declared(columns, unique, diff["name"], f"{shown} on {table.key}",
                            Pos(location.line, location.column), location.path)
    return index_missing(table, declared)


def _constraint_location(table, columns: list[str], name: str | None) -> Location:
    for constraint in table.constraints:
        if (name and constraint.name == name) or list(constraint.columns) == columns:
            return Location(table.path, constraint.pos.line, constraint.pos.column)
    if len(columns) == 1 and table.column(columns[0]) is not None:
        pos = table.column(columns[0]).pos
        return Location(table.path, pos.line, pos.column)
    return table_location(table)



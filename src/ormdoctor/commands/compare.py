"""``ormdoctor compare TABLE [PATH] [--db URL]``: every definition of one table, side by side.

Columns are rows; each definition (and, with ``--db``, each database table of that name) is a
column. With a database, a score row says how many columns each definition shares with it
exactly (type family, NULL/NOT NULL, primary key), and the verdict lines say which definition
the database holds: the question a team with three `Customer` classes cannot answer by reading.
"""

from __future__ import annotations

import difflib
import json
import sys
from dataclasses import dataclass, field

from ormdoctor.commands.output import emit
from ormdoctor.commands.tables import definition_name, metadata_name
from ormdoctor.database.score import Score, best, definition_columns, model_nullable, score
from ormdoctor.inventory.model import Inventory, TableDef
from ormdoctor.pipeline import UsageError, analyse
from ormdoctor.typefamily import type_family

ABSENT = "-"
DIFFERS = " !"
DISAGREE = " *"


@dataclass
class View:
    asked: str
    inventory: Inventory
    definitions: list[TableDef]
    db: object | None = None  # DbSchema
    db_tables: list = field(default_factory=list)
    scores: dict[tuple[int, str], Score] = field(default_factory=dict)  # (definition index, db key)

    def target(self, index: int):
        """The database table a definition is marked against: its own schema's, else the first."""
        table = self.definitions[index]
        own = self.db.table(table.schema, table.name) if self.db else None
        return own if own in self.db_tables else (self.db_tables[0] if self.db_tables else None)


def run(args) -> int:
    from ormdoctor.commands.database_mode import reflect_or_fail
    from ormdoctor.commands.db_option import database_url

    url = database_url(args)
    analysis = analyse(args.paths, args.config, use_cache=not args.no_cache)
    db = reflect_or_fail(url) if url else None
    view = build_view(analysis.inventory, args.table, db, bool(getattr(args, "exact_types", False)))
    if args.format == "json":
        emit(json.dumps(to_json(view), indent=2) + "\n")
    else:
        from ormdoctor.report.sanitize import terminal_safe
        from ormdoctor.report.text import Painter, use_color

        paint = Painter(use_color(sys.stdout))
        emit(terminal_safe(render(view, paint), paint.enabled))
    return 0


# --- which definitions, which database tables ----------------------------------------------

def build_view(inventory: Inventory, asked: str, db=None, exact_types: bool = False) -> View:
    schema, _, name = asked.strip().rpartition(".")
    schema = schema or None
    definitions = sorted((t for t in inventory.tables if _wanted(t, schema, name, db)),
                         key=lambda t: (t.path, t.pos.line))
    db_tables = []
    if db is not None:
        db_tables = [db.table(schema, name)] if schema else db.find_by_name(name)
        db_tables = [t for t in db_tables if t is not None]
    if not definitions and not db_tables:
        raise UsageError(_unknown(inventory, asked, db))
    view = View(asked, inventory, definitions, db, db_tables)
    for i, table in enumerate(definitions):
        for db_table in db_tables:
            view.scores[(i, db.qualified(db_table))] = score(inventory, table, db_table, db.dialect, exact_types)
    return view


def _wanted(table: TableDef, schema: str | None, name: str, db) -> bool:
    if table.name != name:
        return False
    if schema is None:
        return True
    default = db.default_schema if db is not None else "public"
    return table.schema == schema or (table.schema is None and schema == default)


def _unknown(inventory: Inventory, asked: str, db) -> str:
    known = {t.key for t in inventory.tables} | {t.name for t in inventory.tables}
    if db is not None:
        known |= {db.qualified(t) for t in db.tables} | {t.name for t in db.tables}
    close = difflib.get_close_matches(asked, sorted(known), n=3, cutoff=0.6)
    where = "the models or the database" if db is not None else "the models"
    suggestion = f"; did you mean {', '.join(close)}?" if close else "; `ormdoctor tables` lists them"
    return f"no table '{asked}' in {where}{suggestion}"


# --- cells ---------------------------------------------------------------------------------

def model_cell(column) -> str:
    flags = " PK" if column.primary_key else ("" if model_nullable(column) else " NOT NULL")
    if column.unique and not column.primary_key:
        flags += " UNIQUE"
    return (column.type or "?") + flags


def db_cell(column) -> str:
    return column.type + (" PK" if column.primary_key else ("" if column.nullable else " NOT NULL"))


def row_names(view: View) -> list[str]:
    """The database's columns first (in its order), then each definition's others, in order."""
    names: list[str] = []
    for db_table in view.db_tables:
        names += [c.name for c in db_table.columns if c.name not in names]
    for table in view.definitions:
        names += [c.name for c in definition_columns(view.inventory, table) if c.name not in names]
    return names


def _disagree(view: View, name: str) -> bool:
    """Without a database: do the definitions differ on this column?"""
    seen = set()
    for table in view.definitions:
        column = next((c for c in definition_columns(view.inventory, table) if c.name == name), None)
        seen.add(None if column is None else (type_family(column.type or ""), model_nullable(column),
                                              bool(column.primary_key)))
    return len(seen) > 1


def grid(view: View) -> list[list[str]]:
    heads = [f"[{i + 1}] {t.owner}" for i, t in enumerate(view.definitions)]
    heads += [f"[{_db_ref(view, j)}] {view.db.qualified(t)}" for j, t in enumerate(view.db_tables)]
    rows = [["column"] + heads]
    columns = [{c.name: c for c in definition_columns(view.inventory, t)} for t in view.definitions]
    for name in row_names(view):
        label = name + (DISAGREE if not view.db_tables and len(view.definitions) > 1 and _disagree(view, name) else "")
        cells = [label]
        for i, by_name in enumerate(columns):
            column = by_name.get(name)
            cell = model_cell(column) if column else ABSENT
            cells.append(cell + (DIFFERS if column and _differs(view, i, name) else ""))
        for db_table in view.db_tables:
            column = db_table.column(name)
            cells.append(db_cell(column) if column else ABSENT)
        rows.append(cells)
    for db_table in view.db_tables:
        key = view.db.qualified(db_table)
        label = "matches database" if len(view.db_tables) == 1 else f"matches {key}"
        rows.append([label] + [f"{view.scores[(i, key)].ratio} columns" for i in range(len(view.definitions))]
                    + [""] * len(view.db_tables))
    return rows


def _differs(view: View, index: int, name: str) -> bool:
    """The definition's column is not exactly the database's: absent there, or another type
    family, NULL/NOT NULL or primary key."""
    target = view.target(index)
    if target is None:
        return False
    check = next(c for c in view.scores[(index, view.db.qualified(target))].checks if c.name == name)
    return not check.ok


def _db_ref(view: View, index: int) -> str:
    return "db" if len(view.db_tables) == 1 else f"db{index + 1}"


# --- text ----------------------------------------------------------------------------------

def render(view: View, paint) -> str:
    out = [paint("path", _title(view)), ""]
    out += _legend(view)
    out.append("")
    rows = grid(view)
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    for n, row in enumerate(rows):
        text = "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        out.append(paint("path", text) if n == 0 else _paint_row(text, paint))
    out.append("")
    out += [_paint_verdict(line, paint) for line in verdicts(view)]
    out.append(_key(view))
    return "\n".join(out) + "\n"


def _title(view: View) -> str:
    schemas = {t.schema or "" for t in view.definitions}
    count = len(view.definitions)
    text = f"{view.asked}: {count} definition{'s' * (count != 1)}"
    if len(schemas) > 1:
        text += f" in {len(schemas)} schemas"
    if view.db is not None:
        found = ", ".join(view.db.qualified(t) for t in view.db_tables) or "no table of that name"
        text += f"; the database has {found}"
        others = [view.db.qualified(t) for t in view.db.find_by_name(view.asked.rpartition(".")[2])
                  if t not in view.db_tables]
        if others:
            text += f" (and {', '.join(others)})" if view.db_tables else f" (it has {', '.join(others)})"
    return text


def _legend(view: View) -> list[str]:
    lines = []
    width = max([len(t.key) for t in view.definitions] + [len(view.db.qualified(t)) for t in view.db_tables], default=0)
    refw = max([len(f"[{i + 1}]") for i in range(len(view.definitions))]
               + [len(f"[{_db_ref(view, j)}]") for j in range(len(view.db_tables))], default=0)
    for i, table in enumerate(view.definitions):
        lines.append(f"  {f'[{i + 1}]'.ljust(refw)} {table.key.ljust(width)}  {definition_name(table)}")
        pad = " " * (refw + 3)
        lines.append(f"  {pad}on {metadata_name(view.inventory, table.metadata_id)}")
        users, programs = imported_by(view.inventory, table.path), loaded_by(view.inventory, table.path)
        if users or programs:
            parts = ([f"imported by {', '.join(users)}"] if users else []) + \
                    ([f"loaded by {', '.join(programs)}"] if programs else [])
            lines.append(f"  {pad}{'; '.join(parts)}")
    for j, db_table in enumerate(view.db_tables):
        lines.append(f"  {f'[{_db_ref(view, j)}]'.ljust(refw)} {view.db.qualified(db_table).ljust(width)}  "
                     f"in {view.db.url_masked}")
    return lines


def imported_by(inventory: Inventory, path: str) -> list[str]:
    """Modules importing `path` at load time; a package re-exporting it stands for its own importers."""
    graph = inventory.graph
    if graph is None:
        return []
    users: list[str] = []
    for edge in graph.importers.get(path, []):
        if edge.source.endswith("__init__.py") and edge.source in inventory.modules:
            via = [e.source for e in graph.importers.get(edge.source, [])
                   if e.written == inventory.modules[edge.source].name and e.source != path]
            users += [f"{user} (via {edge.source})" for user in via] or [edge.source]
        else:
            users.append(edge.source)
    direct = {u for u in users if " (via " not in u}
    # A module that imports it directly needs no second mention through a package.
    return sorted(dict.fromkeys(u for u in users if u in direct or u.split(" (via ")[0] not in direct))


def loaded_by(inventory: Inventory, path: str, limit: int = 3) -> list[str]:
    """The programs (entry points, the pytest session, Alembic) that load the module."""
    graph = inventory.graph
    if graph is None:
        return []
    labels = [p.label for p in graph.loaders(path)]
    return labels[:limit] + ([f"{len(labels) - limit} more"] if len(labels) > limit else [])


def verdicts(view: View) -> list[str]:
    if view.db is None:
        return _agreement(view)
    if not view.db_tables:
        return _agreement(view) + _missing(view)
    lines = []
    for db_table in view.db_tables:
        key = view.db.qualified(db_table)
        ranked = [view.scores[(i, key)] for i in range(len(view.definitions))]
        top = best(ranked)
        if top is None:
            lines.append(f"{key}: no model or Table() defines it.")
            continue
        ref = f"[{view.definitions.index(top.definition) + 1}] {definition_name(top.definition)}"
        if top.exact:
            lines.append(f"{key} matches {ref} column for column.")
        else:
            lines.append(f"{key} matches no definition exactly; closest: {ref} ({top.ratio} columns).")
    return lines + _missing(view)


def _missing(view: View) -> list[str]:
    missing = [i for i, t in enumerate(view.definitions) if view.db.table(t.schema, t.name) is None]
    if not missing:
        return []
    names = " and ".join(f"[{i + 1}] {view.definitions[i].owner}" for i in missing)
    expected = sorted({_qualified(view, view.definitions[i]) for i in missing})
    verb = "expects" if len(missing) == 1 else "expect"
    return [f"{names} {verb} {', '.join(expected)}, which the database does not have."]


def _agreement(view: View) -> list[str]:
    if len(view.definitions) < 2:
        return []
    names = row_names(view)
    shared = [n for n in names if all(_has_column(view, t, n) for t in view.definitions)]
    same = [n for n in shared if not _disagree(view, n)]
    return [f"columns in every definition: {', '.join(shared) or 'none'}; "
            f"identical in every definition: {', '.join(same) or 'none'}"]


def _has_column(view: View, table: TableDef, name: str) -> bool:
    return any(c.name == name for c in definition_columns(view.inventory, table))


def _qualified(view: View, table: TableDef) -> str:
    schema = table.schema or view.db.default_schema
    return f"{schema}.{table.name}" if schema else table.name


def _key(view: View) -> str:
    if view.db_tables:
        return ("!: not as in the database (missing there, other type family, NULL/NOT NULL or primary key); "
                "-: no such column")
    if len(view.definitions) > 1:
        return "*: the definitions disagree on this column; -: no such column"
    return "-: no such column"


def _paint_row(text: str, paint) -> str:
    return text.replace(DIFFERS, paint("warning", DIFFERS)) if paint.enabled else text


def _paint_verdict(line: str, paint) -> str:
    if " column for column." in line:
        return paint("hint", line)
    return paint("warning", line) if "does not have" in line or "no definition" in line else line


# --- json ----------------------------------------------------------------------------------

def to_json(view: View) -> dict:
    document = {"version": 1, "table": view.asked,
                "definitions": [_definition_json(view, i, t) for i, t in enumerate(view.definitions)],
                "database": None}
    if view.db is not None:
        document["database"] = {
            "url": view.db.url_masked, "dialect": view.db.dialect, "default_schema": view.db.default_schema,
            "tables": [_db_table_json(view, j, t) for j, t in enumerate(view.db_tables)],
        }
    return document


def _definition_json(view: View, index: int, table: TableDef) -> dict:
    columns = definition_columns(view.inventory, table)
    return {
        "ref": str(index + 1), "key": table.key, "schema": table.schema, "name": table.name,
        "owner": table.owner, "origin": table.origin, "path": table.path, "line": table.pos.line,
        "metadata": metadata_name(view.inventory, table.metadata_id),
        "imported_by": imported_by(view.inventory, table.path),
        "loaded_by": loaded_by(view.inventory, table.path, limit=100),
        "columns": [{"name": c.name, "type": c.type, "family": type_family(c.type or ""),
                     "nullable": model_nullable(c), "primary_key": bool(c.primary_key), "unique": bool(c.unique),
                     "index": bool(c.index)} for c in columns],
    }


def _db_table_json(view: View, index: int, db_table) -> dict:
    key = view.db.qualified(db_table)
    scores = []
    for i in range(len(view.definitions)):
        found = view.scores[(i, key)]
        scores.append({"definition": str(i + 1), "matched": found.matched, "total": found.total,
                       "exact": found.exact,
                       "columns": [{"name": c.name, "problems": list(c.problems)} for c in found.checks]})
    return {
        "ref": _db_ref(view, index), "key": key, "kind": db_table.kind,
        "columns": [{"name": c.name, "type": c.type, "family": c.family, "nullable": c.nullable,
                     "primary_key": c.primary_key, "default": c.default} for c in db_table.columns],
        "scores": scores,
    }

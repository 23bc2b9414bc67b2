"""``ormdoctor tables [PATH] [--db URL]``: every table, its schema, metadata and definitions.

With ``--db`` each table also says whether the database has it, and where when it is in
another schema ("no; database has core.customers"). Tables only the database has come last.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict

from ormdoctor.commands.output import emit
from ormdoctor.inventory.model import Inventory, TableDef
from ormdoctor.pipeline import analyse


def run(args) -> int:
    from ormdoctor.commands.database_mode import reflect_or_fail
    from ormdoctor.commands.db_option import database_url

    url = database_url(args)
    analysis = analyse(args.paths, args.config, use_cache=not args.no_cache)
    db = reflect_or_fail(url) if url else None
    rows = table_rows(analysis.inventory, db)
    extra = database_only(analysis.inventory, db) if db else []
    if args.format == "json":
        emit(json.dumps(_document(analysis, rows, extra, db), indent=2) + "\n")
    else:
        from ormdoctor.report.sanitize import terminal_safe
        from ormdoctor.report.text import Painter, use_color

        paint = Painter(use_color(sys.stdout))
        emit(terminal_safe(render(analysis.inventory, rows, extra, db, paint), paint.enabled))
    return 0


# --- shared with `compare` -----------------------------------------------------------------

def metadata_name(inventory: Inventory, metadata_id: str) -> str:
    """The metadata's label, with its file when another metadata has the same label."""
    info = inventory.metadatas.get(metadata_id)
    if info is None:
        return metadata_id or "?"
    shared = sum(1 for m in inventory.metadatas.values() if m.label == info.label) > 1
    return f"{info.label} ({info.path})" if shared and info.path else info.label


def definition_name(table: TableDef) -> str:
    """'src/models/customer.py:12 Customer' or 'app/tables.py:4 Table() users_table'."""
    owner = table.owner if table.origin == "class" else f"Table() {table.owner}"
    return f"{table.path}:{table.pos.line} {owner}"


def where_in_database(db, schema: str | None, name: str) -> dict:
    """Whether the database has schema.name, and which tables of that name it has elsewhere."""
    found = db.table(schema, name)
    elsewhere = [db.qualified(t) for t in db.find_by_name(name) if t is not found]
    return {"present": found is not None, "table": db.qualified(found) if found else None, "elsewhere": elsewhere}


def database_phrase(where: dict) -> str:
    if where["present"]:
        return "yes"
    if where["elsewhere"]:
        return f"no; database has {', '.join(where['elsewhere'])}"
    return "no"


# --- rows ----------------------------------------------------------------------------------

def table_rows(inventory: Inventory, db) -> list[dict]:
    groups: dict[tuple[str | None, str], list[TableDef]] = defaultdict(list)
    for table in inventory.tables:
        groups[(_normal(db, table.schema), table.name)].append(table)
    rows = []
    for (schema, name), defs in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0] or "")):
        defs.sort(key=lambda t: (t.path, t.pos.line))
        row = {"key": f"{schema}.{name}" if schema else name, "schema": schema, "name": name,
               "definitions": [_definition(inventory, t) for t in defs]}
        if db is not None:
            row["database"] = where_in_database(db, schema, name)
        rows.append(row)
    return rows


def _normal(db, schema: str | None) -> str | None:
    return None if db is not None and schema == db.default_schema else schema


def _definition(inventory: Inventory, table: TableDef) -> dict:
    return {"metadata": metadata_name(inventory, table.metadata_id), "path": table.path, "line": table.pos.line,
            "owner": table.owner, "origin": table.origin, "label": definition_name(table)}


def database_only(inventory: Inventory, db) -> list[str]:
    defined = {(_normal(db, t.schema), t.name) for t in inventory.tables}
    return [db.qualified(t) for t in db.tables if (t.schema, t.name) not in defined]


# --- output --------------------------------------------------------------------------------

def render(inventory: Inventory, rows: list[dict], extra: list[str], db, paint) -> str:
    header = ["TABLE", "METADATA", "DEFINED BY"] + (["DATABASE"] if db is not None else [])
    lines = []
    for row in rows:
        for i, definition in enumerate(row["definitions"]):
            cells = [row["key"] if i == 0 else "", definition["metadata"], definition["label"]]
            if db is not None:
                cells.append(database_phrase(row["database"]) if i == 0 else "")
            lines.append(cells)
    widths = [max(len(c) for c in column) for column in zip(header, *lines, strict=True)]
    out = [_line(header, widths, paint, "path")]
    out += [_line(cells, widths, paint, None) for cells in lines]
    if db is not None:
        out.append("")
        out.append(f"database {db.url_masked} ({db.dialect}, {len(db.tables)} tables)")
        out.append(f"only in the database: {', '.join(extra)}" if extra else "every database table is defined")
    definitions = sum(len(r["definitions"]) for r in rows)
    out.append(f"{len(rows)} tables, {definitions} definitions, {len(inventory.metadatas)} metadata")
    return "\n".join(out) + "\n"


def _line(cells: list[str], widths: list[int], paint, kind: str | None) -> str:
    padded = [c.ljust(w) for c, w in zip(cells, widths, strict=True)]
    text = "  ".join(padded).rstrip()
    return paint(kind, text) if kind else text


def _document(analysis, rows: list[dict], extra: list[str], db) -> dict:
    document = {"version": 1, "root": str(analysis.root), "tables": rows}
    if db is not None:
        document["database"] = {"url": db.url_masked, "dialect": db.dialect, "default_schema": db.default_schema,
                                "only_in_database": extra}
    return document

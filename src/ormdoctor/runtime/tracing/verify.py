"""create_all into a scratch database, statement by statement, so that every failure is reported.

In-memory SQLite by default (one fresh database per MetaData, each schema ATTACHed). On PostgreSQL
everything happens inside ONE transaction that is always rolled back, each MetaData under its own
SAVEPOINT and each statement under another, so nothing is left behind and one failure does not
abort the rest.
"""

from __future__ import annotations

import time

SQLITE_MEMORY = (None, "", ":memory:")


def verify(sa, url, metadatas, metadata_ids):
    started = time.perf_counter()
    result = {"dialect": None, "url": url, "seconds": 0.0, "error": None, "metadata": []}
    try:
        parsed = sa.engine.make_url(url)
        result.update(url=repr(parsed), dialect=parsed.get_backend_name())
        result["metadata"] = _verify_on(sa, parsed, [(metadata_ids.of(m), m) for m in metadatas])
    except Exception as exc:  # noqa: BLE001 - no database, no driver, other dialect
        result["error"] = f"{type(exc).__name__}: {_first_line(exc)}"
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result


def _verify_on(sa, url, metadatas):
    backend = url.get_backend_name()
    if backend == "sqlite":
        if url.database not in SQLITE_MEMORY:
            raise ValueError(f"verify uses an in-memory SQLite database only, not {url.database}")
        return [_on_sqlite(sa, metadata_id, metadata) for metadata_id, metadata in metadatas]
    if backend == "postgresql":
        return _on_postgresql(sa, url, metadatas)
    raise ValueError(f"verify supports sqlite and postgresql, not {backend}")


def _on_sqlite(sa, metadata_id, metadata):
    engine = sa.create_engine("sqlite://")
    try:
        with engine.connect() as conn:
            return _create(sa, Steps(conn, savepoints=False), metadata_id, metadata, _attach)
    finally:
        engine.dispose()


def _on_postgresql(sa, url, metadatas):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            outer = conn.begin()
            try:
                conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
                return [_in_savepoint(sa, conn, metadata_id, metadata) for metadata_id, metadata in metadatas]
            finally:
                outer.rollback()
    finally:
        engine.dispose()


def _in_savepoint(sa, conn, metadata_id, metadata):
    """Each MetaData on its own: its savepoint is rolled back before the next one starts."""
    savepoint = conn.begin_nested()
    try:
        return _create(sa, Steps(conn, savepoints=True), metadata_id, metadata, _create_schema)
    finally:
        savepoint.rollback()


def _attach(schema, preparer):
    return f"ATTACH DATABASE ':memory:' AS {preparer.quote_schema(schema)}"


def _create_schema(schema, preparer):
    return f"CREATE SCHEMA IF NOT EXISTS {preparer.quote_schema(schema)}"


def _create(sa, steps, metadata_id, metadata, schema_statement):
    ddl = sa.schema
    preparer = steps.conn.dialect.identifier_preparer
    for schema in sorted({t.schema for t in metadata.tables.values() if t.schema} - {"main", "temp"}):
        steps.run(schema_statement(schema, preparer), "schema", None, schema)
    tables, later = _plan(sa, metadata, steps.conn.dialect.supports_alter)
    created = []
    for table, fkcs in tables:
        if steps.run(ddl.CreateTable(table, include_foreign_key_constraints=fkcs), "table", table.key, table.key):
            created.append(table.key)
            for index in sorted(table.indexes, key=lambda index: str(index.name)):
                steps.run(ddl.CreateIndex(index), "index", table.key, str(index.name))
    for constraint in later:
        steps.run(ddl.AddConstraint(constraint), "constraint", constraint.table.key, str(constraint.name))
    return {"metadata": metadata_id, "tables": len(metadata.tables), "created": created,
            "failures": steps.failures}


def _plan(sa, metadata, supports_alter):
    """(table, its inline foreign keys) in dependency order, and the foreign keys that break cycles,
    added afterwards; the same plan as create_all."""
    tables = sorted(metadata.tables.values(), key=lambda table: table.key)  # as sorted_tables does
    try:
        order = sa.schema.sort_tables_and_constraints(tables)
    except Exception:  # noqa: BLE001 - a broken FK: its CREATE TABLE reports it
        return [(table, None) for table in tables], []
    if not supports_alter:  # SQLite keeps every foreign key inline
        return [(table, None) for table, _ in order if table is not None], []
    later = [fkc for table, fkcs in order if table is None for fkc in fkcs]
    return [(table, fkcs) for table, fkcs in order if table is not None], later


class Steps:
    """Runs DDL and records each failure instead of stopping at the first."""

    def __init__(self, conn, savepoints):
        self.conn = conn
        self.savepoints = savepoints
        self.failures = []

    def run(self, statement, kind, table, name):
        try:
            if self.savepoints:
                with self.conn.begin_nested():
                    self._execute(statement)
            else:
                self._execute(statement)
        except Exception as exc:  # noqa: BLE001 - recorded, not raised
            self.failures.append({"kind": kind, "table": table, "object": name,
                                  "type": type(exc).__name__, "message": _first_line(exc)})
            return False
        return True

    def _execute(self, statement):
        if isinstance(statement, str):
            self.conn.exec_driver_sql(statement)
        else:
            self.conn.execute(statement)


def _first_line(exc):
    """The database's own message (``index ix_x already exists``), without SQLAlchemy's SQL echo."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

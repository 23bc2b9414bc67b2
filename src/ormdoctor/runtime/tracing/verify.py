"""create_all into a scratch database, statement by statement, so that every failure is reported.

In-memory SQLite by default (one fresh database per MetaData, each schema ATTACHed). On PostgreSQL
everything happens inside ONE transaction that is always rolled back, each MetaData under its own
SAVEPOINT and each statement under another, so nothing is left behind and one failure does not
abort the rest. Named types (ENUM, DOMAIN) are created first, as create_all does.

No statement text can end that transaction: a ``server_default=text("'x'); COMMIT; --")`` would
otherwise commit everything before it. Every DDL statement runs as the body of a ``DO`` block
(``EXECUTE`` of COMMIT/ROLLBACK is refused by PostgreSQL inside a function), quoted with a dollar tag
chosen at random for the run. SQLite's driver refuses a second statement by itself.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import time

SQLITE_MEMORY = (None, "", ":memory:")


def verify(sa, url, metadatas, metadata_ids):
    started = time.perf_counter()
    # Never the URL as given: it may not parse, and then nothing would mask its password.
    result = {"dialect": None, "url": "(unparsable URL)", "seconds": 0.0, "error": None, "metadata": []}
    try:
        parsed = installed_driver(sa, sa.engine.make_url(url))
        result.update(url=parsed.render_as_string(hide_password=True), dialect=parsed.get_backend_name())
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


def installed_driver(sa, url):
    """The URL with the driver this interpreter has (``postgresql://`` names none; see opening.py)."""
    opening = _load_opening()
    return url.set(drivername=opening.drivername(url.drivername, sa.__version__))


def _load_opening():
    """``database/opening.py`` of the same ormdoctor, by path: the tracer never imports ormdoctor."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__)))),
                        "database", "opening.py")
    spec = importlib.util.spec_from_file_location("_ormdoctor_opening", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
            sa.event.listen(conn, "before_cursor_execute", _inside_do_block(secrets.token_hex(8)), retval=True)
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


def _inside_do_block(token):
    """A before_cursor_execute hook running each DDL statement as the body of a DO block."""
    outer, inner = "$o" + token + "$", "$s" + token + "$"

    def wrap(conn, cursor, statement, parameters, context, executemany):
        if context is None or not context.isddl:
            return statement, parameters  # SAVEPOINTs, checkfirst queries: ormdoctor's own text
        if token in statement:
            raise ValueError("the statement holds ormdoctor's quoting tag")
        return f"DO {outer} BEGIN EXECUTE {inner}{statement}{inner}; END {outer}", parameters

    return wrap


def _attach(schema, preparer):
    return f"ATTACH DATABASE ':memory:' AS {preparer.quote_schema(schema)}"


def _create_schema(schema, preparer):
    return f"CREATE SCHEMA IF NOT EXISTS {preparer.quote_schema(schema)}"


def _create(sa, steps, metadata_id, metadata, schema_statement):
    ddl = sa.schema
    preparer = steps.conn.dialect.identifier_preparer
    types = _named_types(sa, metadata)
    schemas = {t.schema for t in metadata.tables.values()} | {getattr(t, "schema", None) for _, t in types}
    for schema in sorted(schemas - {None, "", "main", "temp"}):
        steps.run(schema_statement(schema, preparer), "schema", None, schema)
    for name, type_ in types:
        steps.run(lambda conn, type_=type_: type_.create(conn, checkfirst=True), "type", None, name)
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


def _named_types(sa, metadata):
    """(name, type) of each named schema type (Enum, DOMAIN) the tables use, once each: CREATE TABLE
    alone would fail with 'type does not exist'. On SQLite creating them does nothing."""
    found = {}
    for table in sorted(metadata.tables.values(), key=lambda table: table.key):
        for column in table.columns:
            type_ = column.type
            name = getattr(type_, "name", None)
            if isinstance(type_, sa.types.SchemaType) and name:
                schema = getattr(type_, "schema", None) or table.schema
                found.setdefault((schema or "", str(name)), type_)
    return [(f"{schema}.{name}" if schema else name, type_) for (schema, name), type_ in sorted(found.items())]


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
        elif hasattr(statement, "compile"):  # a DDL element (they are callable too)
            self.conn.execute(statement)
        else:
            statement(self.conn)


def _first_line(exc):
    """The database's own message (``index ix_x already exists``), without SQLAlchemy's SQL echo."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return _TRANSACTION_END_REFUSED if line == _PG_TRANSACTION_END else line


# What PostgreSQL says when a DDL statement run inside a DO block holds COMMIT or ROLLBACK.
_PG_TRANSACTION_END = "EXECUTE of transaction commands is not implemented"
_TRANSACTION_END_REFUSED = ("its DDL holds COMMIT or ROLLBACK (raw SQL such as a text() default); "
                            "refused, nothing was committed")

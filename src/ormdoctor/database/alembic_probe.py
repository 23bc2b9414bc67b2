"""Run by the PROJECT's interpreter: ``python alembic_probe.py``, the request on stdin (runtime/channel.py).

Imports the project's model modules, finds every MetaData they reach, and asks Alembic's
``compare_metadata`` how each differs from the database, on a read-only connection. Sends the
diffs back on the signed result channel. Uses only the standard library, ``runtime/channel.py``
(loaded by path) and the project's own SQLAlchemy and Alembic; never imports ormdoctor. Must stay
valid on Python 3.8.

REQUEST: {"project_root": str, "sys_path": [str], "modules": [str], "url": str}
RESULT:  {"fatal": {...}} or {"sqlalchemy", "alembic", "dialect", "imported", "import_errors",
          "metadata": [{"label", "tables": [{"schema", "name", "files"}], "diffs": [...], "error"}]}
"""

import importlib
import os
import sys
import traceback
import warnings

HERE = os.path.dirname(os.path.realpath(__file__))
EXIT_OK, EXIT_FATAL = 0, 3


def main():
    if sys.path and os.path.realpath(sys.path[0] or ".") == HERE:
        del sys.path[0]  # our folder must not shadow the project's modules
    request, send = _load_helper("runtime", "channel.py").receive_request()
    os.environ["ORMDOCTOR_RUNTIME"] = "1"
    if request.get("project_root"):
        os.chdir(request["project_root"])
    entries = list(request.get("sys_path") or [])
    sys.path[:] = entries + [e for e in sys.path if e not in entries]
    missing = [name for name in ("sqlalchemy", "alembic") if not _importable(name)]
    if missing:
        fatal = {"kind": "no-" + missing[0], "message": "%s is not installed for %s" % (missing[0], sys.executable)}
        return _finish(send, {"fatal": fatal}, EXIT_FATAL)
    try:
        result = probe(request)
    except Exception as exc:  # reported as one line by the caller
        fatal = {"kind": "probe-error", "message": "%s: %s" % (type(exc).__name__, exc),
                 "traceback": traceback.format_exc()}
        return _finish(send, {"fatal": fatal}, EXIT_FATAL)
    return _finish(send, result, EXIT_OK)


def _importable(name):
    import importlib.util

    return importlib.util.find_spec(name) is not None


def _load_helper(folder, filename):
    """A standard-library module of ormdoctor's, by path, under a private name."""
    import importlib.util

    path = os.path.join(os.path.dirname(HERE), folder, filename)
    spec = importlib.util.spec_from_file_location("_ormdoctor_" + filename[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _finish(send, result, code):
    send(result)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # skip the project's atexit handlers and threads


def probe(request):
    import alembic
    import sqlalchemy as sa

    imported, errors = _import_all(request.get("modules") or [])
    root = os.path.realpath(request.get("project_root") or os.getcwd())
    metadatas, registries = _reachable(sa, root)
    files = _files_by_table(registries)
    result = {"sqlalchemy": sa.__version__, "alembic": alembic.__version__, "imported": imported,
              "import_errors": errors, "metadata": []}
    engine = _readonly_engine(sa, request["url"])
    try:
        with engine.connect() as conn:
            result["dialect"] = conn.dialect.name
            for label, metadata in metadatas:
                result["metadata"].append(_compare(conn, label, metadata, files))
    finally:
        engine.dispose()
    return result


def _import_all(names):
    imported, errors = [], []
    for name in names:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                importlib.import_module(name)
            imported.append(name)
        except BaseException as exc:  # noqa: B036 - SystemExit from project code too
            errors.append({"module": name, "error": "%s: %s" % (type(exc).__name__, exc)})
    return imported, errors


def _project_modules(root):
    """Modules loaded from the project's files: not the libraries of a virtualenv inside it."""
    prefixes = set(os.path.realpath(p) + os.sep for p in (sys.prefix, sys.base_prefix))
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        path = os.path.realpath(path) if path else ""
        if (path.startswith(root + os.sep) and "site-packages" not in path
                and not any(path.startswith(p) for p in prefixes)):
            yield name, module


def _reachable(sa, root):
    """Every MetaData with tables in a project module's globals, directly or as `.metadata`."""
    from sqlalchemy.orm import registry as registry_type

    metadatas, seen, registries = [], set(), {}
    for module_name, module in sorted(_project_modules(root)):
        for attr, value in sorted(vars(module).items()):
            found = _metadata_of(sa, value)
            reg = getattr(value, "registry", None) if isinstance(value, type) else None
            for candidate in (value, reg):
                if isinstance(candidate, registry_type):
                    registries[id(candidate)] = candidate
            if found is None or id(found) in seen or not found.tables:
                continue
            seen.add(id(found))
            label = "%s:%s" % (module_name, attr if found is value else attr + ".metadata")
            metadatas.append((label, found))
    return metadatas, list(registries.values())


def _metadata_of(sa, value):
    if isinstance(value, sa.MetaData):
        return value
    try:
        candidate = getattr(value, "metadata", None)
    except Exception:
        return None
    return candidate if isinstance(candidate, sa.MetaData) else None


def _files_by_table(registries):
    """(schema, name) -> the files of the classes mapped to it."""
    files = {}
    for reg in registries:
        for mapper in list(reg.mappers):
            table = getattr(mapper, "local_table", None)
            module = sys.modules.get(getattr(mapper.class_, "__module__", ""))
            path = getattr(module, "__file__", None)
            if table is None or not hasattr(table, "name") or not path:
                continue
            files.setdefault((getattr(table, "schema", None), table.name), set()).add(os.path.realpath(path))
    return files


def _readonly_engine(sa, url):
    from sqlalchemy.pool import NullPool

    opening = _load_helper("database", "opening.py")
    target = sa.engine.make_url(url)
    target = target.set(drivername=opening.drivername(target.drivername, sa.__version__))
    backend = target.get_backend_name()
    statements = []
    if backend == "sqlite":
        from urllib.parse import quote

        path = os.path.abspath(target.database or "")
        query = opening.readonly_sqlite_query(path)
        target = target.set(database="file:" + quote(path), query=query)
        statements = ["PRAGMA query_only = ON"]
    elif backend == "postgresql":
        statements = ["SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"]
    elif backend in ("mysql", "mariadb"):
        statements = ["SET SESSION TRANSACTION READ ONLY"]
    engine = sa.create_engine(target, poolclass=NullPool)

    def setup(dbapi_connection, _record):
        toggle = getattr(dbapi_connection, "autocommit", None) is False
        if toggle:
            dbapi_connection.autocommit = True
        cursor = dbapi_connection.cursor()
        try:
            for statement in statements:
                cursor.execute(statement)
        finally:
            cursor.close()
            if toggle:
                dbapi_connection.autocommit = False

    sa.event.listen(engine, "connect", setup, insert=True)
    return engine


def _compare(conn, label, metadata, files):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    keys = set((t.schema, t.name) for t in metadata.tables.values())
    schemas = set(schema for schema, _ in keys)
    default = conn.dialect.default_schema_name

    def include_name(name, type_, parent_names):
        if type_ == "schema":
            return name in schemas or (name in (None, default) and (None in schemas or default in schemas))
        if type_ == "table":
            schema = parent_names.get("schema_name")
            return (schema, name) in keys or (schema in (None, default) and
                                              ((None, name) in keys or (default, name) in keys))
        return True

    tables = [{"schema": s, "name": n, "files": sorted(files.get((s, n), ()))} for s, n in sorted(keys, key=str)]
    record = {"label": label, "tables": tables, "diffs": [], "error": None}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            context = MigrationContext.configure(conn, opts={"include_schemas": True, "compare_type": True,
                                                             "include_name": include_name})
            diffs = compare_metadata(context, metadata)
    except Exception as exc:
        record["error"] = "%s: %s" % (type(exc).__name__, " ".join(str(exc).split())[:300])
        return record
    finally:
        if conn.in_transaction():
            conn.rollback()
    for diff in diffs:
        for one in (diff if isinstance(diff, list) else [diff]):
            record["diffs"].append(_diff_record(one, conn.dialect))
    return record


def _type_text(type_, dialect):
    if type_ is None:
        return None
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:
        return repr(type_)


def _diff_record(diff, dialect):
    op = diff[0]
    if op in ("add_table", "remove_table"):
        return {"op": op, "schema": diff[1].schema, "table": diff[1].name}
    if op in ("add_column", "remove_column"):
        schema, table, column = diff[1], diff[2], diff[3]
        return {"op": op, "schema": schema, "table": table, "column": column.name,
                "type": _type_text(column.type, dialect), "nullable": column.nullable}
    if op in ("modify_type", "modify_nullable"):
        schema, table, column, existing_kw, old, new = diff[1:7]
        record = {"op": op, "schema": schema, "table": table, "column": column}
        if op == "modify_type":
            record.update(database=_type_text(old, dialect), model=_type_text(new, dialect))
        else:
            record.update(database=old, model=new)
        return record
    if op in ("add_index", "remove_index", "add_constraint", "remove_constraint"):
        item = diff[1]
        kind = type(item).__name__
        if kind not in ("Index", "UniqueConstraint"):
            return {"op": op, "kind": kind}
        table = item.table
        columns = [getattr(c, "name", str(c)) for c in getattr(item, "expressions", None) or item.columns]
        return {"op": op, "kind": kind, "schema": table.schema if table is not None else None,
                "table": table.name if table is not None else None, "name": item.name,
                "columns": columns, "unique": bool(getattr(item, "unique", kind == "UniqueConstraint"))}
    return {"op": op}


if __name__ == "__main__":
    sys.exit(main())

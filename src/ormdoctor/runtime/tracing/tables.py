"""Every Table definition attempt, and surviving "Table 'x' is already defined for this MetaData".

SQLAlchemy raises on the second definition of a table, which stops the import and hides every later
duplicate. The hook records that attempt, then builds the table on a throwaway MetaData so the class
statement (and the rest of the import) completes and every duplicate shows up in one run.
"""

from __future__ import annotations

import sys

ALREADY_DEFINED = "is already defined for this MetaData"


class Ids:
    """Stable ids ("md1", "reg1", ...) in order of first sight; keeps the objects alive so ids stay unique."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.objects = []
        self._ids = {}

    def of(self, obj):
        key = id(obj)
        if key not in self._ids:
            self.objects.append(obj)
            self._ids[key] = f"{self.prefix}{len(self.objects)}"
        return self._ids[key]


class TableTracer:
    def __init__(self, project, sa, metadata_ids):
        self.project = project
        self.sa = sa
        self.metadata_ids = metadata_ids
        self.attempts = []
        self.errors = []
        self.shadow = []  # the throwaway MetaData objects holding the duplicates

    def install(self):
        table = self.sa.Table
        if "_new" in vars(table):  # 2.x: Table.__new__ delegates to the classmethod Table._new
            table._new = classmethod(self._wrap(vars(table)["_new"].__func__))
        else:  # 1.4: the work is done in Table.__new__ itself
            table.__new__ = staticmethod(self._wrap(vars(table)["__new__"].__func__))

    def is_shadow(self, metadata):
        return any(metadata is scratch for scratch in self.shadow)

    def _wrap(self, original):
        tracer = self

        def traced_table(cls, *args, **kw):
            if len(args) < 2 or not isinstance(args[1], tracer.sa.MetaData):
                return original(cls, *args, **kw)  # unpickling, or a call SQLAlchemy will reject itself
            return tracer._construct(original, cls, args, kw)

        return traced_table

    def _construct(self, original, cls, args, kw):
        name, metadata, items = args[0], args[1], args[2:]
        existed = _table_key(name, kw, metadata, self.sa) in metadata.tables
        try:
            table = original(cls, *args, **kw)
        except self.sa.exc.InvalidRequestError as exc:
            if ALREADY_DEFINED not in str(exc):
                raise
            table = self._define_elsewhere(original, cls, args, kw, exc)
            outcome = "duplicate"
        else:
            outcome = _outcome(existed, kw)
        if outcome != "lookup":
            self._record(table, metadata, items, kw, outcome)
        return table

    def _define_elsewhere(self, original, cls, args, kw, exc):
        metadata = args[1]
        scratch = self.sa.MetaData(schema=metadata.schema, naming_convention=dict(metadata.naming_convention))
        self.shadow.append(scratch)
        table = original(cls, args[0], scratch, *args[2:], **kw)
        error = {"metadata": self.metadata_ids.of(metadata), "key": table.key, "message": str(exc)}
        error.update(self._origin())
        self.errors.append(error)
        return table

    def _record(self, table, metadata, items, kw, outcome):
        declared = table.columns if outcome in ("created", "duplicate") else [
            item for item in items if isinstance(item, self.sa.Column)]
        attempt = {
            "metadata": self.metadata_ids.of(metadata), "schema": table.schema, "name": table.name,
            "key": table.key, "outcome": outcome, "columns": [column_record(column) for column in declared],
            "extend_existing": bool(kw.get("extend_existing")), "keep_existing": bool(kw.get("keep_existing")),
        }
        attempt.update(self._origin())
        self.attempts.append(attempt)

    def _origin(self):
        """The project line that caused the Table() call, and the mapped class behind it if any.
        A library defining tables at its own import (SQLAlchemy's pg_catalog, a package's models)
        gets no project line, even when a project line (create_engine, an import) set it off."""
        frame, cls = sys._getframe(2), None
        while frame is not None and not self.project.owns(frame.f_code.co_filename):
            if frame.f_code.co_name == "<module>":
                return _library_origin(frame, cls)
            cls = cls or _declarative_class(frame)
            frame = frame.f_back
        if frame is None:
            return _library_origin(None, cls)
        site = {"path": self.project.relative(frame.f_code.co_filename), "line": frame.f_lineno}
        if cls is not None:
            return {"site": site, "class_name": cls.__name__, "module": cls.__module__}
        if _is_class_body(frame):  # __table__ = Table(...) inside a class statement
            return {"site": site, "class_name": frame.f_code.co_name, "module": frame.f_locals["__module__"]}
        return {"site": site, "class_name": None, "module": frame.f_globals.get("__name__")}

    def project_defines(self, metadata_id):
        return any(a["metadata"] == metadata_id and a["site"] is not None for a in self.attempts)


def _library_origin(frame, cls):
    if cls is not None:
        return {"site": None, "class_name": cls.__name__, "module": cls.__module__}
    return {"site": None, "class_name": None, "module": frame and frame.f_globals.get("__name__")}


def _declarative_class(frame):
    """The class being mapped, read from declarative's config object (``self.cls``) on the stack."""
    cls = getattr(frame.f_locals.get("self"), "cls", None)
    return cls if isinstance(cls, type) else None


def _is_class_body(frame):
    return "__module__" in frame.f_locals and "__qualname__" in frame.f_locals


def _table_key(name, kw, metadata, sa):
    schema = kw.get("schema")
    if schema is None:
        schema = metadata.schema
    elif schema is sa.schema.BLANK_SCHEMA:
        schema = None
    return f"{schema}.{name}" if schema else name


def _outcome(existed, kw):
    if not existed:
        return "created"
    if kw.get("extend_existing"):
        return "extended"
    if kw.get("keep_existing"):
        return "kept"
    return "lookup"  # with columns and no flag, SQLAlchemy raised "already defined" instead


def column_record(column):
    return {
        "name": column.name, "type": _type_string(column.type), "nullable": bool(column.nullable),
        "primary_key": bool(column.primary_key), "unique": bool(column.unique), "index": bool(column.index),
        "foreign_keys": sorted(fk_target(fk) for fk in column.foreign_keys),
    }


def _type_string(type_):
    try:
        return str(type_)
    except Exception:  # noqa: BLE001 - a type only its dialect renders
        return type(type_).__name__


def fk_target(fk):
    try:
        return fk.target_fullname
    except Exception:  # noqa: BLE001 - recorded, not raised
        return str(fk._colspec)

"""Every table of the project's MetaData described from the real objects, after import and mapper
configuration: what ``ormdoctor docs --import`` documents.

Names are the final ones (naming conventions applied), types are compiled, foreign keys are resolved on
the MetaData, relationships come from the configured mappers. Plain JSON-ready records. A detail that
SQLAlchemy refuses to give (a type without a string form, a relationship whose target never resolved) is
left empty, and a table that cannot be described at all keeps its name and the error: never the whole run.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import sys
import tokenize

from .mappers import all_registries


def describe(sa, hooks, project):
    """{"tables": [...]} for every table of the project's MetaData objects, by metadata then key."""
    sources = Sources(project)
    mapped = _mapped_classes(sa, hooks, sources)
    tables = []
    for metadata in hooks.live_metadata():
        metadata_id = hooks.metadata_ids.of(metadata)
        describer = TableDescriber(sa, hooks, sources, metadata_id)
        for table in sorted(metadata.tables.values(), key=lambda t: t.key):
            try:
                tables.append(describer.table(table, mapped.get(id(table), [])))
            except Exception as exc:  # noqa: BLE001 - one odd table must not cost the others
                tables.append(_undescribed(table, metadata_id, exc))
    return {"tables": tables}


def _undescribed(table, metadata_id, exc):
    return {"metadata": metadata_id, "schema": table.schema, "name": table.name, "key": table.key,
            "comment": None, "columns": [], "primary_key": None, "foreign_keys": [], "unique": [], "checks": [],
            "indexes": [], "definitions": [], "classes": [], "error": f"{type(exc).__name__}: {exc}"}


class TableDescriber:
    def __init__(self, sa, hooks, sources, metadata_id):
        self.sa = sa
        self.sources = sources
        self.metadata_id = metadata_id
        self.attempts = {}  # table key -> every Table() run for it on this MetaData, in order
        for attempt in hooks.tables.attempts:
            if attempt["metadata"] == metadata_id:
                self.attempts.setdefault(attempt["key"], []).append(attempt)

    def table(self, table, classes):
        position = {column.name: i for i, column in enumerate(table.columns)}
        constraints = sorted(table.constraints, key=lambda c: getattr(c, "_creation_order", 0))
        return {
            "metadata": self.metadata_id, "schema": table.schema, "name": table.name, "key": table.key,
            "comment": table.comment,
            "columns": [self.column(column) for column in table.columns],
            "primary_key": self.primary_key(table),
            "foreign_keys": sorted((self.foreign_key(fkc, table) for fkc in table.foreign_key_constraints),
                                   key=lambda fk: (_first(fk["columns"], position), fk["target"])),
            "unique": _flagged_first([self.unique(c, table) for c in constraints
                                      if isinstance(c, self.sa.UniqueConstraint)], position),
            "checks": [{"name": _final_name(self.sa, c, table), "sqltext": sql_text(c.sqltext)}
                       for c in constraints if isinstance(c, self.sa.CheckConstraint)],
            "indexes": _flagged_first(sorted((self.index(index, table) for index in table.indexes),
                                             key=lambda i: (i["name"] or "", i["columns"])), position),
            "definitions": self.definitions(table),
            "classes": classes,
        }

    def column(self, column):
        return {
            "name": column.name, "type": type_string(column.type), "nullable": bool(column.nullable),
            "primary_key": bool(column.primary_key), "unique": bool(column.unique), "index": bool(column.index),
            "default": default_text(self.sa, column.default, self.sources.project),
            "server_default": default_text(self.sa, column.server_default, self.sources.project, server=True),
            "comment": column.comment,
            "foreign_keys": sorted(({"target": _dotted(_target(fk)), "ondelete": fk.ondelete,
                                     "onupdate": fk.onupdate} for fk in column.foreign_keys),
                                   key=lambda fk: fk["target"]),
        }

    def primary_key(self, table):
        pk = table.primary_key
        columns = [column.name for column in pk.columns]
        return {"name": _final_name(self.sa, pk, table), "columns": columns} if columns else None

    def foreign_key(self, fkc, table):
        targets = [_target(element) for element in fkc.elements]
        schema, name = targets[0][0], targets[0][1]
        return {
            "name": _final_name(self.sa, fkc, table),
            "columns": [element.parent.name for element in fkc.elements],
            "target": _dotted((schema, name, None)), "target_schema": schema, "target_table": name,
            "target_columns": [column for _, _, column in targets],
            "ondelete": fkc.ondelete, "onupdate": fkc.onupdate,
        }

    def unique(self, constraint, table):
        return {"name": _final_name(self.sa, constraint, table),
                "columns": [column.name for column in constraint.columns],
                "flag": bool(getattr(constraint, "_column_flag", False))}

    def index(self, index, table):
        columns = [expr.name if isinstance(expr, self.sa.Column) else expr if isinstance(expr, str)
                   else sql_text(expr) for expr in index.expressions]
        return {"name": _final_name(self.sa, index, table), "columns": columns, "unique": bool(index.unique),
                "flag": bool(getattr(index, "_column_flag", False))}

    def definitions(self, table):
        """Every Table() run for this key on this MetaData: the one that won and any duplicate."""
        found = []
        for attempt in self.attempts.get(table.key, ()):
            site = attempt["site"] or {}
            name = attempt["class_name"]
            if name is None:
                name = _global_name(attempt["module"], table) if attempt["outcome"] == "created" else table.name
            start, end = self.sources.span(site.get("path"), site.get("line"))
            found.append({"kind": "class" if attempt["class_name"] else "table", "name": name,
                          "module": attempt["module"], "path": site.get("path"), "line": start, "end_line": end,
                          "outcome": attempt["outcome"]})
        return found


# Mapped classes and their relationships ---------------------------------------------------------
def _mapped_classes(sa, hooks, sources):
    """id(Table) → the classes mapping it (declarative, single-table subclasses, imperative), in
    definition order, each with its own relationships."""
    found = {}
    for registry in all_registries():
        for mapper in registry.mappers:
            table = mapper.local_table
            if hooks.classes.is_duplicate(mapper) or not isinstance(table, sa.Table):
                continue
            order = hooks.classes.sites.get(mapper.class_, (len(hooks.classes.sites),))[0]
            found.setdefault(id(table), []).append((order, _class_record(sa, mapper, hooks, sources)))
    return {key: [record for _, record in sorted(records, key=lambda item: item[0])]
            for key, records in found.items()}


def _class_record(sa, mapper, hooks, sources):
    """Where the class statement is, and whether SQLAlchemy mapped it there (declarative) or from
    another line (``registry.map_imperatively``)."""
    cls = mapper.class_
    site = hooks.classes.sites.get(cls, (0, None))[1] or {}
    path, line = site.get("path"), site.get("line")
    end, kind = line, "class"
    found = sources.class_statement(cls, path, line)
    if found is not None:
        statement_path, first, start, end = found
        if statement_path != path or line is None or not first <= line <= end:
            kind = "imperative"
        path, line = statement_path, start
    if mapper.inherits is not None and mapper.single:
        kind = "sti"
    return {
        "name": cls.__name__, "module": cls.__module__, "kind": kind, "path": path, "line": line,
        "end_line": end, "doc": _own_doc(cls),
        "relationships": [_relationship(sa, rel, hooks) for rel in _own_relationships(mapper)],
    }


def _own_doc(cls):
    """The class's own docstring: never one inherited from a base or from ``object``."""
    doc = vars(cls).get("__doc__")
    if not isinstance(doc, str) or not doc.strip():
        return None
    if any(vars(base).get("__doc__") == doc for base in cls.__mro__[1:]):
        return None
    return inspect.cleandoc(doc)


def _own_relationships(mapper):
    """Declared on this class: a subclass's mapper also lists the relationships it inherits."""
    try:
        relationships = list(mapper.relationships)
    except Exception:  # noqa: BLE001 - a mapper whose configuration failed
        relationships = [prop for prop in mapper.iterate_properties if hasattr(prop, "direction")]
    return [rel for rel in relationships if rel.parent is mapper]


def _relationship(sa, rel, hooks):
    record = {"key": rel.key, "target_class": None, "target_module": None, "target_table": None,
              "target_metadata": None, "direction": None, "secondary": None, "secondary_metadata": None,
              "cascade": ", ".join(sorted(rel.cascade)), "back_populates": rel.back_populates,
              "backref": rel.backref[0] if isinstance(rel.backref, tuple) else rel.backref,
              "uselist": rel.uselist, "passive_deletes": bool(rel.passive_deletes),
              "viewonly": bool(rel.viewonly)}
    try:
        target = rel.mapper
        direction = rel.direction
    except Exception:  # noqa: BLE001 - the target never resolved: keep what was written
        argument = getattr(rel, "argument", None)
        record["target_class"] = argument if isinstance(argument, str) else getattr(argument, "__name__", None)
        return record
    record.update(target_class=target.class_.__name__, target_module=target.class_.__module__,
                  direction=getattr(direction, "name", str(direction)))
    record["target_table"], record["target_metadata"] = _table_ref(sa, target.local_table, hooks)
    if rel.secondary is not None:
        record["secondary"], record["secondary_metadata"] = _table_ref(sa, rel.secondary, hooks)
    return record


def _table_ref(sa, table, hooks):
    """(key, metadata id) of a Table; a join or a select has no key of its own."""
    if not isinstance(table, sa.Table):
        return str(getattr(table, "description", None) or type(table).__name__), None
    return table.key, hooks.metadata_ids.of(table.metadata)


# Text of SQL, types, defaults, names ------------------------------------------------------------
def type_string(type_):
    try:
        return str(type_)
    except Exception:  # noqa: BLE001 - a type only its own dialect renders
        return type(type_).__name__


def sql_text(clause):
    if isinstance(clause, str):
        return clause
    try:
        return str(clause.compile(compile_kwargs={"literal_binds": True}))
    except Exception:  # noqa: BLE001 - a bound value that has no literal form
        try:
            return str(clause)
        except Exception:  # noqa: BLE001
            return repr(clause)


def default_text(sa, default, project, server=False):
    """``'open'``, ``0``, ``uuid.uuid4``, ``now()``, ``Sequence('s')``: what the value is."""
    if default is None:
        return None
    if getattr(default, "is_sequence", False):
        return f"Sequence({default.name!r})"
    kind = type(default).__name__
    if server and not isinstance(default, sa.schema.DefaultClause):  # FetchedValue(), Computed(...)
        text = getattr(default, "sqltext", None)
        return f"{kind}({sql_text(text)!r})" if text is not None else f"{kind}()"
    if not hasattr(default, "arg"):
        return f"{kind}()"
    arg = default.arg
    if getattr(default, "is_callable", False):
        return _callable_name(getattr(arg, "__wrapped__", arg), project)  # SQLAlchemy wraps fn() as fn(ctx)
    if isinstance(arg, sa.sql.ClauseElement):
        return sql_text(arg)
    return repr(arg)


def _callable_name(fn, project):
    """``uuid.uuid4``, ``datetime.datetime.utcnow``; a project's own function by its qualified name."""
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
    module = getattr(fn, "__module__", None) or getattr(getattr(fn, "__self__", None), "__module__", None)
    file = getattr(sys.modules.get(module or ""), "__file__", None)
    if not module or module in ("builtins", "__main__") or (isinstance(file, str) and project.owns(file)):
        return name
    return f"{module}.{name}"


def _final_name(sa, constraint, table):
    """The name the DDL will use. A convention that could not name the constraint when it was
    attached (``_NONE_NAME``) is applied when the DDL is compiled; apply it here the same way."""
    name = constraint.name
    naming = importlib.import_module("sqlalchemy.sql.naming")
    if name is not None and name is getattr(naming, "_NONE_NAME", None):
        try:
            name = naming._constraint_name_for_table(constraint, table)
        except Exception:  # noqa: BLE001 - the convention cannot name it
            return None
    return None if name is None else str(name)


def _target(fk):
    """(schema, table, column) of a foreign key: resolved on the MetaData, else as written."""
    try:
        column = fk.column
        return column.table.schema, column.table.name, column.name
    except Exception:  # noqa: BLE001 - an unresolved target: the written one
        parts = str(fk.target_fullname).split(".")
        return (".".join(parts[:-2]) or None, parts[-2] if len(parts) > 1 else "", parts[-1])


def _dotted(parts):
    return ".".join(part for part in parts if part)


def _first(columns, position):
    return min((position.get(c, len(position)) for c in columns), default=len(position))


def _flagged_first(items, position):
    """``unique=True`` / ``index=True`` ones in column order, then the declared ones as they are."""
    flagged = sorted((i for i in items if i["flag"]), key=lambda i: _first(i["columns"], position))
    return flagged + [i for i in items if not i["flag"]]


def _global_name(module_name, table):
    """``order_items`` for ``order_items = Table("order_items", ...)``, else the table's name."""
    module = sys.modules.get(module_name or "")
    for name, value in list(vars(module).items()) if module is not None else ():
        if value is table:
            return name
    return table.name


class Sources:
    """The statements of the project's files, each file parsed once: the statement around a line,
    the class statement of a class."""

    def __init__(self, project):
        self.project = project
        self._parsed = {}

    def span(self, path, line):
        """(first line, last line) of the innermost statement holding ``line``."""
        if not path or line is None:
            return line, line
        inside = [s for s in self._statements(path)[0] if s[0] <= line <= s[1]]
        if not inside:
            return line, line
        return min(inside, key=lambda s: s[1] - s[0])

    def class_statement(self, cls, site_path, site_line):
        """(path, first line with decorators, ``class`` line, last line) of the class statement named
        like ``cls`` in its module's file; the one holding the site line when there are several."""
        module = sys.modules.get(cls.__module__)
        file = getattr(module, "__file__", None)
        if not isinstance(file, str) or not self.project.owns(file):
            return None
        path = self.project.relative(file)
        found = [c for c in self._statements(path)[1] if c[0] == cls.__name__]
        if not found:
            return None
        hit = [c for c in found if path == site_path and site_line is not None and c[1] <= site_line <= c[3]]
        _, first, start, end = (hit or found)[0]
        return path, first, start, end

    def _statements(self, path):
        parsed = self._parsed.get(path)
        if parsed is None:
            parsed = self._parsed[path] = _parse(os.path.join(self.project.root, path))
        return parsed


def _parse(filename):
    """([(first, last)] of every statement, [(name, first line with decorators, line, last)] of every
    class statement)."""
    try:
        with tokenize.open(filename) as handle:
            tree = ast.parse(handle.read())
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return [], []
    statements, classes = [], []
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        end = getattr(node, "end_lineno", node.lineno)
        statements.append((node.lineno, end))
        if isinstance(node, ast.ClassDef):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            classes.append((node.name, first, node.lineno, end))
    return statements, classes

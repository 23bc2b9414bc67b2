"""A parsed module → FileFacts. Module level only; class bodies are read by ``classes``."""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from collections import deque
from contextlib import contextmanager

from ormdoctor.static import columns as col
from ormdoctor.static.classes import assigned_after_body, read_class
from ormdoctor.static.constraints import CONSTRAINT_KINDS, constraint, is_tuple_call
from ormdoctor.static.exprs import (CONVENTION_KEYS, callee, callee_tail, convention_dict, dotted,
                                    is_simple_function, is_type_checking_test, keyword, literal, pos,
                                    returns_engine_options_only, source_text, string, truthy_kw)
from ormdoctor.static.facts import (FLASK_MIGRATE, FUNCTION, MODULE, TYPE_CHECKING, AlembicEnvFact, FileFacts,
                                    ImperativeMapFact,
                                    ImportFact, ObjectFact, TableFact)
from ormdoctor.static.unroll import unrolled

OBJECT_CALLS = {
    "MetaData": "metadata",
    "declarative_base": "declarative_base",
    "registry": "registry",
    "generate_base": "generate_base",
    "SQLAlchemy": "flask_sqlalchemy",
    "as_declarative": "declarative_base",
}
_ORM_LIBRARIES = {"sqlalchemy", "flask_sqlalchemy", "sqlmodel"}
_ALIASABLE = set(OBJECT_CALLS) | {"Table", "Index"}
_COMPOUND = tuple(getattr(ast, name) for name in ("Try", "TryStar", "With", "AsyncWith", "For", "AsyncFor",
                                                   "While", "ExceptHandler") if hasattr(ast, name))
DYNAMIC_IMPORT_CALLS = {"import_module", "__import__", "import_string", "walk_packages", "iter_modules"}
# Calls that import the module a literal first argument names (importlib, oslo.utils, Werkzeug).
LITERAL_IMPORT_CALLS = {"import_module", "__import__", "import_string", "try_import"}
ROUTER_CALLS = {"APIRouter", "Blueprint", "Namespace"}
DATABASE_CONFIG_CALLS = {"transaction_context", "LegacyEngineFacade"}  # oslo.db: one per config group
APP_CALLS = {"FastAPI", "Flask", "Starlette", "Quart", "Litestar", "Sanic", "get_wsgi_application", "get_asgi_application"}


class ModuleReader:
    def __init__(self, facts: FileFacts):
        self.facts = facts
        # Inside `if __name__ == "__main__":` at module level: what is defined there exists only
        # in the process that runs this file as a script, never where it is imported.
        self.main_only = False
        self.main_blocks: list[tuple[int, int]] = []  # lines of the module-level `__main__` blocks
        self.branch: tuple = ()  # the if/else, try/except arms being read: alternatives never both run
        self.function: str | None = None  # the module-level function being read
        self.path_vars: dict[str, list[str]] = {}  # `HERE = Path(__file__).parent`: folders for sys.path
        self.folder_listings: set[str] = set()  # `modules = glob(join(dirname(__file__), "*.py"))`
        # `MYSQL_TABLE_ARGS = {"mysql_engine": "InnoDB"}`: what a later `__table_args__ = MYSQL_TABLE_ARGS` is
        self.table_args_values: dict[str, ast.AST] = {}
        # `from flask_sqlalchemy import SQLAlchemy as SQLAlchemyBase`: alias → the library's name,
        # for the module-level constructors read below (openFEC's `db = SQLAlchemyBase(...)`).
        self.library_names: dict[str, str] = {}
        # Table names the enclosing `if "x" not in metadata.tables:` blocks test for.
        self.absent_tables: frozenset[str] = frozenset()

    def read(self, tree: ast.Module, text: str | None = None) -> FileFacts:
        """``text``: the source, when known, lets the walk over every expression be skipped in
        files that cannot hold a call it looks for (most model files)."""
        self._body(tree.body, MODULE, nested=False)
        env = self.facts.alembic_env
        alembic = env is not None or text is None or "target_metadata" in text
        if not alembic and text is not None and not _may_hold_any_call(text):
            return self.facts
        configures = []
        lines = None if alembic or text is None else _call_word_lines(text)
        for node in ast.walk(tree) if lines is None else _nodes_on(tree, lines):
            if isinstance(node, ast.Call):
                self._any_call(node)
                if alembic and callee_tail(node) == "configure":
                    configures.append(node)
        if env is None:
            # Flask-Migrate's template: no module-level `target_metadata`, only
            # `context.configure(target_metadata=get_metadata(), ...)`.
            target = next((kw.value for call in configures for kw in call.keywords if kw.arg == "target_metadata"), None)
            if isinstance(target, ast.Name):
                target = _assigned_where_called(tree, target) or target
            env = self.facts.alembic_env = _alembic_target(target, target) if target is not None else None
        if env is not None:
            _flask_migrate_target(tree, env)
            _include_hooks(tree, configures, env)
        return self.facts

    # Statements ----------------------------------------------------------------------------
    def _body(self, body, context: str, nested: bool) -> None:
        for stmt in body:
            self._stmt(stmt, context, nested)

    def _stmt(self, stmt, context: str, nested: bool) -> None:
        if isinstance(stmt, ast.Assign):
            self._config_attribute(stmt)
        if context == FUNCTION and isinstance(stmt, (ast.Return, ast.Assign, ast.Expr)) and _makes_table(stmt.value):
            self.facts.tables_in_functions += 1
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                self.facts.imports.append(ImportFact(alias.name, 0, [], alias.asname, context, pos(stmt),
                                                 branch=self.branch, function=self.function))
        elif isinstance(stmt, ast.ImportFrom):
            names = [(a.name, a.asname) for a in stmt.names]
            if context == MODULE and stmt.level == 0 and (stmt.module or "").split(".")[0] in _ORM_LIBRARIES:
                self.library_names.update((a.asname, a.name) for a in stmt.names
                                          if a.asname and a.name in _ALIASABLE and a.asname != a.name)
            self.facts.imports.append(ImportFact(stmt.module or "", stmt.level, names, None, context, pos(stmt), True,
                                                 branch=self.branch, function=self.function))
        elif isinstance(stmt, ast.ClassDef) and context == TYPE_CHECKING:
            pass  # a stub for the type checker (`if TYPE_CHECKING: class Base: ...`): no class at run time
        elif isinstance(stmt, ast.ClassDef):
            self.facts.classes.append(read_class(stmt, nested or context == FUNCTION, self._table,
                                                 self.table_args_values))
            for inner in stmt.body:  # `__table_args__ = {...}`: what a later class may end its tuple with
                if isinstance(inner, ast.Assign) and isinstance(inner.value, ast.Dict) and any(
                        isinstance(t, ast.Name) and t.id == "__table_args__" for t in inner.targets):
                    self.table_args_values[f"{stmt.name}.__table_args__"] = inner.value
            self.facts.classes[-1].main_only = self.main_only
            self.facts.classes[-1].branch = self.branch
            for inner in stmt.body:
                if isinstance(inner, ast.ClassDef):
                    self.facts.classes.append(read_class(inner, True, self._table))
                elif isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self._imports_only(inner.body)
                elif isinstance(inner, (ast.Import, ast.ImportFrom)):
                    self._stmt(inner, context, nested)  # a class body runs when the module loads
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if stmt.name == "create_app" and context == MODULE:
                self.facts.creates_app = True
            outer = self.function
            self.function = outer or stmt.name
            if context == MODULE and is_simple_function(stmt):
                self.facts.functions[stmt.name] = source_text(stmt) or ""
            # Only helpers named for table args or options: judging every return of every function
            # would walk the bodies the statement-level extraction otherwise leaves alone.
            if context == MODULE and ("args" in stmt.name or "option" in stmt.name) \
                    and returns_engine_options_only(stmt):
                self.facts.option_functions[stmt.name] = True
            try:
                self._body(stmt.body, FUNCTION, True)
            finally:
                self.function = outer
        elif isinstance(stmt, ast.If):
            self._if(stmt, context, nested)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and context not in (FUNCTION, TYPE_CHECKING):
            # Under `if TYPE_CHECKING:` a name is bound for the type checker only: at run time the
            # `else:` arm binds it (`BaseModel = Model` / `else: BaseModel = db.Model`).
            self._assign(stmt)
        elif isinstance(stmt, ast.Expr) and context == MODULE and isinstance(stmt.value, (ast.Call, ast.Await)):
            self.facts.runs_code = self.facts.runs_code or not self.main_only
            if isinstance(stmt.value, ast.Call):
                self._module_call(None, stmt.value)
                self._property_added(stmt.value, stmt)
        if isinstance(stmt, ast.For) and context == MODULE and _defines_tables(stmt):
            bodies = unrolled(stmt)  # `for entity in ("user", "group"): Table(f"{entity}_map", ...)`
            if bodies is not None:
                for body in bodies:
                    self._body(body, context, nested)
                return
        if isinstance(stmt, _COMPOUND):
            # try/with/for/while bodies run when the module loads, like the module body itself;
            # a try's handlers run only when its body failed: they are its alternative.
            is_try = hasattr(stmt, "handlers")
            for field in ("body", "orelse", "finalbody", "handlers"):
                arm = {"body": "try", "handlers": "except"}.get(field) if is_try else None
                with self._arm(stmt, arm):
                    for child in getattr(stmt, field, None) or []:
                        self._stmt(child, context, nested)

    @contextmanager
    def _arm(self, stmt, arm: str | None):
        outer = self.branch
        if arm is not None:
            self.branch = outer + ((stmt.lineno, arm),)
        try:
            yield
        finally:
            self.branch = outer

    def _config_attribute(self, stmt: ast.Assign) -> None:
        """`config.tacker_config = CONF` (a migration command handing its settings to env.py),
        and `tacker_config = config.tacker_config` in the env.py that reads them."""
        for target in stmt.targets:
            if isinstance(target, ast.Attribute) and target.attr.endswith("_config") \
                    and isinstance(target.value, ast.Name):
                self.facts.config_attrs_set.append(target.attr)
        value = stmt.value
        if isinstance(value, ast.Attribute) and value.attr.endswith("_config") and dotted(value.value) in (
                "config", "context.config", "alembic_config", "cfg"):
            self.facts.config_attrs_read.append(value.attr)

    def _pytest_plugins(self, value) -> None:
        """`pytest_plugins = ("fixtures.db",)` in a conftest.py or a test module: pytest imports
        each module named when it collects this one, in the same process."""
        names = literal(value)
        for named in [names] if isinstance(names, str) else names if isinstance(names, (list, tuple)) else []:
            if isinstance(named, str) and named and all(part.isidentifier() for part in named.split(".")):
                self.facts.imports.append(ImportFact(named, 0, [], None, MODULE, pos(value), branch=self.branch))

    def _imports_only(self, body) -> None:
        """Imports inside a method run when it is called: recorded, never load-time edges. A
        class made there (`class Article(self.Model)` in a test's `create_models(self)`) is read
        as one defined inside a function: never mapped at load time, but counted as seen."""
        for node in body:
            for inner in _statements(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    self._stmt(inner, FUNCTION, True)
                elif isinstance(inner, ast.Assign):
                    self._config_attribute(inner)
                elif isinstance(inner, ast.ClassDef):
                    self.facts.classes.append(read_class(inner, True, self._table))
                if isinstance(inner, (ast.Return, ast.Assign, ast.Expr)) and _makes_table(inner.value):
                    self.facts.tables_in_functions += 1

    def _if(self, stmt: ast.If, context: str, nested: bool) -> None:
        if is_type_checking_test(stmt.test):
            self._body(stmt.body, TYPE_CHECKING if context == MODULE else context, nested)
            self._body(stmt.orelse, context, nested)
            return
        if context == MODULE and _is_main_test(stmt.test):
            self.facts.has_main_block = True
            self.main_blocks.append((stmt.lineno, stmt.end_lineno or stmt.lineno))
            outer, self.main_only = self.main_only, True
            try:
                self._body(stmt.body, context, nested)
            finally:
                self.main_only = outer
            self._body(stmt.orelse, context, nested)
            return
        outer = self.absent_tables
        self.absent_tables = outer | _absent_table_test(stmt.test)
        try:
            with self._arm(stmt, "if"):
                self._body(stmt.body, context, nested)
        finally:
            self.absent_tables = outer
        with self._arm(stmt, "else"):
            self._body(stmt.orelse, context, nested)

    def _assign(self, stmt) -> None:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        value = stmt.value
        if value is None:
            return
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr == "naming_convention":
                self._convention_assignment(target, value, stmt)
            elif isinstance(target, ast.Attribute) and target.attr == "metadata" and callee_tail(value) == "MetaData" \
                    and keyword(value, "naming_convention") is not None:
                # `Base.metadata = MetaData(naming_convention=...)` after the class statement
                self._convention_assignment(target, keyword(value, "naming_convention"), stmt)
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and not self.main_only:
                assigned_after_body(self.facts.classes, target.value.id, target.attr, value, stmt)
            if not isinstance(target, ast.Name):
                continue
            name = target.id
            if isinstance(value, (ast.Dict, ast.Tuple)) or is_tuple_call(value):
                self.table_args_values[name] = value
            else:
                self.table_args_values.pop(name, None)
            folder = _file_relative(value, self.path_vars, 0)
            if folder is not None:
                self.path_vars[name] = folder
            if _lists_own_folder(value, self.folder_listings):
                self.folder_listings.add(name)
            else:
                self.folder_listings.discard(name)
            if name == "target_metadata":
                self.facts.alembic_env = _alembic_target(value, stmt)
            elif name == "__all__":
                names = literal(value)
                if isinstance(names, (list, tuple)):
                    self.facts.all_names = [n for n in names if isinstance(n, str)]
                elif _lists_own_folder(value, self.folder_listings):
                    self.facts.all_lists_folder = True
            elif name == "pytest_plugins":
                self._pytest_plugins(value)
            elif isinstance(value, ast.Call) and isinstance(stmt, (ast.Assign, ast.AnnAssign)) \
                    and (pattern := _compiled_pattern(value)) is not None:
                self.facts.patterns[name] = pattern
            elif isinstance(value, ast.Call):
                self._module_call(name, value)
            elif isinstance(literal(value), (str, dict)) and isinstance(stmt, (ast.Assign, ast.AnnAssign)) \
                    and _storable(literal(value)):
                self.facts.constants[name] = literal(value)
            elif isinstance(value, ast.Dict) and CONVENTION_KEYS & set(convention_dict(value) or {}):
                self.facts.constants[name] = convention_dict(value)  # a convention with custom tokens
            elif (ref := _alias_target(value)) is not None:
                if ref in self.facts.constants and isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                    self.facts.constants[name] = self.facts.constants[ref]  # `TABLE_NAME = APP_NAME`
                # `Base = base`, `database = db`, `BASE = model_base.BASEV2`, `meta = db.metadata`
                self.facts.objects.append(ObjectFact(name, "alias", pos(stmt), "", ref=ref, main_only=self.main_only))

    def _convention_assignment(self, target: ast.Attribute, value, stmt) -> None:
        """``db.Model.metadata.naming_convention = naming_convention`` after the MetaData exists:
        recorded as an alias of the owner that carries the convention."""
        owner = dotted(target.value)
        if not owner:
            return
        fact = ObjectFact(f"<naming_convention of {owner}>", "convention", pos(stmt), "", ref=owner,
                          naming_convention=convention_dict(value),
                          naming_convention_ref=value.id if isinstance(value, ast.Name) else None,
                          main_only=self.main_only)
        self.facts.objects.append(fact)

    def _module_call(self, var: str | None, call: ast.Call) -> None:
        tail = callee_tail(call)
        if isinstance(call.func, ast.Name):
            tail = self.library_names.get(tail, tail)
        named = string(call.args[0]) if tail in LITERAL_IMPORT_CALLS and call.args else None
        if named and not named.startswith(".") and all(part.isidentifier() for part in named.split(".")):
            # `importutils.try_import("mistral.db.v2.sqlalchemy.models")` when the module loads:
            # the same as `import mistral.db.v2.sqlalchemy.models`.
            self.facts.imports.append(ImportFact(named, 0, [], None, MODULE, pos(call), branch=self.branch))
        if tail == "Table":
            self._table(call, var)
        elif tail == "Index":
            found = constraint(call)
            if found:
                found.var = var
                self.facts.indexes.append(found)
        elif tail in ("map_imperatively", "mapper") and len(call.args) >= 2:
            owner = (callee(call) or "").rsplit(".", 1)[0]
            self.facts.imperative_maps.append(ImperativeMapFact(owner, dotted(call.args[0]) or "?",
                                                                dotted(call.args[1]) or "?", pos(call)))
        elif var and tail in OBJECT_CALLS:
            self._object(var, tail, call)
        elif var and tail and tail.endswith("SQLAlchemy") and tail[0].isupper():
            # A project's own subclass of Flask-SQLAlchemy's extension (redash's RedashSQLAlchemy,
            # indico's IndicoSQLAlchemy): `db.Model` works the same way.
            self._object(var, "SQLAlchemy", call)
        elif var:
            # Anything else (`Model = create_model(db)`): a name the inventory knows is bound here,
            # to a value it cannot read.
            self.facts.objects.append(ObjectFact(var, "call", pos(call), callee(call) or "?", main_only=self.main_only))

    def _object(self, var: str, tail: str, call: ast.Call) -> None:
        args = {kw.arg: source_text(kw.value) or "" for kw in call.keywords if kw.arg}
        metadata_arg = keyword(call, "metadata")
        ref = dotted(metadata_arg) if metadata_arg is not None and not isinstance(metadata_arg, ast.Call) else None
        fact = ObjectFact(var, OBJECT_CALLS[tail], pos(call), callee(call) or tail, args=args, ref=ref,
                          schema=string(keyword(call, "schema")),
                          naming_convention=convention_dict(keyword(call, "naming_convention")),
                          naming_convention_ref=_name_ref(keyword(call, "naming_convention")),
                          main_only=self.main_only)
        if isinstance(metadata_arg, ast.Call) and callee_tail(metadata_arg) == "MetaData":
            fact.schema = string(keyword(metadata_arg, "schema"))
            if keyword(metadata_arg, "schema") is not None:
                fact.args["schema"] = source_text(keyword(metadata_arg, "schema")) or ""
            fact.naming_convention = convention_dict(keyword(metadata_arg, "naming_convention"))
            fact.naming_convention_ref = _name_ref(keyword(metadata_arg, "naming_convention"))
            fact.args["metadata"] = "<MetaData()>"
        self.facts.objects.append(fact)

    def _table(self, call: ast.Call, var: str | None) -> TableFact:
        args = list(call.args)
        name = string(args[0]) if args else string(keyword(call, "name"))
        metadata_ref = source_text(args[1]) if len(args) > 1 else source_text(keyword(call, "metadata"))
        owner = (callee(call) or "").rpartition(".")[0]
        if owner and len(args) > 1 and callee_tail(args[1]) in col.COLUMN_CALLS | set(CONSTRAINT_KINDS):
            # Flask-SQLAlchemy's `db.Table("tags", db.Column(...))`: no MetaData argument, db.metadata.
            metadata_ref = f"{owner}.metadata"
            args.insert(1, None)
        schema = keyword(call, "schema")
        written = args[0] if args else keyword(call, "name")
        table = TableFact(var=var, name=name, metadata_ref=metadata_ref, pos=pos(call),
                          schema=string(schema), schema_ref=dotted(schema) if string(schema) is None else None,
                          extend_existing=truthy_kw(call, "extend_existing"),
                          keep_existing=truthy_kw(call, "keep_existing"), main_only=self.main_only,
                          name_ref=source_text(written) if name is None and written is not None else None,
                          guarded=name is not None and name in self.absent_tables)
        for arg in args[2:]:
            tail = callee_tail(arg)
            if tail in col.COLUMN_CALLS:
                table.columns.append(col.parse_column_call(arg, None, "Column"))
            else:
                found = constraint(arg) if isinstance(arg, ast.Call) else None
                if found:
                    table.constraints.append(found)
        table.is_lookup = not table.columns and (len(args) <= 2 or truthy_kw(call, "autoload_with")
                                                 or keyword(call, "autoload_with") is not None)
        self.facts.tables.append(table)
        return table

    # Anywhere in the file ------------------------------------------------------------------
    def _property_added(self, call: ast.Call, stmt) -> None:
        """`User.__mapper__.add_property("organizations", relationship(...))` after the class
        statement (github2fedmsg): the mapper gains the attribute as if the class body had it."""
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "add_property" and len(call.args) == 2 \
                and isinstance(func.value, ast.Attribute) and func.value.attr == "__mapper__" \
                and isinstance(func.value.value, ast.Name) and not self.main_only:
            name = string(call.args[0])
            if name is not None:
                assigned_after_body(self.facts.classes, func.value.value.id, name, call.args[1], stmt)

    def _any_call(self, call: ast.Call) -> None:
        name = callee(call) or ""
        tail = name.rsplit(".", 1)[-1]
        if tail == "create_all":
            self.facts.calls_create_all = True
        elif tail == "revision" and name.endswith("command.revision"):
            self.facts.runs_alembic_revision = True  # `alembic.command.revision(config, autogenerate=True)`
        elif tail in ("reveal_type", "assert_type"):
            self.facts.type_checks = True
        elif tail in DYNAMIC_IMPORT_CALLS and (tail in ("walk_packages", "iter_modules")
                                               or call.args and string(call.args[0]) is None):
            self.facts.imports_dynamically = True
        elif tail in ("scan", "include") and name.rpartition(".")[0].rsplit(".", 1)[-1] in ("config", "configurator"):
            # Pyramid's `config.include(".accounts")` / `config.scan()` import packages by name.
            self.facts.imports_dynamically = True
        elif tail in ("create_engine", "create_async_engine") and call.args:
            self.facts.engine_urls.append(source_text(call.args[0]) or "?")
        elif tail in DATABASE_CONFIG_CALLS or keyword(call, "binds") is not None:
            self.facts.database_configs.append(f"{name or tail}@{call.lineno}")
        elif tail in APP_CALLS:
            self.facts.creates_app = True
        elif tail in ROUTER_CALLS:
            self.facts.defines_router = True
        elif name in ("sys.path.insert", "sys.path.append") and call.args \
                and not any(start <= call.lineno <= end for start, end in self.main_blocks):
            # Under `if __name__ == "__main__":` the folder is on sys.path only in the process that
            # runs this file as a script: not an import root of the project's other programs.
            found = _path_expr(call.args[-1], self.path_vars)
            if found:
                self.facts.sys_path_adds.append(found)


# An import is a statement: only these fields of a statement (or of an except clause or a
# match case) can hold one. Their order is ``_fields`` order, as in ``ast.iter_child_nodes``.
_STATEMENT_LISTS = frozenset(("body", "handlers", "orelse", "finalbody", "cases"))


def _makes_table(node) -> bool:
    """`Table("alarm", metadata, Column(...), ...)`: a named table with columns, not a lookup
    (`Table("alarm", metadata, autoload_with=engine)`) nor a call that merely passes one on."""
    return isinstance(node, ast.Call) and callee_tail(node) == "Table" and bool(node.args) \
        and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str) \
        and any(isinstance(a, ast.Call) and callee_tail(a) in col.COLUMN_CALLS for a in node.args[1:])


def _defines_tables(loop: ast.For) -> bool:
    return any(isinstance(node, ast.Call) and callee_tail(node) == "Table"
               for stmt in loop.body for node in ast.walk(stmt))


def _statements(node: ast.AST):
    """The statements under ``node`` in the order ``ast.walk`` yields them (breadth first),
    without visiting a single expression."""
    queue = deque([node])
    while queue:
        node = queue.popleft()
        for name in node._fields:
            if name in _STATEMENT_LISTS:
                queue.extend(getattr(node, name) or ())
        yield node


# The callees ``_any_call`` records, as they must appear in the source. A file holding none of
# them (and no non-ASCII identifier, which Python normalises) needs no walk over its calls.
# Keep it in step with ``_any_call``: a callee missing here is silently never recorded.
_CALL_WORDS = ("create_all", "command.revision", "reveal_type", "assert_type", *DYNAMIC_IMPORT_CALLS, ".include(", ".scan(",
               "create_engine", "create_async_engine", *DATABASE_CONFIG_CALLS, "binds", *APP_CALLS, *ROUTER_CALLS)


def _may_hold_any_call(text: str) -> bool:
    if not text.isascii() or any(word in text for word in _CALL_WORDS):
        return True
    return "sys" in text and "path" in text and ("insert" in text or "append" in text)


# The names ``_any_call`` tests, as words: a call it records spans a line holding one of them
# (or a non-ASCII character: Python normalises identifiers).
_CALL_NAMES = ("create_all", "revision", "reveal_type", "assert_type", *sorted(DYNAMIC_IMPORT_CALLS), "include", "scan",
               "create_engine", "create_async_engine", *sorted(DATABASE_CONFIG_CALLS), "binds",
               *sorted(APP_CALLS), *sorted(ROUTER_CALLS))
_PATH_NAMES = ("insert", "append")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _call_word_lines(text: str) -> list[int] | None:
    """The lines (ascending) a call ``_any_call`` records can span, or None when every node
    must be visited: a lone carriage return counts as a line end for the parser, not here."""
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return None
    words = _CALL_NAMES + _PATH_NAMES if "sys" in text and "path" in text else _CALL_NAMES
    offsets = []
    for word in words:  # one C-speed search per word: an alternation regex is ten times slower
        at = text.find(word)
        while at != -1:
            offsets.append(at)
            at = text.find(word, at + 1)
    if not text.isascii():
        offsets.extend(match.start() for match in _NON_ASCII.finditer(text))
    offsets.sort()
    lines, line, last = [], 1, 0
    for start in offsets:
        line += text.count("\n", last, start)
        last = start
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


def _nodes_on(tree: ast.AST, lines: list[int]):
    """``ast.walk(tree)`` without the subtrees whose lines hold none of ``lines``: the same
    nodes in the same order (breadth first) wherever it matters, at a fraction of the cost on
    a large file where a few lines can hold a call of interest."""
    if not lines:
        return
    queue = deque([tree])
    while queue:
        node = queue.popleft()
        for name in node._fields:
            value = getattr(node, name, None)
            for item in value if value.__class__ is list else (value,):
                if isinstance(item, ast.AST) and _spans_any(item, lines):
                    queue.append(item)
        yield node


def _spans_any(node: ast.AST, lines: list[int]) -> bool:
    start = getattr(node, "lineno", None)
    if start is None:  # no position (arguments, comprehensions, operators): look inside
        return True
    decorators = getattr(node, "decorator_list", None)
    if decorators:  # a def's or class's position is its keyword's line, below its decorators
        start = min(start, decorators[0].lineno)
    k = bisect_left(lines, start)
    return k < len(lines) and lines[k] <= (getattr(node, "end_lineno", None) or start)


INCLUDE_HOOKS = ("include_object", "include_name")


def _include_hooks(tree: ast.Module, configures: list[ast.Call], env: AlembicEnvFact) -> None:
    """The filters env.py hands to ``context.configure``, and the strings they compare against."""
    functions = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    for call in configures:
        for kw in call.keywords:
            if kw.arg == "include_schemas" and literal(kw.value) is True:
                env.include_schemas = True
            if kw.arg == "version_table":
                env.version_table = string(kw.value)
            elif kw.arg == "version_table_schema" and literal(kw.value) is not None:
                env.version_table = None
            if kw.arg not in INCLUDE_HOOKS:
                continue
            body = functions.get(kw.value.id) if isinstance(kw.value, ast.Name) else kw.value
            name = kw.value.id if isinstance(kw.value, ast.Name) else source_text(kw.value) or kw.arg
            if name not in env.include_hooks:
                env.include_hooks.append(name)
            for node in ast.walk(body) if body is not None else ():
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value not in env.include_literals:
                    env.include_literals.append(node.value)
            prefix = _returned_prefix(tree, body)
            if prefix is not None and prefix not in env.include_prefixes:
                env.include_prefixes.append(prefix)


def _returned_prefix(tree: ast.Module, hook) -> str | None:
    """`return object_name.startswith("plugin_")` (or a module constant, or env.py's own folder
    name) as the hook's one table test: only tables with that prefix are compared."""
    returns = [n for n in ast.walk(hook) if isinstance(n, ast.Return)] if hook is not None else []
    tests = [r.value for r in returns if isinstance(r.value, ast.Call) and callee_tail(r.value) == "startswith"]
    if len(tests) != 1 or len(tests[0].args) != 1:
        return None
    arg = tests[0].args[0]
    if string(arg) is not None:
        return string(arg)
    assigned = {t.id: n.value for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    value = assigned.get(arg.id) if isinstance(arg, ast.Name) else None
    if string(value) is not None:
        return string(value)
    text = (source_text(value) or "").replace(" ", "")
    return "@folder" if text == "os.path.basename(os.path.dirname(__file__))" else None


def _name_ref(node) -> str | None:
    return node.id if isinstance(node, ast.Name) else None


def _is_main_test(test) -> bool:
    return isinstance(test, ast.Compare) and dotted(test.left) == "__name__" and \
        any(string(c) == "__main__" for c in test.comparators)


def _assigned_where_called(tree: ast.Module, name: ast.Name):
    """`target_metadata = models.Base.metadata` assigned once in the module-level function that
    passes it to `context.configure(target_metadata=target_metadata)` (refstack's
    run_migrations_online): the value assigned, else None."""
    for function in tree.body:
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        nodes = list(ast.walk(function))
        if not any(node is name for node in nodes):
            continue
        values = [n.value for n in nodes if isinstance(n, ast.Assign) and len(n.targets) == 1
                  and isinstance(n.targets[0], ast.Name) and n.targets[0].id == name.id]
        return values[0] if len(values) == 1 else None
    return None


def _flask_migrate_target(tree: ast.Module, env: AlembicEnvFact) -> None:
    """`current_app.extensions['migrate'].db.metadata`, directly, through a module variable
    (`target_db = current_app.extensions['migrate'].db`) or a function returning it
    (`get_metadata()`): the Flask-SQLAlchemy object's MetaData."""
    dbs = {t.id for n in tree.body if isinstance(n, ast.Assign) and _is_migrate_db(n.value)
           for t in n.targets if isinstance(t, ast.Name)}
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    found = []
    for expr in env.target_metadata:
        text = expr.replace(" ", "").replace('"', "'")
        called = functions.get(text[:-2]) if text.endswith("()") else None
        returns = [r.value for r in ast.walk(called) if isinstance(r, ast.Return) and r.value is not None] if called else []
        found.append(FLASK_MIGRATE if _migrate_metadata(text, dbs) or (
            returns and all(_migrate_metadata(source_text(r) or "", dbs) for r in returns)) else expr)
    env.target_metadata = found


def _is_migrate_db(node) -> bool:
    return (source_text(node) or "").replace(" ", "").replace('"', "'").endswith(".extensions['migrate'].db")


def _migrate_metadata(text: str, dbs: set[str]) -> bool:
    text = text.replace(" ", "").replace('"', "'")
    for suffix in (".metadata", ".metadatas[None]"):
        if text.endswith(suffix):
            owner = text[: -len(suffix)]
            return owner.endswith(".extensions['migrate'].db") or owner in dbs
    return False


def _absent_table_test(test) -> frozenset[str]:
    """`"user" not in Base.metadata.tables`: the table names a guard tests are not defined yet."""
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.NotIn) \
            and string(test.left) is not None and isinstance(test.comparators[0], ast.Attribute) \
            and test.comparators[0].attr == "tables":
        return frozenset({string(test.left)})
    return frozenset()


def _alembic_target(value, stmt) -> AlembicEnvFact:
    if isinstance(value, (ast.List, ast.Tuple)):
        return AlembicEnvFact([source_text(e) or "?" for e in value.elts], pos(stmt), "list")
    if isinstance(value, ast.Constant) and value.value is None:
        return AlembicEnvFact([], pos(stmt), "none")
    return AlembicEnvFact([dotted(value) or source_text(value) or "?"], pos(stmt), "single")


def _path_expr(node, variables: dict[str, list[str]] | None = None) -> str | None:
    """A sys.path entry: a literal string, or a folder relative to this file written with
    ``__file__`` (``Path(__file__).resolve().parents[1] / "src"``, ``os.path.dirname(...)``,
    a module-level variable holding one) → "@file/../src". Anything else: None (not evidence)."""
    text = string(node)
    if text is not None:
        return text
    parts = _file_relative(node, variables or {}, 0)
    if parts is None or "<file>" in parts:
        return None
    return "/".join(["@file", *parts])


_MAX_UPS = 64  # `parents[10**9]` is not a path anyone means: ignored, never expanded
_SAME_PATH_CALLS = {"Path", "PurePath", "PosixPath", "str", "fspath", "abspath", "realpath", "normpath",
                    "resolve", "absolute", "expanduser"}


def _file_relative(node, variables: dict[str, list[str]], depth: int) -> list[str] | None:
    """The path as parts relative to this file's folder; "<file>" stands for the file itself."""
    if depth > 20:
        return None
    if isinstance(node, ast.Name):
        if node.id == "__file__":
            return ["<file>"]
        found = variables.get(node.id)
        return list(found) if found is not None else None
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        inner = _file_relative(node.value, variables, depth + 1)
        return _up(inner, 1)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents":
        index = literal(node.slice)
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < _MAX_UPS:
            return None
        return _up(_file_relative(node.value.value, variables, depth + 1), index + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _join(_file_relative(node.left, variables, depth + 1), [node.right])
    if isinstance(node, ast.Call):
        tail = callee_tail(node)
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        if tail in ("resolve", "absolute") and receiver is not None and not node.args:
            return _file_relative(receiver, variables, depth + 1)
        if tail == "dirname" and len(node.args) == 1:
            return _up(_file_relative(node.args[0], variables, depth + 1), 1)
        if tail == "join" and node.args:
            return _join(_file_relative(node.args[0], variables, depth + 1), node.args[1:])
        if tail in _SAME_PATH_CALLS and len(node.args) == 1:
            return _file_relative(node.args[0], variables, depth + 1)
    return None


def _up(parts: list[str] | None, levels: int) -> list[str] | None:
    if parts is None:
        return None
    for _ in range(levels):
        if parts and parts[-1] != "..":
            parts = parts[:-1]
        else:
            parts = parts + [".."]
    return parts


def _join(parts: list[str] | None, segments) -> list[str] | None:
    for segment in segments:
        text = string(segment)
        if parts is None or text is None or text.startswith("/"):
            return None
        for piece in text.split("/"):
            if piece == "..":
                parts = _up(parts, 1)
            elif piece not in ("", "."):
                parts = parts + [piece]
    return parts


def read_module(tree: ast.Module, facts: FileFacts, text: str | None = None) -> FileFacts:
    return ModuleReader(facts).read(tree, text)


def _compiled_pattern(call: ast.Call) -> str | None:
    """The pattern of ``re.compile("...")`` with no flags: text a table-name helper may apply."""
    if dotted(call.func) == "re.compile" and len(call.args) == 1 and not call.keywords:
        pattern = literal(call.args[0])
        return pattern if isinstance(pattern, str) and _storable(pattern) else None
    return None


_FOLDER_LISTINGS = frozenset({"glob", "iglob", "listdir", "scandir", "iterdir", "iter_modules"})


def _lists_own_folder(value, listings: set[str]) -> bool:
    """Whether a value is built from the listing of the module's own folder: a
    `glob`/`listdir`/`iter_modules` call and `__file__` or `__path__` in the expression, or a name
    ``listings`` holds (the "import every model" recipe: `modules = glob(join(dirname(__file__),
    "*.py"))`, then `__all__ = [basename(f)[:-3] for f in modules]`)."""
    calls = names = False
    for node in ast.walk(value):
        if isinstance(node, ast.Call) and (callee_tail(node) or "") in _FOLDER_LISTINGS:
            calls = True
        elif isinstance(node, ast.Name) and node.id in ("__file__", "__path__"):
            names = True
        elif isinstance(node, ast.Name) and node.id in listings:
            return True
    return calls and names


def _alias_target(value) -> str | None:
    """The name an assignment makes another name for: `Base = base`, `meta = db.metadata`, or the
    arm of a conditional that names one (kotaemon's `_base_conv = import_dotted_string(...) if
    hasattr(settings, "KH_TABLE_CONV") else base_models.BaseConversation`: a deployment may swap in
    its own class, and the project's default is the one the code can show)."""
    if isinstance(value, ast.IfExp):
        arms = [dotted(arm) for arm in (value.orelse, value.body) if isinstance(arm, (ast.Name, ast.Attribute))]
        return next((arm for arm in arms if arm and arm != "None"), None)
    if isinstance(value, (ast.Name, ast.Attribute)):
        return dotted(value) or None
    return None


def _storable(value: object) -> bool:
    """A constant the facts cache can store as JSON and give back unchanged: strings, numbers,
    None, and dicts/lists of them (a dict of bytes digests in a test file is none of these)."""
    if value is None or isinstance(value, (str, int, float)):
        return True
    if isinstance(value, dict):
        return all(isinstance(k, str) and _storable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_storable(v) for v in value)
    return False

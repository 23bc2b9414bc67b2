"""Per-file facts read from source without executing it.

Everything here describes ONE file and refers to other code only by the names written in
it; resolving those names across files is the inventory's job. Facts are plain dataclasses
so the cache stores them as plain JSON (see ``codec``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Where an import statement runs: only "module" imports load anything when the file loads.
MODULE, TYPE_CHECKING, FUNCTION = "module", "type_checking", "function"


@dataclass(order=True, slots=True)
class Pos:
    """Ordered by line, then column: findings and metadata sort by (path, pos). A value: the
    decoder hands out one object per (line, column) (a tree holds millions of positions and a
    few thousand distinct ones), so a Pos is never changed in place."""

    line: int
    column: int  # 1-based

    __codec_shared__ = True


@dataclass(slots=True)
class ImportFact:
    """``import a.b as c`` → module="a.b", names=[], asname="c".
    ``from ..x import y as z`` → module="x", level=2, names=[("y", "z")]."""

    module: str
    level: int
    names: list[tuple[str, str | None]]
    asname: str | None
    context: str
    pos: Pos
    is_from: bool = False
    branch: tuple = ()  # the if/else and try/except arms it sits in: see `exclusive()`
    function: str | None = None  # for FUNCTION imports: the module-level function (`create_app`) they run in


def exclusive(a: tuple, b: tuple) -> bool:
    """Whether two statements sit in arms of one `if`/`else` or `try`/`except ImportError` that
    never both run: ``((12, "if"),)`` and ``((12, "else"),)``. A branch is the path of
    ``(line of the statement, arm)`` pairs from the module body down."""
    for (line_a, arm_a), (line_b, arm_b) in zip(a, b):
        if line_a != line_b:
            return False
        if arm_a != arm_b:
            return {arm_a, arm_b} in ({"if", "else"}, {"try", "except"})
    return False


@dataclass(slots=True)
class ForeignKeyFact:
    target: str  # "table.col", "schema.table.col", or "Model.attr" for ForeignKey(Model.id)
    ondelete: str | None = None
    onupdate: str | None = None
    pos: Pos | None = None
    target_is_expr: bool = False


@dataclass(slots=True)
class ColumnFact:
    attr: str | None  # attribute name on the class (None for Table() columns)
    name: str | None  # database column name (None: unknown)
    type: str | None  # the type as written: "Integer", "String(50)", "int", "UUID"
    pos: Pos
    style: str  # Column | mapped_column | Mapped | Field | sa_column
    primary_key: bool = False
    unique: bool = False
    index: bool = False
    nullable: bool | None = None  # None: SQLAlchemy's default
    foreign_keys: list[ForeignKeyFact] = field(default_factory=list)
    default: str | None = None
    server_default: str | None = None
    use_existing_column: bool = False
    autoincrement: bool | None = None
    comment: str | None = None
    after_body: bool = False  # `Cls.col = Column(...)` after the class statement


@dataclass(slots=True)
class RelationshipFact:
    attr: str
    target: str | None  # class name, dotted path, or None when not statically known
    target_form: str  # string | name | lambda | annotation | unknown
    pos: Pos
    back_populates: str | None = None
    backref: str | None = None
    secondary: str | None = None
    secondary_form: str | None = None  # string | name
    uselist: bool | None = None
    collection: bool | None = None  # from Mapped[list[X]] / List[X]
    cascade: str | None = None
    passive_deletes: bool = False
    viewonly: bool = False
    foreign_keys: str | None = None
    after_body: bool = False  # `Cls.rel = relationship(...)` after the class statement
    custom_join: bool = False  # primaryjoin= / secondaryjoin= given: its own columns
    overlaps: str | None = None  # `overlaps="a,b"` as written: conflicts it says are intended
    # `backref=backref("x", viewonly=True, ...)`: keyword names of the backref() call
    backref_options: list[str] = field(default_factory=list)
    spread_options: bool = False  # `relationship(X, **options)`: options not read


@dataclass(slots=True)
class ConstraintFact:
    """Index / UniqueConstraint / PrimaryKeyConstraint / CheckConstraint / ForeignKeyConstraint."""

    kind: str  # index | unique | check | primary_key | foreign_key
    name: str | None
    columns: list[str]
    pos: Pos
    unique: bool = False
    # For an Index written as a shared object (a name, not a call) in __table_args__.
    object_ref: str | None = None
    table_ref: str | None = None  # module-level Index(..., tbl.c.x) / Index(..., Model.x)
    var: str | None = None  # the module-level name an `Index(...)` is assigned to (`ix = Index(...)`)
    fk_target: list[str] = field(default_factory=list)
    ondelete: str | None = None
    onupdate: str | None = None
    sqltext: str | None = None
    # Dialect options that change what the index covers or how (`postgresql_where=`, `_using=`,
    # `_include=`, `_ops=`), as written: a partial or GIN index is not a copy of a plain one.
    variant: str | None = None
    # A name written as an expression (`"ix_%s_code" % __tablename__`, an f-string, a constant):
    # its source, evaluated by the inventory where it can be; `name` is then None.
    name_expr: str | None = None


@dataclass(slots=True)
class TableArgsFact:
    pos: Pos
    form: str  # dict | tuple | invalid | declared_attr | unknown
    schema: str | None = None
    schema_known: bool = True
    schema_ref: str | None = None  # `"schema": settings.SCHEMA`: a name the inventory may find a constant for
    call_ref: str | None = None  # `__table_args__ = sql.table_args()`: the function called (FileFacts.option_functions)
    extend_existing: bool = False
    keep_existing: bool = False
    constraints: list[ConstraintFact] = field(default_factory=list)
    invalid_reason: str | None = None  # what is wrong, said after "Model.__table_args__ "
    # How to write it right: "comma" (`(X)` → `(X,)`), "tuple" (a list, or `tuple(X)`, → `(X,)`).
    repair: str | None = None
    crashes: bool = True  # False: the class is defined and the constraints are silently dropped
    # False: some constraints are computed (`cls._table_args + (...)`, one tuple per branch):
    # `constraints` holds only the ones written, and no rule may take a missing one as absent.
    constraints_known: bool = True


@dataclass(slots=True)
class TablenameFact:
    """How a class names its table."""

    kind: str  # literal | expr (over module constants) | declared_attr | none (`= None`) | unknown
    value: str | None = None  # literal name, or a pattern: "{lower}", "{lower}s", "{name}", "{snake}"
    pos: Pos | None = None
    returns_none_when_inherited: bool = False
    expr: str | None = None  # a declared_attr's returned expression when no pattern fits: evaluated later


@dataclass(slots=True)
class ClassFact:
    name: str
    pos: Pos
    end_line: int
    bases: list[str]  # dotted source text of each base: "Base", "db.Model", "models.Base"
    keywords: dict[str, str]  # class keywords as source text: {"table": "True", "metaclass": "X"}
    decorators: list[str]
    docstring: str | None = None
    tablename: TablenameFact | None = None
    table_args: TableArgsFact | None = None
    table_assign: str | None = None  # __table__ = <name>
    abstract: bool = False
    bind_key: str | None = None
    mapper_args: dict[str, str] = field(default_factory=dict)
    mapper_args_pos: Pos | None = None
    columns: list[ColumnFact] = field(default_factory=list)
    relationships: list[RelationshipFact] = field(default_factory=list)
    # Attributes assigned in the body, with positions: reserved-name and misspelling checks need them.
    attributes: dict[str, Pos] = field(default_factory=dict)
    # `metadata = MetaData(...)` / `registry = registry(...)` in a DeclarativeBase subclass body.
    metadata_value: "ObjectFact | None" = None
    naming_convention: dict[str, str] | None = None
    nested: bool = False  # defined inside a function or another class
    # A metaclass whose `__new__` passes table=True on (a library's SQLModel base class uses it):
    # the classes it makes are tables.
    makes_tables: bool = False
    # `self.base = declarative_base()` in `__init__`: attributes its instances hold a new
    # declarative base in (eNMS's `Database`, whose module-level `db = Database()` gives `db.base`).
    base_attributes: list[str] = field(default_factory=list)
    main_only: bool = False  # under `if __name__ == "__main__":`: exists only when the file runs as a script
    branch: tuple = ()  # the if/else and try/except arms it sits in: see `exclusive()`
    impl: str | None = None  # `impl = String(36)` in the body, as written: a TypeDecorator's real type
    # `avatar_url = Mapped[str]`: an annotation written as an assignment (no column), name → place
    assigned_types: dict[str, Pos] = field(default_factory=dict)
    # What the Column calls of the body are qualified with: "sa", "db", "" (a bare `Column`),
    # "tables" (Horizon's `tables.Column`, no SQLAlchemy column).
    column_qualifiers: list[str] = field(default_factory=list)



@dataclass(slots=True)
class ObjectFact:
    """A module-level SQLAlchemy object: MetaData(), declarative_base(), registry(),
    SQLAlchemy(), generate_base(), Base.metadata aliases."""

    name: str  # variable name it is bound to
    kind: str  # metadata | declarative_base | registry | generate_base | flask_sqlalchemy | alias
    pos: Pos
    call: str  # callee as written: "MetaData", "declarative_base", "orm.registry", "mapper_registry.generate_base"
    args: dict[str, str] = field(default_factory=dict)  # keyword → source text (metadata=, model_class=, schema=)
    schema: str | None = None
    naming_convention: dict[str, str] | None = None
    ref: str | None = None  # alias target (Base.metadata, db.metadata) or `metadata=` argument
    naming_convention_ref: str | None = None  # naming_convention=<module constant>
    main_only: bool = False  # under `if __name__ == "__main__":`


@dataclass(slots=True)
class TableFact:
    """An imperative ``Table("name", metadata, Column(...), ...)``."""

    var: str | None
    name: str | None
    metadata_ref: str | None  # source text of the MetaData argument
    pos: Pos
    schema: str | None = None
    schema_ref: str | None = None  # `schema=SCHEMA_NAME`: a name the inventory may find a constant for
    columns: list[ColumnFact] = field(default_factory=list)
    constraints: list[ConstraintFact] = field(default_factory=list)
    extend_existing: bool = False
    keep_existing: bool = False
    is_lookup: bool = False  # Table("x", md) / autoload: refers to a table, defines nothing
    in_class: str | None = None  # assigned as __table__ inside a class
    main_only: bool = False  # under `if __name__ == "__main__":`
    name_ref: str | None = None  # the name as written when it is not a literal: `f"{entity}_map"`, `NAME`
    # Under `if "user" not in Base.metadata.tables:`: made only where no other definition exists.
    guarded: bool = False


@dataclass(slots=True)
class ImperativeMapFact:
    """``mapper_registry.map_imperatively(User, user_table)``."""

    registry: str
    class_name: str
    table: str
    pos: Pos


# Flask-Migrate runs env.py inside the application: `current_app.extensions['migrate'].db` is the
# `SQLAlchemy()` object given to `Migrate(app, db)`, and its `.metadata` (or `.metadatas[None]`,
# the default bind) is the target. AlembicEnvFact.target_metadata holds this marker for it.
FLASK_MIGRATE = "<flask-migrate db>.metadata"


@dataclass(slots=True)
class AlembicEnvFact:
    target_metadata: list[str]  # source text of each metadata expression
    pos: Pos
    form: str  # single | list | none | unknown
    # `context.configure(include_object=..., include_name=...)`: the hooks that filter what
    # autogenerate compares, and the string literals in them (table names they single out).
    include_hooks: list[str] = field(default_factory=list)
    include_literals: list[str] = field(default_factory=list)
    include_schemas: bool = False  # `context.configure(include_schemas=True)`
    # `return name.startswith(prefix)` in a hook: only tables with one of these prefixes are
    # compared. "@folder" is env.py's folder name (CKAN's plugin template:
    # `os.path.basename(os.path.dirname(__file__))`).
    include_prefixes: list[str] = field(default_factory=list)
    # The table that records the revision: Alembic's default unless `context.configure` names
    # another (neutron's subprojects: `version_table="alembic_version_fwaas"`); None when it is
    # computed or put in another schema.
    version_table: str | None = "alembic_version"


@dataclass(slots=True)
class ParseErrorFact:
    message: str
    pos: Pos
    kind: str  # syntax | encoding | too-large | unreadable


@dataclass(slots=True)
class FileFacts:
    path: str  # relative to the project root, "/" separated
    digest: str
    parsed: bool = True  # False: only the fast import scan ran (no ORM code in the file)
    error: ParseErrorFact | None = None
    imports: list[ImportFact] = field(default_factory=list)
    classes: list[ClassFact] = field(default_factory=list)
    objects: list[ObjectFact] = field(default_factory=list)
    tables: list[TableFact] = field(default_factory=list)
    indexes: list[ConstraintFact] = field(default_factory=list)  # module-level Index()
    imperative_maps: list[ImperativeMapFact] = field(default_factory=list)
    alembic_env: AlembicEnvFact | None = None
    sys_path_adds: list[str] = field(default_factory=list)  # literal sys.path.insert/append
    all_names: list[str] | None = None  # __all__
    # `__all__` computed from the package folder's listing (`glob(join(dirname(__file__), "*.py"))`):
    # `from package import *` imports every module in that folder.
    all_lists_folder: bool = False
    has_main_block: bool = False
    creates_app: bool = False  # FastAPI(), Flask(), create_app, ASGI/WSGI app
    calls_create_all: bool = False
    runs_code: bool = False  # module-level calls or loops: a script, when nothing imports it
    defines_router: bool = False  # APIRouter() / Blueprint(): routes a program mounts, not a program
    # reveal_type() / assert_type(): a type checker's input (SQLAlchemy's test/typing/plain_files),
    # which mypy reads and no program runs.
    type_checks: bool = False
    # importlib.import_module(<not a literal>), pkgutil.walk_packages(): loads modules by computed
    # name (indico's import_all_models()), so what a process loads is not knowable statically.
    imports_dynamically: bool = False
    # `alembic.command.revision(...)`: the project's own migration command (warehouse's
    # `warehouse db revision --autogenerate`) runs env.py in its process.
    runs_alembic_revision: bool = False
    # A project's migration command runs env.py in its own process, passing its settings on the
    # Alembic Config (`config.tacker_config = CONF`, OpenStack's cli.py): the `*_config`
    # attributes env.py reads from `context.config`, and those this module sets on a Config.
    config_attrs_read: list[str] = field(default_factory=list)
    config_attrs_set: list[str] = field(default_factory=list)
    engine_urls: list[str] = field(default_factory=list)  # create_engine(<this>) as written
    # Other ways a program configures a database connection, as written: oslo.db's
    # `enginefacade.transaction_context()` (one per config group), `Session(binds={...})`.
    database_configs: list[str] = field(default_factory=list)
    noqa: dict[int, list[str]] = field(default_factory=dict)  # line → codes ("*" = all)
    constants: dict[str, object] = field(default_factory=dict)  # module-level str / dict-of-str literals
    # Small module-level functions (source) the inventory may interpret: table-name helpers.
    functions: dict[str, str] = field(default_factory=dict)
    # `def table_args(): ... return {"mysql_engine": "InnoDB"} ... return None`: module-level
    # functions whose every return is None or a dict of engine options (no schema, no
    # extend_existing), so `__table_args__ = table_args()` names no schema (solum's models).
    option_functions: dict[str, bool] = field(default_factory=dict)
    # `CAMEL_TO_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")`: name → pattern, for the same helpers.
    patterns: dict[str, str] = field(default_factory=dict)
    encoding: str = "utf-8"
    # The file says it is generated code (a reflection snapshot): "sqlacodegen", or "a
    # generated-code header" ("auto-generated", "DO NOT EDIT", "@generated").
    generated: str | None = None
    # `def create_alarm(metadata): return Table("alarm", metadata, Column(...))`: tables made
    # when a function runs, which no static reading maps; counted so the run says it is blind to them.
    tables_in_functions: int = 0


def module_bindings(facts: FileFacts):
    """(name, line, is_class) for each statement that binds a name at a module's level when it
    runs: imports (not those under `if TYPE_CHECKING:` or in functions), classes, module objects
    and assigned Table()s."""
    for fact in facts.imports:
        if fact.context != MODULE:
            continue
        if not fact.is_from:
            yield fact.asname or fact.module.split(".")[0], fact.pos.line, False
            continue
        for name, asname in fact.names:
            if name != "*":
                yield asname or name, fact.pos.line, False
    for cls in facts.classes:
        if not cls.nested:
            yield cls.name, cls.pos.line, True
    for obj in facts.objects:
        yield obj.name, obj.pos.line, False
    for table in facts.tables:
        if table.var:
            yield table.var, table.pos.line, False


def is_test_file(path: str) -> bool:
    """A module pytest collects or configures: `test_x.py`, `x_test.py`, `conftest.py`."""
    base = path.rsplit("/", 1)[-1]
    return base.startswith("test_") or base.endswith("_test.py") or base == "conftest.py"


def is_alternative(cls: ClassFact, classes: list[ClassFact]) -> bool:
    """A class defined in the `else:`/`except ImportError:` arm of a statement whose other arm
    defines the same name is that class's alternative: only one of them ever runs."""
    return bool(cls.branch) and any(other is not cls and other.name == cls.name and other.pos < cls.pos
               and exclusive(other.branch, cls.branch) for other in classes)


# Bases that make a class generic or abstract for the type checker and nothing for SQLAlchemy:
# a class on these alone is a plain class (fastapi-users' `SQLAlchemyBaseUserTable(Generic[ID])`).
_TYPING_BASES = {"object", "Generic", "typing.Generic", "Protocol", "typing.Protocol", "typing_extensions.Protocol",
                 "ABC", "abc.ABC"}


def real_bases(cls: "ClassFact") -> list[str]:
    """The bases that can make a class mapped: all but `object`, `Generic[T]`, `Protocol`, `ABC`."""
    return [b for b in cls.bases if b.split("[", 1)[0] not in _TYPING_BASES]


def base_templates(facts: FileFacts) -> set[str]:
    """Classes a module's `declarative_base(cls=X)` makes its declarative base from (tacker's
    `BASE = declarative_base(cls=TackerBaseV1)`): the base's template, never a model itself."""
    return {obj.args["cls"] for obj in facts.objects if obj.kind == "declarative_base" and obj.args.get("cls")}

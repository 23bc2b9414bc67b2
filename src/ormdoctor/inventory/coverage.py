"""How much of the model layer the analysis saw: classes that look mapped versus classes
resolved to a registry and a MetaData, and why each of the others was not.

A class with a base *looks mapped* when its body says so, whatever the base is: a ``__tablename__``, a
``__table__``, ``table=True``, or ``Column``/``mapped_column`` attributes. It is *resolved* when
the inventory traced it to a registry and MetaData. The rest each get one reason; the reasons
the run reports as findings (a computed table name, a class defined inside a function) count
as *explained*.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ormdoctor.inventory.model import Inventory
from ormdoctor.static.facts import ClassFact, base_templates, is_alternative, real_bases

# Column styles that only a mapped class (or its mixin) uses; `Field`/annotations are pydantic too.
_MAPPED_STYLES = ("Column", "mapped_column", "sa_column")

COMPUTED = "table name or schema computed"
NO_TABLE = "no table name"
NESTED = "defined inside a function"
UNTRACED = "base not traceable"
EXTERNAL = "base from another package"
FACTORY = "base made by a call ormdoctor cannot follow"
NO_ROOT = "module not under any import root"

# Reasons the run reports on its own (ORM002 names the class and the expression).
EXPLAINED = frozenset({COMPUTED, NO_TABLE, NESTED})


@dataclass(frozen=True)
class Unseen:
    path: str
    name: str
    line: int
    reason: str
    bases: tuple[str, ...]


@dataclass
class Coverage:
    looks_mapped: int = 0
    resolved: int = 0
    unseen: list[Unseen] = field(default_factory=list)
    tables_in_functions: int = 0  # Table(...) calls made when a function runs: never read
    # With no class that looks mapped anywhere: the declarative bases made all the same
    # (`ModelBase = declarative_base()`, kombu's, whose models `type()` builds at run time).
    empty_bases: list[str] = field(default_factory=list)

    @property
    def explained(self) -> int:
        return sum(1 for u in self.unseen if u.reason in EXPLAINED)

    def reasons(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.unseen:
            counts[item.reason] = counts.get(item.reason, 0) + 1
        return dict(sorted(counts.items()))

    def as_dict(self) -> dict:
        found = {"looks_mapped": self.looks_mapped, "resolved": self.resolved, "explained": self.explained,
                 "unresolved": self.reasons()}
        if self.tables_in_functions:
            found["tables_in_functions"] = self.tables_in_functions
        if self.empty_bases:
            found["empty_bases"] = list(self.empty_bases)
        return found

    @property
    def unexplained(self) -> list[Unseen]:
        return [u for u in self.unseen if u.reason not in EXPLAINED]


def looks_mapped(cls: ClassFact) -> bool:
    if any(b in ("type", "builtins.type", "DeclarativeMeta", "DeclarativeAttributeIntercept") or b.endswith(
            (".DeclarativeMeta", ".DeclarativeAttributeIntercept")) for b in cls.bases):
        return False  # a metaclass (`class NameMetaMixin(type)`): it makes classes, it is none
    if not real_bases(cls):
        # A class without bases is a mixin, mapped only through its subclasses, unless a
        # decorator maps it (`@mapper_registry.mapped`) and it names its table.
        mapping = [d for d in cls.decorators if d.split("(")[0].rsplit(".", 1)[-1] != "declarative_mixin"]
        return bool(mapping) and (cls.tablename is not None and cls.tablename.kind == "literal" or bool(cls.table_assign))
    return not _names_no_table(cls) or any(c.style in _MAPPED_STYLES for c in cls.columns)


def coverage(inventory: Inventory) -> Coverage:
    return inventory.derived("coverage", lambda: _compute(inventory))


def _compute(inventory: Inventory) -> Coverage:
    models = {(c.path, c.name, c.pos.line): c for c in inventory.classes}
    reported = {(u.path, u.subject, u.pos.line): NO_TABLE if "maps no table" in u.reason else COMPUTED
                for u in inventory.unresolved}
    mixins = _mixins_of_resolved_models(inventory)
    result = Coverage()
    for path in sorted(inventory.modules):
        module = inventory.modules[path]
        result.tables_in_functions += module.facts.tables_in_functions
        templates = base_templates(module.facts)
        for cls in module.facts.classes:
            key = (path, cls.name, cls.pos.line)
            model = models.get(key)
            # A class the inventory tried to map and could not (a table name inherited from a
            # mixin that cannot be evaluated) is a blind spot even when its own body is empty.
            if not (looks_mapped(cls) or _mapped_through_ancestry(model) or key in reported) \
                    or is_alternative(cls, module.facts.classes):
                continue
            if cls.name in templates and model is None:
                continue  # `BASE = declarative_base(cls=TackerBaseV1)`: the base's template, no model
            if model is None and _names_no_table(cls) and ((path, cls.name) in mixins or _plain_mixin(inventory, path, cls)):
                continue
            if model is None and (plain_class(inventory, path, cls) or _columns_of_a_project_class(inventory, path, cls)):
                continue
            result.looks_mapped += 1
            if model is not None and model.kind != "unknown" and model.metadata_id:
                result.resolved += 1
                continue
            reason = reported.get(key) or _reason(cls, bool(module.names))
            if reason == UNTRACED:
                reason = _base_origin(inventory, path, cls)
            result.unseen.append(Unseen(path, cls.name, cls.pos.line, reason, tuple(cls.bases)))
    if not result.looks_mapped and not inventory.tables:
        result.empty_bases = _bases_made(inventory)
    return result


_BASE_OBJECTS = ("declarative_base", "registry", "generate_base", "flask_sqlalchemy")


def _bases_made(inventory: Inventory) -> list[str]:
    """`ModelBase = declarative_base()` (kombu), `db = SQLAlchemy()`, `class Base(DeclarativeBase)`:
    where a project makes the bases its models would use, as `name (path:line)`."""
    found = [f"{obj.name} ({path}:{obj.pos.line})" for path in sorted(inventory.modules)
             for obj in inventory.modules[path].facts.objects if obj.kind in _BASE_OBJECTS and not obj.main_only]
    found += [f"{model.name} ({model.path}:{model.pos.line})" for model in inventory.classes if model.kind == "base"]
    return found


# SQLAlchemy's own mixins, which make no declarative base: a class built on them alone is a mixin.
_PLAIN_LIBRARY_MIXINS = {"sqlalchemy.orm.MappedAsDataclass", "sqlalchemy.orm.decl_api.MappedAsDataclass"}


def _names_no_table(cls: ClassFact) -> bool:
    """No table of its own: no `__tablename__`, or `__tablename__ = None` (superset's
    `__tablename__: str | None = None` on a mixin its models override)."""
    return (cls.tablename is None or cls.tablename.kind == "none") and _no_table_otherwise(cls)


def _no_table_otherwise(cls: ClassFact) -> bool:
    """No `__table__ = ...` and no SQLModel `table=True`."""
    return not cls.table_assign and cls.keywords.get("table") != "True"


def _plain_mixin(inventory: Inventory, path: str, cls: ClassFact, depth: int = 0) -> bool:
    """`class UUIDModel(BaseModel)` where `BaseModel` is a project class with no base: columns
    for mapped subclasses to inherit (a mixin), not a class whose base could not be traced."""
    resolver = inventory.resolver
    if resolver is None or depth > 20:
        return False
    for base in cls.bases:
        if base == "object":
            continue
        symbol = resolver.resolve(path, base)
        if symbol is not None and symbol.kind == "external" and symbol.name in _PLAIN_LIBRARY_MIXINS:
            continue  # `class DateTimeMixin(MappedAsDataclass)`: columns for dataclass models, no base
        if symbol is None or symbol.kind != "class" or symbol.attr is not None or symbol.module is None:
            return False
        parent = next((c for c in inventory.modules[symbol.module].facts.classes
                       if c.name == symbol.name and not c.nested), None)
        if parent is None or not (_names_no_table(parent) or _names_tables_of_subclasses(parent)) or parent.keywords \
                or parent.decorators or parent.makes_tables:
            return False  # a metaclass or a decorator (`@as_declarative()`) can make a declarative base
        if real_bases(parent) and not _plain_mixin(inventory, symbol.module, parent, depth + 1):
            return False
    return True


def _names_tables_of_subclasses(cls: ClassFact) -> bool:
    """A `@declared_attr def __tablename__(cls)` on a class: the recipe its mapped subclasses name
    their tables with (nyaa's `DeclarativeHelperBase`), no table of its own."""
    return cls.tablename is not None and cls.tablename.kind == "declared_attr" and _no_table_otherwise(cls)


def plain_class(inventory: Inventory, path: str, cls: ClassFact) -> bool:
    """A class whose every base is a project class on no base, or comes from a project module
    without any ORM code (one the scanner read without the parser): pyspider's data-access
    wrappers, `ProjectDB(MySQLMixin, BaseProjectDB, BaseDB)`, whose `__tablename__` names a table
    for hand-written SQL. None of those can be a declarative base, so the class maps nothing. Only for a class that declares no column, relationship or
    table options: a model on a base that a factory in such a module makes has those, and stays
    counted (unseen) rather than silently dropped."""
    resolver = inventory.resolver
    bases = real_bases(cls)
    if resolver is None or not bases or cls.decorators or cls.keywords or cls.columns or cls.relationships \
            or cls.table_args is not None or cls.mapper_args:
        return False
    for base in bases:
        symbol = resolver.resolve(path, base)
        if symbol is not None and symbol.kind == "class" and symbol.attr is None and symbol.module in inventory.modules:
            parent = next((c for c in inventory.modules[symbol.module].facts.classes
                           if c.name == symbol.name and not c.nested), None)
            if parent is not None and not parent.decorators and not parent.keywords and not parent.makes_tables \
                    and not real_bases(parent):
                continue  # a project class on no base (pyspider's `class BaseDB:`): maps nothing
            return False
        # What the module's imports bind the name to (`from x import B`, or `x` in `x.B`): the file
        # it comes from, which the class statement cannot be resolved in when read without the parser.
        parts = base.split(".")
        bound = resolver.local_names(path).get(parts[0])
        source = bound.module if bound is not None and (
            bound.kind == "import-ref" and len(parts) == 1 or bound.kind == "module" and len(parts) == 2) else None
        if source not in inventory.modules or inventory.modules[source].facts.parsed:
            return False
    return True


def _columns_of_a_project_class(inventory: Inventory, path: str, cls: ClassFact) -> bool:
    """Columns that are not SQLAlchemy's: `open = Column(float64_dtype)` where the module's
    `Column` is the project's own class (zipline's pipeline DataSets), `tables.Column(...)` from
    another library (Horizon's DataTables). A class that names no table and has only those is no model."""
    if not _names_no_table(cls) or not cls.columns or any(c.style != "Column" for c in cls.columns):
        return False
    resolver = inventory.resolver
    if resolver is None or not cls.column_qualifiers:
        return False
    for qualifier in cls.column_qualifiers:
        symbol = resolver.resolve(path, f"{qualifier}.Column" if qualifier else "Column")
        if symbol is None and qualifier:
            symbol = resolver.resolve(path, qualifier)
        if symbol is None:
            return False
        if symbol.kind == "class" and symbol.module in inventory.modules:
            if set(symbol.module.split("/")) & _ORM_PACKAGES:
                return False  # SQLAlchemy's own tree (or a vendored copy)
        elif symbol.kind != "external" or symbol.name.split(".", 1)[0] in _ORM_PACKAGES:
            return False
    return True


_ORM_PACKAGES = {"sqlalchemy", "sqlmodel", "flask_sqlalchemy"}


def _mixins_of_resolved_models(inventory: Inventory) -> set[tuple[str, str]]:
    """The project classes resolved models derive from: one that names no table and was not
    resolved itself (`class BaseMemberModel(RecordMetadataBase)`, on an installed package's
    mixin) gives them columns; it is a mixin, not a model ormdoctor failed to see."""
    declarative = inventory.declarative
    if declarative is None:
        return set()
    found = set()
    for model in inventory.classes:
        if model.kind != "unknown" and model.metadata_id:
            found.update((path, cls.name) for path, cls in declarative.ancestry(model.path, model.fact)[1:])
    return found


def _mapped_through_ancestry(model) -> bool:
    """`class User(SQLAlchemyBaseUserTableUUID, Base): pass`: its body says nothing, but the inventory
    mapped it on a table a mixin names (an installed package's, read from the environment)."""
    return model is not None and model.kind in ("table", "joined", "concrete") and model.table_name is not None \
        and model.fact.tablename is None


def _reason(cls: ClassFact, named: bool) -> str:
    if cls.nested:
        return NESTED
    if not named:
        return NO_ROOT
    return UNTRACED


def _base_origin(inventory: Inventory, path: str, cls: ClassFact) -> str:
    """Why the bases lead nowhere: an installed package's base, a factory call's result, or a
    name ormdoctor could not find at all (often a missing import root)."""
    resolver = inventory.resolver
    if resolver is None:
        return UNTRACED
    for base in cls.bases:
        symbol = resolver.resolve(path, base)
        if symbol is None:
            continue
        if symbol.kind == "external":
            module = symbol.name.rpartition(".")[0]
            if module and folder_holding(inventory.modules, path, module) is not None:
                return UNTRACED  # a project module after all, under a folder that is not a root
            return EXTERNAL
        if symbol.kind == "object" and symbol.attr is None:
            return FACTORY
    return UNTRACED


def suggested_roots(inventory: Inventory, unseen: list[Unseen]) -> list[str]:
    """Folders that would make the unseen classes' own absolute imports resolve, most useful
    first: the evidence a `roots = [...]` setting should follow."""
    votes: dict[str, int] = {}
    for path in sorted({u.path for u in unseen}):
        module = inventory.modules.get(path)
        if module is None:
            continue
        for fact in module.facts.imports:
            if fact.level == 0 and fact.module:
                folder = folder_holding(inventory.modules, path, fact.module)
                if folder is not None:
                    votes[folder] = votes.get(folder, 0) + 1
    known = {r.path for r in inventory.roots}
    ranked = sorted(votes, key=lambda f: (-votes[f], f))
    return [f for f in ranked if f and f not in known]


def folder_holding(modules: dict, importer: str, dotted: str) -> str | None:
    """The nearest folder above ``importer`` under which ``dotted`` is a project file."""
    relative = dotted.replace(".", "/")
    folder = importer.rpartition("/")[0]
    while folder:
        if f"{folder}/{relative}.py" in modules or f"{folder}/{relative}/__init__.py" in modules:
            return folder
        folder = folder.rpartition("/")[0]
    return None

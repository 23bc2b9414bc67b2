"""Which declarative base, registry and MetaData each class belongs to, and what table it maps.

Follows SQLAlchemy's own rules (see FACTS.md): DeclarativeBase subclasses and
``declarative_base()`` make a registry with its MetaData; Flask-SQLAlchemy's ``db.Model`` has
one MetaData per bind key; SQLModel has one global MetaData and only ``table=True`` classes map
a table; a subclass of a mapped class without its own table is single-table inheritance.
"""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass

from ormdoctor.inventory.installed import ProjectAndInstalled, is_installed
from ormdoctor.inventory.model import Inventory, MetaDataInfo, Module, ModelClass, Registry, Unresolved
from ormdoctor.inventory.symbols import Symbol
from ormdoctor.inventory.constants import evaluate
from ormdoctor.inventory.coverage import folder_holding
from ormdoctor.static.facts import MODULE, ClassFact, ObjectFact, Pos, TablenameFact

SQLMODEL_METADATA = "sqlmodel:SQLModel.metadata"
DECLARATIVE_ROOTS = {"DeclarativeBase", "DeclarativeBaseNoMeta"}
LIBRARY_PACKAGES = {"sqlalchemy", "sqlmodel", "flask_sqlalchemy"}
# Packages whose classes, used as bases, add no mapped attribute and no table: anything else a
# model inherits from outside the project (coaster's BaseMixin, neutron_lib's HasId) may.
PLAIN_PACKAGES = LIBRARY_PACKAGES | {
    "typing", "typing_extensions", "abc", "enum", "builtins", "dataclasses", "collections", "object",
    "pydantic", "Generic", "Protocol", "str", "int", "dict", "Exception"}
_OPAQUE_BASE_NAME = re.compile(r"base|model", re.IGNORECASE)
_DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


@dataclass
class Lineage:
    """What a class inherits from its declarative ancestry."""

    registry_id: str
    metadata_id: str
    flavor: str  # sqlalchemy | sqlmodel | flask
    is_root: bool = False
    mapped_parent: ModelClass | None = None


def snake_case(name: str) -> str:
    """Flask-SQLAlchemy 3.x's automatic table name: HTTPUserAccount → http_user_account."""
    name = re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name)
    return name.lower().lstrip("_")


def apply_pattern(pattern: str, class_name: str) -> str:
    return (pattern.replace("{lower}", class_name.lower()).replace("{name}", class_name)
            .replace("{upper}", class_name.upper()).replace("{snake}", snake_case(class_name)))


class DeclarativeResolver:
    def __init__(self, inventory: Inventory, resolver: ProjectAndInstalled):
        self.inv = inventory
        self.resolver = resolver  # the project's names, and installed packages' when the environment is known
        self.models: dict[tuple[str, str, int], ModelClass | None] = {}
        self._lineage: dict[tuple[str, str, int], Lineage | None] = {}
        self._active: set[tuple[str, str, int]] = set()
        self._open: dict[tuple, bool] = {}
        self._ancestry: dict[tuple[str, str, int], tuple[tuple[str, ClassFact], ...]] = {}
        self._migration_folders: list[str] | None = None
        self._outside_bases: list[str] = []  # bases known only by an import path, one per object

    # Objects: MetaData(), declarative_base(), registry(), SQLAlchemy() ------------------------
    def object_metadata(self, path: str, obj: ObjectFact, bind_key: str | None = None) -> Lineage | None:
        if obj.kind == "metadata":
            return Lineage(f"{path}:{obj.name}", self._metadata(path, obj.name, obj, obj.name), "sqlalchemy")
        if obj.kind in ("declarative_base", "registry"):
            metadata_id = self._metadata_ref(path, obj) or self._metadata(
                path, f"{obj.name}.metadata", obj, f"{obj.name}.metadata")
            registry_id = f"{path}:{obj.name}" + (".registry" if obj.kind == "declarative_base" else "")
            self._registry(registry_id, obj.name, metadata_id, path, obj)
            return Lineage(registry_id, metadata_id, "sqlalchemy")
        if obj.kind == "generate_base":
            owner = self.resolver.resolve(path, obj.call.rsplit(".", 1)[0]) if "." in obj.call else None
            return self.symbol_lineage(path, owner) if owner else None
        if obj.kind == "flask_sqlalchemy":
            return self._flask(path, obj, bind_key)
        if obj.kind == "alias" and obj.ref:
            return self.symbol_lineage(path, self.resolver.resolve(path, obj.ref), bind_key)
        return None

    def _flask(self, path: str, obj: ObjectFact, bind_key: str | None) -> Lineage:
        model_class = obj.args.get("model_class")
        if model_class:
            found = self.symbol_lineage(path, self.resolver.resolve(path, model_class))
            if found:
                return Lineage(found.registry_id, found.metadata_id, "flask")
        suffix = f"[{bind_key}]" if bind_key else ""
        metadata_id = f"{path}:{obj.name}.metadata{suffix}"
        if metadata_id not in self.inv.metadatas:
            self.inv.metadatas[metadata_id] = MetaDataInfo(
                metadata_id, f"{obj.name}.metadata" + (f" (bind {bind_key!r})" if bind_key else ""), path, obj.pos,
                "flask", schema=self._schema(path, obj), naming_convention=self._convention(path, obj), bind_key=bind_key,
                database=f"bind:{bind_key}" if bind_key else None, opaque=is_installed(path))
        registry_id = f"{path}:{obj.name}.Model.registry"
        self._registry(registry_id, f"{obj.name}.Model", metadata_id, path, obj)
        return Lineage(registry_id, metadata_id, "flask")

    def _convention(self, path: str, obj) -> dict[str, str] | None:
        if obj is None:
            return None
        if obj.naming_convention is None and obj.naming_convention_ref:
            found = self.constant(path, obj.naming_convention_ref)
            return found if isinstance(found, dict) else None
        return obj.naming_convention

    def _schema(self, path: str, obj) -> str | None:
        """``MetaData(schema="core")``, or a constant: ``schema=SCHEMA_NAME`` (imported, too)."""
        if obj is None or obj.schema is not None:
            return obj.schema if obj is not None else None
        written = obj.args.get("schema")
        found = self.constant(path, written) if written and _DOTTED_NAME.fullmatch(written) else None
        return found if isinstance(found, str) else None

    def _metadata(self, path: str, key: str, obj: ObjectFact, label: str) -> str:
        metadata_id = f"{path}:{key}"
        if metadata_id not in self.inv.metadatas:
            self.inv.metadatas[metadata_id] = MetaDataInfo(metadata_id, label, path, obj.pos, obj.kind,
                                                           schema=self._schema(path, obj), naming_convention=self._convention(path, obj),
                                                           database=self._database(path, metadata_id),
                                                           opaque=is_installed(path))
        return metadata_id

    def _metadata_ref(self, path: str, obj: ObjectFact) -> str | None:
        if not obj.ref:
            return None
        symbol = self.resolver.resolve(path, obj.ref)
        found = self.symbol_lineage(path, symbol)
        if found:
            return found.metadata_id
        if symbol is not None and symbol.kind == "external":
            # `declarative_base(metadata=hostapp.model.meta.metadata)` (a CKAN extension's base on
            # CKAN's MetaData): another package's MetaData holds tables this tool never reads.
            return self._outside_metadata(symbol.name)
        return None

    def _outside_metadata(self, name: str) -> str:
        metadata_id = f"opaque:{name}"
        self._opaque_metadata(metadata_id, name.rsplit(".", 1)[-1])
        return metadata_id

    def _opaque_metadata(self, metadata_id: str, label: str) -> bool:
        """Registers a MetaData known only by a path (it may hold tables never read); whether it is new."""
        if metadata_id in self.inv.metadatas:
            return False
        self.inv.metadatas[metadata_id] = MetaDataInfo(metadata_id, label, "", _NOWHERE, "opaque", opaque=True)
        return True

    def _registry(self, registry_id: str, label: str, metadata_id: str, path: str, obj) -> None:
        self.inv.registries.setdefault(registry_id, Registry(registry_id, label, metadata_id, path, obj.pos))

    def _in_migration_folder(self, path: str) -> bool:
        """A module beside an Alembic env.py (its helpers, `migrations/shared/`), in a folder
        named for migrations: never env.py itself, nor a project whose env.py sits at its root."""
        folders = self._migration_folders
        if folders is None:
            folders = self._migration_folders = [
                p.rpartition("/")[0] + "/" for p, m in self.inv.modules.items()
                if m.facts.alembic_env is not None and any(w in p.rpartition("/")[0].rpartition("/")[2].lower()
                                                           for w in ("migrat", "alembic"))]
        return not path.endswith("/env.py") and any(path.startswith(folder) for folder in folders)

    def _database(self, path: str, metadata_id: str) -> str | None:
        """A module that builds its own engine with another URL targets another database. A test
        module's own base or MetaData is test data: its tests create and drop (or only compile)
        those tables themselves, so it never shares a schema with another copy."""
        module = self.inv.modules.get(path)
        if module is not None and module.is_test and not path.endswith("conftest.py"):
            return f"test-local:{metadata_id}"
        if module is not None and self._in_migration_folder(path):
            # superset's migrations/shared/catalogs.py: trimmed copies of live tables on a base of
            # its own, for data migrations to read and write what a revision needs. Alembic
            # creates the tables; nothing calls create_all on such a base.
            return f"migration-local:{metadata_id}"
        urls = module.facts.engine_urls if module is not None else []
        return f"engine:{urls[0]}" if len(set(urls)) == 1 and "SQLALCHEMY" not in urls[0].upper() else None

    def _module(self, path: str) -> Module:
        return self.resolver.module(path)

    # Symbols ---------------------------------------------------------------------------------
    def _as_library(self, symbol: Symbol | None) -> Symbol | None:
        """A class or object of the ORM libraries themselves, when the project being checked is
        (or vendors) that library: `from sqlmodel import SQLModel` inside the sqlmodel repository
        resolves to sqlmodel/main.py, and is still SQLModel."""
        if symbol is None or symbol.kind not in ("class", "object") or not symbol.module:
            return symbol
        module = self.inv.modules.get(symbol.module)
        if module is None or module.name.split(".", 1)[0] not in LIBRARY_PACKAGES:
            return symbol
        return Symbol("external", None, f"{module.name}.{symbol.name}", symbol.attr)

    def symbol_lineage(self, path: str, symbol: Symbol | None, bind_key: str | None = None) -> Lineage | None:
        symbol = self._as_library(symbol)
        if symbol is None:
            return None
        if symbol.kind == "external":
            return self._external(symbol.name, symbol.attr)
        if symbol.kind == "object" and symbol.module:
            obj = self.object_fact(symbol.module, symbol.name)
            if obj is None:
                return None
            if symbol.attr in (None, "Model", "metadata", "registry", "Base"):
                return self.object_metadata(symbol.module, obj, bind_key)
            return None
        if symbol.kind == "class" and symbol.module:
            cls = self.module_class(symbol.module, symbol.name)
            if cls is None:
                return None
            lineage = self.lineage(symbol.module, cls)
            if lineage and symbol.attr in ("metadata", "registry"):
                return Lineage(lineage.registry_id, lineage.metadata_id, lineage.flavor)
            return lineage
        return None

    def expr_lineage(self, path: str, expr: str) -> Lineage | None:
        """The lineage of a MetaData expression: `metadata`, `Base.metadata`, `db.metadata`,
        `db.Model.metadata` (the MetaData of db.Model's registry)."""
        found = self.symbol_lineage(path, self.resolver.resolve(path, expr))
        if found is None and expr.endswith(".metadata"):
            found = self.symbol_lineage(path, self.resolver.resolve(path, expr[: -len(".metadata")]))
        if found is None and expr.endswith(".metadata"):
            # `Table("followers", Model.metadata, ...)` on a base from code the tool cannot read
            # (microblog-api's alchemical `Model`): the MetaData the classes on that base share.
            base = self._unknown_base(path, expr[: -len(".metadata")])
            # an installed package's base only (an import path): a name the module never binds
            # (sqlalchemy's tests set `Base` in a fixture) is no base anyone can share
            # Only a MetaData the classes on that base already share: an unread package's other
            # names (advanced-alchemy's `orm_registry`) may or may not be theirs. `db.Table(...)`'s
            # `db.metadata` is the one of the classes on `db.Model` (invenio_db's installed `db`).
            for shared in ((base, f"{base}.Model") if base and ":" not in base else ()):
                known = self._known_outside_base(shared)  # met as a base of classes already
                if known is not None:
                    found = self._opaque_lineage(known)
                    break
        return found

    def _external(self, name: str, attr: str | None) -> Lineage | None:
        if name.endswith((".metadata", ".registry")):
            name = name.rsplit(".", 1)[0]  # SQLModel.metadata: the lineage of SQLModel itself
        tail = name.rsplit(".", 1)[-1]
        if tail == "SQLModel" and ("sqlmodel" in name or name == "SQLModel"):
            if SQLMODEL_METADATA not in self.inv.metadatas:
                self.inv.metadatas[SQLMODEL_METADATA] = MetaDataInfo(SQLMODEL_METADATA, "SQLModel.metadata",
                                                                     "", _NOWHERE, "sqlmodel")
                self.inv.registries["sqlmodel:registry"] = Registry("sqlmodel:registry", "SQLModel registry",
                                                                    SQLMODEL_METADATA, "", _NOWHERE)
            return Lineage("sqlmodel:registry", SQLMODEL_METADATA, "sqlmodel")
        return None

    def denoted(self, path: str, expr: str) -> Symbol | None:
        """What a name written in module ``path`` denotes, the ORM libraries' own classes and
        objects as the library's (see ``_as_library``)."""
        return self._as_library(self.resolver.resolve(path, expr))

    def object_fact(self, path: str, name: str) -> ObjectFact | None:
        """The module-level SQLAlchemy object ``name`` of module ``path`` (MetaData(), a base...)."""
        for obj in self._module(path).facts.objects:
            if obj.name == name:
                return obj
        return None

    def module_class(self, path: str, name: str) -> ClassFact | None:
        """The class a module-level name denotes: the last class statement of that name binds it."""
        found = None
        for cls in self._module(path).facts.classes:
            if cls.name == name and not cls.nested:
                found = cls
        return found

    # Classes ---------------------------------------------------------------------------------
    def lineage(self, path: str, cls: ClassFact) -> Lineage | None:
        key = _class_key(path, cls)
        if key in self._lineage:
            return self._lineage[key]
        if key in self._active:
            return None
        self._active.add(key)
        try:
            found = self._compute_lineage(path, cls)
        finally:
            self._active.discard(key)
        self._lineage[key] = found
        return found

    def _compute_lineage(self, path: str, cls: ClassFact) -> Lineage | None:
        for decorator in cls.decorators:
            name, _, argument = decorator.partition("(")
            registries = [argument.rstrip(")")] if name.rsplit(".", 1)[-1] == "mapped_as_dataclass" and argument[:-1] else []
            if name.endswith((".mapped", ".mapped_as_dataclass")):
                registries.append(name.rsplit(".", 1)[0])  # `@reg.mapped`, `@reg.mapped_as_dataclass(init=False)`
            for written in registries:  # `@mapped_as_dataclass(reg)` (SQLAlchemy 2.1) names it first
                found = self.symbol_lineage(path, self.resolver.resolve(path, written))
                if found:
                    return Lineage(found.registry_id, found.metadata_id, found.flavor)
            if decorator.split("(")[0].endswith("as_declarative"):
                return self._root(path, cls)
        for base in cls.bases:
            if base.endswith(")") and self._makes_a_base(path, base):
                # `class A(declarative_base()):` (promptflow's tests): each call makes a new
                # registry and MetaData, so every class written so has its own.
                return self._base_of_its_own(path, cls, base)
            symbol = self._as_library(self.resolver.resolve(path, _written(base)))
            if symbol is None:
                continue
            if symbol.kind == "external" and symbol.name.rsplit(".", 1)[-1] in DECLARATIVE_ROOTS:
                return self._root(path, cls)
            found = self.symbol_lineage(path, symbol, self.bind_key(path, cls))
            if found is None:
                continue
            found = self._own_metadata(path, cls, found)
            parent = self.model_for(symbol) if symbol.kind == "class" else None
            if parent is not None and parent.kind in ("table", "sti", "joined", "concrete", "imperative"):
                found = Lineage(found.registry_id, found.metadata_id, found.flavor, mapped_parent=parent)
            elif symbol.kind == "class":
                inherited = found.mapped_parent
                found = Lineage(found.registry_id, found.metadata_id, found.flavor, mapped_parent=inherited)
            return found
        return self._opaque(path, cls)

    def _own_metadata(self, path: str, cls: ClassFact, inherited: Lineage) -> Lineage:
        """`metadata = MetaData()` in the body of an abstract class below the base (SQLAlchemy's
        documented way to give some models another MetaData; AstrBot's `class BaseKBModel(SQLModel,
        table=False)`), or `metadata = <a MetaData made elsewhere>`: the class and its subclasses
        put their tables there, in the same registry."""
        owner = cls.metadata_value
        if owner is None or owner.name != "metadata":
            return inherited
        if owner.kind == "alias":
            shared = self.symbol_lineage(path, self.resolver.resolve(path, owner.ref))
            metadata_id = shared.metadata_id if shared is not None else None
        elif owner.kind == "metadata":
            metadata_id = self._metadata(path, f"{cls.name}.metadata", owner, f"{cls.name}.metadata")
        else:
            metadata_id = None
        if metadata_id is None or metadata_id == inherited.metadata_id:
            return inherited
        return Lineage(inherited.registry_id, metadata_id, inherited.flavor, mapped_parent=inherited.mapped_parent)

    def _base_of_its_own(self, path: str, cls: ClassFact, call: str) -> Lineage:
        label = f"{call.split('(', 1)[0].rsplit('.', 1)[-1]}() of {cls.name}"
        metadata_id = f"{path}:{cls.name}@{cls.pos.line}:base-call.metadata"
        if metadata_id not in self.inv.metadatas:
            self.inv.metadatas[metadata_id] = MetaDataInfo(
                metadata_id, f"{label}.metadata", path, cls.pos, "declarative_base",
                database=self._database(path, metadata_id), opaque=is_installed(path))
        registry_id = f"{path}:{cls.name}@{cls.pos.line}:base-call.registry"
        self._registry(registry_id, label, metadata_id, path, cls)
        return Lineage(registry_id, metadata_id, "sqlalchemy")

    def _makes_a_base(self, path: str, base: str) -> bool:
        """Whether a base written as a call is SQLAlchemy's `declarative_base()` (or
        `registry().generate_base()`): a new declarative base per call."""
        callee = base.split("(", 1)[0]
        if callee.rsplit(".", 1)[-1] == "generate_base" and "registry(" in base:
            return True
        symbol = self.resolver.resolve(path, callee)
        return symbol is not None and symbol.kind == "external" and symbol.name.rsplit(".", 1)[-1] == "declarative_base" \
            and symbol.name.split(".", 1)[0] in ("sqlalchemy", "declarative_base")

    # Bases the tool cannot read ------------------------------------------------------------------
    def _opaque(self, path: str, cls: ClassFact) -> Lineage | None:
        """A class that declares its table (``__tablename__``/``__table__``) on a base from code the
        tool cannot read (``model_base.BASEV2`` of an installed library, ``Model = create_model(db)``)
        is mapped all the same: on a registry known only by the base's import path, shared by every
        class on that base, so duplicates and indexes are still compared across them. An
        ``__abstract__`` class on such a base (bitcart's ``class Model(SQLQuery): __abstract__ =
        True``, advanced-alchemy's base) passes that registry on: only declarative classes are
        abstract, so the base is one."""
        if not cls.abstract and cls.tablename is None and cls.table_assign is None:
            return None
        unknown = [name for name in (self._unknown_base(path, base) for base in cls.bases) if name]
        if not unknown:
            return None
        # A mixin (flask_login's `UserMixin`) adds methods: it is never the declarative base, so a
        # class whose only unknown bases are mixins stays unresolved (and counted as unseen).
        unknown = [n for n in unknown if "mixin" not in n.rsplit(".", 1)[-1].lower()]
        if not unknown:
            return None
        named = [n for n in unknown if _OPAQUE_BASE_NAME.search(n.rsplit(".", 1)[-1])]
        return self._opaque_lineage((named or unknown)[0])

    def _opaque_lineage(self, base: str) -> Lineage:
        """The registry and MetaData of a base known only by its import path."""
        base = self._one_outside_base(base)
        metadata_id, registry_id = f"opaque:{base}.metadata", f"opaque:{base}.registry"
        label = base.rsplit(":", 1)[-1].rsplit(".", 1)[-1]
        if self._opaque_metadata(metadata_id, f"{label}.metadata"):
            self.inv.registries[registry_id] = Registry(registry_id, label, metadata_id, "", _NOWHERE)
        return Lineage(registry_id, metadata_id, "sqlalchemy")

    def _one_outside_base(self, base: str) -> str:
        """The base ``base`` is one with among those already met, else ``base`` (now met)."""
        if ":" in base:
            return base  # a project module's object (`app/db.py:Model`): its path says which
        known = self._known_outside_base(base)
        if known is None:
            self._outside_bases.append(base)
        return known or base

    def _known_outside_base(self, base: str) -> str | None:
        """An outside base imported through a package and through its submodule is one object:
        `indico.core.db.db.Model` and `indico.core.db.sqlalchemy.db.Model` (the package's
        `__init__` re-exports `from .sqlalchemy import db`), one registry, not two bases."""
        parts = base.split(".")
        for known in self._outside_bases:
            other = known.split(".")
            common = 0
            while common < min(len(parts), len(other)) - 1 and parts[-1 - common] == other[-1 - common]:
                common += 1
            head, known_head = parts[:len(parts) - common], other[:len(other) - common]
            shorter, longer = sorted((head, known_head), key=len)
            if common and longer[:len(shorter)] == shorter:
                return known
        return None

    def _unknown_base(self, path: str, base: str) -> str | None:
        """The import path of a base whose definition the tool cannot read, else None."""
        written = _written(base)
        symbol = self.resolver.resolve(path, written)
        if symbol is None:
            local = written.split(".", 1)[0]
            plain = local in PLAIN_PACKAGES or hasattr(builtins, local) or local in self.resolver.local_names(path)
            return None if plain else f"{path}:{written}"
        if symbol.kind == "external":
            if symbol.name.split(".", 1)[0] in PLAIN_PACKAGES:
                return None
            if folder_holding(self.inv.modules, path, symbol.name.rpartition(".")[0]) is not None:
                return None  # a project module under a folder that is not an import root: a layout gap, reported as unseen
            return symbol.name
        if symbol.kind == "object" and symbol.module:
            obj = self.object_fact(symbol.module, symbol.name)
            if obj is not None and obj.kind == "call":
                if symbol.attr is None:
                    return f"{symbol.module}:{symbol.name}"  # `Model = create_model(db)`
                # An attribute of an object a project class makes, which its `__init__` sets to a
                # new declarative base (eNMS's `db = Database()`, `self.base = declarative_base()`).
                # Other objects (gino's `db = Gino()`, whose `db.Model` is gino's own) are not.
                maker = self.resolver.resolve(symbol.module, obj.call)
                made = self.module_class(maker.module, maker.name) \
                    if maker is not None and maker.kind == "class" and maker.module and maker.attr is None else None
                if made is not None and symbol.attr in made.base_attributes:
                    return f"{symbol.module}:{symbol.name}.{symbol.attr}"
        return None

    def _outside_base(self, path: str, cls: ClassFact) -> str | None:
        """The first base of ``cls`` (or of its ancestors) from code ormdoctor cannot read, which
        may declare the table name: an installed package's mixin."""
        for ancestor_path, ancestor in self.ancestry(path, cls):
            for base in ancestor.bases:
                unknown = self._unknown_base(ancestor_path, base)
                if unknown:
                    return unknown.rsplit(":", 1)[-1]
        return None

    def open_ancestry(self, path: str, cls: ClassFact) -> bool:
        """Whether the class inherits from code the tool cannot read (a third-party mixin): its
        columns and attributes are then not all known."""
        key = ("open", path, cls.name)
        if key not in self._open:
            self._open[key] = self._outside_base(path, cls) is not None
        return self._open[key]

    def _root(self, path: str, cls: ClassFact) -> Lineage:
        owner = cls.metadata_value
        if owner is not None and owner.kind == "alias":
            shared = self.symbol_lineage(path, self.resolver.resolve(path, owner.ref))
            if shared is not None:
                # `metadata = metadata` / `registry = mapper_registry` in the base's body: its
                # models land on that MetaData (and registry), shared with what else uses it.
                registry_id = shared.registry_id if owner.name == "registry" else f"{path}:{cls.name}.registry"
                self._registry(registry_id, cls.name, shared.metadata_id, path, cls)
                return Lineage(registry_id, shared.metadata_id, "sqlalchemy", is_root=True)
            owner = None
        label = f"{cls.name}.metadata"
        metadata_id = f"{path}:{label}"
        if metadata_id not in self.inv.metadatas:
            self.inv.metadatas[metadata_id] = MetaDataInfo(
                metadata_id, label, path, cls.pos, "declarative",
                schema=self._schema(path, owner),
                naming_convention=self._convention(path, owner),
                database=self._database(path, metadata_id), opaque=is_installed(path))
        registry_id = f"{path}:{cls.name}.registry"
        self._registry(registry_id, cls.name, metadata_id, path, cls)
        return Lineage(registry_id, metadata_id, "sqlalchemy", is_root=True)

    def bind_key(self, path: str, cls: ClassFact) -> str | None:
        for owner_path, owner in self.ancestry(path, cls):
            if owner.bind_key:
                return owner.bind_key
        return None

    def ancestry(self, path: str, cls: ClassFact) -> tuple[tuple[str, ClassFact], ...]:
        """The class and its project ancestors, in (approximate) method resolution order. Asked
        for by the build and by many rules, per column and constraint: kept per class."""
        key = _class_key(path, cls)
        found = self._ancestry.get(key)
        if found is None or found[0][1] is not cls:
            found = self._ancestry[key] = self._compute_ancestry(path, cls)
        return found

    def _compute_ancestry(self, path: str, cls: ClassFact) -> tuple[tuple[str, ClassFact], ...]:
        order: list[tuple[str, ClassFact]] = []
        seen: set[tuple[str, str]] = set()
        pending = [(path, cls)]
        while pending:
            current_path, current = pending.pop(0)
            if (current_path, current.name) in seen:
                continue
            seen.add((current_path, current.name))
            order.append((current_path, current))
            for base in current.bases:
                symbol = self.resolver.resolve(current_path, _written(base))
                if symbol and symbol.kind == "object" and symbol.module and symbol.attr is None:
                    symbol = self._base_cls(symbol)  # declarative_base(cls=Mixin) inherits the mixin
                if symbol and symbol.kind == "class" and symbol.module and symbol.attr is None:
                    parent = self.module_class(symbol.module, symbol.name)
                    if parent is not None:
                        pending.append((symbol.module, parent))
        return tuple(order)

    def _base_cls(self, symbol: Symbol) -> Symbol | None:
        obj = self.object_fact(symbol.module, symbol.name)
        if obj is not None and obj.kind == "alias" and obj.ref:
            return self.resolver.resolve(symbol.module, obj.ref)  # `Model = BaseModel`
        ref = obj.args.get("cls") if obj is not None and obj.kind == "declarative_base" else None
        if ref == symbol.name and self.module_class(symbol.module, ref) is not None:
            return Symbol("class", symbol.module, ref)  # `Base = declarative_base(cls=Base)`: the class above
        return self.resolver.resolve(symbol.module, ref) if ref else None

    def model_for(self, symbol: Symbol) -> ModelClass | None:
        if symbol.module is None:
            return None
        cls = self.module_class(symbol.module, symbol.name)
        return self.classify(symbol.module, cls) if cls else None

    # Classification --------------------------------------------------------------------------
    def classify(self, path: str, cls: ClassFact) -> ModelClass | None:
        key = _class_key(path, cls)
        if key in self.models:
            return self.models[key]
        self.models[key] = None  # guards against inheritance cycles
        lineage = self.lineage(path, cls)
        if lineage is None:
            return None
        model = ModelClass(cls.name, path, cls, lineage.registry_id, lineage.metadata_id, "table",
                           parent=lineage.mapped_parent, flavor=lineage.flavor)
        self._kind_and_table(model, lineage)
        self.models[key] = model
        return model

    def _kind_and_table(self, model: ModelClass, lineage: Lineage) -> None:
        cls = model.fact
        ancestry = self.ancestry(model.path, cls)
        model.columns = self._columns(model, ancestry)
        model.relationships = [r for _, c in ancestry if not self._is_mapped_ancestor(c, model) for r in c.relationships]
        if lineage.is_root:
            model.kind = "base"
        elif cls.abstract:
            model.kind = "abstract"
        elif model.flavor == "sqlmodel" and not self._sqlmodel_table(cls, ancestry):
            model.kind = "mixin"
        elif cls.table_assign:
            model.kind = "imperative"
        else:
            self._table_name(model, ancestry)
        args = self._table_args(ancestry, model)
        metadata = self.inv.metadatas.get(model.metadata_id or "")
        if model.kind == "sti" and model.parent is not None:
            model.schema = model.parent.schema  # it maps its parent's table
        elif args is not None and not args.schema_known and model.kind in ("table", "joined", "concrete") \
                and not self._engine_options_call(model, args):
            # schema + name is the table's identity: without the schema, no table can be judged
            owner = self.table_args_owner(model)
            schema = self.constant(owner[0], args.schema_ref) if owner is not None and args.schema_ref else None
            if isinstance(schema, str):
                model.schema = schema
            else:
                where = "" if owner is None or owner[1] is cls else f" (inherited from {owner[1].name})"
                self._unresolved(model, f"the schema of table '{model.table_name}' comes from a computed "
                                        f"__table_args__{where} and cannot be determined statically")
        elif args is not None and args.schema_known and args.schema:
            model.schema = args.schema
        elif metadata is not None:
            model.schema = metadata.schema

    def _engine_options_call(self, model: ModelClass, args) -> bool:
        """`__table_args__ = sql.table_args()` where that project function only ever returns
        None or engine options (FileFacts.option_functions): no schema, so the metadata's."""
        owner = self.table_args_owner(model)
        return owner is not None and bool(args.call_ref) \
            and bool(self.module_value(owner[0], args.call_ref, "option_functions"))

    def _sqlmodel_table(self, cls: ClassFact, ancestry) -> bool:
        """`class Hero(HeroBase, table=True)`, or a subclass of a base whose metaclass passes
        table=True on (a library's TableModel); `table=False` says otherwise."""
        if "table" in cls.keywords:
            return cls.keywords["table"] == "True"
        for path, ancestor in ancestry[1:]:
            meta = ancestor.keywords.get("metaclass")
            symbol = self.resolver.resolve(path, meta) if meta else None
            if symbol is not None and symbol.kind == "class" and symbol.module:
                found = self.module_class(symbol.module, symbol.name)
                if found is not None and found.makes_tables:
                    return True
        return False

    def _is_mapped_ancestor(self, cls: ClassFact, model: ModelClass) -> bool:
        parent = model.parent
        while parent is not None:
            if parent.fact is cls:
                return True
            parent = parent.parent
        return False

    def _table_name(self, model: ModelClass, ancestry) -> None:
        cls, parent = model.fact, model.parent
        own = cls.tablename
        if own and own.kind == "none":
            # `__tablename__ = None`: declarative's way to say "no table of my own": single-table
            # inheritance on a mapped parent (faraday's VulnerabilityWeb), else no table at all.
            if parent is not None:
                model.kind, model.table_name = "sti", parent.table_name
            else:
                model.kind = "mixin"
            return
        if own and own.kind == "expr":
            value = self.evaluate_name(model.path, own.value, cls.name)
            if not isinstance(value, str):
                self._unresolved(model, f"__tablename__ = {own.value} cannot be evaluated statically")
                return
            own = TablenameFact("literal", value, own.pos)
        if own and own.kind == "literal":
            if parent and parent.table_name == own.value and not _own_columns(cls):
                model.kind, model.table_name = "sti", parent.table_name
                return
            self._set_table(model, own.value)
            return
        # The class's own `@declared_attr def __tablename__` names its table first (a literal or
        # an expression of its own was handled above), then its ancestors' in MRO order.
        for ancestor_path, ancestor in ancestry:
            named = ancestor.tablename
            if named is None:
                continue
            if parent is not None and self._is_mapped_ancestor(ancestor, model):
                break  # a mapped parent's name is its table, not ours: single-table inheritance
            if named.kind == "literal":
                self._set_table(model, named.value)
                return
            if named.kind == "expr":
                # a mixin's `__tablename__ = TABLE_STATISTICS_META` (Home Assistant's recorder):
                # the constants of the module that writes it
                value = self.evaluate_name(ancestor_path, named.value, cls.name)
                if isinstance(value, str):
                    self._set_table(model, value)
                    return
            if named.kind == "declared_attr" and named.value:
                if named.returns_none_when_inherited and parent is not None:
                    break
                self._set_table(model, apply_pattern(named.value, cls.name))
                return
            if named.kind == "declared_attr" and named.expr:
                if named.returns_none_when_inherited and parent is not None:
                    break
                value = self.evaluate_name(ancestor_path, named.expr, cls.name)
                if value is not None:
                    self._set_table(model, value)
                    return
                self._unresolved(model, f"__tablename__ of {cls.name} comes from {ancestor.name} "
                                        f"(`{named.expr}`) and cannot be evaluated exactly")
                return
            self._unresolved(model, f"__tablename__ of {cls.name} comes from {ancestor.name} and cannot be "
                                    f"evaluated statically")
            return
        if model.flavor == "sqlmodel":
            self._set_table(model, cls.name.lower())
        elif model.flavor == "flask" and (parent is None or any(c.primary_key for c in _own_column_facts(cls))):
            self._set_table(model, snake_case(cls.name))
        elif parent is not None:
            model.kind, model.table_name = "sti", parent.table_name
        elif outside := self._outside_base(model.path, cls):
            # fastapi-users' `SQLAlchemyBaseUserTableUUID` declares `__tablename__` in code we do
            # not read: the class is mapped, on a table whose name we cannot know.
            self._unresolved(model, f"the table name of {cls.name} comes from {outside}, which ormdoctor does not read")
        else:
            model.kind = "mixin"
            if not any(a in cls.attributes for a in ("__table_name__", "__tablename", "__table__name__")) \
                    and (cls.columns or cls.relationships):
                self._unresolved(model, f"{cls.name} maps no table: no __tablename__ or __table__ found")

    def evaluate_name(self, path: str, expression: str, class_name: str) -> str | None:
        """A table-name expression written in module ``path``, for class ``class_name``, with the
        project's own helpers (`resolve_table_name(cls.__name__)`) interpreted; None if inexact."""
        return evaluate(expression, _Constants(self, path), class_name, lambda name: self._function(path, name),
                        lambda name: self._imported(path, name, "patterns"))

    def constraint_name(self, table, constraint) -> str | None:
        """The name a constraint of ``table`` written as an expression evaluates to, or None when
        it cannot be known exactly: module constants (imported ones too) and, in the class body
        that writes it, the ``__tablename__`` assigned there (`"ix_%s_code" % __tablename__`)."""
        path, names = table.path, {}
        found = self.table_args_owner(table.model) if table.model is not None else None
        if found is not None and any(c is constraint for c in found[1].table_args.constraints):
            path, owner = found
            if owner.tablename is not None and owner.tablename.kind == "literal":
                names["__tablename__"] = owner.tablename.value
        return evaluate(constraint.name_expr, _Constants(self, path, names))

    def _imported(self, path: str, name: str, table: str, depth: int = 0) -> object | None:
        """``name`` in module ``path``'s facts table ``table`` (constants, functions, patterns),
        or in the module it is imported from, following re-exports."""
        if depth > 10:
            return None
        facts = self._module(path).facts
        own = getattr(facts, table)
        if name in own:
            return own[name]
        for fact in facts.imports:
            if fact.is_from and fact.context == MODULE:
                for imported, alias in fact.names:
                    if (alias or imported) == name:
                        for target, bound in self.resolver.import_targets(path, fact):
                            if target and bound == imported:
                                return self._imported(target, imported, table, depth + 1)
        return None

    def constant(self, path: str, dotted: str) -> object | None:
        """The module-level literal a name written in module ``path`` denotes: `SCHEMA`,
        `settings.SCHEMA` (a project module's constant), or one imported from another module."""
        return self.module_value(path, dotted, "constants")

    def module_value(self, path: str, dotted: str, table: str, depth: int = 0) -> object | None:
        """What a name written in module ``path`` (`NAME`, `module.NAME`) has in the facts table
        ``table`` (constants, option_functions) of the module that defines it."""
        if depth > 10:
            return None
        head, _, rest = dotted.partition(".")
        if rest:
            symbol = self.resolver.resolve(path, head)
            if symbol is None or symbol.kind != "module" or not symbol.module or "." in rest:
                return None
            return self.module_value(symbol.module, rest, table, depth + 1)
        return self._imported(path, head, table, depth)

    def _function(self, path: str, name: str) -> str | None:
        """The source of helper ``name`` as module ``path`` sees it: its own, or imported."""
        facts = self._module(path).facts
        if name in facts.functions:
            return facts.functions[name]
        for fact in facts.imports:
            if fact.is_from and any((alias or imported) == name for imported, alias in fact.names):
                original = next(imported for imported, alias in fact.names if (alias or imported) == name)
                for target, bound in self.resolver.import_targets(path, fact):
                    if target and bound == original:
                        return self._module(target).facts.functions.get(original)
        return None

    def _set_table(self, model: ModelClass, name: str | None) -> None:
        model.table_name = name
        if model.parent is not None:
            concrete = model.fact.mapper_args.get("concrete") == "True"
            model.kind = "concrete" if concrete else "joined"

    def _unresolved(self, model: ModelClass, reason: str) -> None:
        model.kind = "unknown"
        self.inv.unresolved.append(Unresolved(model.path, model.pos, model.name, reason))

    def _columns(self, model: ModelClass, ancestry):
        columns = []
        seen: set[str] = set()
        for _, cls in ancestry:
            if cls is not model.fact and self._is_mapped_ancestor(cls, model):
                continue
            for column in cls.columns:
                if column.style == "annotation" and model.flavor != "sqlmodel":
                    continue
                if column.attr not in seen:
                    seen.add(column.attr)
                    columns.append(column)
        return columns

    def _table_args(self, ancestry, model: ModelClass):
        found = self._table_args_owner(ancestry, model)
        return found[1].table_args if found else None

    def _table_args_owner(self, ancestry, model: ModelClass):
        """The class whose ``__table_args__`` the model's table gets: its own, else a mixin's or an
        abstract base's. A mapped parent's plain ``__table_args__`` belongs to the parent's
        table and is not inherited (SQLAlchemy reads it only through a ``declared_attr``)."""
        for path, cls in ancestry:
            if cls.table_args is None:
                continue
            if cls is not model.fact and self._is_mapped_ancestor(cls, model) and cls.table_args.form != "declared_attr":
                continue
            return path, cls
        return None

    def effective_table_args(self, model: ModelClass):
        return self._table_args(self.ancestry(model.path, model.fact), model)

    def table_args_owner(self, model: ModelClass):
        """(path, ClassFact) of the class that supplies the model's ``__table_args__``, or None."""
        return self._table_args_owner(self.ancestry(model.path, model.fact), model)


class _Constants:
    """Module ``path``'s constants as a table-name expression sees them, imported ones included."""

    def __init__(self, resolver: "DeclarativeResolver", path: str, local: dict | None = None):
        self.resolver, self.path, self.local = resolver, path, local or {}

    def get(self, name: str) -> object | None:
        if name in self.local:  # a class body's own names
            return self.local[name]
        return self.resolver.constant(self.path, name)


def _written(base: str) -> str:
    """The class a base names: `SQLAlchemyBaseUserTable[UUID_ID]` is SQLAlchemyBaseUserTable."""
    return base.split("[", 1)[0]


def _class_key(path: str, cls: ClassFact) -> tuple[str, str, int]:
    """Two class statements with one name in one module are two classes (both get mapped)."""
    return (path, cls.name, cls.pos.line)


def _own_column_facts(cls: ClassFact):
    return [c for c in cls.columns if c.style != "annotation"]


def _own_columns(cls: ClassFact) -> bool:
    return bool(cls.columns)


_NOWHERE = Pos(1, 1)

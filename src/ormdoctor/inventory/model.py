"""The project's model layer, resolved across files. Built once; rules only read it."""

from __future__ import annotations

from dataclasses import dataclass, field

from ormdoctor.project.roots import ImportRoot
from ormdoctor.static.facts import ClassFact, ColumnFact, ConstraintFact, FileFacts, Pos, RelationshipFact, TableFact, is_test_file


@dataclass(eq=False)
class Module:
    path: str
    facts: FileFacts
    names: list[tuple[str, ImportRoot]] = field(default_factory=list)
    used_name: str | None = None  # the name the project's own imports use most (project/modules.py)

    @property
    def name(self) -> str:
        """The name the real program gives it: the one its importers use, else the one under
        the most specific root."""
        if self.used_name:
            return self.used_name
        if not self.names:
            return self.path[:-3].replace("/", ".")
        return min(self.names, key=lambda n: (len(n[0]), n[0]))[0]

    @property
    def is_test(self) -> bool:
        return is_test_file(self.path)


@dataclass(eq=False)
class MetaDataInfo:
    id: str  # stable: "app/db.py:Base.metadata"
    label: str  # for messages: "Base.metadata"
    path: str
    pos: Pos
    kind: str  # declarative | metadata | registry | sqlmodel | flask
    schema: str | None = None
    naming_convention: dict[str, str] | None = None
    bind_key: str | None = None
    # Metadata that target separate databases never collide (Flask binds); None = the default database.
    database: str | None = None
    # The base comes from code the tool cannot read (a third-party package, a factory call): its
    # other tables and classes are unknown, so nothing is "missing" from it.
    opaque: bool = False
    # Table() calls on it whose name cannot be computed (`Table(make_name(kind), metadata)`):
    # its tables are not all known, so no table name is "missing" from it either.
    computed_tables: list[tuple[str, Pos]] = field(default_factory=list)


@dataclass(eq=False)
class Registry:
    id: str
    label: str
    metadata_id: str
    path: str
    pos: Pos


@dataclass(eq=False)
class ModelClass:
    name: str
    path: str
    fact: ClassFact
    registry_id: str | None
    metadata_id: str | None
    kind: str  # table | sti | joined | concrete | abstract | base | mixin | imperative
    table_name: str | None = None
    schema: str | None = None
    parent: "ModelClass | None" = None
    columns: list[ColumnFact] = field(default_factory=list)  # own + from mixins
    relationships: list[RelationshipFact] = field(default_factory=list)
    table_args_sources: list[str] = field(default_factory=list)
    flavor: str = "sqlalchemy"  # sqlalchemy | sqlmodel | flask

    @property
    def pos(self) -> Pos:
        return self.fact.pos


    @property
    def main_only(self) -> bool:
        return self.fact.main_only


@dataclass(eq=False)
class TableDef:
    """One definition of a table: a mapped class with its own table, or a Table() call."""

    name: str
    schema: str | None
    metadata_id: str
    path: str
    pos: Pos
    origin: str  # class | table
    owner: str  # class name, or the Table's variable name
    columns: list[ColumnFact] = field(default_factory=list)
    constraints: list[ConstraintFact] = field(default_factory=list)
    constraints_known: bool = True  # False: some are computed (see TableArgsFact.constraints_known)
    extend_existing: bool = False
    keep_existing: bool = False
    flag_pos: Pos | None = None
    # Where the flag is written: the class itself, or a mixin / abstract base it inherits it from.
    flag_path: str | None = None
    flag_owner: str | None = None
    model: ModelClass | None = None
    table: TableFact | None = None
    docstring: str | None = None
    main_only: bool = False  # defined under `if __name__ == "__main__":`

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    @property
    def flag_inherited(self) -> bool:
        return self.flag_owner is not None and (self.flag_path, self.flag_owner) != (self.path, self.owner)


    def column(self, name: str) -> ColumnFact | None:
        for column in self.columns:
            if column.name == name:
                return column
        return None


@dataclass
class Unresolved:
    path: str
    pos: Pos
    subject: str
    reason: str


@dataclass
class Inventory:
    root: str
    modules: dict[str, Module]
    roots: list[ImportRoot]
    metadatas: dict[str, MetaDataInfo] = field(default_factory=dict)
    registries: dict[str, Registry] = field(default_factory=dict)
    classes: list[ModelClass] = field(default_factory=list)
    tables: list[TableDef] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    graph: "object | None" = None  # inventory.graph.ImportGraph
    resolver: "object | None" = None  # inventory.symbols.Resolver: names → definitions
    declarative: "object | None" = None  # inventory.declarative.DeclarativeResolver
    environment: "object | None" = None  # project.environment.Environment: the installed packages' folders
    installed: "object | None" = None  # inventory.installed.InstalledModules: those read to resolve classes
    layout: "object | None" = None  # inventory.layout.ImportLayout, kept for the next run (check --watch)
    _derived: dict = field(default_factory=dict, repr=False)

    def derived(self, key: str, compute):
        """Data several rules derive from the inventory (table map, entry points, resolved
        targets...), computed once per run and shared."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    def derived_from_imports(self, key: str, compute):
        """``derived`` for data that only the modules' imports and names decide (never a class
        body): kept with the import layout, so a run that reuses the layout reuses it too."""
        if self.layout is None:
            return self.derived(key, compute)
        kept = self.layout.derived
        if key not in kept:
            kept[key] = compute()
        return kept[key]

    def module_indexes(self, table: TableDef) -> list[ConstraintFact]:
        """Module-level ``Index("ix", table.c.x)`` / ``Index("ix", Model.x)`` aimed at ``table``."""
        module = self.modules.get(table.path)
        owners = {table.owner, table.table.var if table.table else None} - {None}
        return [i for i in (module.facts.indexes if module else ()) if i.table_ref in owners]

    def tables_by_key(self) -> dict[tuple[str, str | None, str], list[TableDef]]:
        grouped: dict[tuple[str, str | None, str], list[TableDef]] = {}
        for table in self.tables:
            grouped.setdefault((table.metadata_id, table.schema, table.name), []).append(table)
        return grouped

    def mapped_classes(self) -> list[ModelClass]:
        return [c for c in self.classes if c.kind in ("table", "sti", "joined", "concrete", "imperative")]

    def metadata_label(self, metadata_id: str | None) -> str:
        info = self.metadatas.get(metadata_id or "")
        return info.label if info else (metadata_id or "?")

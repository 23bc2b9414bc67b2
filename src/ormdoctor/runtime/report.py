"""What the tracer saw, as frozen dataclasses built from its JSON result.

Paths are relative to the project root with ``/``; ids (``md1``, ``reg1``) are stable within one
report and tie tables, classes and errors to their MetaData and registry.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Site:
    """A project source line."""

    path: str
    line: int

    @classmethod
    def from_json(cls, data: dict | None) -> Site | None:
        return cls(data["path"], data["line"]) if data else None


@dataclass(frozen=True)
class Frame:
    path: str
    line: int
    function: str


@dataclass(frozen=True)
class ErrorInfo:
    """An exception raised by the project; ``frames`` are the project's own, innermost last."""

    type: str
    message: str
    frames: tuple[Frame, ...]

    @classmethod
    def from_json(cls, data: dict | None) -> ErrorInfo | None:
        if not data:
            return None
        return cls(data["type"], data["message"], tuple(Frame(**frame) for frame in data["frames"]))

    @property
    def deepest(self) -> Frame | None:
        return self.frames[-1] if self.frames else None


@dataclass(frozen=True)
class ModuleImport:
    """One requested module. ``failed_via`` names the earlier module whose import already failed on it."""

    name: str
    path: str | None
    file: str | None
    ok: bool
    error: ErrorInfo | None
    failed_via: str | None

    @classmethod
    def from_json(cls, data: dict) -> ModuleImport:
        return cls(data["name"], data.get("path"), data.get("file"), data["ok"],
                   ErrorInfo.from_json(data.get("error")), data.get("failed_via"))


@dataclass(frozen=True)
class LoadedModule:
    """A project module in sys.modules after the imports; ``imported_from`` is the line that first
    imported it under this name (None when ormdoctor imported it)."""

    name: str
    path: str
    imported_from: Site | None

    @classmethod
    def from_json(cls, data: dict) -> LoadedModule:
        return cls(data["name"], data["path"], Site.from_json(data.get("imported_from")))


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str
    nullable: bool
    primary_key: bool
    unique: bool
    index: bool
    foreign_keys: tuple[str, ...]

    @classmethod
    def from_json(cls, data: dict) -> ColumnInfo:
        return cls(**{**data, "foreign_keys": tuple(data["foreign_keys"])})


@dataclass(frozen=True)
class TableAttempt:
    """One Table definition as the project ran it. ``outcome``: created, duplicate (SQLAlchemy raised
    "already defined"), extended (extend_existing) or kept (keep_existing)."""

    metadata: str
    schema: str | None
    name: str
    key: str
    outcome: str
    site: Site | None
    class_name: str | None
    module: str | None
    columns: tuple[ColumnInfo, ...]
    extend_existing: bool
    keep_existing: bool

    @classmethod
    def from_json(cls, data: dict) -> TableAttempt:
        return cls(data["metadata"], data["schema"], data["name"], data["key"], data["outcome"],
                   Site.from_json(data["site"]), data["class_name"], data["module"],
                   tuple(ColumnInfo.from_json(column) for column in data["columns"]),
                   data["extend_existing"], data["keep_existing"])


@dataclass(frozen=True)
class TableError:
    """SQLAlchemy's "Table 'x' is already defined for this MetaData instance", at the second definition."""

    metadata: str
    key: str
    message: str
    site: Site | None
    class_name: str | None
    module: str | None

    @classmethod
    def from_json(cls, data: dict) -> TableError:
        return cls(data["metadata"], data["key"], data["message"], Site.from_json(data["site"]),
                   data["class_name"], data["module"])


@dataclass(frozen=True)
class MetadataInfo:
    id: str
    label: str
    schema: str | None
    tables: tuple[str, ...]
    created_in: str | None

    @classmethod
    def from_json(cls, data: dict) -> MetadataInfo:
        return cls(data["id"], data["label"], data["schema"], tuple(data["tables"]), data.get("created_in"))


@dataclass(frozen=True)
class MappedClass:
    name: str
    module: str
    site: Site | None
    table: str | None

    @classmethod
    def from_json(cls, data: dict) -> MappedClass:
        return cls(data["name"], data["module"], Site.from_json(data["site"]), data["table"])


@dataclass(frozen=True)
class RegistryInfo:
    """A declarative registry and its mapped classes, in definition order."""

    id: str
    label: str
    metadata: str
    classes: tuple[MappedClass, ...]

    @classmethod
    def from_json(cls, data: dict) -> RegistryInfo:
        return cls(data["id"], data["label"], data["metadata"],
                   tuple(MappedClass.from_json(item) for item in data["classes"]))


@dataclass(frozen=True)
class MapperError:
    registry: str
    class_name: str | None
    module: str | None
    site: Site | None
    type: str
    message: str

    @classmethod
    def from_json(cls, data: dict) -> MapperError:
        return cls(data["registry"], data["class_name"], data["module"], Site.from_json(data["site"]),
                   data["type"], data["message"])


@dataclass(frozen=True)
class MetadataError:
    """A foreign key that does not resolve (``table``/``column``/``target`` set), or a sorted_tables error."""

    metadata: str
    table: str | None
    column: str | None
    target: str | None
    type: str
    message: str

    @classmethod
    def from_json(cls, data: dict) -> MetadataError:
        return cls(**data)


@dataclass(frozen=True)
class WarningInfo:
    category: str
    message: str
    site: Site | None

    @classmethod
    def from_json(cls, data: dict) -> WarningInfo:
        return cls(data["category"], data["message"], Site.from_json(data["site"]))


@dataclass(frozen=True)
class VerifyFailure:
    """One DDL statement the scratch database refused. ``kind``: schema, table, index or constraint."""

    kind: str
    table: str | None
    object: str
    type: str
    message: str

    @classmethod
    def from_json(cls, data: dict) -> VerifyFailure:
        return cls(**data)


@dataclass(frozen=True)
class MetadataVerify:
    metadata: str
    tables: int
    created: tuple[str, ...]
    failures: tuple[VerifyFailure, ...]

    @classmethod
    def from_json(cls, data: dict) -> MetadataVerify:
        return cls(data["metadata"], data["tables"], tuple(data["created"]),
                   tuple(VerifyFailure.from_json(item) for item in data["failures"]))


@dataclass(frozen=True)
class VerifyReport:
    """create_all in a scratch database. ``error`` is set when it could not run at all."""

    dialect: str | None
    url: str
    seconds: float
    error: str | None
    results: tuple[MetadataVerify, ...]

    @classmethod
    def from_json(cls, data: dict | None) -> VerifyReport | None:
        if not data:
            return None
        return cls(data["dialect"], data["url"], data["seconds"], data["error"],
                   tuple(MetadataVerify.from_json(item) for item in data["metadata"]))

    @property
    def failures(self) -> tuple[VerifyFailure, ...]:
        return tuple(failure for result in self.results for failure in result.failures)

    def summary_line(self) -> str:
        """``18 tables on 1 metadata created on sqlite in 0.41 s`` (+ ``, 2 failures``)."""
        if self.error:
            return f"verify could not run on {self.dialect or self.url}: {self.error}"
        total = sum(result.tables for result in self.results)
        created = sum(len(result.created) for result in self.results)
        count = f"{total}" if created == total else f"{created} of {total}"
        line = (f"{count} {_plural(total, 'table')} on {len(self.results)} metadata created on "
                f"{self.dialect} in {self.seconds:.2f} s")
        failures = len(self.failures)
        return line + (f", {failures} {_plural(failures, 'failure')}" if failures else "")


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


# The tables as the real objects describe them (``describe`` requests: ``ormdoctor docs --import``) --------
def _record(cls, data: dict, **nested):
    """A frozen record from its JSON object; keys this version does not know are ignored."""
    names = {f.name for f in fields(cls)}
    values = {key: tuple(value) if isinstance(value, list) else value
              for key, value in data.items() if key in names}
    return cls(**{**values, **nested})


@dataclass(frozen=True)
class ColumnForeignKey:
    target: str  # "schema.table.column", resolved on the MetaData when it resolves
    ondelete: str | None = None
    onupdate: str | None = None


@dataclass(frozen=True)
class DescribedColumn:
    name: str
    type: str  # compiled on the default dialect: VARCHAR(30)
    nullable: bool
    primary_key: bool = False
    unique: bool = False
    index: bool = False
    default: str | None = None  # 'open', datetime.utcnow, now()
    server_default: str | None = None
    comment: str | None = None
    foreign_keys: tuple[ColumnForeignKey, ...] = ()


@dataclass(frozen=True)
class DescribedForeignKey:
    """A ForeignKeyConstraint; ``name`` is the final one (naming convention applied), None when the
    database picks it."""

    name: str | None
    columns: tuple[str, ...]
    target: str  # the referenced table's key
    target_schema: str | None
    target_table: str
    target_columns: tuple[str, ...]
    ondelete: str | None = None
    onupdate: str | None = None


@dataclass(frozen=True)
class DescribedKey:
    """A primary key or unique constraint. ``flag``: made by ``unique=True`` on a column."""

    name: str | None
    columns: tuple[str, ...]
    flag: bool = False


@dataclass(frozen=True)
class DescribedCheck:
    name: str | None
    sqltext: str


@dataclass(frozen=True)
class DescribedIndex:
    """``flag``: made by ``index=True`` on a column; ``columns`` holds SQL text for an expression."""

    name: str | None
    columns: tuple[str, ...]
    unique: bool = False
    flag: bool = False


@dataclass(frozen=True)
class DescribedRelationship:
    """From the configured mapper. ``direction``: MANYTOONE, ONETOMANY or MANYTOMANY (None when the
    target never resolved); ``cascade``: its options, sorted and comma-separated."""

    key: str
    target_class: str | None
    target_module: str | None
    target_table: str | None
    target_metadata: str | None
    direction: str | None
    secondary: str | None
    secondary_metadata: str | None
    cascade: str
    back_populates: str | None
    backref: str | None
    uselist: bool | None
    passive_deletes: bool = False
    viewonly: bool = False


@dataclass(frozen=True)
class DescribedClass:
    """A class mapping the table. ``kind``: class, sti (single-table subclass) or imperative."""

    name: str
    module: str
    kind: str
    path: str | None
    line: int | None
    end_line: int | None
    doc: str | None
    relationships: tuple[DescribedRelationship, ...] = ()


@dataclass(frozen=True)
class DescribedDefinition:
    """One Table() run for the table: ``kind`` class or table, ``outcome`` as in TableAttempt."""

    kind: str
    name: str
    module: str | None
    path: str | None
    line: int | None
    end_line: int | None
    outcome: str


@dataclass(frozen=True)
class DescribedTable:
    metadata: str
    schema: str | None
    name: str
    key: str
    comment: str | None
    columns: tuple[DescribedColumn, ...]
    primary_key: DescribedKey | None
    foreign_keys: tuple[DescribedForeignKey, ...]
    unique: tuple[DescribedKey, ...]
    checks: tuple[DescribedCheck, ...]
    indexes: tuple[DescribedIndex, ...]
    definitions: tuple[DescribedDefinition, ...]
    classes: tuple[DescribedClass, ...]
    error: str | None = None  # set when the table could not be described: only its name is known

    @classmethod
    def from_json(cls, data: dict) -> DescribedTable:
        def many(key, item_cls):
            return tuple(_record(item_cls, item) for item in data.get(key) or ())

        columns = tuple(_record(DescribedColumn, item, foreign_keys=tuple(
            _record(ColumnForeignKey, fk) for fk in item.get("foreign_keys") or ()))
            for item in data["columns"])
        classes = tuple(_record(DescribedClass, item, relationships=tuple(
            _record(DescribedRelationship, rel) for rel in item.get("relationships") or ()))
            for item in data["classes"])
        pk = data.get("primary_key")
        return cls(data["metadata"], data["schema"], data["name"], data["key"], data.get("comment"), columns,
                   _record(DescribedKey, pk) if pk else None, many("foreign_keys", DescribedForeignKey),
                   many("unique", DescribedKey), many("checks", DescribedCheck), many("indexes", DescribedIndex),
                   many("definitions", DescribedDefinition), classes, data.get("error"))


@dataclass(frozen=True)
class RuntimeReport:
    """Everything one tracer run saw. ``stdout``/``stderr`` are the project's own output."""

    python: str
    python_version: str
    sqlalchemy_version: str
    project_root: str
    sys_path: tuple[str, ...]
    modules: tuple[ModuleImport, ...]
    loaded: tuple[LoadedModule, ...]
    metadata: tuple[MetadataInfo, ...]
    tables: tuple[TableAttempt, ...]
    table_errors: tuple[TableError, ...]
    registries: tuple[RegistryInfo, ...]
    mapper_errors: tuple[MapperError, ...]
    metadata_errors: tuple[MetadataError, ...]
    warnings: tuple[WarningInfo, ...]
    verify: VerifyReport | None
    seconds: float
    stdout: str = ""
    stderr: str = ""
    described: tuple[DescribedTable, ...] = ()  # only when the request asked to describe

    @classmethod
    def from_json(cls, data: dict, stdout: str = "", stderr: str = "") -> RuntimeReport:
        def many(key, item_cls):
            return tuple(item_cls.from_json(item) for item in data.get(key) or ())

        return cls(
            data["python"], data["python_version"], data["sqlalchemy"], data["project_root"],
            tuple(data["sys_path"]), many("modules", ModuleImport), many("loaded", LoadedModule),
            many("metadata", MetadataInfo), many("tables", TableAttempt), many("table_errors", TableError),
            many("registries", RegistryInfo), many("mapper_errors", MapperError),
            many("metadata_errors", MetadataError), many("warnings", WarningInfo),
            VerifyReport.from_json(data.get("verify")), data["seconds"]["total"], stdout, stderr,
            tuple(DescribedTable.from_json(item) for item in (data.get("described") or {}).get("tables", ())),
        )

    def metadata_label(self, metadata_id: str) -> str:
        return next((item.label for item in self.metadata if item.id == metadata_id), metadata_id)

    def registry_label(self, registry_id: str) -> str:
        return next((item.label for item in self.registries if item.id == registry_id), registry_id)

    @property
    def ok(self) -> bool:
        """True when nothing failed: imports, duplicates, configuration, foreign keys and verify."""
        verify_failed = self.verify is not None and (self.verify.error or self.verify.failures)
        return not (any(not module.ok for module in self.modules) or self.table_errors
                    or self.mapper_errors or self.metadata_errors or verify_failed)

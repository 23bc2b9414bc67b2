"""The consolidation plan as data: every duplicated or parallel entity (what ORM101–ORM108
report), its versions, how they differ, which one the database holds, the one to keep and why,
and what keeping it takes (imports to rewrite, files that become deletable, risks, steps).
Rendering is in plan_markdown.py, the Alembic revision in migration.py."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ormdoctor.inventory.model import TableDef
from ormdoctor.rules.canonical import Choice, choose, designation, importers
from ormdoctor.rules.consolidate import import_source
from ormdoctor.static.facts import MODULE
from ormdoctor.typefamily import type_family

ENTITY_CODES = ("ORM101", "ORM102", "ORM103", "ORM104", "ORM105", "ORM106", "ORM107", "ORM108")


@dataclass
class Version:
    table: TableDef
    metadata: str
    importers: list[str]
    loaded_by: list[str]
    scores: dict[str, object] = field(default_factory=dict)  # database table → database.score.Score

    @property
    def label(self) -> str:
        return f"{self.table.path}:{self.table.pos.line} {self.table.owner}"

    @property
    def best_ratio(self) -> float:
        return max((s.rank[0] for s in self.scores.values()), default=0.0)


@dataclass
class Rewrite:
    path: str
    line: int
    old: str
    new: str


@dataclass
class Entity:
    name: str
    codes: list[str]
    versions: list[Version]
    choice: Choice
    db_tables: list[object] = field(default_factory=list)  # DbTable with this name, any schema
    rewrites: list[Rewrite] = field(default_factory=list)
    deletable: list[str] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)

    @property
    def keep(self) -> Version:
        return next(v for v in self.versions if v.table is self.choice.keep)

    @property
    def others(self) -> list[Version]:
        return [v for v in self.versions if v.table is not self.choice.keep]

    def holder(self, db_table) -> Version | None:
        """The version the database table matches column for column (or best), if any matches."""
        key = _db_key(db_table)
        scored = [(v.scores[key].rank, v) for v in self.versions if key in v.scores and v.scores[key].matched]
        return max(scored, key=lambda item: item[0])[1] if scored else None


@dataclass
class Plan:
    entities: list[Entity]
    double_imports: list[object]  # rules.module_names.DoubleImport: fixed by ORM107's fix, no entity
    db: object | None = None  # DbSchema


def build_plan(analysis, db=None, exact_types: bool = False) -> Plan:
    inventory = analysis.inventory
    groups = _entity_groups(inventory, analysis.findings)
    entities = [_entity(inventory, analysis.config.canonical, defs, codes, db, exact_types) for defs, codes in groups]
    for entity in entities:
        entity.deletable = deletable_files(inventory, entity, entities)
    from ormdoctor.rules.context import Context
    from ormdoctor.rules.module_names import double_imports

    reported = {f.subject for f in analysis.findings if f.code == "ORM107"}
    doubles = [d for d in double_imports(Context(inventory, analysis.config)) if d.names[0] in reported]
    return Plan(sorted(entities, key=lambda e: e.name), doubles, db)


def _entity_groups(inventory, findings) -> list[tuple[list[TableDef], list[str]]]:
    """Definitions that the entity findings tie together, as connected groups."""
    at = {(t.path, t.pos.line): t for t in inventory.tables}
    at.update({(t.model.path, t.model.pos.line): t for t in inventory.tables if t.model is not None})
    parent: dict[int, int] = {}

    def find(i: int) -> int:
        while parent.setdefault(i, i) != i:
            i = parent[i]
        return i

    codes: dict[int, set[str]] = defaultdict(set)
    for finding in findings:
        if finding.code not in ENTITY_CODES[:5] + ("ORM108",):
            continue
        places = [finding.location] + [r.location for r in finding.related]
        tables = [at[(p.path, p.line)] for p in places if p is not None and (p.path, p.line) in at]
        for table in tables:
            codes[id(table)].add(finding.code)
            parent[find(id(table))] = find(id(tables[0]))
    by_root: dict[int, list[TableDef]] = defaultdict(list)
    for table in inventory.tables:
        if id(table) in parent:
            by_root[find(id(table))].append(table)
    return [(defs, sorted({c for d in defs for c in codes[id(d)]})) for defs in by_root.values() if len(defs) > 1]


def _entity(inventory, decisions, defs: list[TableDef], codes, db, exact_types) -> Entity:
    from ormdoctor.commands.compare import loaded_by

    defs = sorted(defs, key=lambda d: (d.path, d.pos.line))
    versions = [Version(d, inventory.metadata_label(d.metadata_id), importers(inventory, d), loaded_by(inventory, d.path))
                for d in defs]
    db_tables = []
    if db is not None:
        from ormdoctor.database.score import score

        names = sorted({d.name for d in defs})
        db_tables = [t for n in names for t in db.find_by_name(n)]
        for version in versions:
            version.scores = {_db_key(t): score(inventory, version.table, t, db.dialect, exact_types) for t in db_tables}
    scores = {id(v.table): v.best_ratio for v in versions} if db is not None else None
    choice = choose(inventory, defs, decisions, scores)
    entity = Entity(choice.keep.name, codes, versions, choice, db_tables)
    entity.rewrites = import_rewrites(inventory, entity)
    entity.risks = risks(entity)
    return entity


def _db_key(db_table) -> str:
    return f"{db_table.schema}.{db_table.name}" if db_table.schema else db_table.name


def import_rewrites(inventory, entity: Entity) -> list[Rewrite]:
    keep = entity.choice.keep
    found = []
    for version in entity.others:
        table = version.table
        for path in version.importers:
            for fact in inventory.modules[path].facts.imports:
                if fact.context != MODULE or (table.path, table.owner) not in inventory.resolver.import_targets(path, fact):
                    continue
                written = dict(fact.names).get(table.owner)
                alias = written or (table.owner if table.owner != keep.owner else None)
                new = f"from {import_source(inventory, path, keep.path)} import {keep.owner}" + (f" as {alias}" if alias else "")
                old = f"from {'.' * fact.level}{fact.module} import {table.owner}" + (f" as {written}" if written else "")
                found.append(Rewrite(path, fact.pos.line, old, new))
    return sorted(found, key=lambda r: (r.path, r.line))


def deletable_files(inventory, entity: Entity, entities: list[Entity]) -> list[str]:
    """Files of replaced versions that define nothing else anybody uses."""
    replaced = {(v.table.path, v.table.owner) for e in entities for v in e.others}
    kept = {(e.choice.keep.path) for e in entities}
    found = []
    for path in sorted({v.table.path for v in entity.others} - kept):
        defined = {(c.path, c.name) for c in inventory.classes if c.path == path and c.kind not in ("base", "abstract", "mixin")}
        defined |= {(t.path, t.owner) for t in inventory.tables if t.path == path}
        if not defined <= replaced:
            continue
        if _used_from_outside(inventory, path, {name for _, name in defined}):
            continue
        found.append(path)
    return found


def _used_from_outside(inventory, path: str, replaced_names: set[str]) -> bool:
    for importer, module in inventory.modules.items():
        if importer == path:
            continue
        for fact in module.facts.imports:
            for target, name in inventory.resolver.import_targets(importer, fact):
                if target == path and (name is None or name not in replaced_names):
                    return True
    return False


def risks(entity: Entity) -> list[str]:
    keep = entity.choice.keep
    kept = {c.name: c for c in keep.columns if c.name}
    found = []
    for version in entity.others:
        table = version.table
        for column in table.columns:
            if not column.name:
                continue
            mine = kept.get(column.name)
            if mine is None:
                found.append(f"{table.owner}.{column.name} ({version.label}) has no counterpart in the kept version: "
                             f"its data is lost unless migrated")
            elif type_family(mine.type or "") != type_family(column.type or "") and mine.type and column.type:
                found.append(f"{column.name}: {column.type} in {version.label} vs {mine.type} in the kept version: "
                             f"changing the type ({_short(column.type)} → {_short(mine.type)}) needs a data migration")
        if (table.schema or "") != (keep.schema or ""):
            found.append(f"{version.label} lives in schema {table.schema or 'default'}, the kept version in "
                         f"{keep.schema or 'default'}: rows move with the table (see the migration)")
        if table.metadata_id != keep.metadata_id:
            found.append(f"{version.label} is on {version.metadata}, the kept version on "
                         f"{entity.keep.metadata}: create_all / Alembic of the other metadata stop seeing the table")
    return found


def _short(type_text: str) -> str:
    return type_text.split("(")[0]


def decisions(plan: Plan) -> list[tuple[str, str, str]]:
    """(table, chosen definition, why) for the decisions file."""
    return [(e.name, designation(e.choice.keep), "; ".join(e.choice.reasons)) for e in plan.entities]

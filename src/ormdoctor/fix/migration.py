"""A reviewable Alembic revision for the database side of a plan.

Per entity, from what the database holds to the kept version's table:
- the table lives in another schema → PostgreSQL `ALTER TABLE core.customers SET SCHEMA public`
  (rows, indexes, sequences and foreign keys move with it; autogenerate would drop and
  re-create); SQLite, whose schemas are attached files, gets a copy-and-swap;
- the table has a parallel name (`bookings_legacy`) → a rename;
- columns whose names differ only slightly → `alter_column(new_column_name=...)`;
- the kept version's columns the table lacks → added, nullable (expand); the table's columns the
  kept version lacks → dropped only in a commented contract step, after the data is checked;
- two populated versions (the kept one's table exists AND another version's) → expand, copy the
  rows of the shared columns, and a downgrade that says what cannot be undone.
Type changes (Integer → UUID) are never done here: they need a data migration, written out as
a comment where they occur.
"""

from __future__ import annotations

import difflib
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ormdoctor.fix.plan import Entity, Plan
from ormdoctor.typefamily import type_family

_PYTHON_TYPES = {"int": "Integer", "str": "String", "float": "Float", "bool": "Boolean", "bytes": "LargeBinary",
                 "datetime": "DateTime", "date": "Date", "time": "Time", "Decimal": "Numeric", "dict": "JSON",
                 "list": "JSON", "UUID": "Uuid", "uuid.UUID": "Uuid", "timedelta": "Interval"}


@dataclass
class Ops:
    upgrade: list[str] = field(default_factory=list)
    downgrade: list[str] = field(default_factory=list)  # in upgrade order; reversed when written

    def step(self, up: str, down: str | None) -> None:
        self.upgrade.append(up)
        if down is not None:
            self.downgrade.append(down)

    def note(self, text: str, down: str | None = None) -> None:
        self.upgrade += [f"# {line}" for line in text.splitlines()]
        if down:
            self.downgrade.append(f"# {down}")


def write_revision(plan: Plan, folder: Path) -> Path:
    ops = Ops()
    for entity in plan.entities:
        _entity_ops(plan, entity, ops)
    revision = uuid.uuid4().hex[:12]
    path = folder / f"{revision}_consolidate_duplicated_entities.py"
    from ormdoctor.commands.output import write_atomic

    write_atomic(path, render_revision(revision, _head(folder), ops))
    return path


def render_revision(revision: str, down_revision: str | None, ops: Ops) -> str:
    upgrade = _body(ops.upgrade)
    downgrade = _body(list(reversed(ops.downgrade)))
    return f'''"""Consolidate duplicated entities (written by `ormdoctor plan --migration`; review before upgrading)

Revision ID: {revision}
Revises: {down_revision or ""}
Create Date: {datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")}
"""

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = {down_revision!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
{upgrade}


def downgrade() -> None:
{downgrade}
'''


def _body(lines: list[str]) -> str:
    code = [line for line in lines if not line.startswith("#")]
    return "\n".join(f"    {line}" for line in lines) + ("" if code else "\n    pass")


def _head(folder: Path) -> str | None:
    """The current head of the versions folder: a revision no other revision names as down."""
    revisions, downs = set(), set()
    for file in folder.glob("*.py"):
        text = file.read_text(encoding="utf-8", errors="replace")
        found = re.search(r"^revision\s*(?::\s*str\s*)?=\s*['\"]([^'\"]+)['\"]", text, re.M)
        if found:
            revisions.add(found.group(1))
        for down in re.findall(r"^down_revision[^=]*=\s*(.+)$", text, re.M):
            downs |= set(re.findall(r"['\"]([^'\"]+)['\"]", down))
    heads = sorted(revisions - downs)
    return heads[0] if len(heads) == 1 else None


def _entity_ops(plan: Plan, entity: Entity, ops: Ops) -> None:
    db = plan.db
    keep = entity.choice.keep
    target = db.table(keep.schema, keep.name)
    holders = [(t, entity.holder(t)) for t in entity.db_tables if t is not target]
    holders = [(t, v) for t, v in holders if v is not None and v.table is not keep]
    where = _qualified(db, keep.schema, keep.name)
    ops.note(f"--- {entity.name}: keep {entity.keep.label}")
    if target is None and holders:
        source, version = holders[0]
        _move(db, source, keep, ops)
        _reconcile(db, source, entity, ops)
        for other, _ in holders[1:]:
            ops.note(f"{db.qualified(other)} also holds a version: merge it by hand after this step")
    elif target is not None and holders:
        for source, version in holders:
            _merge(db, source, target, entity, ops)
    elif target is None:
        ops.note(f"the database has no table for {entity.name}: `alembic revision --autogenerate` creates {where}")
    else:
        ops.note(f"the database already holds {where} as the kept version has it: nothing to move")


def _qualified(db, schema: str | None, name: str) -> str:
    return f"{schema or db.default_schema}.{name}" if (schema or db.default_schema) else name


def _move(db, source, keep, ops: Ops) -> None:
    src_schema = source.schema
    dst_schema = keep.schema
    if (src_schema or None) != (dst_schema or None):
        if db.dialect == "postgresql":
            to_schema = dst_schema or db.default_schema or "public"
            back_schema = src_schema or db.default_schema or "public"
            if dst_schema:
                ops.step(f'op.execute(\'CREATE SCHEMA IF NOT EXISTS "{dst_schema}"\')', None)
            ops.note("SET SCHEMA keeps the rows, indexes, sequences and foreign keys (autogenerate would drop "
                     "and re-create the table)")
            ops.step(f'op.execute(\'ALTER TABLE "{back_schema}"."{source.name}" SET SCHEMA "{to_schema}"\')',
                     f'op.execute(\'ALTER TABLE "{to_schema}"."{source.name}" SET SCHEMA "{back_schema}"\')')
        else:
            _copy_and_swap(source, src_schema, dst_schema, ops)
    if source.name != keep.name:
        schema = repr(dst_schema) if dst_schema else "None"
        ops.step(f"op.rename_table({source.name!r}, {keep.name!r}, schema={schema})",
                 f"op.rename_table({keep.name!r}, {source.name!r}, schema={schema})")


def _copy_and_swap(source, src_schema, dst_schema, ops: Ops) -> None:
    """SQLite has no SET SCHEMA: create the table where it belongs from the rows, drop the old one."""
    src = f'"{src_schema}"."{source.name}"' if src_schema else f'"{source.name}"'
    dst = f'"{dst_schema}"."{source.name}"' if dst_schema else f'"{source.name}"'
    ops.note("SQLite copy-and-swap: constraints and indexes are not copied by CREATE TABLE AS; re-create them "
             "(`alembic revision --autogenerate` after this one lists them)")
    ops.step(f"op.execute('CREATE TABLE {dst} AS SELECT * FROM {src}')", f"op.execute('DROP TABLE {dst}')")
    ops.step(f"op.execute('DROP TABLE {src}')", f"op.execute('CREATE TABLE {src} AS SELECT * FROM {dst}')")


def _reconcile(db, source, entity: Entity, ops: Ops) -> None:
    keep = entity.choice.keep
    schema = repr(keep.schema) if keep.schema else "None"
    db_columns = {c.name: c for c in source.columns}
    wanted = [c for c in keep.columns if c.name]
    missing = [c for c in wanted if c.name not in db_columns]
    extra = [n for n in db_columns if n not in {c.name for c in wanted}]
    for column in list(missing):
        old = _renamed_from(column, [db_columns[n] for n in extra])
        if old is not None:
            missing.remove(column)
            extra.remove(old.name)
            ops.step(f"op.alter_column({keep.name!r}, {old.name!r}, new_column_name={column.name!r}, schema={schema})",
                     f"op.alter_column({keep.name!r}, {column.name!r}, new_column_name={old.name!r}, schema={schema})")
    for column in wanted:
        found = db_columns.get(column.name)
        if found is not None and column.type and type_family(column.type) not in (None, found.family):
            ops.note(f"{column.name}: the database has {found.type}, the kept model {column.type}; converting it "
                     f"needs a data migration (not done here)")
    for column in missing:
        ops.note(f"expand: {column.name} is in the kept model" + (" (NOT NULL there: fill it, then alter it)"
                                                                    if column.nullable is False else ""))
        expression, review = _sa_type(column.type)
        if review:
            ops.note(review)
        ops.step(f"op.add_column({keep.name!r}, sa.Column({column.name!r}, {expression}, nullable=True), "
                 f"schema={schema})", f"op.drop_column({keep.name!r}, {column.name!r}, schema={schema})")
    if extra:
        ops.note("contract, once the data is checked: the kept model does not have these columns\n" +
                 "\n".join(f"op.drop_column({keep.name!r}, {n!r}, schema={schema})" for n in extra))


def _renamed_from(column, candidates):
    best = None
    for db_column in candidates:
        ratio = difflib.SequenceMatcher(None, column.name, db_column.name).ratio()
        same_family = type_family(column.type or "") in (None, db_column.family)
        if ratio >= 0.8 and same_family and (best is None or ratio > best[0]):
            best = (ratio, db_column)
    return best[1] if best else None


def _merge(db, source, target, entity: Entity, ops: Ops) -> None:
    """Two populated versions: copy the rows of the shared columns into the kept table."""
    shared = [c.name for c in target.columns if source.column(c.name) is not None and
              source.column(c.name).family == c.family]
    src, dst = db.qualified(source), db.qualified(target)
    ops.note(f"expand/contract: {src} and {dst} both hold rows; copy the shared columns into {dst}")
    if shared:
        columns = ", ".join(f'"{n}"' for n in shared)
        insert = f"INSERT INTO {_sql_name(dst)} ({columns}) SELECT {columns} FROM {_sql_name(src)} AS old"
        key = [n for n in target.primary_key if n in shared]
        if key:  # rows the kept table already has stay as they are; nothing is dropped silently
            same = " AND ".join(f'kept."{n}" = old."{n}"' for n in key)
            insert += f" WHERE NOT EXISTS (SELECT 1 FROM {_sql_name(dst)} AS kept WHERE {same})"
        required = [c.name for c in target.columns if not c.nullable and c.name not in shared and not c.default]
        if required:
            ops.note(f"{', '.join(required)}: NOT NULL in {dst} and not in {src}; give them a value in this "
                     f"INSERT, or the upgrade stops here")
        ops.step(f"op.execute({insert!r})", None)
    ops.note(f"contract, once the application uses {dst} only:\nop.drop_table({source.name!r}"
             + (f", schema={source.schema!r})" if source.schema else ")"),
             down=f"cannot be undone: the rows copied from {src} into {dst} stay there; "
                  f"delete them by hand if the downgrade must restore the split")


def _sql_name(qualified: str) -> str:
    return ".".join(f'"{part}"' for part in qualified.split("."))


def _sa_type(written: str | None) -> tuple[str, str | None]:
    """An SQLAlchemy type expression for a column type as the model writes it, and a review
    note when it had to be guessed."""
    import sqlalchemy

    text = (written or "").replace("Optional[", "").rstrip("]")
    text = _PYTHON_TYPES.get(text, text)
    name = text.split("(")[0].split(".")[-1]
    if name and hasattr(sqlalchemy, name):
        args = text[len(text.split("(")[0]):]
        return f"sa.{name}{args or '()'}", None
    return "sa.String()", f"review: the model's type is {written or 'unknown'}; sa.String() is a placeholder"

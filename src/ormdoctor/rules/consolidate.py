"""The fix for one table defined several times: keep the canonical definition, replace every
other class with an import of it (a re-export, so modules importing the old name keep working)
and drop the extend_existing / keep_existing flag that hid the duplicate."""

from __future__ import annotations

from pathlib import PurePosixPath

from ormdoctor.findings import Applicability, Edit, Fix
from ormdoctor.inventory.model import TableDef
from ormdoctor.rules.canonical import choose


def consolidation_fix(ctx, defs: list[TableDef], decided_only: bool = False) -> Fix | None:
    """``decided_only``: parallel versions (other metadata, other schema) are consolidated only
    when `[tool.ormdoctor.canonical]` or a plan file names the one to keep: the database decides
    which is alive, and only `ormdoctor plan --db` can see it."""
    if any(d.origin != "class" for d in defs):
        return None  # a Table() variable has no class to re-export; the plan covers it
    choice = choose(ctx.inventory, defs, ctx.config.canonical)
    if decided_only and not choice.decided:
        return None
    keep = choice.keep
    others = [d for d in defs if d is not keep]
    if any(d.path == keep.path for d in others):
        return None  # two classes in one module: deleting one is a decision, not a re-export
    edits = [Edit("replace-with-import", d.path, d.pos.line, (d.owner, import_source(ctx.inventory, d.path, keep.path),
                                                               keep.owner)) for d in others]
    edits += flag_removals([keep])
    same = all(same_columns(keep, d) for d in others)
    statement = _statement(ctx.inventory, others[0], keep)
    replaced = ", ".join(f"{d.path}:{d.pos.line} {d.owner}" for d in others)
    description = f"keep {keep.path}:{keep.pos.line} {keep.owner} ({choice.reasons[0]}); replace {replaced} with `{statement}`"
    if not same:
        description += " (the definitions differ in columns)"
    return Fix(Applicability.SAFE if same else Applicability.UNSAFE, description, tuple(edits))


def flag_removals(defs: list[TableDef]) -> list[Edit]:
    """Removing a flag a class inherits would change every table of its base: only own flags."""
    return [Edit("remove-flag", d.path, d.pos.line, (d.owner, flag))
            for d in defs if not d.flag_inherited
            for flag, on in (("extend_existing", d.extend_existing), ("keep_existing", d.keep_existing)) if on]


def _statement(inventory, replaced: TableDef, keep: TableDef) -> str:
    alias = f" as {replaced.owner}" if replaced.owner != keep.owner else ""
    return f"from {import_source(inventory, replaced.path, keep.path)} import {keep.owner}{alias}"


def import_source(inventory, importer: str, target: str) -> str:
    """How ``importer`` should name ``target``: relatively inside one package, else by the module
    name under the import root the importer itself is loaded from."""
    here, there = PurePosixPath(importer), PurePosixPath(target)
    if here.parent == there.parent and f"{here.parent}/__init__.py".lstrip("./") in inventory.modules:
        return "." + there.stem if there.name != "__init__.py" else "."
    importer_roots = {root.path for _, root in inventory.modules[importer].names}
    names = [n for n, root in inventory.modules[target].names if root.path in importer_roots]
    return min(names, key=lambda n: (len(n), n)) if names else inventory.modules[target].name


def same_columns(a: TableDef, b: TableDef) -> bool:
    return _shape(a) == _shape(b)


def _shape(table: TableDef):
    return sorted((c.attr or "", c.name or "", (c.type or "").replace(" ", ""), c.primary_key, c.unique, c.index,
                   c.nullable, tuple(sorted(fk.target for fk in c.foreign_keys))) for c in table.columns)

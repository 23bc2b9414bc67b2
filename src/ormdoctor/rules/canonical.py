"""Which definition of a duplicated table to keep, and why.

One answer for the rule messages, the fixes and `ormdoctor plan`: the decision written in
`[tool.ormdoctor.canonical]` (or a plan file merged into it) wins; otherwise the version the
database holds (when `plan --db` scored them), then the one without a legacy-looking name, then
the one more modules import, then the more complete one (more columns), then load order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ormdoctor.inventory.model import TableDef
from ormdoctor.static.facts import MODULE

_LEGACY = re.compile(r"(^|[_./])(legacy|old|deprecated|backup|bak|copy|tmp|temp)([_./]|$)|(Legacy|Old)[A-Z]", re.I)


@dataclass(frozen=True)
class Choice:
    keep: TableDef
    reasons: tuple[str, ...]
    decided: bool  # written in the configuration, not inferred


def choose(inventory, defs: list[TableDef], decisions: dict[str, str], database_scores: dict | None = None) -> Choice:
    """``defs`` in load order; ``database_scores`` maps id(def) → match with the database (0..1)."""
    decided = _decided(inventory, defs, decisions)
    if decided is not None:
        return Choice(decided, (f"chosen in [tool.ormdoctor.canonical] or the plan file ({_wanted(defs, decisions)})",), True)
    scores = database_scores or {}
    counts = {id(d): importers(inventory, d) for d in defs}

    def rank(item):
        index, d = item
        return (-round(scores.get(id(d), 0.0), 2), looks_legacy(d), -len(counts[id(d)]), -len(d.columns), index)

    keep = min(enumerate(defs), key=rank)[1]
    return Choice(keep, tuple(_reasons(keep, defs, scores, counts)), False)


def _reasons(keep: TableDef, defs: list[TableDef], scores: dict, counts: dict) -> list[str]:
    others = [d for d in defs if d is not keep]
    reasons = []
    if scores and all(scores.get(id(keep), 0) > scores.get(id(d), 0) for d in others):
        reasons.append(f"it matches the database best ({scores[id(keep)]:.0%} of the columns)")
    if not looks_legacy(keep) and any(looks_legacy(d) for d in others):
        reasons.append("the others have legacy-looking names")
    if all(len(counts[id(keep)]) > len(counts[id(d)]) for d in others):
        reasons.append(f"{len(counts[id(keep)])} module(s) import it, more than the others")
    if all(len(keep.columns) > len(d.columns) for d in others):
        reasons.append(f"it is the most complete ({len(keep.columns)} columns)")
    return reasons or ["it is loaded first"]


def looks_legacy(table: TableDef) -> bool:
    return bool(_LEGACY.search(table.path) or _LEGACY.search(table.owner) or _LEGACY.search(table.name))


def importers(inventory, table: TableDef) -> list[str]:
    """Files that import the definition's class (or Table variable) by name at module level."""
    found = []
    for path, module in sorted(inventory.modules.items()):
        if path == table.path:
            continue
        for fact in module.facts.imports:
            if fact.context == MODULE and (table.path, table.owner) in inventory.resolver.import_targets(path, fact):
                found.append(path)
                break
    return found


def _wanted(defs: list[TableDef], decisions: dict[str, str]) -> str | None:
    """The decision for any of the versions' keys or names (`core.customers`, `customers`)."""
    for d in defs:
        for key in (d.key, d.name):
            if key in decisions:
                return decisions[key]
    return None


def _decided(inventory, defs: list[TableDef], decisions: dict[str, str]) -> TableDef | None:
    wanted = _wanted(defs, decisions)
    if not wanted:
        return None
    for d in defs:
        if wanted in designations(inventory, d):
            return d
    return None


def designations(inventory, table: TableDef) -> set[str]:
    """Every way a decision may name a definition: path, path:Class, module, module:Class."""
    module = inventory.modules[table.path]
    names = {table.path, f"{table.path}:{table.owner}"}
    for name, _ in module.names or [(module.name, None)]:
        names |= {name, f"{name}:{table.owner}", f"{name}.{table.owner}"}
    return names


def designation(table: TableDef) -> str:
    """How plans and messages name a definition, in a form `designations` accepts."""
    return f"{table.path}:{table.owner}"

"""What a rule sees: the inventory, the configuration, and a helper to make findings."""

from __future__ import annotations

from dataclasses import dataclass, field

from ormdoctor.config import Config
from ormdoctor.findings import Finding, Fix, Location, Related
from ormdoctor.inventory.model import Inventory, TableDef
from ormdoctor.static.facts import Pos


@dataclass
class Context:
    inventory: Inventory
    config: Config
    # Filled by the engine before the unused-suppression rule runs (it runs last).
    used_suppressions: set = field(default_factory=set)
    selected_codes: set = field(default_factory=set)

    def finding(self, code: str, subject: str, message: str, location: Location | None,
                related=(), hint: str = "", severity=None, fix: Fix | None = None, details=()) -> Finding:
        from ormdoctor.rules.registry import RULES

        rule = RULES[code]
        return Finding(code=code, rule=rule.name, severity=severity or rule.severity, subject=subject,
                       message=message, location=location, related=tuple(related), hint=hint, fix=fix,
                       details=tuple(details))

    @property
    def graph(self):
        return self.inventory.graph

    def metadata_label(self, metadata_id: str | None) -> str:
        return self.inventory.metadata_label(metadata_id)


def loc(path: str, pos: Pos | None) -> Location:
    return Location(path, pos.line if pos else 1, pos.column if pos else 1)


def table_loc(table: TableDef) -> Location:
    return loc(table.path, table.pos)


def related(path: str, pos: Pos | None, message: str) -> Related:
    return Related(loc(path, pos), message)


def definition_label(table: TableDef) -> str:
    """``models/customer.py:5 Customer`` for a class, ``db/tables.py:9 Table()`` for Table()."""
    owner = table.owner if table.origin == "class" else "Table()"
    return f"{table.path}:{table.pos.line} {owner}"

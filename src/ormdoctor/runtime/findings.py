"""Runtime facts → findings, all with ``source="import"``."""

from __future__ import annotations

from pathlib import Path

from ..findings import Finding, sort_findings
from .duplicate_findings import duplicate_classes, duplicate_tables, modules_imported_twice
from .failure_findings import import_errors, mapper_errors, metadata_errors, verify_failures
from .report import RuntimeReport


def to_findings(report: RuntimeReport, project_root: str | Path) -> list[Finding]:
    return sort_findings([
        *import_errors(report, project_root),
        *modules_imported_twice(report, project_root),
        *duplicate_tables(report),
        *duplicate_classes(report),
        *mapper_errors(report),
        *metadata_errors(report),
        *verify_failures(report),
    ])

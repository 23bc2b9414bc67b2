"""ORM101 duplicate-table, ORM104 duplicate-class-name, ORM107 module-imported-twice, as the import saw them.

A file loaded under two module names re-runs every class statement in it; those repeats are reported
once, as ORM107, not again as duplicate tables and classes. (A repeat at one line of a file loaded under
one name, as ``importlib.reload`` makes, stays a duplicate table.)"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

from ..findings import Finding, Related, Severity
from .finding_kit import describe, file_location, finding, location, related
from .report import LoadedModule, MappedClass, RuntimeReport, TableAttempt

DEFINITIONS = ("created", "duplicate")


def duplicate_tables(report: RuntimeReport) -> list[Finding]:
    groups = defaultdict(list)
    for attempt in report.tables:
        if attempt.outcome in DEFINITIONS:
            groups[(attempt.metadata, attempt.key)].append(attempt)
    twice = set(_files_loaded_twice(report))
    return [_duplicate_table(report, attempts) for attempts in groups.values()
            if any(a.outcome == "duplicate" for a in attempts) and not _one_site_of(attempts, twice)]


def _duplicate_table(report: RuntimeReport, attempts: list[TableAttempt]) -> Finding:
    first, second = attempts[0], attempts[1]
    label = report.metadata_label(first.metadata)
    error = next((e.message for e in report.table_errors if (e.metadata, e.key) == (first.metadata, first.key)), "")
    return finding(
        "ORM101", first.key, f"table '{first.key}' is defined {len(attempts)} times on metadata {label}",
        location(second.site), related=_others(attempts, second), hint=_table_hint(first),
        details=tuple(filter(None, (error, *(describe(a.site, a.class_name, a.module) for a in attempts)))),
    )


def _table_hint(first: TableAttempt) -> str:
    keep = f"import {first.class_name} from {first.module}" if first.class_name else "import the first Table"
    return f"keep one definition and {keep} elsewhere; extend_existing=True would only hide the duplicate"


def duplicate_classes(report: RuntimeReport) -> list[Finding]:
    findings, twice = [], set(_files_loaded_twice(report))
    for registry in report.registries:
        groups = defaultdict(list)
        for cls in registry.classes:
            groups[cls.name].append(cls)
        findings += [_duplicate_class(report, registry.label, classes) for classes in groups.values()
                     if len(classes) > 1 and not _one_site_of(classes, twice) and not _same_table(classes)]
    return findings


def _same_table(classes) -> bool:
    """Same name and same table: the duplicate table (ORM101) is the problem, as in the static rule."""
    tables = {c.table for c in classes}
    return len(tables) == 1 and None not in tables


def _short(label: str, report: RuntimeReport | None = None) -> str:
    """``app.db:Base.registry`` → ``Base``, as the static findings name a registry; with two
    registries of that name, ``Base (app.db)`` tells them apart, as the static labels do."""
    module, _, name = label.rpartition(":")
    name = name[: -len(".registry")] if name.endswith(".registry") else name
    if report is not None and module and sum(1 for r in report.registries if _short(r.label) == name) > 1:
        return f"{name} ({module})"
    return name


def _duplicate_class(report: RuntimeReport, label: str, classes: list[MappedClass]) -> Finding:
    name = classes[0].name
    ambiguous = any(f'Multiple classes found for path "{name}"' in e.message for e in report.mapper_errors)
    return finding(
        "ORM104", name, f"class name '{name}' is mapped {len(classes)} times in registry {_short(label, report)}",
        location(classes[1].site), related=_others(classes, classes[1]),
        severity=Severity.ERROR if ambiguous else None,
        hint=f"rename one class, or name it by its full module path in relationship() ('{classes[0].module}.{name}')",
        details=tuple(describe(c.site, c.name, c.module) + f" table {c.table}" for c in classes),
    )


def modules_imported_twice(report: RuntimeReport, project_root: str | Path) -> list[Finding]:
    """One finding per file whose second name comes from outside; files that got a second name only
    because a twice-loaded file imported them (``from .db import Base``) are listed in its details."""
    twice = _files_loaded_twice(report)
    causes = {path: _cause(path, twice) for path in twice}
    return [_imported_twice(report, path, modules, project_root,
                            [other for other, cause in causes.items() if cause == path != other])
            for path, modules in twice.items() if causes[path] == path]


def _cause(path: str, twice: dict[str, list[LoadedModule]]) -> str:
    """Follow the import sites of the extra names up to the file whose double load started it."""
    seen = {path}
    while True:
        sites = {m.imported_from.path if m.imported_from else None for m in twice[path][1:]}
        if len(sites) != 1 or next(iter(sites)) not in twice or next(iter(sites)) in seen:
            return path
        path = next(iter(sites))
        seen.add(path)


def _files_loaded_twice(report: RuntimeReport) -> dict[str, list[LoadedModule]]:
    """Model files in sys.modules under two or more names (a package __init__ without models is harmless)."""
    groups = defaultdict(list)
    for module in report.loaded:
        groups[module.path].append(module)
    model_files = _model_files(report)
    return {path: modules for path, modules in groups.items() if len(modules) > 1 and path in model_files}


def _imported_twice(report: RuntimeReport, path: str, modules: list[LoadedModule], root, followers) -> Finding:
    names = [module.name for module in modules]
    short, long = min(names, key=lambda n: (len(n), n)), max(names, key=lambda n: (len(n), n))
    site = next((m.imported_from for m in modules[1:] if m.imported_from), modules[0].imported_from)
    return finding(
        "ORM107", short, f"imported under {len(names)} module names: {', '.join(names)}",
        location(site) or file_location(path),
        related=[_import_site(module) for module in modules],
        hint=f"import it only as '{short}'; '{long}' exists because {_root_of(long, path, report, root)} "
             "is an import root too",
        details=_redefined(report, path, names) + tuple(f"loaded twice through it: {f}" for f in followers),
    )


def _import_site(module: LoadedModule):
    if module.imported_from is None:
        return Related(file_location(module.path), f"imported as '{module.name}' (a listed model module)")
    return related(module.imported_from, f"imported as '{module.name}'")


def _redefined(report: RuntimeReport, path: str, names: list[str]) -> tuple[str, ...]:
    tables = sorted({e.key for e in report.table_errors if e.site and e.site.path == path})
    here = [c.name for r in report.registries for c in r.classes if c.site and c.site.path == path]
    classes = sorted({name for name in here if here.count(name) > 1})
    lines = [f"module names: {', '.join(names)}"]
    if tables:
        lines.append(f"tables defined twice: {', '.join(tables)}")
    if classes:
        lines.append(f"classes defined twice: {', '.join(classes)}")
    return tuple(lines)


def _root_of(name: str, path: str, report: RuntimeReport, project_root) -> str:
    """The sys.path entry under which ``path`` is importable as ``name``, relative to the project."""
    absolute = Path(project_root, path)
    for entry in report.sys_path:
        try:
            relative = absolute.relative_to(entry)
        except ValueError:
            continue
        if _dotted(relative) == name:
            shown = os.path.relpath(entry, project_root)
            return f"'{shown}'"
    return "another directory"


def _dotted(relative: Path) -> str:
    parts = list(relative.with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _model_files(report: RuntimeReport) -> set[str]:
    """Files that define tables, mapped classes or MetaData: loading those twice matters."""
    sites = [a.site for a in report.tables] + [c.site for r in report.registries for c in r.classes]
    return {site.path for site in sites if site} | {m.created_in for m in report.metadata if m.created_in}


def _one_site_of(items, files_loaded_twice: set[str]) -> bool:
    """All definitions are one line of a file loaded under two names: ORM107 covers them."""
    sites = {(item.site.path, item.site.line) if item.site else None for item in items}
    return len(sites) == 1 and None not in sites and next(iter(sites))[0] in files_loaded_twice


def _others(items, shown):
    labels = ["first definition"] + ["also defined here"] * (len(items) - 1)
    return [r for r in (related(item.site, label) for item, label in zip(items, labels) if item is not shown) if r]

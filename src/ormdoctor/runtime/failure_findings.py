"""ORM900 import-error, ORM901 mapper-configuration-error, ORM902 metadata-error: what SQLAlchemy raised
when the models were imported, configured, sorted and created. Messages are ormdoctor's own (the same on
every SQLAlchemy version); SQLAlchemy's text is kept in ``details``."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

from ..findings import Finding
from .finding_kit import finding, location, one_line
from .report import MapperError, MetadataError, ModuleImport, RuntimeReport, Site, VerifyFailure

# (pattern in SQLAlchemy's message, short message with {0}, hint): first match wins.
MAPPER_PROBLEMS = (
    (r"expression '([^']+)' failed to locate a name", "relationship target '{0}' is not a mapped class",
     "fix the class name, or import the module that defines it before mappers are configured"),
    (r'Multiple classes found for path "([^"]+)"', "relationship target '{0}' matches several classes",
     "name the target by its full module path, a lambda, or the class object"),
    (r"has no property '([^']+)'", "back_populates names a missing attribute '{0}'",
     "make back_populates name the attribute on the other class that points back"),
    (r"Could not determine join condition .* on relationship (\S+)", "no foreign key links {0}",
     "add the ForeignKey (to a table on the same MetaData) or pass foreign_keys= / primaryjoin="),
)
MAPPER_HINT = "reproduce with sqlalchemy.orm.configure_mappers() and fix the relationship it names"
FK_HINT = "define or import the target table on the same MetaData, or fix the ForeignKey ('schema.table.column')"
VERIFY_HINTS = {
    "index": "give each index a name unique in its schema (explicit names or a naming_convention)",
    "schema": "create the schema in a migration before the tables",
}
VERIFY_HINT = "fix the model so that create_all succeeds on this database"


def import_errors(report: RuntimeReport, project_root: str | Path) -> list[Finding]:
    """One finding per distinct failure: a broken helper module imported by three model modules is one bug."""
    groups = defaultdict(list)
    for module in report.modules:
        if not module.ok:
            error = module.error
            groups[(error.deepest, error.type, error.message)].append(module)
    return [_import_error(report, modules, project_root) for modules in groups.values()]


def _import_error(report: RuntimeReport, modules: list[ModuleImport], project_root) -> Finding:
    error = modules[0].error
    frame = error.deepest
    subject = _module_of(frame.path, report, project_root) if frame else None
    subject = subject or modules[0].name
    also = [m.name for m in modules if m.name != subject]
    details = [error.message, *(f"{f.path}:{f.line} in {f.function}" for f in error.frames)]
    if also:
        details.append(f"also fails to import: {', '.join(also)}")
    return finding("ORM900", subject, f"importing {subject} fails: {error.type}: {one_line(error.message)}",
                   location(Site(frame.path, frame.line) if frame else None),
                   hint=_import_hint(error.type), details=details)


def _import_hint(error_type: str) -> str:
    if error_type in ("ModuleNotFoundError", "ImportError"):
        return "check the import roots ([tool.ormdoctor] roots, sys.path) and that the dependencies are installed"
    return "fix the error or guard import-time work with ORMDOCTOR_RUNTIME; these models were not checked"


def _module_of(path: str, report: RuntimeReport, project_root) -> str | None:
    """The module name of a project file, from the first import root that contains it."""
    absolute = Path(project_root, path)
    for entry in report.sys_path:
        try:
            parts = list(absolute.relative_to(entry).with_suffix("").parts)
        except ValueError:
            continue
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    return None


def mapper_errors(report: RuntimeReport) -> list[Finding]:
    return [_mapper_error(report, error) for error in report.mapper_errors]


def _mapper_error(report: RuntimeReport, error: MapperError) -> Finding:
    summary, hint = _mapper_problem(error.message)
    subject = error.class_name or report.registry_label(error.registry)
    return finding("ORM901", subject, f"mapper configuration fails for {subject}: {summary}",
                   location(error.site), hint=hint, details=(f"{error.type}: {error.message}",))


def _mapper_problem(message: str) -> tuple[str, str]:
    for pattern, summary, hint in MAPPER_PROBLEMS:
        match = re.search(pattern, message, re.DOTALL)
        if match:
            return summary.format(*match.groups()), hint
    return one_line(message.split(". ")[0]), MAPPER_HINT


def metadata_errors(report: RuntimeReport) -> list[Finding]:
    return [_metadata_error(report, error) for error in report.metadata_errors]


def _metadata_error(report: RuntimeReport, error: MetadataError) -> Finding:
    label = report.metadata_label(error.metadata)
    details = (f"{error.type}: {error.message}",)
    if error.table is None:
        return finding("ORM902", label, f"sorting the tables of {label} fails: {one_line(error.message)}",
                       None, hint=FK_HINT, details=details)
    # The subject is the column, as ORM303 names it: the static and the runtime finding merge.
    return finding("ORM902", f"{error.table}.{error.column}", f"foreign key {error.table}.{error.column}: {_fk_problem(error)}",
                   location(_table_site(report, error.metadata, error.table)), hint=FK_HINT, details=details)


def _fk_problem(error: MetadataError) -> str:
    table, _, column = (error.target or "").rpartition(".")
    if error.type == "NoReferencedTableError":
        return f"no table '{table}' on this MetaData"
    if error.type == "NoReferencedColumnError":
        return f"table '{table}' has no column '{column}'"
    return one_line(error.message)


def verify_failures(report: RuntimeReport) -> list[Finding]:
    """create_all failures in the scratch database: one finding per distinct failure (an index that
    extend_existing duplicated fails once per copy), none on tables whose foreign keys already failed."""
    if report.verify is None:
        return []
    known = {(e.metadata, e.table) for e in report.metadata_errors}
    counts = Counter((result.metadata, failure) for result in report.verify.results for failure in result.failures
                     if (result.metadata, failure.table) not in known)
    return [_verify_failure(report, metadata, failure, count) for (metadata, failure), count in counts.items()]


def _verify_failure(report: RuntimeReport, metadata: str, failure: VerifyFailure, count: int) -> Finding:
    label, dialect = report.metadata_label(metadata), report.verify.dialect
    what = failure.message if failure.object in failure.message else (
        f"{failure.kind} {failure.object}: {failure.message}")
    details = [f"{failure.type}: {failure.message}"] + ([f"failed {count} times"] if count > 1 else [])
    return finding("ORM902", label, f"create_all on {dialect}: {what}",
                   location(_table_site(report, metadata, failure.table)),
                   hint=VERIFY_HINTS.get(failure.kind, VERIFY_HINT), details=details)


def _table_site(report: RuntimeReport, metadata: str, key: str | None) -> Site | None:
    return next((a.site for a in report.tables
                 if (a.metadata, a.key, a.outcome) == (metadata, key, "created")), None)

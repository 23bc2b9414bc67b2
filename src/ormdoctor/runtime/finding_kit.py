"""The small vocabulary shared by the runtime findings: codes, locations, one-line messages."""

from __future__ import annotations

from ..findings import Finding, Location, Related, Severity
from .report import Site

RULES = {
    "ORM101": ("duplicate-table", Severity.ERROR),
    "ORM104": ("duplicate-class-name", Severity.WARNING),
    "ORM107": ("module-imported-twice", Severity.ERROR),
    "ORM900": ("import-error", Severity.ERROR),
    "ORM901": ("mapper-configuration-error", Severity.ERROR),
    "ORM902": ("metadata-error", Severity.ERROR),
}
MESSAGE_LIMIT = 100


def finding(code: str, subject: str, message: str, location: Location | None, *, related=(), hint="",
            details=(), severity: Severity | None = None) -> Finding:
    rule, default = RULES[code]
    return Finding(code=code, rule=rule, severity=severity or default, subject=subject,
                   message=one_line(message), location=location, related=tuple(related), hint=hint,
                   source="import", details=tuple(details))


def location(site: Site | None) -> Location | None:
    return Location(site.path, site.line, 1) if site else None


def file_location(path: str) -> Location:
    return Location(path, 1, 1)


def related(site: Site | None, message: str) -> Related | None:
    return Related(Location(site.path, site.line, 1), message) if site else None


def one_line(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """The first line, cut to ``limit`` characters (the full text goes to ``details``)."""
    lines = text.strip().splitlines()
    line = lines[0] if lines else ""
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def describe(site: Site | None, class_name: str | None, module: str | None) -> str:
    """``app/models/customer.py:7 Customer (app.models.customer)`` for details lines."""
    where = f"{site.path}:{site.line}" if site else "(no project line)"
    what = " ".join(part for part in (class_name, f"({module})" if module else None) if part)
    return f"{where} {what}".rstrip()

"""Helpers for the runtime tests: requests for the small projects under ``projects/``, one tracer run
per distinct request (reports are frozen, so tests can share them), and expected findings in full."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

from ormdoctor.findings import Finding, Location, Related, Severity
from ormdoctor.runtime import run_tracer

PROJECTS = Path(__file__).resolve().parent / "projects"
MAIN_PYTHON = sys.executable


def request_for(case: str, modules, verify: str | None = None, configure: bool = True) -> dict:
    root = PROJECTS / case
    sys_path = [str(root / "src"), str(root)] if (root / "src").is_dir() else [str(root)]
    return {
        "project_root": str(root), "sys_path": sys_path,
        "modules": [{"name": name, "path": _module_file(sys_path, name)} for name in modules],
        "configure": configure, "verify": {"url": verify} if verify else None,
    }


def _module_file(sys_path, name: str) -> str:
    for entry in sys_path:
        base = Path(entry, *name.split("."))
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.exists():
                return str(candidate)
    return ""


@functools.cache
def _cached_trace(case, modules, verify, python):
    return run_tracer(request_for(case, modules, verify), python)


def trace(case: str, *modules: str, verify: str | None = None, python: str = MAIN_PYTHON):
    return _cached_trace(case, modules, verify, python)


def finding(code, rule, severity, subject, message, path, line, *, related=(), hint="", details=()):
    """An expected runtime finding, written out in full."""
    return Finding(code=code, rule=rule, severity=severity, subject=subject, message=message,
                   location=Location(path, line, 1) if path else None,
                   related=tuple(Related(Location(p, n, 1), m) for p, n, m in related),
                   hint=hint, source="import", details=tuple(details))


ERROR, WARNING = Severity.ERROR, Severity.WARNING


def already_defined(table: str) -> str:
    return (f"Table '{table}' is already defined for this MetaData instance.  Specify 'extend_existing=True' "
            "to redefine options and columns on an existing Table object.")

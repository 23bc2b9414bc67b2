"""Findings as plain data. Rules create them; reporters render them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


class Applicability(str, Enum):
    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True, order=True)
class Location:
    """A place in the project. ``path`` is relative to the project root, with ``/``; 1-based."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Related:
    location: Location
    message: str


@dataclass(frozen=True)
class Edit:
    """One source change of a fix, as data: the rule says what, ``ormdoctor.fix`` applies it
    with libcst. ``kind`` names the codemod; ``line`` is the statement it starts from."""

    kind: str
    path: str
    line: int
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fix:
    applicability: Applicability
    description: str
    edits: tuple[Edit, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Finding:
    """One diagnostic. ``location`` is None for findings about the database or the runtime
    that have no source line (then ``subject`` says what it is about)."""

    code: str
    rule: str
    severity: Severity
    subject: str
    message: str
    location: Location | None
    related: tuple[Related, ...] = ()
    hint: str = ""
    source: str = "static"
    fix: Fix | None = None
    details: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        """Stable identity for baselines and CI dashboards: code, subject and file, never the
        line, so an edit above the finding does not make it "new"."""
        path = self.location.path if self.location else ""
        return hashlib.sha256(f"{self.code}\0{self.subject}\0{path}".encode()).hexdigest()[:20]

    @property
    def sort_key(self) -> tuple:
        loc = self.location or Location("", 0, 0)
        return (loc.path, loc.line, self.code, loc.column, self.subject, self.message)


def sort_findings(findings) -> list[Finding]:
    return sorted(findings, key=lambda f: f.sort_key)

"""The Python API: check a project from Python, e.g. in the project's own test suite.

    >>> import ormdoctor
    >>> findings = ormdoctor.check("src", ignore=["ORM108"])
    >>> [f"{f.code} {f.location}: {f.message}" for f in findings]
    []

``check`` runs the same static analysis as ``ormdoctor check`` (``[tool.ormdoctor]`` in the
project's pyproject.toml applies) and returns the findings as frozen dataclasses
(``ormdoctor.Finding``), sorted by path, line and code. It never imports the project. Bad input
(a missing path, an unknown code, a broken config) raises ``ormdoctor.UsageError`` with the
one-line message the command line prints.
"""

from __future__ import annotations

import os
from typing import Iterable

from ormdoctor.findings import Applicability, Finding, Fix, Location, Related, Severity
from ormdoctor.pipeline import UsageError

__all__ = ["check", "Finding", "Location", "Related", "Fix", "Severity", "Applicability", "UsageError"]


def check(path: str | os.PathLike = ".", *, select: Iterable[str] | None = None,
          ignore: Iterable[str] | None = None, config: str | os.PathLike | None = None,
          use_cache: bool = True) -> list[Finding]:
    """The findings of ``ormdoctor check PATH --select ... --ignore ...``.

    ``select``/``ignore``: codes or prefixes (``["ORM1", "ORM301"]``); ``config``: a
    pyproject.toml other than PATH's; ``use_cache``: read and write ``.ormdoctor_cache/``.
    """
    from ormdoctor.pipeline import analyse

    return list(analyse([os.fspath(path)], os.fspath(config) if config else None, _codes(select), _codes(ignore),
                        use_cache=use_cache, reuse_result=use_cache).findings)


def _codes(values: Iterable[str] | None) -> list[str]:
    if isinstance(values, str):
        values = [values]
    return [code.strip() for value in values or () for code in value.split(",") if code.strip()]

"""What the CI reporters share: paths as CI services resolve them, and unique fingerprints.

Paths are relative to the repository checkout, not the project folder:
``ormdoctor check backend/`` run from the repository root reports ``app/models.py``; GitHub,
GitLab and code scanning need ``backend/app/models.py``. The checkout is GITHUB_WORKSPACE or
CI_PROJECT_DIR when set, else the working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

_CHECKOUT_VARIABLES = ("GITHUB_WORKSPACE", "CI_PROJECT_DIR")


def checkout_prefix(root: str | Path) -> str:
    """``backend/`` for a project root inside the checkout, ``""`` at its top or outside it."""
    root = Path(root).resolve()
    for base in [os.environ.get(name) for name in _CHECKOUT_VARIABLES] + [os.getcwd()]:
        if not base:
            continue
        try:
            relative = root.relative_to(Path(base).resolve()).as_posix()
        except ValueError:
            continue
        return "" if relative == "." else relative + "/"
    return ""


def shown_path(location, prefix: str) -> str:
    return prefix + location.path


def unique_fingerprints(findings):
    """(finding, fingerprint) with ``-2``, ``-3``... on repeats of one code + subject + file:
    GitLab keeps one issue per fingerprint."""
    seen: dict[str, int] = {}
    for finding in findings:
        base = finding.fingerprint
        seen[base] = seen.get(base, 0) + 1
        yield finding, base if seen[base] == 1 else f"{base}-{seen[base]}"

"""The editable decisions of a plan: which definition of each table to keep.

`ormdoctor plan --decisions FILE` writes them; `ormdoctor fix --plan FILE` reads them. The
format is the `[tool.ormdoctor.canonical]` table, on its own:

    [canonical]
    customers = "src/models/customer.py:Customer"
"""

from __future__ import annotations

import sys
from pathlib import Path

from ormdoctor.pipeline import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def read_decisions(path: Path) -> dict[str, str]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise UsageError(f"cannot read plan file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: invalid TOML: {exc}") from None
    section = data.get("canonical", data.get("tool", {}).get("ormdoctor", {}).get("canonical"))
    if not isinstance(section, dict) or not all(isinstance(v, str) for v in section.values()):
        raise UsageError(f"{path}: expected a [canonical] table of table = \"path.py:Class\" strings")
    return dict(section)


def render_decisions(choices: list[tuple[str, str, str]]) -> str:
    """(table, designation, why) → the file `fix --plan` reads."""
    lines = ["# Which definition of each table to keep. Edit, then: ormdoctor fix --plan THIS_FILE",
             "# (or copy the entries into [tool.ormdoctor.canonical] in pyproject.toml).", "", "[canonical]"]
    for table, keep, why in choices:
        lines.append(f"# {why}")
        lines.append(f"{_key(table)} = \"{keep}\"")
    return "\n".join(lines) + "\n"


def _key(table: str) -> str:
    return table if table.replace("_", "").isalnum() else f'"{table}"'

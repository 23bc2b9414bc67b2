"""The project's installed packages: which site-packages folders its interpreter would search.

Found by looking at paths only, never by running the interpreter: ``--python PATH`` (its
``../lib/python3.X/site-packages``), else a ``.venv``, ``venv`` or ``env`` folder in the project
root, else the active ``VIRTUAL_ENV``. ``.pth`` files are read as text for the folders they add
(editable installs); their ``import`` lines are never run.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ormdoctor.static.source import read_source

VENV_FOLDERS = (".venv", "venv", "env")
MAX_PTH_FILES = 64
MAX_PTH_LINES = 1_000
_VERSION = re.compile(r"^\s*version(?:_info)?\s*=\s*(\d+)\.(\d+)", re.MULTILINE)


@dataclass(frozen=True)
class Environment:
    prefix: str  # the environment folder, as found
    reason: str  # why this one: "--python", ".venv in the project", "VIRTUAL_ENV"
    paths: tuple[str, ...]  # absolute folders searched for installed modules, in sys.path order

    def describe(self) -> dict:
        return {"prefix": self.prefix, "reason": self.reason, "site_packages": list(self.paths)}


def find_environment(root: Path, python: str | None = None, environ=None) -> Environment | None:
    environ = os.environ if environ is None else environ
    candidates: list[tuple[Path, str]] = []
    if python:
        interpreter = Path(python) if os.sep in python or "/" in python else None
        if interpreter is not None:
            interpreter = interpreter if interpreter.is_absolute() else Path.cwd() / interpreter
            candidates.append((interpreter.parent.parent, "--python"))
    candidates += [(root / name, f"{name} in the project") for name in VENV_FOLDERS]
    if environ.get("VIRTUAL_ENV"):
        candidates.append((Path(environ["VIRTUAL_ENV"]), "VIRTUAL_ENV"))
    for prefix, reason in candidates:
        folders = site_packages(prefix)
        if folders:
            return Environment(str(prefix), reason, tuple(_with_pth(folders, root)))
    return None


def site_packages(prefix: Path) -> list[Path]:
    """``lib/python3.X/site-packages`` (the version pyvenv.cfg names, else the newest), or
    Windows' ``Lib/site-packages``."""
    lib = prefix / "lib"
    found = []
    if lib.is_dir():
        versions = sorted((_version(p.name), p) for p in lib.glob("python3.*") if (p / "site-packages").is_dir())
        wanted = _venv_version(prefix)
        chosen = [p for v, p in versions if v == wanted] or [p for _, p in versions[-1:]]
        found += [p / "site-packages" for p in chosen]
    if (prefix / "Lib" / "site-packages").is_dir():
        found.append(prefix / "Lib" / "site-packages")
    return found


def _version(name: str) -> tuple[int, int]:
    digits = name.removeprefix("python").split(".")
    try:
        return int(digits[0]), int(digits[1])
    except (IndexError, ValueError):
        return (0, 0)


def _venv_version(prefix: Path) -> tuple[int, int] | None:
    config = prefix / "pyvenv.cfg"
    if not config.is_file():
        return None
    data, error = read_source(config)
    match = _VERSION.search(data.decode("utf-8", "replace")) if data is not None else None
    return (int(match.group(1)), int(match.group(2))) if match else None


def _with_pth(folders: list[Path], root: Path) -> list[str]:
    """The folders, each followed by the folders its ``.pth`` files add. Lines starting with
    ``import`` are code, which ``site`` would run: skipped, never executed. A folder inside the
    project (an editable install of the project itself) is the project's own code, read as such."""
    out: list[str] = []
    project = root.resolve()
    for folder in folders:
        out.append(str(folder))
        for pth in sorted(folder.glob("*.pth"))[:MAX_PTH_FILES]:
            data, error = read_source(pth)
            if data is None:
                continue
            for line in data.decode("utf-8", "replace").splitlines()[:MAX_PTH_LINES]:
                line = line.strip()
                if not line or line.startswith("#") or line.startswith(("import ", "import\t")):
                    continue
                added = Path(line) if os.path.isabs(line) else folder / line
                if added.is_dir() and not _inside(added, project) and str(added) not in out:
                    out.append(str(added))
    return out


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder)
    except OSError:
        return True

"""Import roots: the directories that end up on sys.path, and why each one does."""

from __future__ import annotations

import configparser
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ormdoctor.static.source import read_text


@dataclass(frozen=True)
class ImportRoot:
    path: str  # relative to the project root, "" for the root itself
    reason: str  # "project root", "src layout", "pytest pythonpath in pyproject.toml", ...
    source: tuple[str, int] | None = None  # (file, line) that puts it on sys.path


def section(document, *keys: str) -> dict:
    """``document[k1][k2]...`` when every level is a table, else ``{}``: other tools' settings
    may be malformed (``[tool.poetry] packages = 5``) and are then simply not evidence."""
    for key in keys:
        document = document.get(key) if isinstance(document, dict) else None
    return document if isinstance(document, dict) else {}


def declared_roots(root: Path, pyproject: dict, configured: list[str]) -> list[ImportRoot]:
    """Explicit settings first, so a root is explained by the setting that names it."""
    pytest = section(pyproject, "tool", "pytest", "ini_options")
    text = read_text(root / "pyproject.toml", "utf-8-sig")
    lines = text.splitlines() if text is not None else []
    found: list[ImportRoot] = []
    found += _roots(pytest.get("pythonpath"), "pytest pythonpath in pyproject.toml", _line_of(lines, "pythonpath"))
    found += _roots(_setuptools_dirs(pyproject), "package-dir in pyproject.toml", _line_of(lines, "package-dir"))
    found += _roots(_poetry_dirs(pyproject), "poetry packages in pyproject.toml", _line_of(lines, "packages"))
    found += _ini_roots(root)
    found += _roots(configured, "roots in [tool.ormdoctor]", _line_of(lines, "roots"))
    found.append(ImportRoot("", "project root"))
    if (root / "src").is_dir():
        found.append(ImportRoot("src", "src layout"))
    return _unique(found)


def _line_of(lines: list[str], key: str) -> tuple[str, int] | None:
    """Where pyproject.toml sets ``key``, for the evidence shown with a root."""
    for number, line in enumerate(lines, start=1):
        if line.strip().startswith(key):
            return ("pyproject.toml", number)
    return None


def sys_path_roots(file: str, entries: list[str], project_root: Path) -> list[ImportRoot]:
    """``sys.path.insert(0, ...)`` in conftest.py / env.py, evaluated relative to that file."""
    roots = []
    base = PurePosixPath(file).parent
    for entry in entries:
        if entry.startswith("@file"):
            candidate = _normalise(str(base / entry[len("@file"):].lstrip("/")) if entry != "@file" else str(base))
        elif entry.startswith("/"):
            try:
                candidate = Path(entry).resolve().relative_to(project_root.resolve()).as_posix()
            except ValueError:
                continue
        else:
            candidate = _normalise(entry)
        if candidate is not None:
            roots.append(ImportRoot(candidate, f"sys.path change in {file}", (file, 1)))
    return roots


def alembic_roots(project_root: Path, ini_files: list[str]) -> list[ImportRoot]:
    """Alembic puts ``prepend_sys_path`` on sys.path, relative to the folder it runs from (taken
    to be the ini file's). Without the option it adds nothing (``Config.get_prepend_sys_paths_list``
    falls back to None): the `alembic init` template writes ``prepend_sys_path = .`` explicitly."""
    roots = []
    for ini in ini_files:
        parser = _ini(project_root / ini)
        if parser is None:
            continue
        value = parser.get("alembic", "prepend_sys_path", fallback="")
        folder = PurePosixPath(ini).parent
        for entry in value.replace(",", " ").replace(":", " ").split():
            candidate = _normalise(str(folder / entry))
            if candidate is not None:
                roots.append(ImportRoot(candidate, f"prepend_sys_path in {ini}", (ini, 1)))
    return roots


def _normalise(path: str) -> str | None:
    parts: list[str] = []
    for part in PurePosixPath(path).parts:
        if part in (".", ""):
            continue
        if part == "..":
            if not parts:
                return None  # outside the project
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)


def _roots(values, reason: str, source: tuple[str, int] | None = None) -> list[ImportRoot]:
    if isinstance(values, str):
        values = values.split()
    if not isinstance(values, list):
        return []
    return [ImportRoot(n, reason, source) for v in values if isinstance(v, str) and (n := _normalise(v)) is not None]


def _setuptools_dirs(pyproject: dict) -> list[str]:
    package_dir = section(pyproject, "tool", "setuptools", "package-dir")
    found = [package_dir[""]] if isinstance(package_dir.get(""), str) else []
    where = section(pyproject, "tool", "setuptools", "packages", "find").get("where", [])
    if isinstance(where, str):
        where = [where]
    return found + [w for w in where if isinstance(w, str)] if isinstance(where, list) else found


def _poetry_dirs(pyproject: dict) -> list[str]:
    packages = section(pyproject, "tool", "poetry").get("packages", [])
    if not isinstance(packages, list):
        return []
    return [p["from"] for p in packages if isinstance(p, dict) and isinstance(p.get("from"), str)]


def _ini(path: Path) -> configparser.ConfigParser | None:
    """The parsed ini file, empty when it does not exist, None when it is unusable."""
    parser = configparser.ConfigParser(interpolation=None)
    if not path.exists():
        return parser
    text = read_text(path)
    if text is None:
        return None
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error:
        return None
    return parser


def _ini_roots(root: Path) -> list[ImportRoot]:
    found = []
    for name, section in (("pytest.ini", "pytest"), ("setup.cfg", "tool:pytest"), ("tox.ini", "pytest")):
        parser = _ini(root / name)
        if parser is None:
            continue
        found += _roots(parser.get(section, "pythonpath", fallback="").split(), f"pytest pythonpath in {name}", (name, 1))
        package_dir = parser.get("options", "package_dir", fallback="") if name == "setup.cfg" else ""
        for line in package_dir.splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "" and value.strip():
                found += _roots([value.strip()], "package_dir in setup.cfg")
    return found


def _unique(roots: list[ImportRoot]) -> list[ImportRoot]:
    seen, out = set(), []
    for root in roots:
        if root.path not in seen:
            seen.add(root.path)
            out.append(root)
    return out

"""Import roots a monorepo shows without saying: the folders its programs run from.

Apps live in ``apps/backend/src``, ``backend/``, ``services/users/``. Python finds their modules
because something puts that folder on sys.path; each piece of evidence here is one of those
things, read the way the tool in question reads it:

- a project file in a subfolder (``backend/pyproject.toml``, ``setup.cfg``, ``pytest.ini``): the
  folder is where that sub-project's commands run, and its own settings (pytest ``pythonpath``,
  ``package-dir``) name further roots relative to it;
- a Dockerfile: ``WORKDIR`` and ``ENV PYTHONPATH`` inside the image, mapped back to the project
  folder ``COPY`` put there;
- an entry script: Python puts the script's own folder first on sys.path, so ``backend/app.py``
  doing ``from src.database import db`` makes ``backend/`` a root, ``__init__.py`` or not.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from ormdoctor.project.discover import SKIP_DIRS
from ormdoctor.project.roots import ImportRoot, _normalise, declared_roots
from ormdoctor.static.source import read_text

PROJECT_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "pytest.ini")
MAX_DEPTH = 4  # apps/backend/src/pyproject.toml is as deep as layouts go


def source_folders(paths) -> list[str]:
    """The folders (up to MAX_DEPTH deep) holding the project's Python files, and their parents:
    where evidence can be, found without walking the tree again."""
    found: set[str] = set()
    for folder in {path.rpartition("/")[0] for path in paths}:
        parts = folder.split("/")[:MAX_DEPTH] if folder else []
        for depth in range(1, len(parts) + 1):
            found.add("/".join(parts[:depth]))
    return sorted(f for f in found if not _skipped(f.split("/")))


def evidence_files(root: Path, paths) -> list[str]:
    """The files this module reads, relative to the root: a change to one changes the roots.
    One directory listing per folder (a re-check of an unchanged tree asks this every run)."""
    folders = source_folders(paths)
    listings = _listings(root, folders)
    projects = [f"{folder}/{n}" for folder, names in listings if folder
                for n in PROJECT_FILES if n in names and (root / folder / n).is_file()]
    return projects + [p.relative_to(root).as_posix() for p in _dockerfiles(root, folders, listings)]


def _listings(root: Path, folders: list[str]) -> list[tuple[str, set[str]]]:
    """(folder, the names in it) for the root and ``folders``: one listing each."""
    found = []
    for folder in [""] + folders:
        try:
            found.append((folder, set(os.listdir(root / folder))))
        except OSError:
            continue
    return found


def subproject_roots(root: Path, folders: list[str]) -> list[ImportRoot]:
    """Sub-project folders (a pyproject.toml, setup.cfg, setup.py or pytest.ini below the root)
    and the roots their own settings declare, relative to the project root."""
    found: list[ImportRoot] = []
    for folder, marker in _subproject_folders(root, folders):
        found.append(ImportRoot(folder, f"{marker} in {folder}/", (f"{folder}/{marker}", 1)))
        pyproject = _read_toml(root / folder / "pyproject.toml")
        for inner in declared_roots(root / folder, pyproject, []):
            if inner.path:
                path = _normalise(f"{folder}/{inner.path}")
                source = (f"{folder}/{inner.source[0]}", inner.source[1]) if inner.source else None
                if path is not None:
                    found.append(ImportRoot(path, f"{inner.reason} ({folder}/)", source))
    return found


def _subproject_folders(root: Path, folders: list[str]) -> list[tuple[str, str]]:
    found = []
    for folder in folders:
        for name in PROJECT_FILES:
            marker = root / folder / name
            if marker.is_file():
                if name == "setup.py" and (marker.parent / "__init__.py").exists():
                    continue  # app/core/setup.py inside a package is a module of it, not a project
                found.append((folder, name))
                break
    return found


def _skipped(parts) -> bool:
    return any(p in SKIP_DIRS or p.startswith(".") or p.endswith(".egg-info") or p in ("tests", "test", "docs")
               for p in parts)


def _read_toml(path: Path) -> dict:
    from ormdoctor.config import tomllib

    text = read_text(path, "utf-8-sig")
    try:
        return tomllib.loads(text) if text is not None else {}
    except tomllib.TOMLDecodeError:
        return {}


# Dockerfile -----------------------------------------------------------------------------------
_INSTRUCTION = re.compile(r"^\s*(WORKDIR|COPY|ADD|ENV)\s+(.+?)\s*$", re.I | re.M)


def docker_roots(root: Path, folders: list[str]) -> list[ImportRoot]:
    """``WORKDIR``/``ENV PYTHONPATH`` folders of the image, mapped back through ``COPY``."""
    found = []
    for dockerfile in _dockerfiles(root, folders):
        rel = dockerfile.relative_to(root).as_posix()
        context = PurePosixPath(rel).parent
        text = read_text(dockerfile, errors="replace")
        if text is None:
            continue
        text = text.replace("\\\n", " ")
        for image_path, line, why in _image_paths(text):
            host = _host_folder(text, image_path, context)
            if host is not None and (root / host).is_dir():
                found.append(ImportRoot(host, f"{why} {image_path} in {rel}", (rel, line)))
    return found


def _dockerfiles(root: Path, folders: list[str], listings: list[tuple[str, set[str]]] | None = None) -> list[Path]:
    return sorted(root / folder / n for folder, names in (listings if listings is not None else _listings(root, folders))
                  for n in names if "ockerfile" in n.lower() and _is_dockerfile(n) and (root / folder / n).is_file())


def _is_dockerfile(name: str) -> bool:
    lower = name.lower()
    return lower == "dockerfile" or lower.startswith("dockerfile.") or lower.startswith("dockerfile-") \
        or lower.endswith(".dockerfile")


def _image_paths(text: str):
    """(folder inside the image, line, why) for the final WORKDIR and every PYTHONPATH entry."""
    workdir = None
    for match in _INSTRUCTION.finditer(text):
        kind, value = match.group(1).upper(), match.group(2)
        line = text.count("\n", 0, match.start()) + 1
        if kind == "WORKDIR":
            workdir = (_join_image(workdir[0] if workdir else "/", value.strip("\"'")), line)
        elif kind == "ENV" and "PYTHONPATH" in value:
            setting = re.search(r"PYTHONPATH[= ]\s*\"?([^\"\s]+)", value)
            for entry in (setting.group(1).split(":") if setting else []):
                if entry.startswith("/"):
                    yield entry.rstrip("/") or "/", line, "ENV PYTHONPATH"
    if workdir:
        yield workdir[0], workdir[1], "WORKDIR"


def _join_image(current: str, value: str) -> str:
    return str(PurePosixPath(current) / value) if not value.startswith("/") else value.rstrip("/") or "/"


def _host_folder(text: str, image_path: str, context: PurePosixPath) -> str | None:
    """The project folder ``COPY`` put at ``image_path`` (or above it), relative to the root."""
    best = None
    workdir = "/"
    for match in _INSTRUCTION.finditer(text):
        kind, value = match.group(1).upper(), match.group(2)
        if kind == "WORKDIR":
            workdir = _join_image(workdir, value.strip("\"'"))
            continue
        if kind not in ("COPY", "ADD") or value.startswith("["):
            continue
        words = [w for w in value.split() if not w.startswith("--")]
        if len(words) < 2:
            continue
        *sources, dest = words
        dest = _join_image(workdir, dest)
        for source in sources:
            host = _through_copy(source, dest, image_path, context, len(sources) == 1)
            if host is not None:
                best = host
    return best


def _through_copy(source: str, dest: str, image_path: str, context: PurePosixPath, single: bool) -> str | None:
    if any(c in source for c in "*?$"):
        return None
    source = source.rstrip("/") or "."
    image = PurePosixPath(image_path)
    target = PurePosixPath(dest)
    if not single and source not in (".", "./"):
        return None  # COPY a b /app/ copies files into /app: not a folder mapping
    host = context / source
    try:
        return _normalise(str(host / image.relative_to(target)))
    except ValueError:
        pass
    try:  # `COPY ./app /app/app` with the image's /app wanted: the host folder above ./app
        inside = target.relative_to(image).parts
    except ValueError:
        return None
    if inside and host.parts[-len(inside):] == inside:
        return _normalise(str(PurePosixPath(*host.parts[:-len(inside)]) if len(host.parts) > len(inside) else "."))
    return None


# Entry scripts ---------------------------------------------------------------------------------
SCRIPT_NAMES = ("app.py", "run.py", "wsgi.py", "asgi.py", "main.py", "manage.py", "server.py", "autoapp.py",
                "application.py", "__main__.py")


def script_roots(facts: list, paths: set[str]) -> list[ImportRoot]:
    """The folder of each script whose absolute imports resolve under it: ``python backend/app.py``
    puts ``backend/`` first on sys.path, whatever ``__init__.py`` files it holds."""
    found = []
    for fact in facts:
        folder, _, name = fact.path.rpartition("/")
        if not folder or not (fact.has_main_block or name in SCRIPT_NAMES):
            continue
        for imported in fact.imports:
            if imported.level == 0 and imported.module and _holds(paths, folder, imported.module):
                found.append(ImportRoot(folder, f"folder of the script {fact.path} (Python puts it first on "
                                                f"sys.path; it imports {imported.module} from there)",
                                        (fact.path, imported.pos.line)))
                break
    return found


def _holds(paths: set[str], folder: str, dotted: str) -> bool:
    relative = dotted.replace(".", "/")
    return f"{folder}/{relative}.py" in paths or f"{folder}/{relative}/__init__.py" in paths

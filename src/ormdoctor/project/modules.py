"""Module identity: every dotted name under which a file can be imported, one per import root."""

from __future__ import annotations

from ormdoctor.project.roots import ImportRoot


def module_names(path: str, roots: list[ImportRoot]) -> list[tuple[str, ImportRoot]]:
    names = []
    for root in roots:
        name = name_under(path, root.path)
        if name:
            names.append((name, root))
    return names


def name_under(path: str, root: str) -> str | None:
    prefix = root + "/" if root else ""
    if not path.startswith(prefix) or not path.endswith(".py"):
        return None
    parts = path[len(prefix):-3].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


def shadowed(path: str, paths: set[str]) -> bool:
    """``x.py`` beside a package ``x/``: Python's finder takes the package, so the module is
    never imported under any name (a namespace folder without ``__init__.py`` does not win)."""
    return path.endswith(".py") and not path.endswith("/__init__.py") and path[:-3] + "/__init__.py" in paths

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


def used_names(modules: dict, find) -> dict[str, str]:
    """Path → the module name the project's own absolute imports use most for it (ties: the
    shorter). ``find(name, importer)`` resolves a dotted name to a path. Hints and the import
    list of `--import` use this name, so they work the way the program already imports it."""
    counts: dict[str, dict[str, int]] = {}
    for path, module in modules.items():
        for fact in module.facts.imports:
            if fact.level or not fact.module:
                continue
            names = [fact.module] + [f"{fact.module}.{n}" for n, _ in fact.names if n != "*"]
            for name in names:
                target = find(name, path)
                if target and target != path:
                    by_name = counts.setdefault(target, {})
                    by_name[name] = by_name.get(name, 0) + 1
    return {path: min(by_name, key=lambda n: (-by_name[n], len(n), n)) for path, by_name in counts.items()}

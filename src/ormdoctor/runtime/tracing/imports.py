"""Importing the requested modules one by one, and noting which project modules got loaded from where."""

from __future__ import annotations

import importlib
import sys


class ImportWatcher:
    """A meta path finder that finds nothing: for each module name imported for the first time it notes
    the project line that imported it, so a file loaded under two names can show both import sites."""

    def __init__(self, project):
        self.project = project
        self.sites = {}

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.sites:
            self.sites[fullname] = self.project.site(sys._getframe(1))
        # Returning None lets the normal finders load the module.

    def invalidate_caches(self):
        pass

    def install(self):
        sys.meta_path.insert(0, self)


def import_all(requested, project, watcher):
    """One record per requested module, in order; one broken module does not hide the others."""
    failed = {}
    return [_import_one(item, project, watcher, failed) for item in requested]


def _import_one(item, project, watcher, failed):
    name = item["name"]
    record = {"name": name, "path": item.get("path"), "file": None, "ok": True, "error": None, "failed_via": None}
    if name in failed:
        # It already failed while an earlier module imported it; importing it again would re-run its
        # class statements and report the re-run as duplicate tables.
        via, error = failed[name]
        record.update(ok=False, error=error, failed_via=via)
        return record
    attempted = set(watcher.sites)
    try:
        module = importlib.import_module(name)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - SystemExit at import is the project's bug too
        record.update(ok=False, error=project.error(exc))
        _remember_failures(name, record["error"], set(watcher.sites) - attempted, failed)
        return record
    record["file"] = _file_of(module, project)
    return record


def _remember_failures(via, error, names, failed):
    for name in names:
        if name not in sys.modules:
            failed.setdefault(name, (via, error))


def _file_of(module, project):
    file = getattr(module, "__file__", None)
    return project.relative(file) if isinstance(file, str) else None


def loaded_modules(project, watcher):
    """Every module whose file is the project's, in load order, with the line that first imported it."""
    records = []
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if isinstance(file, str) and project.owns(file):
            records.append({"name": name, "path": project.relative(file), "imported_from": watcher.sites.get(name)})
    return records


def project_modules(project):
    """(name, module) for every loaded project module, in load order."""
    return [(name, module) for name, module in list(sys.modules.items())
            if isinstance(getattr(module, "__file__", None), str) and project.owns(module.__file__)]

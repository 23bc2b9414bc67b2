"""Run by the PROJECT's interpreter: ``python tracer.py``, the request on stdin (see channel.py).

Imports the project's model modules with the project's own SQLAlchemy (1.4, 2.0 or 2.1) and sends what
really happened back on the signed result channel; stdout and stderr belong to the project. Imports only
the standard library, SQLAlchemy, and the ``tracing`` helpers and ``channel.py`` beside this file (loaded
by path under private names), never ormdoctor. Must stay valid on Python 3.8.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.realpath(__file__))
PRIVATE_NAME = "_ormdoctor_tracing"
TRACER_VERSION = 1
EXIT_OK, EXIT_TRACER_ERROR, EXIT_NO_SQLALCHEMY = 0, 2, 3


def main():
    _forget_own_directory()
    request, send = _load_private("_ormdoctor_channel", os.path.join(HERE, "channel.py")).receive_request()
    _enter_project(request)
    if importlib.util.find_spec("sqlalchemy") is None:
        fatal = {"kind": "no-sqlalchemy", "message": f"SQLAlchemy is not installed for {sys.executable}"}
        return _finish(send, {"fatal": fatal}, EXIT_NO_SQLALCHEMY)
    try:
        result = trace(request)
    except Exception:  # noqa: BLE001 - recorded, not raised
        fatal = {"kind": "tracer-error", "message": traceback.format_exc()}
        return _finish(send, {"fatal": fatal}, EXIT_TRACER_ERROR)
    return _finish(send, result, EXIT_OK)


def _forget_own_directory():
    """``python tracer.py`` puts this directory first on sys.path; the project's ``report`` or
    ``findings`` module must not resolve to ours."""
    if sys.path and os.path.realpath(sys.path[0] or ".") == HERE:
        del sys.path[0]


def _enter_project(request):
    os.environ["ORMDOCTOR_RUNTIME"] = "1"
    os.chdir(request["project_root"])
    entries = list(request.get("sys_path") or [])
    sys.path[:] = entries + [entry for entry in sys.path if entry not in entries]


def _finish(send, result, code):
    send(result)
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip the project's atexit handlers and any non-daemon thread its imports started.
    os._exit(code)


def trace(request):
    started = time.perf_counter()
    tracing, sa = _load_tracing(), _import_sqlalchemy()
    project = tracing.sites.Project(request["project_root"])
    hooks = Hooks(tracing, sa, project)
    with tracing.sites.WarningRecorder(project) as recorder:
        modules = tracing.imports.import_all(request["modules"], project, hooks.imports)
        imported = time.perf_counter()
        result = _inventory(tracing, sa, project, hooks)
        if request.get("configure", True):
            result.update(_configure(tracing, hooks))
        if request.get("describe"):  # ormdoctor docs --import: the tables as the real objects have them
            result["described"] = tracing.describe.describe(sa, hooks, project)
    configured = time.perf_counter()
    if request.get("verify"):
        result["verify"] = tracing.verify.verify(sa, request["verify"]["url"], hooks.live_metadata(),
                                                 hooks.metadata_ids)
    result.update(_header(request, sa, modules, recorder))
    result["seconds"] = _seconds(started, imported, configured, time.perf_counter())
    return result


class Hooks:
    """Everything installed into SQLAlchemy and the import system before the project's code runs."""

    def __init__(self, tracing, sa, project):
        self.metadata_ids = tracing.tables.Ids("md")
        self.registry_ids = tracing.tables.Ids("reg")
        self.creation = tracing.labels.CreationSites(project, sa)
        self.tables = tracing.tables.TableTracer(project, sa, self.metadata_ids)
        self.classes = tracing.mappers.ClassTracer(project, sa, self.tables)
        self.imports = tracing.imports.ImportWatcher(project)
        for part in (self.creation, self.tables, self.classes, self.imports):
            part.install()

    def live_metadata(self):
        """The project's MetaData: made in the project or holding a table defined there. A library's own
        (SQLAlchemy's pg_catalog tables, loaded by create_engine) and the throwaway ones are left out."""
        return [metadata for metadata in self.metadata_ids.objects if not self.tables.is_shadow(metadata)
                and (metadata in self.creation.paths or self.tables.project_defines(self.metadata_ids.of(metadata)))]

    def project_registry(self, record):
        return any(cls["site"] is not None for cls in record["classes"])


def _inventory(tracing, sa, project, hooks):
    labels = tracing.labels.Labels(sa, hooks.creation.paths)
    labels.scan(tracing.imports.project_modules(project), project)
    registries = [tracing.mappers.registry_record(registry, hooks.classes, hooks.registry_ids,
                                                  hooks.metadata_ids, labels)
                  for registry in tracing.mappers.all_registries()]
    metadata = [_metadata_record(item, hooks, labels) for item in hooks.live_metadata()]
    ours = {record["id"] for record in metadata}
    return {
        "loaded": tracing.imports.loaded_modules(project, hooks.imports),
        "tables": [attempt for attempt in hooks.tables.attempts if attempt["metadata"] in ours],
        "table_errors": [error for error in hooks.tables.errors if error["metadata"] in ours],
        "registries": [record for record in registries if hooks.project_registry(record)],
        "metadata": metadata,
    }


def _metadata_record(metadata, hooks, labels):
    metadata_id = hooks.metadata_ids.of(metadata)
    return {"id": metadata_id, "label": labels.metadata(metadata, metadata_id), "schema": metadata.schema,
            "tables": sorted(metadata.tables), "created_in": hooks.creation.paths.get(metadata)}


def _configure(tracing, hooks):
    registries = tracing.mappers.all_registries()
    hooks.classes.forget_duplicates(registries)
    return {
        "mapper_errors": tracing.checks.configure_registries(registries, hooks.registry_ids, hooks.classes),
        "metadata_errors": tracing.checks.metadata_errors(hooks.live_metadata(), hooks.metadata_ids),
    }


def _header(request, sa, modules, recorder):
    return {
        "tracer": TRACER_VERSION, "python": sys.executable, "python_version": sys.version.split()[0],
        "sqlalchemy": sa.__version__, "project_root": request["project_root"],
        "sys_path": request.get("sys_path") or [], "modules": modules, "warnings": recorder.records,
    }


def _seconds(started, imported, configured, finished):
    return {"import": round(imported - started, 3), "configure": round(configured - imported, 3),
            "verify": round(finished - configured, 3), "total": round(finished - started, 3)}


def _load_tracing():
    """The helper package beside this file, under a private name no project can collide with."""
    directory = os.path.join(HERE, "tracing")
    package = _load_private(PRIVATE_NAME, os.path.join(directory, "__init__.py"), [directory])
    for name in ("sites", "imports", "tables", "mappers", "labels", "checks", "verify", "describe"):
        importlib.import_module(PRIVATE_NAME + "." + name)
    return package


def _load_private(name, path, search_locations=None):
    spec = importlib.util.spec_from_file_location(name, path, submodule_search_locations=search_locations)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _import_sqlalchemy():
    for name in ("sqlalchemy", "sqlalchemy.orm", "sqlalchemy.schema", "sqlalchemy.exc", "sqlalchemy.event"):
        importlib.import_module(name)
    return sys.modules["sqlalchemy"]


if __name__ == "__main__":
    main()

"""``--import``: run the project's models in its own interpreter and merge what really happened.

One finding per problem (see ``runtime.merge``): when the static rules already report it, the
runtime's observation is attached to it as a note; what only the runtime saw is added with
``source="import"``, unless a suppression comment silences it. Nothing of the project is
imported into this process.
"""

from __future__ import annotations

from pathlib import Path

from ormdoctor.pipeline import Analysis, UsageError


def import_plan(analysis: Analysis, with_entries: bool) -> tuple[list[str], list[dict]]:
    """What a child process puts on sys.path and imports, in order: every module that defines
    models, tables or a MetaData, and with ``with_entries`` the programs that load them."""
    inventory = analysis.inventory
    root = Path(analysis.root)
    model_paths = {c.path for c in inventory.classes} | {t.path for t in inventory.tables}
    model_paths |= {m.path for m in inventory.metadatas.values() if m.path}
    entries = set()
    if with_entries:
        entries = {p for p in (inventory.resolver.index.find(e) for e in analysis.config.entry) if p}
        entries |= _program_entries(inventory, model_paths)
    modules = []
    for path in sorted(model_paths | entries):
        module = inventory.modules.get(path)
        if module is not None and module.names and not path.endswith("/env.py") and module.facts.error is None:
            modules.append({"name": module.name, "path": str(root / path)})
    sys_path = [str(root / r.path) if r.path else str(root) for r in inventory.roots]
    return sys_path, modules


def tracer_request(analysis: Analysis, verify_url: str | None = None) -> dict:
    sys_path, modules = import_plan(analysis, with_entries=True)
    return {"project_root": str(analysis.root), "sys_path": sys_path, "modules": modules, "configure": True,
            "verify": {"url": verify_url} if verify_url else None}


def _program_entries(inventory, model_paths: set[str]) -> set[str]:
    """Entry points and test files that load model modules: what they import decides how the
    models are loaded (a double import only happens through them)."""
    graph = inventory.graph
    found = set()
    for process in graph.processes:
        if not process.is_program:
            continue
        for entry in process.entries:
            if any(graph.contains(graph.closure(entry), p) for p in model_paths):
                found.add(entry)
    return found


def run_runtime(analysis: Analysis, args, verify_url: str | None = None):
    from ormdoctor.runtime.runner import RuntimeUnavailable, find_interpreter, run_tracer

    try:
        python = find_interpreter(analysis.root, getattr(args, "python", None))
        return run_tracer(tracer_request(analysis, verify_url), python, getattr(args, "timeout", 60.0))
    except RuntimeUnavailable as exc:
        raise UsageError(str(exc)) from None


def add_runtime_findings(analysis: Analysis, args) -> None:
    from ormdoctor.runtime.findings import to_findings

    report = run_runtime(analysis, args)
    analysis.runtime = report  # type: ignore[attr-defined]
    merge(analysis, to_findings(report, analysis.root))


def merge(analysis: Analysis, runtime_findings) -> None:
    from ormdoctor.rules.engine import suppress
    from ormdoctor.runtime.merge import merge_runtime

    analysis.findings, extra = merge_runtime(analysis.findings, runtime_findings)
    analysis.add(suppress(extra, analysis.inventory, analysis.config))

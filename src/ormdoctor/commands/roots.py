"""``ormdoctor roots`` (and ``check --show-settings``): the project as ormdoctor understood it —
its root, the import roots and why each is one, the processes and what starts them, and how
much of the model layer was seen."""

from __future__ import annotations

import json

from ormdoctor.commands.output import emit
from ormdoctor.pipeline import analyse


def run(args) -> int:
    analysis = analyse(args.paths, args.config, use_cache=not args.no_cache, python=getattr(args, "python", None))
    settings = describe(analysis)
    emit(json.dumps(settings, indent=2) + "\n" if args.format == "json" else render(settings),
         getattr(args, "output_file", None))
    return 0


def describe(analysis) -> dict:
    from ormdoctor.inventory.coverage import coverage
    from ormdoctor.inventory.processes import program_reason
    from ormdoctor.rules.entry_points import entry_points

    inventory = analysis.inventory
    entries = entry_points(inventory)
    chosen = {p.label for p in entries.processes}
    configured = set(analysis.config.entry)
    processes = []
    for process in inventory.graph.processes:
        members = inventory.graph.members(process.members)
        processes.append({
            "label": process.label,
            "entries": process.entries,
            "program": process.is_program,
            "entry_point": process.label in chosen,
            "why": _why(inventory, process, configured, program_reason),
            "modules": len(members),
            "model_modules": sum(1 for m in members if m in entries.model_modules),
            "started_by_factory": process.started,
        })
    processes.sort(key=lambda p: (not p["entry_point"], not p["program"], p["label"]))
    seen = coverage(inventory)
    return {
        "root": str(analysis.root),
        "config": str(analysis.config.path) if analysis.config.path else None,
        "roots": [{"path": r.path or ".", "reason": r.reason,
                   "source": f"{r.source[0]}:{r.source[1]}" if r.source else None} for r in inventory.roots],
        "environment": _environment(inventory),
        "processes": processes,
        "coverage": seen.as_dict(),
        "unseen": [{"path": u.path, "line": u.line, "class": u.name, "reason": u.reason, "bases": list(u.bases)}
                   for u in seen.unseen],
    }


def _environment(inventory) -> dict | None:
    """The installed packages read to resolve bases and mixins: where, why there, and which modules."""
    if inventory.environment is None:
        return None
    found = inventory.environment.describe()
    read = inventory.installed.loaded if inventory.installed is not None else {}
    found["read"] = sorted(module.name for module in read.values())
    return found


def _why(inventory, process, configured: set[str], program_reason) -> str:
    if process.label.startswith("pytest"):
        return f"pytest runs these {len(process.entries)} test files together"
    entry = process.entries[0]
    module = inventory.modules.get(entry)
    if module is None:
        return ""
    if entry in configured or module.name in configured:
        return "entry in [tool.ormdoctor]"
    if inventory.graph.importers.get(entry):
        return "imported by others, and run as a script for its `__main__` block"
    reason = program_reason(module.facts, entry)
    if reason:
        return f"nothing imports it; it {reason}"
    if module.facts.defines_router:
        return "nothing imports it; it only defines routes (APIRouter/blueprint) a program mounts"
    return "nothing imports it, and it does not run as a program"


def render(settings: dict) -> str:
    lines = [f"Project root: {settings['root']}",
             f"Configuration: {settings['config'] or 'none (defaults)'}", "",
             f"Import roots ({len(settings['roots'])}):"]
    width = max((len(r["path"]) for r in settings["roots"]), default=0)
    for root in settings["roots"]:
        source = f"  [{root['source']}]" if root["source"] else ""
        lines.append(f"  {root['path']:<{width}}  {root['reason']}{source}")
    environment = settings["environment"]
    if environment is None:
        lines += ["", "Installed packages: no environment found (.venv, venv, env, --python, VIRTUAL_ENV); "
                      "bases from installed packages are not read"]
    else:
        lines += ["", f"Installed packages: {environment['prefix']} ({environment['reason']})"]
        lines += [f"  {folder}" for folder in environment["site_packages"]]
        read = environment["read"]
        lines.append(f"  read to resolve bases and mixins: {', '.join(read) if read else 'none'}")
    lines += ["", "Processes (entry points first):"]
    for process in settings["processes"]:
        kind = "entry point" if process["entry_point"] else "not an entry point"
        lines.append(f"  {process['label']}: {kind}; {process['why']}")
        lines.append(f"      loads {process['modules']} modules, {process['model_modules']} with models")
        started = process["started_by_factory"]
        if started:
            more = f" and {len(started) - 4} more" if len(started) > 4 else ""
            lines.append(f"      its application factory imports {', '.join(started[:4])}{more}")
    coverage = settings["coverage"]
    lines += ["", f"Coverage: {coverage['resolved']} of {coverage['looks_mapped']} classes that look mapped resolved"
                  + (f" ({', '.join(f'{n} {r}' for r, n in coverage['unresolved'].items())})"
                     if coverage["unresolved"] else "")]
    for unseen in settings["unseen"][:50]:
        lines.append(f"  {unseen['path']}:{unseen['line']} {unseen['class']}: {unseen['reason']} "
                     f"(bases: {', '.join(unseen['bases']) or 'none'})")
    if len(settings["unseen"]) > 50:
        lines.append(f"  ... and {len(settings['unseen']) - 50} more")
    return "\n".join(lines) + "\n"

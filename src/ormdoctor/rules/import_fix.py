"""The smallest import that puts a model module into a process, and how to keep it there.

In order of preference: extend an import the process already runs that loads sibling modules
(`from app.models import customer, order` → add `invoice`); add the module to the models
package's `__init__.py` when that is where the package imports its modules; import it in the
entry point itself. Such an import looks unused to linters: ruff's F401 autofix deletes it
from a plain module, so it needs `# noqa: F401`, or its names in `__all__`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from ormdoctor.findings import Applicability, Edit, Fix
from ormdoctor.rules.context import related
from ormdoctor.static.facts import MODULE, TYPE_CHECKING, Pos

NOQA = "with `# noqa: F401`, so ruff's F401 autofix does not delete it"
ALL = "with the names in an __all__ or `# noqa: F401`, so ruff's F401 autofix keeps it"


@dataclass(frozen=True)
class ImportFix:
    module: str  # the file to edit
    statement: str  # the import to add or the extended import
    keep: str  # how to stop a linter from deleting it
    line: int | None = None  # the statement to extend or move
    move: str | None = None  # where the statement is now: "if TYPE_CHECKING:", "a function"

    def related_note(self, module_name: str) -> tuple[int | None, str]:
        """Line and message for the file to edit, as a related location."""
        if self.move is not None:
            return self.line, f"imports {module_name} only under {self.move}"
        if self.line is not None:
            return self.line, f"extend this import with {module_name.rsplit('.', 1)[-1]}"
        return None, f"should import {module_name}"

    def as_fix(self, applicability: Applicability) -> Fix:
        """The same advice as an applicable fix: add, extend (replace the statement at ``line``)
        or move out of its block (add at module level; the deferred one may stay)."""
        mode = "add" if self.move is not None or self.line is None else "replace"
        return Fix(applicability, self.text, (Edit("add-import", self.module, self.line or 0, (self.statement, mode)),))

    @property
    def text(self) -> str:
        if self.move is not None:
            return f"move `{self.statement}` at {self.module}:{self.line} out of {self.move} ({self.keep})"
        if self.line is not None:
            return f"extend the import at {self.module}:{self.line} to `{self.statement}` ({self.keep})"
        return f"add `{self.statement}` to {self.module} ({self.keep})"


def import_fix(inventory, loaded_bits: int, target: str, names: list[str], entry: str) -> ImportFix:
    """Where to import ``target`` (defining ``names``) so that a process loading
    ``loaded_bits`` from ``entry`` loads it too."""
    graph = inventory.graph
    inits = [i for i in reversed(inventory.resolver.index.package_inits(target)) if graph.contains(loaded_bits, i)]
    for module in [entry] + inits:
        found = _deferred_import(inventory, module, target)
        if found:
            return found
    for module in [entry] + inits:
        found = _sibling_import(inventory, module, target)
        if found:
            return found
    for init in inits[:1]:
        if _imports_submodules(inventory, init):
            return _in_package(inventory, init, target, names)
    return ImportFix(entry, f"import {inventory.modules[target].name}  # noqa: F401",
                     "the noqa comment keeps ruff's F401 autofix from deleting it")


def _deferred_import(inventory, module: str, target: str) -> ImportFix | None:
    """An import of ``target`` in ``module`` that does not run at load time."""
    for fact in inventory.modules[module].facts.imports:
        if fact.context != MODULE and any(t == target for t, _ in inventory.resolver.import_targets(module, fact)):
            place = "`if TYPE_CHECKING:`" if fact.context == TYPE_CHECKING else "its function"
            return ImportFix(module, _written(fact), NOQA if not module.endswith("__init__.py") else ALL,
                             fact.pos.line, place)
    return None


def _written(fact) -> str:
    if not fact.is_from:
        return f"import {fact.module}" + (f" as {fact.asname}" if fact.asname else "")
    names = ", ".join(n if a is None else f"{n} as {a}" for n, a in fact.names)
    return f"from {'.' * fact.level}{fact.module} import {names}"


def _sibling_import(inventory, module: str, target: str) -> ImportFix | None:
    """`from app.models import customer, order` in ``module``, for a target in app/models/."""
    folder = str(PurePosixPath(target).parent)
    for fact in inventory.modules[module].facts.imports:
        if fact.context != MODULE or not fact.is_from or any(n == "*" for n, _ in fact.names):
            continue
        targets = inventory.resolver.import_targets(module, fact)
        submodules = [t for t, name in targets if name is None and t and str(PurePosixPath(t).parent) == folder]
        if submodules and len(submodules) == len(fact.names):
            listed = sorted([n if a is None else f"{n} as {a}" for n, a in fact.names] + [PurePosixPath(target).stem])
            statement = f"from {'.' * fact.level}{fact.module} import {', '.join(listed)}"
            return ImportFix(module, statement, NOQA, fact.pos.line)
    return None


def _imports_submodules(inventory, init: str) -> bool:
    folder = init[: -len("__init__.py")]
    for fact in inventory.modules[init].facts.imports:
        if fact.context == MODULE:
            if any(t and t.startswith(folder) and t != init for t, _ in inventory.resolver.import_targets(init, fact)):
                return True
    return False


def _in_package(inventory, init: str, target: str, names: list[str]) -> ImportFix:
    facts = inventory.modules[init].facts
    relative = any(f.level > 0 for f in facts.imports)
    source = _relative_name(init, target) if relative else inventory.modules[target].name
    statement = f"from {source} import {', '.join(sorted(names))}"
    keep = "and list the names in its __all__, so linters keep the import" if facts.all_names is not None else ALL
    return ImportFix(init, statement, keep)


def _relative_name(init: str, target: str) -> str:
    inner = PurePosixPath(target).relative_to(PurePosixPath(init).parent)
    parts = list(inner.parts)
    parts[-1] = parts[-1][:-3]
    if parts[-1] == "__init__":
        parts.pop()
    return "." + ".".join(parts)


def fix_related(fix: ImportFix, module_name: str, entry: str):
    """The file the fix edits, as a related location (None when it is the entry point itself)."""
    if fix.module == entry and fix.line is None:
        return None
    line, note = fix.related_note(module_name)
    return related(fix.module, Pos(line, 1) if line else None, note)

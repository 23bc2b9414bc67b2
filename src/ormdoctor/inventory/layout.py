"""The import layout: the part of an inventory that only the project's import structure decides.

The import roots, every module's names, the import graph and its processes are a function of
the settings, the list of files and, per file, its imports and module-level names; a model's
columns, relationships and methods never enter them. An edit that only changes those (the
usual edit of a model file) leaves the layout as it was, and a long-lived process
(``check --watch``) keeps it from one run to the next instead of building it again: a third of
the inventory's and rules' time on a large tree.

What the layout is built from is compared whole except what it provably never reads (class
bodies, module-level indexes and suppression comments, see ``import_shape``): anything else
that changes, even a line number, builds it again. The kept state is the one the build
reaches right after the graph, so the rest of the run continues from exactly where a fresh
build would be.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from ormdoctor.inventory.graph import ImportGraph
from ormdoctor.inventory.model import Module
from ormdoctor.inventory.symbols import ModuleIndex
from ormdoctor.project.roots import ImportRoot
from ormdoctor.static.facts import FileFacts


def import_shape(facts: FileFacts) -> FileFacts:
    """``facts`` without what the layout never reads: the bodies and places of classes (only
    their names bind anything another module imports), module-level ``Index()`` calls and the
    suppression comments."""
    return dataclasses.replace(facts, digest="", noqa={}, indexes=[],
                               classes=[(c.name, c.nested) for c in facts.classes])  # type: ignore[misc]


@dataclass
class ImportLayout:
    settings: tuple  # the configuration and settings files it was built with (pipeline._config_state)
    facts: dict[str, FileFacts]  # path → the facts it was built from (their import shape is what counts)
    roots: list[ImportRoot]  # declared and found roots, then the implicit ones
    names: dict[str, list]  # path → the module's names once the graph was built (implicit ones included)
    used_names: dict[str, str | None]
    by_name: dict[str, str]
    homonyms: dict[str, list[str]]
    implicit: dict[str, ImportRoot]
    found: dict  # the module index's memo of implicit lookups
    graph: ImportGraph
    # Data rules derive from the imports alone (Inventory.derived_from_imports), never changed in place.
    derived: dict = field(default_factory=dict)
    # The resolver's per-module memo (symbols.Resolver.memo), shared by the runs on this layout.
    resolved: tuple = ({}, {}, {})

    def fits(self, settings: tuple, facts: list[FileFacts]) -> bool:
        """Whether ``facts`` (and the settings) build this same layout: the same files, and
        each file's facts the same object as before (not read again) or of the same shape."""
        if settings != self.settings or len(facts) != len(self.facts):
            return False
        for item in facts:
            before = self.facts.get(item.path)
            if before is None:
                return False
            if before is not item and import_shape(before) != import_shape(item):
                return False
        return True

    def changed(self, facts: list[FileFacts]) -> set[str]:
        """The files whose facts were read again since the layout last saw them."""
        return {f.path for f in facts if self.facts.get(f.path) is not f}

    def restore(self, facts: list[FileFacts]) -> tuple[dict[str, Module], ModuleIndex]:
        """The modules and their index as the build had them right after the graph."""
        modules = {f.path: Module(f.path, f, list(self.names[f.path]), self.used_names[f.path]) for f in facts}
        index = ModuleIndex.__new__(ModuleIndex)
        index.modules = modules
        index.by_name, index.homonyms = self.by_name, self.homonyms
        index.implicit, index._memo = dict(self.implicit), dict(self.found)
        return modules, index


def capture(settings: tuple, facts: list[FileFacts], modules: dict[str, Module], index: ModuleIndex,
            roots: list[ImportRoot], graph: ImportGraph) -> ImportLayout:
    """The layout as the build has it now (right after the graph and the module names):
    copied, so that what the rest of the run adds (implicit names found later) stays out."""
    return ImportLayout(settings, {f.path: f for f in facts}, list(roots),
                        {p: list(m.names) for p, m in modules.items()},
                        {p: m.used_name for p, m in modules.items()},
                        index.by_name, index.homonyms, dict(index.implicit), dict(index._memo), graph)

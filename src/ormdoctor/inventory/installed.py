"""Installed packages read as source, only to resolve the project's own classes.

A base, ``declarative_base()`` or mixin imported from an installed package (``from fakebase.model_base
import BASEV2``, fastapi-users' ``SQLAlchemyBaseUserTableUUID``) is found by path in the
environment's site-packages, and its file is read and extracted like a project file: read-only,
size-capped, never imported. Files are loaded lazily, as the declarative resolver follows a base
into them, and at most ``MAX_FILES`` per run. Their modules live under keys starting with
``INSTALLED`` ("<installed>/fakebase/model_base.py"), apart from the project's modules: no rule
iterates them and no finding is located in them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ormdoctor.inventory.model import Module
from ormdoctor.inventory.symbols import ModuleIndex, Resolver, Symbol
from ormdoctor.project.environment import Environment
from ormdoctor.project.roots import ImportRoot
from ormdoctor.static.cache import content_digest
from ormdoctor.static.source import read_source

INSTALLED = "<installed>/"
MAX_FILES = 100
# Understood by name, never read: the ORM libraries themselves and the standard library.
NEVER_READ = frozenset({"sqlalchemy", "sqlmodel", "flask_sqlalchemy", "pydantic", "typing_extensions", "alembic"}) \
    | frozenset(getattr(sys, "stdlib_module_names", ()))


def is_installed(path: str | None) -> bool:
    return bool(path) and path.startswith(INSTALLED)


class InstalledModules:
    """Module key → Module, loaded on first use from the environment's folders."""

    def __init__(self, environment: Environment, max_files: int = MAX_FILES):
        self.environment = environment
        self.max_files = max_files
        self.loaded: dict[str, Module] = {}
        self.files: dict[str, str] = {}  # key → absolute file
        self.used: dict[str, str] = {}  # dotted name looked up → digest of its file, "" when absent
        self._found: dict[str, str | None] = {}
        self._roots = {folder: ImportRoot(folder, "installed package") for folder in environment.paths}

    # Lookup ----------------------------------------------------------------------------------
    def find(self, dotted: str) -> str | None:
        """The key of installed module ``dotted``, loading it; None when absent or not read."""
        if dotted in self._found:
            return self._found[dotted]
        found = None
        if self.readable(dotted):
            relative = dotted.replace(".", "/")
            found = self._key(relative + "/__init__.py") or self._key(relative + ".py")
            if found is None and len(self.loaded) < self.max_files:
                self.used.setdefault(dotted, "")  # absent: installing it later changes the result
        self._found[dotted] = found
        return found

    @staticmethod
    def readable(dotted: str) -> bool:
        return bool(dotted) and dotted.partition(".")[0] not in NEVER_READ and not dotted.startswith((".", "<"))

    def digest(self, dotted: str) -> str:
        """The content digest of installed module ``dotted``'s file, "" when there is none;
        reads the file without extracting it."""
        relative = dotted.replace(".", "/")
        for candidate in (relative + "/__init__.py", relative + ".py"):
            located = self._locate(candidate)
            if located is not None:
                data, error = read_source(Path(located[1]))
                return content_digest(data) if data is not None else ""
        return ""

    def _locate(self, relative: str) -> tuple[str, str] | None:
        for folder in self.environment.paths:
            file = os.path.join(folder, relative)
            if os.path.isfile(file):
                return folder, file
        return None

    def _key(self, relative: str) -> str | None:
        key = INSTALLED + relative
        if key in self.loaded:
            return key
        if len(self.loaded) >= self.max_files:
            return None
        located = self._locate(relative)
        if located is None:
            return None
        return key if self._load(key, located[1], located[0], relative) else None

    def _load(self, key: str, file: str, folder: str, relative: str) -> bool:
        from ormdoctor.static.scan import extract_file

        data, error = read_source(Path(file))
        if data is None:
            return False
        digest = content_digest(data)
        facts = extract_file(key, data, digest)
        dotted = relative.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        self.used[dotted] = digest
        if facts.error is not None:
            return False
        self.loaded[key] = Module(key, facts, [(dotted, self._roots[folder])])
        self.files[key] = file
        return True

    # The mapping the symbol resolver reads ---------------------------------------------------
    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and is_installed(key) and self._key(key[len(INSTALLED):]) is not None

    def __getitem__(self, key: str) -> Module:
        if key not in self:
            raise KeyError(key)
        return self.loaded[key]

    def get(self, key: str, default=None):
        return self[key] if key in self else default


class _InstalledNames(dict):
    """``by_name`` for installed modules: a dotted name is looked up when first asked for."""

    def __init__(self, modules: InstalledModules):
        super().__init__()
        self.modules = modules

    def get(self, name, default=None):
        return self.modules.find(name) or default


class InstalledIndex(ModuleIndex):
    def __init__(self, modules: InstalledModules):
        self.modules = modules
        self.by_name = _InstalledNames(modules)
        self.homonyms = {}
        self.implicit = {}
        self._memo = {}

    def find(self, name: str, importer: str | None = None) -> str | None:
        return self.modules.find(name)

    def package_inits(self, path: str) -> list[str]:
        return []


class ProjectAndInstalled:
    """The project's resolver, which hands a name the project does not define (``external``) to
    the installed packages, and resolves names inside installed modules there."""

    def __init__(self, project: Resolver, installed: InstalledModules | None):
        self.project = project
        self.installed = installed
        self.library = Resolver(InstalledIndex(installed)) if installed is not None else None

    def _own(self, path: str) -> Resolver:
        return self.library if self.library is not None and is_installed(path) else self.project

    def resolve(self, path: str, dotted: str) -> Symbol | None:
        symbol = self._own(path).resolve(path, dotted)
        if symbol is not None and symbol.kind == "external" and self.library is not None:
            return self._installed(symbol) or symbol
        return symbol

    def _installed(self, symbol: Symbol) -> Symbol | None:
        """``fakebase.model_base.BASEV2.metadata``: the longest prefix that is an installed module,
        then the rest resolved inside it."""
        parts = symbol.name.split(".")
        if not self.installed.readable(symbol.name):
            return None
        for cut in range(len(parts) - 1, 0, -1):
            key = self.installed.find(".".join(parts[:cut]))
            if key is not None:
                found = self.library.resolve(key, ".".join(parts[cut:]))
                return found if found is not None and not found.name.startswith("<") else None
        return None

    def local_names(self, path: str) -> dict[str, Symbol]:
        return self._own(path).local_names(path)

    def import_targets(self, importer: str, fact):
        return self._own(importer).import_targets(importer, fact)

    def module(self, path: str) -> Module:
        """A project module, or an installed one."""
        if is_installed(path) and self.installed is not None:
            return self.installed[path]
        return self.project.modules[path]

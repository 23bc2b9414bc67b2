"""Resolve names written in one module to what they denote: a project class, object, table,
module, or an external dotted name (``sqlalchemy.orm.DeclarativeBase``)."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from ormdoctor.inventory.model import Module
from ormdoctor.project.roots import ImportRoot
from ormdoctor.static.facts import MODULE, ImportFact, module_bindings


# A folder guessed to be on sys.path must not turn `import logging` into the project's
# utils/logging package: the standard library is found first unless the folder really is
# sys.path[0], which static analysis cannot know.
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | {"__future__"}


@dataclass(frozen=True)
class Symbol:
    kind: str  # class | object | table | module | external
    module: str | None  # path of the defining module (None for external)
    name: str  # class/object/table name, the module path, or the external dotted name
    attr: str | None = None  # `db.Model` → object db, attr "Model"


class ModuleIndex:
    """Module name ↔ file, with the implicit roots found while resolving imports."""

    def __init__(self, modules: dict[str, Module]):
        self.modules = modules
        self.by_name: dict[str, str] = {}
        self.homonyms: dict[str, list[str]] = {}  # one name, several files: services/*/project
        for module in sorted(modules.values(), key=lambda m: m.path):
            for name, _root in module.names:
                first = self.by_name.setdefault(name, module.path)
                if first != module.path:
                    self.homonyms.setdefault(name, [first]).append(module.path)
        self.implicit: dict[str, ImportRoot] = {}
        self._memo: dict[tuple[str, str], str | None] = {}

    def find(self, name: str, importer: str | None = None) -> str | None:
        """The file a dotted module name denotes, seen from ``importer``'s folder when it is
        not under any declared root (the way ``cd backend && python main.py`` works)."""
        found = self.by_name.get(name)
        if found and importer is not None and name in self.homonyms:
            return _nearest(self.homonyms[name], importer)
        if found or importer is None or name.partition(".")[0] in _STDLIB:
            return found
        relative = name.replace(".", "/")
        key: tuple = (name, importer.rpartition("/")[0])
        if importer.endswith((relative + ".py", relative + "/__init__.py")):
            key += (importer,)  # its own name: the answer is not the folder's (see _find_implicit)
        if key not in self._memo:
            self._memo[key] = self._find_implicit(name, importer)
        return self._memo[key]

    def _find_implicit(self, name: str, importer: str) -> str | None:
        """A module importing its own name (`from sqlmodel import SQLModel` in an example file
        called sqlmodel.py) is no evidence that its folder is on sys.path: it means the library."""
        relative = name.replace(".", "/")
        folder = importer.rpartition("/")[0]
        while True:
            base = folder + "/" if folder else ""
            if not self._is_package(folder):
                for candidate in (base + relative + "/__init__.py", base + relative + ".py"):  # a package wins
                    if candidate in self.modules and candidate != importer:
                        self._add_implicit(candidate, name, folder)
                        return candidate
            if not folder:
                return None
            folder = folder.rpartition("/")[0]

    def _is_package(self, folder: str) -> bool:
        """A folder with an ``__init__.py`` is imported through its parent, never put on sys.path
        itself: Python 3 has no implicit relative imports, so ``import celery`` inside
        ``app/core/celery/`` is the third-party celery, not ``app/core/celery/__init__.py``."""
        return bool(folder) and folder + "/__init__.py" in self.modules

    def _add_implicit(self, path: str, name: str, root: str) -> None:
        if root not in self.implicit:
            self.implicit[root] = ImportRoot(root, "folder a module imports from as if it were on sys.path")
        module = self.modules[path]
        if all(n != name for n, _ in module.names):
            module.names.append((name, self.implicit[root]))

    def package_inits(self, path: str) -> list[str]:
        """``a/b/c.py`` loads ``a/__init__.py`` and ``a/b/__init__.py`` first."""
        parts = path.split("/")[:-1]
        inits = []
        for i in range(1, len(parts) + 1):
            candidate = "/".join(parts[:i]) + "/__init__.py"
            if candidate in self.modules and candidate != path:
                inits.append(candidate)
        return inits


def _nearest(paths: list[str], importer: str) -> str:
    """Of several files with one module name (each service of a monorepo has its own
    `project` package), the one in the importer's own tree: the longest shared folder prefix."""
    folders = importer.split("/")[:-1]

    def shared(path: str) -> int:
        count = 0
        for mine, theirs in zip(folders, path.split("/")[:-1]):
            if mine != theirs:
                break
            count += 1
        return count

    return max(paths, key=lambda p: (shared(p), -len(p)))


class Resolver:
    def __init__(self, index: ModuleIndex):
        self.index = index
        self.modules = index.modules
        self._locals: dict[str, dict[str, Symbol]] = {}
        self._targets: dict[str, dict[int, tuple]] = {}
        self._bound: dict[str, set[str]] = {}
        self._depth = 0

    def memo(self) -> tuple[dict, dict, dict]:
        """What it resolved so far, per module: each entry is a function of the import layout
        and that module's own facts (never of the order of the lookups), so a later run on the
        same layout can start from it (``reuse``)."""
        return self._targets, self._locals, self._bound

    def reuse(self, memo: tuple[dict, dict, dict], changed: set[str]) -> None:
        """Start from a previous run's ``memo`` on the same layout, shared: what this run
        resolves is kept for the next one too. The modules in ``changed`` (facts read again) are
        resolved again: their import statements are new objects (the targets are kept by id)."""
        for kept in memo:
            for path in changed:
                kept.pop(path, None)
        self._targets, self._locals, self._bound = memo

    # Imports ---------------------------------------------------------------------------------
    def import_targets(self, importer: str, fact: ImportFact) -> tuple[tuple[str, str | None], ...]:
        """((module path, imported name or None), ...) for one import statement, project files
        only. Kept per importer, as tuples: a large tree holds a million of them, most empty (an
        import of a library), and the empty tuple is one object."""
        known = self._targets.get(importer)
        if known is None:
            known = self._targets[importer] = {}
        found = known.get(id(fact))
        if found is None:
            found = known[id(fact)] = tuple(self._import_targets(importer, fact))
        return found

    def _import_targets(self, importer: str, fact: ImportFact) -> list[tuple[str, str | None]]:
        base = self._base_module(importer, fact)
        if not fact.is_from:
            path = self.index.find(fact.module, importer)
            return [(path, None)] if path else []
        out = []
        for name, _ in fact.names:
            sub = self._submodule(base, fact, name, importer) or (
                self._namespace_submodule(importer, fact, name) if base is None and fact.level else None)
            if sub:
                out.append((sub, None))
            elif base:
                out.append((base, None if name == "*" else name))
                if name == "*" and base.endswith("__init__.py"):
                    out.extend((module, None) for module in self._star_submodules(base, fact, importer))
        return out

    def _star_submodules(self, package: str, fact: ImportFact, importer: str) -> list[str]:
        """The submodules `from package import *` imports: those its `__all__` names and the
        package does not bind itself, or every module of its folder when `__all__` is built from
        the folder's listing (the "import every model" recipe)."""
        facts = self.modules[package].facts
        if facts.all_lists_folder:
            folder = package[: -len("__init__.py")]
            return sorted(path for path in self.modules if path.startswith(folder) and path != package
                          and "/" not in path[len(folder):])  # rare: one pass over the tree is fine
        found = (self._submodule(package, fact, name, importer) for name in facts.all_names or ())
        return [path for path in found if path]

    def _namespace_submodule(self, importer: str, fact: ImportFact, name: str) -> str | None:
        """`from .albums import routes` where `albums/` has no `__init__.py` (a namespace
        package inside a regular one): the module `albums/routes.py` itself."""
        if name == "*":
            return None
        folder = importer.rpartition("/")[0]
        for _ in range(fact.level - 1):
            folder = folder.rpartition("/")[0]
        rel = "/".join(p for p in [folder, *fact.module.split("."), name] if p)
        for candidate in (rel + ".py", rel + "/__init__.py"):
            if candidate in self.modules:
                return candidate
        return None

    def _base_module(self, importer: str, fact: ImportFact) -> str | None:
        if fact.level == 0:
            return self.index.find(fact.module, importer) if fact.module else None
        folder = importer.rpartition("/")[0]
        for _ in range(fact.level - 1):
            folder = folder.rpartition("/")[0]
        rel = "/".join(p for p in [folder, *fact.module.split(".")] if p) if fact.module else folder
        for candidate in (rel + ".py", (rel + "/" if rel else "") + "__init__.py"):
            if candidate in self.modules:
                return candidate
        return None

    def _submodule(self, base: str | None, fact: ImportFact, name: str, importer: str) -> str | None:
        if name == "*":
            return None
        if base and base.endswith("__init__.py"):
            folder = base[: -len("__init__.py")]
            for candidate in (folder + name + ".py", folder + name + "/__init__.py"):
                if candidate in self.modules and name not in self._bound_names(base):
                    return candidate
        if fact.level == 0 and fact.module:
            return self.index.by_name.get(f"{fact.module}.{name}") if base is None else None
        return None

    def _bound_names(self, path: str) -> set[str]:
        """Names a package's ``__init__`` binds to something other than its submodule of that
        name, which they shadow: what it defines, and what it imports under that name from
        elsewhere (``from .db import db`` makes ``from pkg import db`` the object, not the module)."""
        found = self._bound.get(path)
        if found is None:
            facts = self.modules[path].facts
            found = ({c.name for c in facts.classes} | {o.name for o in facts.objects}
                     | {t.var for t in facts.tables if t.var})
            for fact in facts.imports:
                if fact.context != MODULE:
                    continue
                if not fact.is_from:
                    if fact.asname:
                        found.add(fact.asname)
                    continue
                for name, asname in fact.names:
                    if name != "*" and not (name == (asname or name) and self._base_module(path, fact) == path):
                        found.add(asname or name)  # `from . import views` binds the submodule itself
            self._bound[path] = found
        return found

    # Names -----------------------------------------------------------------------------------
    def local_names(self, path: str) -> dict[str, Symbol]:
        if path not in self._locals:
            self._locals[path] = self._build_locals(path)
        return self._locals[path]

    def _build_locals(self, path: str) -> dict[str, Symbol]:
        module = self.modules.get(path)
        if module is None:
            return {}  # not a project module (an installed package's: ProjectAndInstalled reads those)
        facts = module.facts
        names: dict[str, Symbol] = {}
        for fact in facts.imports:
            if fact.context == "function":
                continue
            if not fact.is_from:
                key = fact.asname or fact.module.split(".")[0]
                target = fact.module if fact.asname else fact.module.split(".")[0]
                found = self.index.find(target, path)
                names[key] = Symbol("module", found, found) if found else Symbol("external", None, target)
                continue
            for name, asname in fact.names:
                if name == "*":
                    continue
                names[asname or name] = self._from_symbol(path, fact, name)
        for obj in facts.objects:
            names[obj.name] = Symbol("object", path, obj.name)
        for table in facts.tables:
            if table.var:
                names[table.var] = Symbol("table", path, table.var)
        # `class Base: ...` then `Base = declarative_base(cls=Base)` (FreeTAKServer): the later
        # statement binds the name.
        rebound: dict[str, int] = {}
        for name, line, is_class in module_bindings(facts):
            if not is_class:
                rebound[name] = max(line, rebound.get(name, 0))
        for cls in facts.classes:
            if not cls.nested and rebound.get(cls.name, 0) < cls.pos.line:
                names[cls.name] = Symbol("class", path, cls.name)
        return names

    def _from_symbol(self, path: str, fact: ImportFact, name: str) -> Symbol:
        targets = self.import_targets(path, fact)
        for target, imported in targets:
            if imported is None and target:
                sub = self._submodule(self._base_module(path, fact), fact, name, path)
                if sub == target or fact.level == 0 and self.index.by_name.get(f"{fact.module}.{name}") == target:
                    return Symbol("module", target, target)
            if target and imported == name:
                return Symbol("import-ref", target, name)
        dotted = ("." * fact.level) + fact.module
        return Symbol("external", None, f"{dotted}.{name}" if fact.level == 0 else f"<unresolved>{dotted}.{name}")

    def resolve(self, path: str, dotted: str) -> Symbol | None:
        """Follow ``a.b.c`` from module ``path`` through imports and re-exports."""
        self._depth += 1
        try:
            if self._depth > 40:
                return None
            head, *rest = dotted.split(".")
            symbol = self._lookup(path, head)
            for part in rest:
                if symbol is None:
                    return None
                symbol = self._attribute(symbol, part)
            return symbol
        finally:
            self._depth -= 1

    def _lookup(self, path: str, name: str) -> Symbol | None:
        symbol = self.local_names(path).get(name)
        if symbol is None:
            symbol = self._star_lookup(path, name)
        if symbol is not None and symbol.kind == "import-ref":
            return self.resolve(symbol.module, symbol.name)
        return symbol

    def _star_lookup(self, path: str, name: str) -> Symbol | None:
        for fact in self.modules[path].facts.imports:
            if fact.is_from and fact.context != "function" and any(n == "*" for n, _ in fact.names):
                base = self._base_module(path, fact)
                for target, _ in self.import_targets(path, fact):
                    if target and target != base:  # a submodule `__all__` names: the star binds the module
                        if target.removesuffix("/__init__.py").removesuffix(".py").rpartition("/")[2] == name:
                            return Symbol("module", target, target)
                        continue
                    if target and target != path and name in self.local_names(target):
                        return self._lookup(target, name)
                if fact.level == 0 and not self.index.find(fact.module, path):
                    continue
        return None

    def _attribute(self, symbol: Symbol, part: str) -> Symbol | None:
        if symbol.kind == "module" and symbol.module:
            inner = self._lookup(symbol.module, part)
            if inner is not None:
                return inner
            module_name = self.modules[symbol.module].name
            found = self.index.by_name.get(f"{module_name}.{part}")
            return Symbol("module", found, found) if found else None
        if symbol.kind == "external":
            return Symbol("external", None, f"{symbol.name}.{part}")
        if symbol.attr is None:
            return Symbol(symbol.kind, symbol.module, symbol.name, part)
        return None

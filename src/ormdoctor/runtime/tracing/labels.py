"""Human names for MetaData objects and registries, from where the project keeps them:
``app.db:Base.metadata``, ``app.db:metadata``, ``app.ext:db.metadatas['users']``; else ``MetaData@2``.

One object is often reachable from many modules (``from app.db import Base``); the name given is the
one in the file that created it, a declarative base's attribute before a plain global."""

from __future__ import annotations

import sys
import weakref

BASE_ATTRIBUTE, GLOBAL, LIBRARY = 1, 2, 3


class Labels:
    def __init__(self, sa, created_in):
        self.sa = sa
        self.created_in = created_in  # MetaData or registry -> project path of the file that created it
        self._best = {}  # id(obj) -> (rank, label)

    def metadata(self, metadata, metadata_id):
        return self._get(metadata, "MetaData@" + metadata_id[len("md"):])

    def registry(self, registry, registry_id):
        return self._get(registry, "registry@" + registry_id[len("reg"):])

    def _get(self, obj, fallback):
        best = self._best.get(id(obj))
        return best[1] if best else fallback

    def _offer(self, obj, kind, label, path, owner=None):
        """``owner``: the object whose creating file decides, when ``obj`` is made lazily elsewhere."""
        rank = (kind, 0 if self.created_in.get(obj if owner is None else owner) == path else 1)
        best = self._best.get(id(obj))
        if best is None or rank < best[0]:  # ties: the first module loaded wins
            self._best[id(obj)] = (rank, label)

    def scan(self, modules, project):
        for name, module in modules:
            path = project.relative(module.__file__)
            for attribute, value in list(vars(module).items()):
                self._offer_value(f"{name}:{attribute}", value, path)
        sqlmodel = sys.modules.get("sqlmodel")
        if sqlmodel is not None and isinstance(getattr(sqlmodel, "SQLModel", None), type):
            self._offer_base("sqlmodel:SQLModel", sqlmodel.SQLModel, LIBRARY, None)

    def _offer_value(self, label, value, path):
        if isinstance(value, (self.sa.MetaData, self.sa.orm.registry)):
            self._offer(value, GLOBAL, label, path)
        elif isinstance(value, type):
            self._offer_base(label, value, BASE_ATTRIBUTE, path)
        elif isinstance(getattr(value, "metadatas", None), dict) and hasattr(value, "Model"):
            self._offer_flask(label, value, path)

    def _offer_base(self, label, cls, kind, path):
        """A declarative base: the class that owns ``metadata`` / ``registry`` (subclasses inherit them).
        A library's base imported into the project (SQLModel) keeps the library's name."""
        own = vars(cls)
        metadata = own.get("metadata")
        registry = own.get("registry", own.get("_sa_registry"))
        if isinstance(metadata, self.sa.MetaData) and (kind == LIBRARY or metadata in self.created_in):
            self._offer(metadata, kind, label + ".metadata", path)
        if isinstance(registry, self.sa.orm.registry) and (kind == LIBRARY or registry in self.created_in):
            self._offer(registry, kind, label + ".registry", path)

    def _offer_flask(self, label, db, path):
        """Flask-SQLAlchemy: one MetaData per bind key (made when a model first uses the key), one
        registry behind db.Model; the file that made ``db`` (and its default MetaData) names them all."""
        owner = db.metadatas.get(None)
        for bind_key, metadata in db.metadatas.items():
            suffix = ".metadata" if bind_key is None else f".metadatas[{bind_key!r}]"
            self._offer(metadata, BASE_ATTRIBUTE, label + suffix, path, owner)
        registry = getattr(db.Model, "registry", None)
        if isinstance(registry, self.sa.orm.registry):
            self._offer(registry, BASE_ATTRIBUTE, label + ".Model.registry", path, owner)


class CreationSites:
    """Notes the project file that created each MetaData and registry (a ``declarative_base()`` call
    counts as the project line that made it)."""

    def __init__(self, project, sa):
        self.project = project
        self.sa = sa
        self.paths = weakref.WeakKeyDictionary()

    def install(self):
        for cls in (self.sa.MetaData, self.sa.orm.registry):
            cls.__init__ = self._wrap(cls.__init__)

    def _wrap(self, original):
        sites = self

        def traced_init(obj, *args, **kw):
            original(obj, *args, **kw)
            site = sites.project.creator_site(sys._getframe(1))
            if site is not None:
                sites.paths[obj] = site["path"]

        return traced_init

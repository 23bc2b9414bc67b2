"""Mapped classes: where each is defined, which registry holds it, and keeping the duplicates out of
mapper configuration."""

from __future__ import annotations

import importlib
import sys


class ClassTracer:
    """Notes the class statement of every mapped class as SQLAlchemy instruments it."""

    def __init__(self, project, sa, tables):
        self.project = project
        self.sa = sa
        self.tables = tables
        self.sites = {}  # class -> (order, site)

    def install(self):
        mapper = self.sa.orm.Mapper
        self.sa.event.listen(mapper, "instrument_class", self._on_instrument)
        self.sa.event.listen(mapper, "before_mapper_configured", self._skip_duplicates, retval=True)

    def _on_instrument(self, mapper, cls):
        self.sites[cls] = (len(self.sites), self.project.creator_site(sys._getframe(1)))

    def _skip_duplicates(self, mapper, cls):
        # A class whose table went to a throwaway MetaData is a definition SQLAlchemy would have refused;
        # configuring it would only report follow-on errors (its foreign keys point at the real table).
        orm = self.sa.orm
        return orm.EXT_SKIP if self.is_duplicate(mapper) else orm.EXT_CONTINUE

    def is_duplicate(self, mapper):
        metadata = getattr(mapper.local_table, "metadata", None)
        return metadata is not None and self.tables.is_shadow(metadata)

    def forget_duplicates(self, registries):
        """Take the duplicates out of the string lookup, so relationship("X") resolves as it would
        with each duplicate definition removed."""
        for registry in registries:
            for mapper in list(registry.mappers):
                if self.is_duplicate(mapper):
                    registry._dispose_cls(mapper.class_)

    def class_record(self, mapper):
        cls = mapper.class_
        order, site = self.sites.get(cls, (len(self.sites), None))
        table = mapper.local_table
        return {
            "name": cls.__name__, "module": cls.__module__, "site": site, "order": order,
            "table": table.key if isinstance(table, self.sa.Table) else None,
        }


def all_registries():
    """Every live declarative registry with at least one mapper, in creation order (libraries' too:
    configuring the project's mappers may need them)."""
    mapper_module = importlib.import_module("sqlalchemy.orm.mapper")
    return [registry for registry in list(mapper_module._mapper_registries) if registry.mappers]


def registry_record(registry, classes, ids, metadata_ids, labels):
    records = sorted((classes.class_record(mapper) for mapper in registry.mappers), key=lambda r: r["order"])
    return {
        "id": ids.of(registry), "label": labels.registry(registry, ids.of(registry)),
        "metadata": metadata_ids.of(registry.metadata), "classes": records,
    }

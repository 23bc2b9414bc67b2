"""What importing alone does not reveal: mapper configuration per registry, and foreign keys per MetaData.
Both are needed: create_all never configures mappers, and configuring mappers never resolves foreign keys."""

from __future__ import annotations

from .tables import fk_target


def configure_registries(registries, registry_ids, classes):
    """Every mapper configuration error, not only the first: each failed mapper is recorded, then marked
    configured so the next configure() goes on with the others."""
    prior = _failed_mappers(registries)  # failures that the project's own imports triggered
    errors = [_mapper_error(mapper._configure_failed, mapper, registry_ids, classes) for mapper in prior]
    for mapper in prior:
        _release(mapper)
    for registry in registries:
        errors.extend(_configure(registry, registries, registry_ids, classes))
    return errors


def _configure(registry, registries, registry_ids, classes):
    errors = []
    for _ in range(len(registry.mappers) + 1):
        try:
            registry.configure(cascade=True)
            return errors
        except Exception as exc:  # noqa: BLE001 - recorded, not raised
            failed = next((m for m in _failed_mappers(registries) if m._configure_failed is exc), None)
            errors.append(_mapper_error(exc, failed, registry_ids, classes, registry))
            if failed is None:
                return errors  # not a mapper's own failure (an event hook, say): nothing to step past
            _release(failed)
    return errors


def _failed_mappers(registries):
    return [mapper for registry in registries for mapper in registry.mappers
            if getattr(mapper, "_configure_failed", False)]


def _release(mapper):
    mapper._configure_failed = False
    mapper.configured = True


def _mapper_error(exc, mapper, registry_ids, classes, registry=None):
    record = {"registry": registry_ids.of(mapper.registry if mapper is not None else registry),
              "class_name": None, "module": None, "site": None,
              "type": type(exc).__name__, "message": str(exc)}
    if mapper is not None:
        cls = classes.class_record(mapper)
        record.update(class_name=cls["name"], module=cls["module"], site=cls["site"])
    return record


def metadata_errors(metadatas, metadata_ids):
    errors = []
    for metadata in metadatas:
        found = _foreign_key_errors(metadata, metadata_ids.of(metadata))
        errors.extend(found or _sorting_errors(metadata, metadata_ids.of(metadata)))
    return errors


def _foreign_key_errors(metadata, metadata_id):
    """Each foreign key resolved on its own, so every missing target is reported (sorted_tables stops
    at the first)."""
    errors = []
    for table in list(metadata.tables.values()):
        for fk in sorted(table.foreign_keys, key=lambda fk: (fk.parent.name, fk_target(fk))):
            try:
                fk.column  # noqa: B018 - resolving the target is the check
            except Exception as exc:  # noqa: BLE001 - recorded, not raised
                errors.append(_metadata_error(metadata_id, exc, table.key, fk.parent.name, fk_target(fk)))
    return errors


def _sorting_errors(metadata, metadata_id):
    try:
        metadata.sorted_tables  # noqa: B018 - sorting is the check
    except Exception as exc:  # noqa: BLE001 - recorded, not raised
        return [_metadata_error(metadata_id, exc, None, None, None)]
    return []


def _metadata_error(metadata_id, exc, table, column, target):
    return {"metadata": metadata_id, "table": table, "column": column, "target": target,
            "type": type(exc).__name__, "message": str(exc)}

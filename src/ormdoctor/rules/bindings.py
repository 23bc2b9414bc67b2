"""When a name written in a module is bound at run time: before a line, or at all.

SQLAlchemy evaluates `relationship(Customer)` and an unquoted `Mapped[Customer]` while the
class body runs (the name must be bound above the class), `relationship(lambda: Customer)` at
mapper configuration (any module-level binding), and string targets never in the module:
they go to the registry. Imports under `if TYPE_CHECKING:` bind nothing at run time.
"""

from __future__ import annotations

from ormdoctor.static.facts import MODULE, FileFacts


def binding_line(facts: FileFacts, name: str) -> int | None:
    """The first line where ``name`` is bound at run time at module level, or None."""
    lines = [cls.pos.line for cls in facts.classes if cls.name == name and not cls.nested]
    lines += [obj.pos.line for obj in facts.objects if obj.name == name]
    lines += [t.pos.line for t in facts.tables if t.var == name]
    for fact in facts.imports:
        if fact.context == MODULE and name in _bound_names(fact):
            lines.append(fact.pos.line)
    return min(lines) if lines else None


def _bound_names(fact) -> set[str]:
    if not fact.is_from:
        return {fact.asname or fact.module.split(".")[0]}
    return {asname or name for name, asname in fact.names if name != "*"}


def has_future_annotations(facts: FileFacts) -> bool:
    return any(f.is_from and f.module == "__future__" and any(n == "annotations" for n, _ in f.names)
               for f in facts.imports)

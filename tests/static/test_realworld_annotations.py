"""Annotations that wrap a relationship's target (SQLAlchemy's own test/typing/plain_files).

`Relationship[List["MoreMail"]]` is accepted by SQLAlchemy like `Mapped[...]`; read as a plain
name it made the target "Relationship", an ORM301 whenever that name resolves to a project class
(as it does inside the SQLAlchemy repository). Fixture: ORM301_good_relationship_annotation.
"""

from __future__ import annotations

from pathlib import Path

from ormdoctor.pipeline import analyse

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "rules" / "ORM301_good_relationship_annotation"


def test_relationship_annotation_names_its_target():
    inventory = analyse([str(FIXTURE)], use_cache=False).inventory
    user = next(m for m in inventory.classes if m.name == "User")
    assert [(r.attr, r.target, r.collection) for r in user.relationships] == [("addresses", "Address", True)]


"""Which statement binds a module-level name that two statements bind (inventory/symbols.py)."""

from __future__ import annotations

import textwrap

from ormdoctor.pipeline import analyse
from support.projects import write_files


def _symbol(tmp_path, source: str, name: str):
    # Both files mention SQLAlchemy: only such files are parsed for classes.
    write_files(tmp_path, {"app/__init__.py": "", "app/other.py": "import sqlalchemy\n\n\nclass User:\n    pass\n",
                           "app/models.py": "import sqlalchemy\n" + textwrap.dedent(source)})
    inventory = analyse([str(tmp_path)], use_cache=False).inventory
    return inventory.resolver.resolve("app/models.py", name)


def test_a_later_assignment_binds_the_name_of_an_earlier_class(tmp_path):
    found = _symbol(tmp_path, """
        from sqlalchemy.orm import declarative_base

        class Base:
            __allow_unmapped__ = True

        Base = declarative_base(cls=Base)
    """, "Base")
    assert (found.kind, found.name) == ("object", "Base")


def test_a_later_class_binds_the_name_of_an_earlier_import(tmp_path):
    found = _symbol(tmp_path, """
        from app.other import User

        class User(User):
            pass
    """, "User")
    assert (found.kind, found.module) == ("class", "app/models.py")


def test_an_import_under_type_checking_binds_nothing_at_run_time(tmp_path):
    found = _symbol(tmp_path, """
        from typing import TYPE_CHECKING

        class User:
            pass

        if TYPE_CHECKING:
            from app.other import User  # noqa: F811
    """, "User")
    assert (found.kind, found.module) == ("class", "app/models.py")

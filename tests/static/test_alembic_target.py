"""ORM506: what a target_metadata that is no MetaData is found to be, in the forms projects write."""

from __future__ import annotations

import pytest

from ormdoctor.pipeline import analyse

ENV = "from alembic import context\n{imports}\ntarget_metadata = {target}\n"

MODELS = {
    "declarative": "from sqlalchemy import Column, Integer\nfrom sqlalchemy.orm import declarative_base\n\n"
                   "Base = declarative_base()\nAlias = Base\n\n\nclass Item(Base):\n    __tablename__ = 'items'\n"
                   "    id = Column(Integer, primary_key=True)\n",
    "flask": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n\n\nclass Item(db.Model):\n"
             "    __tablename__ = 'items'\n    id = db.Column(db.Integer, primary_key=True)\n",
    "sqlmodel": "from sqlmodel import Field, SQLModel\n\n\nclass Item(SQLModel, table=True):\n"
                "    __tablename__ = 'items'\n    id: int | None = Field(default=None, primary_key=True)\n",
}


def _orm506(tmp_path, flavor: str, imports: str, target: str) -> list[str]:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(MODELS[flavor])
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "env.py").write_text(ENV.format(imports=imports, target=target))
    found = analyse([str(tmp_path)], use_cache=False).findings
    return [f.message.split(", not a MetaData")[0] for f in found if f.code == "ORM506"]


@pytest.mark.parametrize(("flavor", "imports", "target", "expected"), [
    ("declarative", "from app.models import Base", "Base", "the declarative base Base (app/models.py)"),
    ("declarative", "import app.models", "app.models.Base", "the declarative base Base (app/models.py)"),
    ("declarative", "from app.models import Alias", "Alias", "the declarative base Base (app/models.py)"),
    ("declarative", "from app.models import Item", "Item", "the model class Item (app/models.py)"),
    ("flask", "from app.models import db", "db", "the SQLAlchemy() object db (app/models.py)"),
    ("flask", "from app.models import db", "db.Model", "the model base class db.Model (app/models.py)"),
    ("sqlmodel", "from sqlmodel import SQLModel\nimport app.models", "SQLModel", "the SQLModel class"),
])
def test_a_base_or_database_object_is_named(tmp_path, flavor, imports, target, expected):
    assert _orm506(tmp_path, flavor, imports, target) == [f"target_metadata is {expected}"]


@pytest.mark.parametrize(("flavor", "imports", "target"), [
    ("declarative", "from app.models import Base", "Base.metadata"),
    ("declarative", "from app.models import Base", "[Base.metadata]"),
    ("flask", "from app.models import db", "db.metadata"),
    ("flask", "from app.models import db", "db.Model.metadata"),
    ("sqlmodel", "from sqlmodel import SQLModel\nimport app.models", "SQLModel.metadata"),
    ("declarative", "from sqlalchemy import MetaData", "MetaData()"),
])
def test_a_metadata_is_not_reported(tmp_path, flavor, imports, target):
    assert _orm506(tmp_path, flavor, imports, target) == []


MIXIN_MODELS = ("from sqlalchemy import Column, Integer, MetaData\nfrom sqlalchemy.orm import declarative_base\n\n"
                "Base = declarative_base()\n\n\nclass NoneMixin:\n    metadata = None\n\n\n"
                "class Inherits(NoneMixin):\n    pass\n\n\nclass Holder:\n    metadata = MetaData()\n\n\n"
                "class Plain:\n    pass\n\n\nclass Item(Base, NoneMixin):\n    __tablename__ = 'items'\n"
                "    id = Column(Integer, primary_key=True)\n")


@pytest.mark.parametrize(("target", "reported"), [
    ("NoneMixin.metadata", "NoneMixin"),
    ("app.models.NoneMixin.metadata", "NoneMixin"),
    ("Inherits.metadata", "NoneMixin"),  # the mixin's None, inherited
    ("[NoneMixin.metadata]", "NoneMixin"),
    ("Holder.metadata", None),  # a MetaData kept on a plain class
    ("Plain.metadata", None),  # no metadata at all: env.py fails on import, another matter
    ("Item.metadata", None),  # a model: its base's MetaData comes first in the MRO
    ("Base.metadata", None),
])
def test_a_mixins_none_metadata_is_reported(tmp_path, target, reported):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(MIXIN_MODELS)
    (tmp_path / "migrations").mkdir()
    imports = "import app.models\nfrom app.models import Base, Holder, Inherits, Item, NoneMixin, Plain"
    (tmp_path / "migrations" / "env.py").write_text(ENV.format(imports=imports, target=target))
    found = [f for f in analyse([str(tmp_path)], use_cache=False).findings if f.code == "ORM506"]
    if reported is None:
        assert found == []
    else:
        assert len(found) == 1 and f"which is None: {reported} (app/models.py:" in found[0].message

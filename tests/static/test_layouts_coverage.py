"""Coverage is loud: every run says how much of the model layer it saw, and why not the rest."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from support.projects import write_project

from ormdoctor.pipeline import analyse

# apps/backend/src is what the app runs from, but it holds an __init__.py, so no folder walk
# takes it for an import root: `from models.base import Base` resolves only with a setting.
MONOREPO = {
    "apps/backend/src/__init__.py": "",
    "apps/backend/src/models/__init__.py": "",
    "apps/backend/src/models/base.py": """
        from sqlalchemy.orm import DeclarativeBase

        class Base(DeclarativeBase):
            pass
    """,
    "apps/backend/src/models/user.py": """
        from sqlalchemy import Column, Integer
        from models.base import Base

        class User(Base):
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)
    """,
    "apps/backend/src/models/post.py": """
        from sqlalchemy import Column, Integer
        from models.base import Base

        class Post(Base):
            __tablename__ = "posts"
            id = Column(Integer, primary_key=True)
    """,
}


def run_json(root, *args):
    result = subprocess.run([sys.executable, "-m", "ormdoctor", "check", str(root), "--no-cache", "--format", "json",
                             *args], capture_output=True, text=True, timeout=120)
    return json.loads(result.stdout)


def test_unseen_models_are_counted_with_their_reason_and_the_root_to_add(tmp_path):
    document = run_json(write_project(tmp_path, MONOREPO))
    assert document["summary"]["coverage"] == {"looks_mapped": 2, "resolved": 0, "explained": 0,
                                               "unresolved": {"base not traceable": 2}}
    [warning] = [d for d in document["diagnostics"] if d["code"] == "ORM003"]
    assert warning["severity"] == "warning"
    assert warning["message"] == "only 0 of 2 classes that look mapped were resolved (2 base not traceable)"
    assert 'roots = ["apps/backend/src"]' in warning["hint"]


def test_the_root_setting_makes_the_warning_go(tmp_path):
    files = {**MONOREPO, "pyproject.toml": '[tool.ormdoctor]\nroots = ["apps/backend/src"]\n'}
    document = run_json(write_project(tmp_path, files))
    assert document["summary"]["coverage"] == {"looks_mapped": 2, "resolved": 2, "explained": 0, "unresolved": {}}
    assert not [d for d in document["diagnostics"] if d["code"] == "ORM003"]


def test_mixins_and_computed_names_are_not_unseen(tmp_path):
    files = {
        "app/models.py": """
            from sqlalchemy import Column, Integer
            from sqlalchemy.orm import declared_attr
            from app.db import Base

            class IdMixin:
                id = Column(Integer, primary_key=True)

            class Thing(IdMixin, Base):
                __tablename__ = "things"

            class Dyn(Base):
                __tablename__ = make_name("dyn")
                id = Column(Integer, primary_key=True)

            def factory():
                class Local(Base):
                    __tablename__ = "local"
                    id = Column(Integer, primary_key=True)
                return Local
        """,
    }
    coverage = analyse([str(write_project(tmp_path, files))], use_cache=False).summary()["coverage"]
    assert coverage == {"looks_mapped": 3, "resolved": 1, "explained": 2,
                        "unresolved": {"defined inside a function": 1, "table name or schema computed": 1}}


def test_never_all_checks_passed_when_nothing_was_seen(tmp_path):
    def run(path):
        return subprocess.run([sys.executable, "-m", "ormdoctor", "check", str(path), "--no-cache"],
                              capture_output=True, text=True, timeout=120)

    def text(path):
        return run(path).stdout

    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("hello")
    for nothing in (tmp_path / "empty", tmp_path / "notes.txt"):  # a usage error, never "All checks passed"
        result = run(nothing)
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr.startswith("ormdoctor: error: no Python files to check"), result.stderr
    write_project(tmp_path / "plain", {"app/main.py": "print('hi')\n"})
    assert text(tmp_path / "plain").startswith("No models found")
    unseen = text(write_project(tmp_path / "mono", MONOREPO))
    assert "All checks passed" not in unseen and "ORM003 [warning]" in unseen
    assert "Seen: 0 of 2 classes that look mapped (2 base not traceable)." in unseen


# fief's models/generics.py: `class BaseModel: pass` and mixins on it carrying columns, which
# mapped classes combine with the declarative Base. The mixins are not unresolved models; a class
# that names a table on such a chain is (nothing maps it), and a base-less class with a metaclass
# may be a declarative base, so its subclasses stay counted.
MIXIN_CHAIN = {
    "app/__init__.py": "",
    "app/base.py": """
        from sqlalchemy.orm import DeclarativeBase

        class Base(DeclarativeBase):
            pass
    """,
    "app/generics.py": """
        import uuid
        from sqlalchemy.orm import Mapped, mapped_column

        class BaseModel:
            pass

        class UUIDModel(BaseModel):
            id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)

        class CreatedAt(BaseModel):
            created: Mapped[int] = mapped_column(default=0)

        class Audited(CreatedAt):
            audited: Mapped[int] = mapped_column(default=0)

        class Orphan(BaseModel):
            __tablename__ = "orphans"
            id: Mapped[int] = mapped_column(primary_key=True)

        class Meta(type):
            pass

        class Magic(metaclass=Meta):
            pass

        class Spell(Magic):
            id: Mapped[int] = mapped_column(primary_key=True)
    """,
    "app/models.py": """
        from app.base import Base
        from app.generics import CreatedAt, UUIDModel

        class Token(UUIDModel, CreatedAt, Base):
            __tablename__ = "tokens"
    """,
}


def test_mixins_on_a_plain_project_class_are_not_unresolved_models(tmp_path):
    coverage = run_json(write_project(tmp_path, MIXIN_CHAIN))["summary"]["coverage"]
    assert coverage["resolved"] == 1
    assert coverage["looks_mapped"] == 3  # Token, Orphan (names a table), Spell (metaclass base)
    assert coverage["unresolved"] == {"base not traceable": 2}


DECORATED = {
    "app/__init__.py": "",
    "app/models.py": """
        from sqlalchemy import Column, Integer
        from sqlalchemy.orm import declarative_mixin, registry

        mapper_registry = registry()

        @declarative_mixin
        class Audited:
            __tablename__: str
            audited = Column(Integer)

        @mapper_registry.mapped
        class Product:
            __tablename__ = "product"
            id = Column(Integer, primary_key=True)
    """,
}


def test_a_class_a_decorator_maps_is_counted_and_a_declarative_mixin_is_not(tmp_path):
    coverage = run_json(write_project(tmp_path, DECORATED))["summary"]["coverage"]
    assert (coverage["looks_mapped"], coverage["resolved"], coverage["unresolved"]) == (1, 1, {})


def test_a_class_made_in_a_method_is_counted_as_defined_inside_a_function(tmp_path):
    """sqlalchemy-continuum's tests build their models in `create_models(self)`: counted, and
    said to be unseen, instead of missing from the count. A misspelling there, in a test, is left
    alone (SQLAlchemy's own suite writes them to assert that they are rejected)."""
    files = {
        "app/__init__.py": "",
        "app/db.py": "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n",
        "tests/__init__.py": "",
        "tests/test_versions.py": """
            from sqlalchemy import Column, Integer
            from app.db import Base

            class VersioningTestCase:
                def create_models(self):
                    class Article(Base):
                        __tablename__ = "article"
                        __tableargs__ = ({"sqlite_autoincrement": True},)
                        id = Column(Integer, primary_key=True)

                    class Tag(Base):
                        __tablename__ = "tag"
                        id = Column(Integer, primary_key=True)
                    self.Article, self.Tag = Article, Tag
        """,
    }
    analysis = analyse([str(write_project(tmp_path, files))], use_cache=False)
    assert analysis.summary()["coverage"] == {"looks_mapped": 2, "resolved": 0, "explained": 2,
                                              "unresolved": {"defined inside a function": 2}}
    assert analysis.findings == []


def test_the_template_of_declarative_base_cls_is_no_unseen_model(tmp_path):
    """`BASE = declarative_base(cls=TackerBaseV1)` (openstack/tacker): the class gives the base its
    `declared_attr` table name; it is the base, not a model whose base could not be traced."""
    files = {
        "app/__init__.py": "",
        "app/model_base.py": """
            from oslo_db.sqlalchemy import models
            from sqlalchemy import Column, String
            from sqlalchemy.orm import declarative_base, declared_attr

            class TemplateBase(models.ModelBase):
                id = Column(String(36), primary_key=True)

                @declared_attr
                def __tablename__(cls):
                    return cls.__name__.lower() + "s"

            BASE = declarative_base(cls=TemplateBase)
        """,
        "app/models.py": """
            from sqlalchemy import Column, String
            from app.model_base import BASE

            class Vim(BASE):
                name = Column(String(255))
        """,
    }
    coverage = analyse([str(write_project(tmp_path, files))], use_cache=False).summary()["coverage"]
    assert coverage == {"looks_mapped": 1, "resolved": 1, "explained": 0, "unresolved": {}}


def test_mixins_on_mapped_as_dataclass_and_metaclasses_are_not_unseen_models(tmp_path):
    """fastapi_best_architecture's `class DateTimeMixin(MappedAsDataclass)` holds columns for the
    dataclass models, and Flask-SQLAlchemy's `class NameMetaMixin(type)` annotates `__tablename__`
    for the classes it makes: neither is a model whose base could not be traced (a false ORM003)."""
    files = {
        "app/__init__.py": "",
        "app/models.py": """
            from datetime import datetime
            from sqlalchemy.orm import DeclarativeBase, Mapped, MappedAsDataclass, mapped_column

            class CreatorMixin(MappedAsDataclass):
                created_by: Mapped[int] = mapped_column()

            class DateTimeMixin(MappedAsDataclass):
                created_time: Mapped[datetime] = mapped_column(init=False)

            class NameMetaMixin(type):
                __tablename__: str

                def __init__(cls, name, bases, namespace, **kwargs):
                    super().__init__(name, bases, namespace, **kwargs)

            class Base(MappedAsDataclass, DeclarativeBase):
                pass

            class User(Base, CreatorMixin, DateTimeMixin):
                __tablename__ = "user"
                id: Mapped[int] = mapped_column(primary_key=True, init=False)
        """,
    }
    analysis = analyse([str(write_project(tmp_path, files))], use_cache=False)
    assert analysis.summary()["coverage"] == {"looks_mapped": 1, "resolved": 1, "explained": 0, "unresolved": {}}
    assert analysis.findings == []


# monasca-api's shape: each table made by a factory function, called with a MetaData at run time.
FACTORY_TABLES = {
    "app/__init__.py": "",
    "app/models.py": """
        from sqlalchemy import Column, Integer, MetaData, String, Table


        def create_alarm_model(metadata=None):
            return Table("alarm", metadata, Column("id", String(36), primary_key=True))


        def create_metric_model(metadata=None):
            metric = Table("metric", metadata, Column("id", Integer, primary_key=True))
            return metric


        def lookup(metadata, engine):
            return Table("alarm", metadata, autoload_with=engine)  # a reflection: no table written here


        def get_all_metadata():
            metadata = MetaData()
            create_alarm_model(metadata)
            create_metric_model(metadata)
            return metadata
    """,
}


def test_tables_made_inside_functions_are_said_to_be_unread(tmp_path):
    root = write_project(tmp_path, FACTORY_TABLES)
    text = subprocess.run([sys.executable, "-m", "ormdoctor", "check", str(root), "--no-cache"],
                          capture_output=True, text=True, timeout=120).stdout
    summary = next(line for line in text.splitlines() if line.startswith("No models found: "))
    assert " 0 models, 0 tables " in summary
    assert text.splitlines()[-1] == "Not read: 2 Table() calls inside functions (made when the function runs)."
    coverage = run_json(root)["summary"]["coverage"]
    assert coverage == {"looks_mapped": 0, "resolved": 0, "explained": 0, "unresolved": {}, "tables_in_functions": 2,
                        "empty_bases": ["Base (app/db.py:4)"]}


# invenio-communities: a project mixin on an installed package's mixin (not installed here),
# combined with the project's declarative base by the models: a mixin, not an unseen model (a
# class on that mixin that names a table is a model, and counted).
MIXIN_ON_INSTALLED = {
    "app/__init__.py": "",
    "app/models.py": """
        from invenio_records.models import RecordMetadataBase
        from sqlalchemy import Column, String
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()


        class BaseMemberModel(RecordMetadataBase):
            role = Column(String(50))


        class MemberModel(Base, BaseMemberModel):
            __tablename__ = "communities_members"
            id = Column(String(36), primary_key=True)


        class Orphan(RecordMetadataBase):
            __tablename__ = "orphans"
            id = Column(String(36), primary_key=True)
    """,
}


def test_a_mixin_on_an_installed_mixin_that_resolved_models_use_is_no_unseen_model(tmp_path):
    coverage = run_json(write_project(tmp_path, MIXIN_ON_INSTALLED))["summary"]["coverage"]
    assert (coverage["looks_mapped"], coverage["resolved"], coverage["unresolved"]) == (2, 2, {})


# kombu's shape: a declarative base whose models `type()` builds at run time from options.
RUNTIME_MODELS = {
    "app/__init__.py": "",
    "app/models.py": """
        from sqlalchemy import Column, Integer, MetaData, String
        from sqlalchemy.orm import declarative_base

        metadata = MetaData()
        ModelBase = declarative_base(metadata=metadata)


        class Queue:
            id = Column(Integer, primary_key=True)
            name = Column(String(200))
    """,
    "app/transport.py": """
        from app.models import ModelBase, Queue


        def queue_model(table_name):
            return type("Queue", (Queue, ModelBase), {"__tablename__": table_name})
    """,
}


def test_a_base_with_no_model_on_it_is_said_to_be_unread(tmp_path):
    root = write_project(tmp_path, RUNTIME_MODELS)
    text = subprocess.run([sys.executable, "-m", "ormdoctor", "check", str(root), "--no-cache"],
                          capture_output=True, text=True, timeout=120).stdout
    assert text.splitlines()[-1] == ("No model on ModelBase (app/models.py:5), Base (app/db.py:4): a base for other "
                                     "projects' models (a library), or classes made at run time (`type(...)`, a "
                                     "factory) or in code ormdoctor does not read.")
    assert run_json(root)["summary"]["coverage"]["empty_bases"] == ["ModelBase (app/models.py:5)", "Base (app/db.py:4)"]
    mapped = textwrap.dedent(RUNTIME_MODELS["app/models.py"]) + (
        "\n\nclass Item(ModelBase):\n    __tablename__ = 'items'\n    id = Column(Integer, primary_key=True)\n")
    clean = write_project(tmp_path / "clean", {"app/__init__.py": "", "app/models.py": mapped})
    assert "empty_bases" not in run_json(clean)["summary"]["coverage"]


def test_columns_of_sqlalchemy_itself_are_columns(tmp_path):
    """In SQLAlchemy's own tree (or a vendored copy) `Column` is a project class, and still the
    real one: a class with only such columns is counted, whatever its table name."""
    root = write_project(tmp_path, {
        "lib/sqlalchemy/__init__.py": "from .schema import Column as Column\n",
        "lib/sqlalchemy/schema.py": "class Column:\n    \"\"\"`Column(\"id\", Integer)` in a Table.\"\"\"\n",
        "pyproject.toml": '[tool.ormdoctor]\nroots = ["lib"]\n',
        "test/test_models.py": """
            from sqlalchemy import Column
            from app.db import Base


            def test_a_mixin():
                class Named(Base):
                    id = Column("id")
        """,
    })
    coverage = run_json(root)["summary"]["coverage"]
    assert coverage["unresolved"] == {"defined inside a function": 1}


def test_a_model_whose_mixin_names_its_table_is_counted_whether_or_not_the_name_is_known(tmp_path):
    # Home Assistant's recorder: `__tablename__ = TABLE_STATISTICS_META` in a plain mixin, a model
    # on Base and the mixin with an empty body. A constant of the module is read; a name from an
    # installed package is not, and that model must still be counted as a blind spot.
    files = {
        "app/models.py": """
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
            from vendor_settings import VENDOR_TABLE

            TABLE_STATISTICS_META = "statistics_meta"

            class Base(DeclarativeBase):
                pass

            class _StatisticsMeta:
                __tablename__ = TABLE_STATISTICS_META
                id: Mapped[int] = mapped_column(primary_key=True)

            class StatisticsMeta(Base, _StatisticsMeta):
                pass

            class _Vendor:
                __tablename__ = VENDOR_TABLE
                id: Mapped[int] = mapped_column(primary_key=True)

            class Vendor(Base, _Vendor):
                pass
        """,
    }
    analysis = analyse([str(write_project(tmp_path, files))], use_cache=False)
    assert analysis.summary()["coverage"] == {"looks_mapped": 2, "resolved": 1, "explained": 1,
                                              "unresolved": {"table name or schema computed": 1}}
    assert [t.name for t in analysis.inventory.tables] == ["statistics_meta"]


def test_a_mixin_whose_table_name_is_a_none_placeholder_is_no_unseen_model(tmp_path):
    # superset's BaseDatasource: `__tablename__: str | None = None` and columns, for the models
    # that inherit it and name their own table; its base is a plain mixin.
    files = {
        "app/models.py": """
            from sqlalchemy import Column, Integer, String
            from sqlalchemy.orm import declarative_base

            Base = declarative_base()

            class AuditMixin:
                created_by = Column(String(64))

            class BaseDatasource(AuditMixin):
                __tablename__: str | None = None
                id = Column(Integer, primary_key=True)
                description = Column(String(255))

            class SqlaTable(BaseDatasource, Base):
                __tablename__ = "tables"
                table_name = Column(String(250))
        """,
    }
    coverage = analyse([str(write_project(tmp_path, files))], use_cache=False).summary()["coverage"]
    assert coverage == {"looks_mapped": 1, "resolved": 1, "explained": 0, "unresolved": {}}


def test_the_hint_names_both_remedies_when_bases_are_installed_and_untraced(tmp_path):
    # litestar's tests and docs: models on advanced-alchemy's bases (no environment to read them
    # from) beside models whose base the tool could not trace (here: a missing import root).
    files = {**MONOREPO, "apps/backend/src/models/author.py": """
        from advanced_alchemy.base import UUIDBase
        from sqlalchemy import Column, String

        class Author(UUIDBase):
            name = Column(String(100))
    """}
    [warning] = [d for d in run_json(write_project(tmp_path, files))["diagnostics"] if d["code"] == "ORM003"]
    assert "base from another package" in warning["message"] and "base not traceable" in warning["message"]
    assert "pass `--python`" in warning["hint"] and "roots = [" in warning["hint"]

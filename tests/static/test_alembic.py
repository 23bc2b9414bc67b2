"""ORM503: what Alembic's env.py loads, against every table on its target_metadata."""

from __future__ import annotations

import textwrap
from pathlib import Path

from ormdoctor.pipeline import analyse

BASE = """
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
"""


def model(name: str, table: str, base: str = "from app.db import Base") -> str:
    return (f"from sqlalchemy.orm import Mapped, mapped_column\n{base}\n\n\nclass {name}(Base):\n"
            f"    __tablename__ = \"{table}\"\n    id: Mapped[int] = mapped_column(primary_key=True)\n")


MODELS = {
    "app/__init__.py": "",
    "app/db.py": BASE,
    "app/models/__init__.py": "",
    "app/models/customer.py": model("Customer", "customers"),
    "app/models/invoice.py": model("Invoice", "invoices"),
}


def check(tmp_path: Path, env: str, extra: dict[str, str] | None = None):
    files = {**MODELS, **(extra or {}), "migrations/env.py": env}
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    findings = analyse([str(tmp_path)], use_cache=False).findings
    assert not [f for f in findings if f.code == "ORM001"], "a test project must parse"
    return [f for f in findings if f.code == "ORM503"]


def test_missing_module_is_one_finding_with_its_tables(tmp_path):
    found = check(tmp_path, """
        from alembic import context
        from app.db import Base
        from app.models import customer  # noqa: F401
        target_metadata = Base.metadata
    """)
    assert [f.subject for f in found] == ["app.models.invoice"]
    finding = found[0]
    assert finding.location.path == "migrations/env.py" and finding.location.line == 4
    assert "op.drop_table('invoices')" in finding.message
    assert finding.hint.startswith("extend the import at migrations/env.py:3 to "
                                   "`from app.models import customer, invoice`")
    assert "noqa: F401" in finding.hint


def test_list_of_metadata_and_plain_import_fix(tmp_path):
    found = check(tmp_path, """
        from alembic import context
        import app.models.customer  # noqa: F401
        from app.db import Base
        target_metadata = [Base.metadata]
    """)
    assert [f.subject for f in found] == ["app.models.invoice"]
    # app/models/__init__.py imports nothing: the fix goes into env.py itself
    assert found[0].hint.startswith("add `import app.models.invoice  # noqa: F401` to migrations/env.py")


def test_models_package_that_imports_its_modules(tmp_path):
    extra = {"app/models/__init__.py": "from app.models.customer import Customer\n\n__all__ = [\"Customer\"]\n"}
    found = check(tmp_path, "from alembic import context\nfrom app.db import Base\nimport app.models\n"
                            "target_metadata = Base.metadata\n", extra)
    assert [f.subject for f in found] == ["app.models.invoice"]
    assert found[0].hint.startswith("add `from app.models.invoice import Invoice` to app/models/__init__.py")


def test_imports_inside_env_functions_count(tmp_path):
    assert check(tmp_path, """
        from alembic import context
        from app.db import Base
        target_metadata = Base.metadata

        def run_migrations_online():
            from app.models import customer, invoice  # noqa: F401

        run_migrations_online()
    """) == []


def test_other_metadata_tables_are_not_reported(tmp_path):
    extra = {"app/audit.py": "from sqlalchemy import MetaData, Table, Column, Integer\n"
                             "audit_metadata = MetaData()\n"
                             "log = Table('audit_log', audit_metadata, Column('id', Integer, primary_key=True))\n"}
    assert check(tmp_path, """
        from alembic import context
        from app.db import Base
        import app.models.customer, app.models.invoice  # noqa: F401
        target_metadata = Base.metadata
    """, extra) == []


def test_sqlmodel_metadata(tmp_path):
    sqlmodel = "from sqlmodel import Field, SQLModel\n\n\nclass Hero(SQLModel, table=True):\n" \
               "    id: int | None = Field(default=None, primary_key=True)\n"
    found = check(tmp_path, """
        from alembic import context
        from sqlmodel import SQLModel
        target_metadata = SQLModel.metadata
    """, {"app/heroes.py": sqlmodel})
    assert [f.subject for f in found] == ["app.heroes"]


def test_dynamic_discovery_is_not_judged(tmp_path):
    assert check(tmp_path, """
        import importlib
        import pkgutil
        from alembic import context
        import app.models
        from app.db import Base
        for info in pkgutil.iter_modules(app.models.__path__):
            importlib.import_module(f"app.models.{info.name}")
        target_metadata = Base.metadata
    """) == []


def test_unresolvable_target_metadata_is_skipped(tmp_path):
    assert check(tmp_path, """
        from alembic import context
        def get_metadata():
            return None
        target_metadata = get_metadata()
    """) == []


FLASK_APP = {
    "app/__init__.py": "",
    "app/extensions.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
    "app/factory.py": (
        "from flask import Flask\nfrom app.extensions import db\n\n\ndef create_app():\n"
        "    app = Flask(__name__)\n    db.init_app(app)\n    from app import user  # noqa: F401\n    return app\n"),
    "app/user.py": ("from app.extensions import db\n\n\nclass User(db.Model):\n"
                    "    id = db.Column(db.Integer, primary_key=True)\n"),
    "app/order.py": ("from app.extensions import db\n\n\nclass Order(db.Model):\n"
                     "    id = db.Column(db.Integer, primary_key=True)\n"),
    "wsgi.py": "from app.factory import create_app\n\napp = create_app()\n",
}


def _flask_migrate(tmp_path: Path, env: str, **extra: str):
    for name, text in {**FLASK_APP, "migrations/env.py": env, **extra}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    found = analyse([str(tmp_path)], select=["ORM503", "ORM504"], use_cache=False).findings
    return sorted((f.code, f.subject) for f in found)


def test_flask_migrate_old_template_targets_the_apps_db_metadata(tmp_path):
    env = ("from flask import current_app\nfrom alembic import context\n\n"
           "target_metadata = current_app.extensions['migrate'].db.metadata\n")
    assert _flask_migrate(tmp_path, env) == [("ORM503", "app.order")]


def test_flask_migrate_get_metadata_on_another_base_is_orm504(tmp_path):
    env = ("from flask import current_app\nfrom alembic import context\n\n\ndef get_metadata():\n"
           "    return current_app.extensions['migrate'].db.metadatas[None]\n\n\n"
           "target_metadata = get_metadata()\n")
    other = ("from sqlalchemy import Column, Integer\nfrom sqlalchemy.orm import declarative_base\n\n"
             "Base = declarative_base()\n\n\nclass Order(Base):\n    __tablename__ = 'orders'\n"
             "    id = Column(Integer, primary_key=True)\n")
    user = "from app.models import Order  # noqa: F401\n"
    found = _flask_migrate(tmp_path, env, **{"app/user.py": user, "app/models.py": other, "app/order.py": ""})
    assert found == [("ORM504", "db.metadata")]

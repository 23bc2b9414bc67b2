"""Proof with the real libraries that ORM301–ORM306 and ORM503 report what really breaks.

Each test writes a small project, checks that ormdoctor reports it statically, then runs the
real SQLAlchemy (or Alembic) in a fresh interpreter and checks the failure the rule promises:
`configure_mappers()` for relationship targets, `create_all` for foreign keys, and for ORM503 an
`alembic revision --autogenerate` that really writes `op.drop_table` for the table the rule names.
Where the rule's hint is an import, applying it makes both the finding and the failure go away.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ormdoctor.pipeline import analyse

BASE = """
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
"""

CONFIGURE = "import importlib, sys\nfrom sqlalchemy.orm import configure_mappers\n" \
            "importlib.import_module(sys.argv[1])\nconfigure_mappers()\nprint('CONFIGURED')\n"
CREATE_ALL = "import importlib, sys\nfrom sqlalchemy import create_engine\nfrom app.db import Base\n" \
             "importlib.import_module(sys.argv[1])\nBase.metadata.create_all(create_engine('sqlite://'))\n" \
             "print('CREATED')\n"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in {"app/__init__.py": "", "app/db.py": BASE, **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def findings(root: Path, code: str):
    return [f for f in analyse([str(root)], select=[code], use_cache=False).findings if f.code == code]


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, timeout=120)


def fails_with(root: Path, script: str, entry: str, text: str) -> None:
    result = run(root, "-c", script, entry)
    assert result.returncode != 0, result.stdout
    assert text in result.stderr, result.stderr[-2000:]


# ORM301 ----------------------------------------------------------------------------------------------
def test_orm301_missing_targets_fail_mapper_configuration(tmp_path):
    write(tmp_path, {"app/models.py": """
        from sqlalchemy import ForeignKey
        from sqlalchemy.orm import Mapped, mapped_column, relationship
        from app.db import Base

        class Customer(Base):
            __tablename__ = "customers"
            id: Mapped[int] = mapped_column(primary_key=True)
            tone_preferences: Mapped[list["TonePreference"]] = relationship()

        class Booking(Base):
            __tablename__ = "bookings"
            id: Mapped[int] = mapped_column(primary_key=True)
            customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
            thread = relationship("Thread")
    """})
    assert sorted(f.subject for f in findings(tmp_path, "ORM301")) == ["Booking.thread", "Customer.tone_preferences"]
    result = run(tmp_path, "-c", CONFIGURE, "app.models")
    assert "failed to locate a name ('TonePreference')" in result.stderr or \
        "failed to locate a name ('Thread')" in result.stderr, result.stderr[-2000:]
    result = run(tmp_path, "-c", CREATE_ALL, "app.models")
    assert "CREATED" in result.stdout, result.stderr  # create_all never configures mappers


# ORM302 ----------------------------------------------------------------------------------------------
def test_orm302_ambiguous_target_fails_mapper_configuration(tmp_path):
    write(tmp_path, {
        "app/billing.py": """
            from sqlalchemy.orm import Mapped, mapped_column
            from app.db import Base

            class Payment(Base):
                __tablename__ = "stripe_payments"
                id: Mapped[int] = mapped_column(primary_key=True)
        """,
        "app/shop.py": """
            from sqlalchemy import ForeignKey
            from sqlalchemy.orm import Mapped, mapped_column, relationship
            from app.db import Base

            class Booking(Base):
                __tablename__ = "bookings"
                id: Mapped[int] = mapped_column(primary_key=True)
                payments: Mapped[list["Payment"]] = relationship()

            class Payment(Base):
                __tablename__ = "payments"
                id: Mapped[int] = mapped_column(primary_key=True)
                booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"))
        """,
        "app/main.py": "from app import billing, shop  # noqa: F401\n",
    })
    assert [f.subject for f in findings(tmp_path, "ORM302")] == ["Booking.payments"]
    fails_with(tmp_path, CONFIGURE, "app.main", 'Multiple classes found for path "Payment"')


# ORM304 ----------------------------------------------------------------------------------------------
SEED_003 = {
    "app/models/__init__.py": "from app.models.product import Product\n\n__all__ = [\"Product\"]\n",
    "app/models/product.py": """
        from typing import TYPE_CHECKING
        from sqlalchemy.orm import Mapped, mapped_column, relationship
        from app.db import Base

        if TYPE_CHECKING:
            from app.models.ml_prediction import MLPrediction

        class Product(Base):
            __tablename__ = "products"
            id: Mapped[int] = mapped_column(primary_key=True)
            ml_predictions: Mapped[list["MLPrediction"]] = relationship(back_populates="product")
    """,
    "app/models/ml_prediction.py": """
        from sqlalchemy import ForeignKey
        from sqlalchemy.orm import Mapped, mapped_column, relationship
        from app.db import Base
        from app.models.product import Product

        class MLPrediction(Base):
            __tablename__ = "ml_predictions"
            id: Mapped[int] = mapped_column(primary_key=True)
            product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
            product: Mapped[Product] = relationship(back_populates="ml_predictions")
    """,
    "app/main.py": "from app.models import Product\n\n__all__ = [\"Product\"]\n",
}


def test_orm304_unimported_target_fails_and_the_hint_fixes_it(tmp_path):
    write(tmp_path, SEED_003)
    found = findings(tmp_path, "ORM304")
    assert [f.subject for f in found] == ["Product.ml_predictions"]
    fails_with(tmp_path, CONFIGURE, "app.main", "failed to locate a name ('MLPrediction')")
    statement = found[0].hint.split("`")[1]
    init = tmp_path / "app/models/__init__.py"
    assert found[0].hint.split("` to ")[1].startswith("app/models/__init__.py")
    init.write_text(statement + "\n" + init.read_text())
    assert findings(tmp_path, "ORM304") == []
    assert "CONFIGURED" in run(tmp_path, "-c", CONFIGURE, "app.main").stdout


def test_orm304_unimported_foreign_key_target_fails_create_all(tmp_path):
    write(tmp_path, {
        "app/models/__init__.py": "from app.models.stock import StockLevel\n",
        "app/models/stock.py": """
            from sqlalchemy import Column, ForeignKey, Integer
            from app.db import Base

            class StockLevel(Base):
                __tablename__ = "stock_levels"
                id = Column(Integer, primary_key=True)
                warehouse_id = Column(Integer, ForeignKey("warehouses.id"))
        """,
        "app/models/warehouse.py": """
            from sqlalchemy import Column, Integer
            from app.db import Base

            class Warehouse(Base):
                __tablename__ = "warehouses"
                id = Column(Integer, primary_key=True)
        """,
        "app/main.py": "from sqlalchemy import create_engine\n\nimport app.models  # noqa: F401\n\n"
                       "engine = create_engine('sqlite://')\n\nif __name__ == '__main__':\n    pass\n",
    })
    assert [f.subject for f in findings(tmp_path, "ORM304")] == ["stock_levels.warehouse_id"]
    fails_with(tmp_path, CREATE_ALL, "app.main", "could not find table 'warehouses'")


# ORM303 ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("reference, error", [
    ("customer.id", "could not find table 'customer'"),
    ("customers.uuid", "has no column named 'uuid'"),
    ("public.customers.id", "could not find table 'public.customers'"),
])
def test_orm303_missing_target_fails_create_all(tmp_path, reference, error):
    write(tmp_path, {"app/models.py": f"""
        from sqlalchemy import Column, ForeignKey, Integer
        from app.db import Base

        class Customer(Base):
            __tablename__ = "customers"
            id = Column(Integer, primary_key=True)

        class Order(Base):
            __tablename__ = "orders"
            id = Column(Integer, primary_key=True)
            customer_id = Column(Integer, ForeignKey("{reference}"))
    """})
    assert [f.subject for f in findings(tmp_path, "ORM303")] == ["orders.customer_id"]
    fails_with(tmp_path, CREATE_ALL, "app.models", error)


def test_orm303_default_schema_of_the_metadata(tmp_path):
    write(tmp_path, {"app/models.py": """
        from sqlalchemy import Column, ForeignKey, Integer, MetaData
        from sqlalchemy.orm import DeclarativeBase

        class Base(DeclarativeBase):
            metadata = MetaData(schema="core")

        class Customer(Base):
            __tablename__ = "customers"
            id = Column(Integer, primary_key=True)

        class Order(Base):
            __tablename__ = "orders"
            id = Column(Integer, primary_key=True)
            customer_id = Column(Integer, ForeignKey("customers.id"))
    """})
    assert findings(tmp_path, "ORM303") == []
    script = ("import app.models as m\nprint([fk.column.table.fullname for t in m.Base.metadata.sorted_tables "
              "for fk in t.foreign_keys])\n")
    assert "['core.customers']" in run(tmp_path, "-c", script).stdout


# ORM305 ----------------------------------------------------------------------------------------------
def test_orm305_postgresql_refuses_the_constraint(tmp_path, postgres_url):
    write(tmp_path, {"app/models.py": """
        import uuid
        from sqlalchemy import Column, ForeignKey, Integer, Uuid
        from app.db import Base

        class Customer(Base):
            __tablename__ = "customers"
            id = Column(Uuid, primary_key=True, default=uuid.uuid4)

        class Booking(Base):
            __tablename__ = "bookings"
            id = Column(Integer, primary_key=True)
            customer_id = Column(Integer, ForeignKey("customers.id"))
    """})
    assert [f.subject for f in findings(tmp_path, "ORM305")] == ["bookings.customer_id"]
    script = CREATE_ALL.replace("'sqlite://'", repr(postgres_url))
    fails_with(tmp_path, script, "app.models", "incompatible types")


# ORM306 ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("orders, customer, error", [
    ('relationship("Order", back_populates="customer")', 'relationship("Customer", back_populates="orderz")',
     "has no property 'orderz'"),
    ('relationship("Order", back_populates="customer")', 'relationship("Customer", back_populates="name")',
     "refers to attribute"),
    ('relationship("Order")', 'relationship("Customer", backref="orders")', "Error creating backref 'orders'"),
])
def test_orm306_back_reference_errors(tmp_path, orders, customer, error):
    write(tmp_path, {"app/models.py": f"""
        from sqlalchemy import Column, ForeignKey, Integer, String
        from sqlalchemy.orm import relationship
        from app.db import Base

        class Customer(Base):
            __tablename__ = "customers"
            id = Column(Integer, primary_key=True)
            name = Column(String(100))
            orders = {orders}

        class Order(Base):
            __tablename__ = "orders"
            id = Column(Integer, primary_key=True)
            customer_id = Column(Integer, ForeignKey("customers.id"))
            customer = {customer}
    """})
    assert [f.subject for f in findings(tmp_path, "ORM306")] == ["Order.customer"]
    fails_with(tmp_path, CONFIGURE, "app.models", error)


def test_orm306_not_pointing_back(tmp_path):
    write(tmp_path, {"app/models.py": """
        from sqlalchemy import Column, ForeignKey, Integer
        from sqlalchemy.orm import relationship
        from app.db import Base

        class User(Base):
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)
            purchases = relationship("Order", back_populates="buyer", foreign_keys="Order.buyer_id")

        class Customer(Base):
            __tablename__ = "customers"
            id = Column(Integer, primary_key=True)
            orders = relationship("Order", back_populates="buyer", foreign_keys="Order.customer_id")

        class Order(Base):
            __tablename__ = "orders"
            id = Column(Integer, primary_key=True)
            customer_id = Column(Integer, ForeignKey("customers.id"))
            buyer_id = Column(Integer, ForeignKey("users.id"))
            buyer = relationship("User", back_populates="purchases", foreign_keys=[buyer_id])
    """})
    assert [f.subject for f in findings(tmp_path, "ORM306")] == ["Customer.orders"]
    fails_with(tmp_path, CONFIGURE, "app.models", "which does not reference mapper")


# ORM501 ----------------------------------------------------------------------------------------------
def test_orm501_cycle_breaks_on_import_order(tmp_path):
    write(tmp_path, {
        "app/models/__init__.py": "",
        "app/models/customer.py": """
            from sqlalchemy.orm import Mapped, mapped_column, relationship
            from app.db import Base
            from app.models.booking import Booking

            class Customer(Base):
                __tablename__ = "customers"
                id: Mapped[int] = mapped_column(primary_key=True)
                bookings = relationship(Booking)
        """,
        "app/models/booking.py": """
            from sqlalchemy import ForeignKey
            from sqlalchemy.orm import Mapped, mapped_column
            from app.db import Base
            from app.models.customer import Customer

            class Booking(Base):
                __tablename__ = "bookings"
                id: Mapped[int] = mapped_column(primary_key=True)
                customer_id: Mapped[int] = mapped_column(ForeignKey(Customer.id))
        """,
    })
    assert [f.subject for f in findings(tmp_path, "ORM501")] == ["app.models.booking"]
    fails_with(tmp_path, CONFIGURE, "app.models.customer", "partially initialized module")


# ORM503 ----------------------------------------------------------------------------------------------
ALEMBIC_INI = """
[alembic]
script_location = migrations
prepend_sys_path = .
sqlalchemy.url = sqlite:///{db}
"""

ENV = """
from alembic import context
from sqlalchemy import engine_from_config, pool

from app.db import Base
{imports}

config = context.config
target_metadata = Base.metadata

engine = engine_from_config(config.get_section(config.config_ini_section, {{}}), prefix="sqlalchemy.",
                            poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
"""

MAKO = '''"""${message}"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = None
depends_on = None


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
'''


def alembic(root: Path, *args: str) -> subprocess.CompletedProcess:
    result = run(root, "-m", "alembic", *args)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_orm503_autogenerate_really_drops_the_table_the_rule_names(tmp_path):
    write(tmp_path, {k: v for k, v in SEED_003.items() if k != "app/main.py"})
    (tmp_path / "alembic.ini").write_text(ALEMBIC_INI.format(db=tmp_path / "app.db"))
    (tmp_path / "migrations/versions").mkdir(parents=True)
    (tmp_path / "migrations/script.py.mako").write_text(MAKO)
    env = tmp_path / "migrations/env.py"
    full = "import app.models.product  # noqa: F401\nimport app.models.ml_prediction  # noqa: F401"
    env.write_text(ENV.format(imports=full))
    assert findings(tmp_path, "ORM503") == []
    alembic(tmp_path, "revision", "--autogenerate", "-m", "initial", "--rev-id", "0001")
    alembic(tmp_path, "upgrade", "head")

    env.write_text(ENV.format(imports="import app.models  # noqa: F401"))  # the package misses ml_prediction
    found = findings(tmp_path, "ORM503")
    assert [f.subject for f in found] == ["app.models.ml_prediction"]
    assert "op.drop_table('ml_predictions')" in found[0].message
    alembic(tmp_path, "revision", "--autogenerate", "-m", "incomplete", "--rev-id", "0002")
    revision = next((tmp_path / "migrations/versions").glob("0002_*.py")).read_text()
    dropped = [line.strip() for line in revision.splitlines() if "op.drop_table(" in line]
    assert dropped == ["op.drop_table('ml_predictions')"], revision

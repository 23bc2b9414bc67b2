"""ORM301–ORM306 on small projects: every target form, and the cases that must stay silent."""

from __future__ import annotations

from pathlib import Path

from support.projects import findings_of

def check(tmp_path: Path, files: dict[str, str], code: str):
    return findings_of(tmp_path, files, code)


def subjects(found) -> list[str]:
    return sorted(f.subject for f in found)


# ORM301 / ORM302: how a target is looked up ----------------------------------------------------------
TWO_PAYMENTS = {
    "app/billing.py": """
        from sqlalchemy.orm import Mapped, mapped_column
        from app.db import Base

        class Payment(Base):
            __tablename__ = "stripe_payments"
            id: Mapped[int] = mapped_column(primary_key=True)
    """,
    "app/main.py": "from app import billing, shop  # noqa: F401\n",
}


def test_unquoted_annotation_bound_above_is_the_class_itself(tmp_path):
    shop = """
        from sqlalchemy import ForeignKey
        from sqlalchemy.orm import Mapped, mapped_column, relationship
        from app.db import Base

        class Payment(Base):
            __tablename__ = "payments"
            id: Mapped[int] = mapped_column(primary_key=True)

        class Booking(Base):
            __tablename__ = "bookings"
            id: Mapped[int] = mapped_column(primary_key=True)
            payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"))
            payment: Mapped[Payment] = relationship()
    """
    assert check(tmp_path, {**TWO_PAYMENTS, "app/shop.py": shop}, "ORM302") == []


def test_future_annotations_make_every_annotation_a_registry_lookup(tmp_path):
    shop = """
        from __future__ import annotations
        from sqlalchemy import ForeignKey
        from sqlalchemy.orm import Mapped, mapped_column, relationship
        from app.db import Base

        class Payment(Base):
            __tablename__ = "payments"
            id: Mapped[int] = mapped_column(primary_key=True)

        class Booking(Base):
            __tablename__ = "bookings"
            id: Mapped[int] = mapped_column(primary_key=True)
            payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"))
            payment: Mapped[Payment] = relationship()
    """
    found = check(tmp_path, {**TWO_PAYMENTS, "app/shop.py": shop}, "ORM302")
    assert subjects(found) == ["Booking.payment"]
    assert {r.location.path for r in found[0].related} == {"app/billing.py", "app/shop.py"}
    assert "app.shop.Payment" in found[0].hint  # the one next to the reference


def test_module_path_and_lambda_targets_are_unambiguous(tmp_path):
    shop = """
        from sqlalchemy import ForeignKey
        from sqlalchemy.orm import Mapped, mapped_column, relationship
        from app.db import Base

        class Booking(Base):
            __tablename__ = "bookings"
            id: Mapped[int] = mapped_column(primary_key=True)
            payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"))
            by_path = relationship("app.shop.Payment", viewonly=True)
            by_module = relationship("shop.Payment", viewonly=True)
            by_lambda = relationship(lambda: Payment, viewonly=True)

        class Payment(Base):
            __tablename__ = "payments"
            id: Mapped[int] = mapped_column(primary_key=True)
    """
    files = {**TWO_PAYMENTS, "app/shop.py": shop}
    assert check(tmp_path, files, "ORM302") == []
    assert check(tmp_path, files, "ORM301") == []


def test_a_module_path_that_matches_no_module_is_missing(tmp_path):
    shop = """
        from sqlalchemy.orm import Mapped, mapped_column, relationship
        from app.db import Base

        class Booking(Base):
            __tablename__ = "bookings"
            id: Mapped[int] = mapped_column(primary_key=True)
            payment = relationship("app.Payment")

        class Payment(Base):
            __tablename__ = "payments"
            id: Mapped[int] = mapped_column(primary_key=True)
    """
    found = check(tmp_path, {"app/shop.py": shop}, "ORM301")
    assert subjects(found) == ["Booking.payment"]
    assert "failed to locate a name ('app.Payment')" in found[0].message


def test_classes_of_another_registry_do_not_count(tmp_path):
    files = {
        "app/legacy.py": """
            from sqlalchemy.orm import Mapped, declarative_base, mapped_column
            LegacyBase = declarative_base()

            class Thread(LegacyBase):
                __tablename__ = "threads"
                id: Mapped[int] = mapped_column(primary_key=True)
        """,
        "app/shop.py": """
            from sqlalchemy.orm import Mapped, mapped_column, relationship
            from app import legacy  # noqa: F401
            from app.db import Base

            class Booking(Base):
                __tablename__ = "bookings"
                id: Mapped[int] = mapped_column(primary_key=True)
                thread = relationship("Thread")
        """,
    }
    found = check(tmp_path, files, "ORM301")
    assert subjects(found) == ["Booking.thread"]
    assert "registry Base" in found[0].message


def test_abstract_class_is_not_a_target(tmp_path):
    shop = """
        from sqlalchemy.orm import Mapped, mapped_column, relationship
        from app.db import Base

        class Party(Base):
            __abstract__ = True
            id: Mapped[int] = mapped_column(primary_key=True)

        class Booking(Base):
            __tablename__ = "bookings"
            id: Mapped[int] = mapped_column(primary_key=True)
            party = relationship("Party")
    """
    found = check(tmp_path, {"app/shop.py": shop}, "ORM301")
    assert subjects(found) == ["Booking.party"]
    assert "abstract, not mapped" in found[0].message


# ORM303 ----------------------------------------------------------------------------------------------
def test_foreign_key_to_a_table_on_another_metadata(tmp_path):
    files = {
        "app/legacy.py": """
            from sqlalchemy import Column, Integer
            from sqlalchemy.orm import declarative_base
            LegacyBase = declarative_base()

            class Customer(LegacyBase):
                __tablename__ = "customers"
                id = Column(Integer, primary_key=True)
        """,
        "app/shop.py": """
            from sqlalchemy import Column, ForeignKey, Integer
            from app import legacy  # noqa: F401
            from app.db import Base

            class Order(Base):
                __tablename__ = "orders"
                id = Column(Integer, primary_key=True)
                customer_id = Column(Integer, ForeignKey("customers.id"))
        """,
    }
    found = check(tmp_path, files, "ORM303")
    assert subjects(found) == ["orders.customer_id"]
    assert "LegacyBase.metadata" in found[0].hint
    assert [r.location.path for r in found[0].related] == ["app/legacy.py"]


def test_columns_from_mixins_sti_and_declared_attr_exist(tmp_path):
    shop = """
        from sqlalchemy import Column, ForeignKey, Integer, String
        from sqlalchemy.orm import declared_attr
        from app.db import Base

        class HasCode:
            @declared_attr
            def code(cls):
                return Column(String(8), unique=True)

        class Party(HasCode, Base):
            __tablename__ = "parties"
            id = Column(Integer, primary_key=True)
            kind = Column(String(20))
            __mapper_args__ = {"polymorphic_on": "kind"}

        class Company(Party):
            vat = Column(String(20), unique=True)

        class Invoice(Base):
            __tablename__ = "invoices"
            id = Column(Integer, primary_key=True)
            party_code = Column(String(8), ForeignKey("parties.code"))
            company_vat = Column(String(20), ForeignKey("parties.vat"))
    """
    assert check(tmp_path, {"app/shop.py": shop}, "ORM303") == []


def test_reflected_table_is_a_valid_target(tmp_path):
    shop = """
        from sqlalchemy import Column, ForeignKey, Integer, Table
        from app.db import Base

        accounts = Table("accounts", Base.metadata, autoload_with=None)

        class Order(Base):
            __tablename__ = "orders"
            id = Column(Integer, primary_key=True)
            account_id = Column(Integer, ForeignKey("accounts.id"))
    """
    assert check(tmp_path, {"app/shop.py": shop}, "ORM303") == []


# ORM304 ----------------------------------------------------------------------------------------------
UNIMPORTED = {
    "app/models/__init__.py": "from app.models.product import Product\n\n__all__ = [\"Product\"]\n",
    "app/models/product.py": """
        from sqlalchemy.orm import Mapped, mapped_column, relationship
        from app.db import Base

        class Product(Base):
            __tablename__ = "products"
            id: Mapped[int] = mapped_column(primary_key=True)
            alerts: Mapped[list["Alert"]] = relationship(back_populates="product")
    """,
    "app/models/alert.py": """
        from sqlalchemy import ForeignKey
        from sqlalchemy.orm import Mapped, mapped_column, relationship
        from app.db import Base
        from app.models.product import Product

        class Alert(Base):
            __tablename__ = "alerts"
            id: Mapped[int] = mapped_column(primary_key=True)
            product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
            product: Mapped[Product] = relationship(back_populates="alerts")
    """,
    "app/main.py": """
        from fastapi import FastAPI
        from app.models import Product  # noqa: F401

        app = FastAPI()
    """,
}


def test_target_not_imported_names_entry_point_and_fix(tmp_path):
    found = check(tmp_path, UNIMPORTED, "ORM304")
    assert subjects(found) == ["Product.alerts"]
    finding = found[0]
    assert "app/main.py never loads" in finding.message
    assert finding.hint.startswith("add `from app.models.alert import Alert` to app/models/__init__.py")
    assert {r.location.path for r in finding.related} == {"app/models/alert.py", "app/main.py",
                                                         "app/models/__init__.py"}


def test_alembic_env_alone_missing_a_relationship_target_is_not_orm304(tmp_path):
    files = {**UNIMPORTED,
             "app/models/__init__.py": "from app.models.alert import Alert\nfrom app.models.product import Product\n",
             "migrations/env.py": """
                 from alembic import context
                 from app.db import Base
                 import app.models.product  # noqa: F401
                 target_metadata = Base.metadata
             """}
    assert check(tmp_path, files, "ORM304") == []


def test_without_an_entry_point_nothing_is_known_to_be_missing(tmp_path):
    # alert.py is imported by nothing: an orphan model module is not an entry point, and its own
    # closure (product + alert) says nothing about what the application loads.
    files = {k: v for k, v in UNIMPORTED.items() if k != "app/main.py"}
    assert check(tmp_path, files, "ORM304") == []


def test_a_script_is_an_entry_point(tmp_path):
    files = {k: v for k, v in UNIMPORTED.items() if k != "app/main.py"}
    files["scripts/report.py"] = """
        from app.models.product import Product

        if __name__ == "__main__":
            print(Product.__table__)
    """
    found = check(tmp_path, files, "ORM304")
    assert subjects(found) == ["Product.alerts"]
    assert "scripts/report.py never loads" in found[0].message


# ORM305 ----------------------------------------------------------------------------------------------
def test_type_families(tmp_path):
    shop = """
        import uuid
        from sqlalchemy import BigInteger, Column, ForeignKey, Integer, String, Uuid
        from sqlalchemy.orm import Mapped, mapped_column
        from app.db import Base

        class Customer(Base):
            __tablename__ = "customers"
            id = Column(BigInteger, primary_key=True)
            code = Column(String(8), unique=True)

        class Order(Base):
            __tablename__ = "orders"
            id: Mapped[int] = mapped_column(primary_key=True)
            customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
            customer_code: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.code"))
            untyped = mapped_column(ForeignKey("customers.id"))
            custom = Column(MyType(), ForeignKey("customers.id"))
    """
    found = check(tmp_path, {"app/shop.py": shop}, "ORM305")
    assert subjects(found) == ["orders.customer_code"]
    assert "uuid.UUID (uuid)" in found[0].message and "String(8) (string)" in found[0].message


# ORM306 ----------------------------------------------------------------------------------------------
def test_back_populates_to_backref_and_to_a_column(tmp_path):
    shop = """
        from sqlalchemy import Column, ForeignKey, Integer
        from sqlalchemy.orm import relationship
        from app.db import Base

        class Customer(Base):
            __tablename__ = "customers"
            id = Column(Integer, primary_key=True)
            status = Column(Integer)
            notes = relationship("Note", backref="customer")

        class Note(Base):
            __tablename__ = "notes"
            id = Column(Integer, primary_key=True)
            customer_id = Column(ForeignKey("customers.id"))

        class Order(Base):
            __tablename__ = "orders"
            id = Column(Integer, primary_key=True)
            customer_id = Column(ForeignKey("customers.id"))
            customer = relationship("Customer", back_populates="status")
    """
    found = check(tmp_path, {"app/shop.py": shop}, "ORM306")
    assert subjects(found) == ["Order.customer"]
    assert "is a column, not a relationship" in found[0].message


def test_back_populates_on_a_subclass_of_the_target_points_back(tmp_path):
    shop = """
        from sqlalchemy import Column, ForeignKey, Integer, String
        from sqlalchemy.orm import relationship
        from app.db import Base

        class Party(Base):
            __tablename__ = "parties"
            id = Column(Integer, primary_key=True)
            kind = Column(String(20))
            orders = relationship("Order", back_populates="party")
            __mapper_args__ = {"polymorphic_on": "kind"}

        class Company(Party):
            __mapper_args__ = {"polymorphic_identity": "company"}

        class Order(Base):
            __tablename__ = "orders"
            id = Column(Integer, primary_key=True)
            party_id = Column(ForeignKey("parties.id"))
            party = relationship("Company", back_populates="orders")
    """
    assert check(tmp_path, {"app/shop.py": shop}, "ORM306") == []


def test_classes_the_inventory_cannot_follow_are_not_missing(tmp_path):
    shop = """
        from sqlalchemy import Column, ForeignKey, Integer, Table
        from sqlalchemy.orm import registry, relationship
        from app.db import Base

        mapper_registry = registry()
        users = Table("users", mapper_registry.metadata, Column("id", Integer, primary_key=True))

        class User:
            pass

        mapper_registry.map_imperatively(User, users)

        def make_audit_model():
            class AuditEntry(Base):
                __tablename__ = "audit_entries"
                id = Column(Integer, primary_key=True)
            return AuditEntry

        class Order(Base):
            __tablename__ = "orders"
            id = Column(Integer, primary_key=True)
            audit = relationship("AuditEntry", viewonly=True)
            user = relationship("User", viewonly=True)
    """
    assert check(tmp_path, {"app/shop.py": shop}, "ORM301") == []


# Hints: never re-point a foreign key to a table in another schema ------------------------------------
PER_MODULE_SCHEMAS = {
    "app/attachments.py": """
        from sqlalchemy import Column, Integer
        from app.db import Base

        class AttachmentFile(Base):
            __tablename__ = "files"
            __table_args__ = {"schema": "attachments"}
            id = Column(Integer, primary_key=True)
    """,
    "app/abstracts.py": """
        from sqlalchemy import Column, ForeignKey, Integer
        from app.db import Base

        class AbstractFile(Base):
            __tablename__ = "file"
            __table_args__ = {"schema": "event_abstracts"}
            id = Column(Integer, primary_key=True)
            attachment_id = Column(Integer, ForeignKey("files.id"))
            main_id = Column(Integer, ForeignKey("fils.id"))
    """,
    "app/main.py": "from app import abstracts, attachments  # noqa: F401\n",
}


def test_hint_never_points_a_foreign_key_into_another_schema(tmp_path):
    found = {f.subject: f for f in check(tmp_path, PER_MODULE_SCHEMAS, "ORM303")}
    assert sorted(found) == ["event_abstracts.file.attachment_id", "event_abstracts.file.main_id"]
    # "files" exists only as attachments.files: another schema than event_abstracts.file's own,
    # so it may be another table; and "fils" is not a spelling of a name in another schema.
    assert "attachments.files.id" not in found["event_abstracts.file.attachment_id"].hint
    assert "may be another table" in found["event_abstracts.file.attachment_id"].hint
    assert "files" not in found["event_abstracts.file.main_id"].hint


def test_hint_qualifies_with_the_referencing_tables_own_schema(tmp_path):
    files = {**PER_MODULE_SCHEMAS, "app/attachments.py": PER_MODULE_SCHEMAS["app/attachments.py"].replace(
        '"attachments"', '"event_abstracts"')}
    found = {f.subject: f for f in check(tmp_path, files, "ORM303")}
    assert found["event_abstracts.file.attachment_id"].hint == \
        'qualify the schema: ForeignKey("event_abstracts.files.id")'

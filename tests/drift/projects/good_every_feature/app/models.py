"""Every column and index style the comparison must understand; created from these very models,
the database must produce no drift finding."""

import enum
import uuid
from datetime import date, datetime, time
from decimal import Decimal
from typing import Optional

from sqlalchemy import (JSON, BigInteger, Boolean, Column, Date, DateTime, Enum, ForeignKey, Index,
                        Integer, LargeBinary, Numeric, SmallInteger, String, Table, Text, Time,
                        UniqueConstraint, Uuid, func)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class Kind(enum.Enum):
    person = "person"
    company = "company"


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))


class Customer(TimestampMixin, Base):
    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        Index("ix_customers_name", "last_name", "first_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, default=uuid.uuid4, unique=True, index=True)
    tenant_id: Mapped[int] = mapped_column(BigInteger)
    code: Mapped[str] = mapped_column(String(20))
    email: Mapped[Optional[str]] = mapped_column(String(255), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[Kind] = mapped_column(Enum(Kind))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    rank = Column(SmallInteger)
    balance: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    settings = Column(JSON)
    avatar: Mapped[Optional[bytes]] = mapped_column(LargeBinary)
    notes = Column(Text, nullable=True)
    born: Mapped[Optional[date]] = mapped_column(Date)
    call_after: Mapped[Optional[time]] = mapped_column(Time)
    country: Mapped[str] = mapped_column(String(2), index=True)


class Employee(Base):
    __tablename__ = "employees"

    id = Column(Integer, primary_key=True)
    type = Column(String(20), nullable=False)
    name = Column(String(100), nullable=False)

    __mapper_args__ = {"polymorphic_on": type, "polymorphic_identity": "employee"}


class Manager(Employee):
    """Single-table inheritance: its column lives in employees."""

    budget = Column(Numeric(12, 2))

    __mapper_args__ = {"polymorphic_identity": "manager"}


class Engineer(Employee):
    """Joined inheritance: a table of its own whose key is the parent's."""

    __tablename__ = "engineers"

    id = Column(Integer, ForeignKey("employees.id"), primary_key=True)
    language = Column(String(30))


order_lines = Table(
    "order_lines",
    Base.metadata,
    Column("order_id", Integer, primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("customer_id", ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
    Column("quantity", Integer, nullable=False, server_default="1"),
    Column("sku", String(40), nullable=False, index=True),
    UniqueConstraint("customer_id", "sku", name="uq_order_lines_customer_sku"),
)
Index("ix_order_lines_quantity", order_lines.c.quantity)

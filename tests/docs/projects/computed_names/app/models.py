import uuid

from sqlalchemy import (
    CheckConstraint, Column, DateTime, FetchedValue, ForeignKey, Index, Integer, Numeric, String, Table, Text, func,
)
from sqlalchemy.orm import relationship

from app.db import Base, metadata
from app.naming import new_code, table_name


class Customer(Base):
    """A person or company that places orders."""

    __tablename__ = "customers"
    __table_args__ = (CheckConstraint("length(email) > 3", name="email_len"), {"comment": "Buyers."})

    id = Column(Integer, primary_key=True)
    email = Column(String(255), unique=True, nullable=False)
    name = Column(String(200), index=True)

    orders = relationship("Order", back_populates="customer", cascade="all, delete-orphan", passive_deletes=True)


Index("ix_customers_email_lower", func.lower(Customer.email))


class Order(Base):
    """One purchase.

    Its table name comes from ``table_name()``."""

    __tablename__ = table_name("order")

    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False)
    status = Column(String(20), nullable=False, default="new")
    total = Column(Numeric(10, 2), server_default="0")
    created_at = Column(DateTime, server_default=func.now())

    customer = relationship("Customer", back_populates="orders")
    tags = relationship("Tag", secondary="order_tags", back_populates="orders")


Index(None, Order.status, Order.created_at)


class Tag(Base):
    __tablename__ = "tags"

    id = Column(Integer, primary_key=True)
    label = Column(String(50), unique=True, index=True)

    orders = relationship("Order", secondary="order_tags", back_populates="tags")


order_tags = Table(
    "order_tags",
    metadata,
    Column("order_id", ForeignKey(Order.id, ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class Address(Base):
    __tablename__ = "addresses"

    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"))
    city = Column(String(100))
    ref = Column(String(36), default=uuid.uuid4)
    code = Column(String(8), default=new_code)

    customer = relationship("Customer", backref="addresses")


class Employee(Base):
    __tablename__ = "employees"

    id = Column(Integer, primary_key=True)
    kind = Column(String(20))

    __mapper_args__ = {"polymorphic_on": kind, "polymorphic_identity": "employee"}


class Manager(Employee):
    """An employee with a budget."""

    budget = Column(Integer)

    __mapper_args__ = {"polymorphic_identity": "manager"}


class AuditEntry:
    """A row of the audit log, mapped imperatively."""


audit_entries = Table(
    "audit_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("note", Text, server_default=FetchedValue()),
)
Base.registry.map_imperatively(AuditEntry, audit_entries)

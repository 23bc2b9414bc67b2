from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base


class Customer(Base):
    """A person or company that places orders.

    Customers live in the ``core`` schema shared with the billing service.
    """

    __tablename__ = "customers"
    __table_args__ = {"schema": "core"}

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[Optional[str]] = mapped_column(String(200), comment="display name")

    address: Mapped[Optional["Address"]] = relationship(back_populates="customer", cascade="all, delete-orphan")
    orders: Mapped[list["Order"]] = relationship(back_populates="customer")


class Address(Base):
    __tablename__ = "addresses"
    __table_args__ = {"schema": "core"}

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("core.customers.id", ondelete="CASCADE"), unique=True)
    street: Mapped[str]
    city: Mapped[str] = mapped_column(String(100), index=True)

    customer: Mapped["Customer"] = relationship(back_populates="address")

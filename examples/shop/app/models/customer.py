from typing import TYPE_CHECKING

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base

if TYPE_CHECKING:
    from app.models.order import Order


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # unique=True + index=True is ONE unique index: fine, and not reported
    email: Mapped[str] = mapped_column(String(255), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))

    orders: Mapped[list["Order"]] = relationship(back_populates="customer")
    # LoyaltyAccount lives in app/models/loyalty.py, which the application never imports
    loyalty_account = relationship("LoyaltyAccount", uselist=False, back_populates="customer")

import enum
from datetime import datetime

from sqlalchemy import DateTime, Enum, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class Status(enum.Enum):
    pending = "pending"
    paid = "paid"


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(Integer)
    total = mapped_column(Numeric(10, 2), nullable=False)
    reference: Mapped[str] = mapped_column(String(20))
    status: Mapped[Status] = mapped_column(Enum(Status, native_enum=False))
    created_at: Mapped[datetime] = mapped_column(DateTime)

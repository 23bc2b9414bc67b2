from datetime import date
from decimal import Decimal

from sqlalchemy import JSON, Numeric
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class DailySales(Base):
    __tablename__ = "daily_sales"

    day: Mapped[date] = mapped_column(primary_key=True)
    revenue: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    metadata: Mapped[dict] = mapped_column(JSON)  # which stores, which currency

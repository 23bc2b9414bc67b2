"""Nightly sales report. Added after the rest; its model is only imported from here."""

from datetime import date
from decimal import Decimal

from app.db import SessionLocal
from app.models.analytics import DailySales


def record_day(day: date, revenue: Decimal, stores: list[str]) -> None:
    with SessionLocal() as session:
        session.merge(DailySales(day=day, revenue=revenue, metadata={"stores": stores}))
        session.commit()

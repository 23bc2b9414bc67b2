"""Contacts imported from the old CRM. Same class name as the shop's Customer, same Base."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class Customer(Base):
    __tablename__ = "crm_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    crm_ref: Mapped[str] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(255))

from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base


class Employee(Base):
    __tablename__ = "employees"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    manager_id: Mapped[Optional[int]] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))

    manager: Mapped[Optional["Employee"]] = relationship(back_populates="reports", remote_side="Employee.id")
    reports: Mapped[list["Employee"]] = relationship(back_populates="manager")

    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "employee"}


class Manager(Employee):
    budget: Mapped[Optional[int]] = mapped_column(default=None)

    __mapper_args__ = {"polymorphic_identity": "manager"}

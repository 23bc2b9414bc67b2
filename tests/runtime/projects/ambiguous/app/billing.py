from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import relationship

from app.db import Base


class Customer(Base):
    __tablename__ = "billing_customers"
    id = Column(Integer, primary_key=True)


class Invoice(Base):
    __tablename__ = "invoices"
    id = Column(Integer, primary_key=True)
    customer_id = Column(ForeignKey("billing_customers.id"))
    customer = relationship("Customer")  # two classes named Customer: ambiguous

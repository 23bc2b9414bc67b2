# An older copy of the models, still imported: both classes redefine a table.
from sqlalchemy import Column, Integer, String, Table

from app.db import Base

customers = Table("customers", Base.metadata)  # a lookup, not a definition


class Customer(Base):
    __tablename__ = "customers"
    id = Column(Integer, primary_key=True)
    email = Column(String(200), unique=True)


class OldOrder(Base):
    __tablename__ = "orders"
    id = Column(Integer, primary_key=True)

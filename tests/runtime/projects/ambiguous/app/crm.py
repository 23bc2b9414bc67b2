from sqlalchemy import Column, Integer

from app.db import Base


class Customer(Base):
    __tablename__ = "crm_customers"
    id = Column(Integer, primary_key=True)

from sqlalchemy import Column, ForeignKey, Integer

from app.db import Base


class Order(Base):
    __tablename__ = "orders"
    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("missing.id"))

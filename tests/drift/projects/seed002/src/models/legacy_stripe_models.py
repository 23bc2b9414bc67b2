"""Legacy Stripe integration, on a base of its own."""

from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class StripeCustomer(Base):
    __tablename__ = "customers"

    id = Column(Integer, primary_key=True)
    stripe_customer_id = Column(String(64), nullable=False, unique=True)
    email = Column(String(255))

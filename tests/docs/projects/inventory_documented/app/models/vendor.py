from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint, func
from sqlalchemy.orm import relationship

from app.core.database import Base


class Vendor(Base):
    """Stores supplier information."""

    __tablename__ = "vendors"

    id = Column(Integer, primary_key=True, index=True)
    name = Column(String(200), nullable=False)
    contact_email = Column(String(255))
    contact_phone = Column(String(50))
    address = Column(Text)
    created_at = Column(DateTime(timezone=True), server_default=func.now())

    vendor_prices = relationship("VendorPrice", back_populates="vendor", cascade="all, delete-orphan")


class VendorPrice(Base):
    """Links vendors to products with pricing information."""

    __tablename__ = "vendor_prices"
    __table_args__ = (
        UniqueConstraint("vendor_id", "product_id", name="uq_vendor_product"),
        CheckConstraint("unit_price >= 0", name="ck_vendor_prices_unit_price"),
    )

    id = Column(Integer, primary_key=True, index=True)
    vendor_id = Column(Integer, ForeignKey("vendors.id", ondelete="CASCADE"), nullable=False)
    product_id = Column(Integer, ForeignKey("products.id", ondelete="CASCADE"), nullable=False, index=True)
    unit_price = Column(Numeric(10, 2), nullable=False)
    lead_time_days = Column(Integer, default=7)
    minimum_order_quantity = Column(Integer, default=1)
    updated_at = Column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())

    vendor = relationship("Vendor", back_populates="vendor_prices")
    product = relationship("Product", back_populates="vendor_prices")

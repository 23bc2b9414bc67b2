"""Catalogue sync from the supplier feed.

Defining `products` here raised "Table 'products' is already defined"; extend_existing=True made
the error go away.
"""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class CatalogItem(Base):
    __tablename__ = "products"
    __table_args__ = {"extend_existing": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(40), index=True)
    supplier_category: Mapped[str | None] = mapped_column(String(100))

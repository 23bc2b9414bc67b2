from app.models.customer import Customer
from app.models.product import Product
from app.models.order import Order, OrderLine
from app.models.catalog import CatalogItem
from app.models.legacy import Customer as LegacyCustomer

__all__ = ["CatalogItem", "Customer", "LegacyCustomer", "Order", "OrderLine", "Product"]

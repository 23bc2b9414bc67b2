from app.models.core import Address, Customer
from app.models.catalog import Order, Product, Tag, product_tags
from app.models.staff import Employee, Manager

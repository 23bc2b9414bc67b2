from app.models.product import Product
from app.models.inventory_transaction import InventoryTransaction
from app.models.vendor import Vendor, VendorPrice
from app.models.user import User
from app.models.alert import Alert
from app.models.ml_prediction import MLPrediction

__all__ = ["Product", "InventoryTransaction", "Vendor", "VendorPrice", "User", "Alert", "MLPrediction"]

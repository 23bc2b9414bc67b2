from app.models.crm import Customer as CrmCustomer  # noqa: F401
from app.models.customer import Customer  # noqa: F401

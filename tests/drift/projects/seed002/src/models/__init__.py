"""Modern models: the only ones this package exports."""

from models.customer import Customer

__all__ = ["Customer"]

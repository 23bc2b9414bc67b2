"""The application: loads every router and service at start-up."""

from api import stripe_webhooks  # noqa: F401
from services import booking_reminders, customer_repository  # noqa: F401


def create_app():
    return {"routes": [customer_repository.get_customer, booking_reminders.reminder_recipients]}

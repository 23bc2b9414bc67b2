from models.legacy_stripe_models import StripeCustomer


def on_customer_created(session, payload: dict):
    session.add(StripeCustomer(stripe_customer_id=payload["id"], email=payload.get("email")))

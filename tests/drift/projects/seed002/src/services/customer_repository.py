from models import Customer


def get_customer(session, customer_id: int):
    return session.get(Customer, customer_id)

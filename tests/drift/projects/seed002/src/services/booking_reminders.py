from models.legacy_core import Customer


def reminder_recipients(session, station_id):
    return session.query(Customer).filter(Customer.station_id == station_id).all()

"""Entry point: `python -m app.main` creates the tables and lists the customers."""

from sqlalchemy import select

from app import models, reports  # noqa: F401  (registers every model on Base.metadata)
from app.db import Base, SessionLocal, engine
from app.models import Customer


def init_db() -> None:
    Base.metadata.create_all(engine)


def list_customers() -> list[str]:
    with SessionLocal() as session:
        return [c.email for c in session.scalars(select(Customer))]


if __name__ == "__main__":
    init_db()
    print(list_customers())

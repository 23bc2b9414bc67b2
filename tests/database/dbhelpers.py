"""Helpers of the database tests: seed DDL and a writable connection of the test's own."""

from __future__ import annotations

# The seed incident's database: the legacy `core.customers` and a modern `public.bookings`.
SEED_DDL = """
CREATE SCHEMA core;
CREATE TABLE core.customers (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    email_encrypted TEXT NOT NULL,
    name_encrypted TEXT,
    station_id UUID NOT NULL
);
COMMENT ON TABLE core.customers IS 'legacy encrypted customers';
CREATE TABLE public.bookings (
    id SERIAL PRIMARY KEY,
    customer_id UUID NOT NULL,
    reference VARCHAR(32) NOT NULL,
    event_date DATE NOT NULL,
    event_time TIME,
    status VARCHAR(20) NOT NULL DEFAULT 'pending',
    total NUMERIC(10, 2),
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now(),
    CONSTRAINT fk_bookings_customer FOREIGN KEY (customer_id)
        REFERENCES core.customers (id) ON DELETE CASCADE,
    CONSTRAINT uq_bookings_reference UNIQUE (reference),
    CONSTRAINT uq_bookings_customer_date UNIQUE (customer_id, event_date)
);
CREATE INDEX ix_bookings_event_date ON public.bookings (event_date);
CREATE INDEX ix_bookings_status_created ON public.bookings (status, created_at);
CREATE VIEW public.booking_days AS
    SELECT event_date, count(*) AS bookings FROM public.bookings GROUP BY event_date;
"""

SQLITE_DDL = """
CREATE TABLE customers (
    id INTEGER NOT NULL PRIMARY KEY,
    email VARCHAR(255) NOT NULL,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT uq_customers_email UNIQUE (email)
);
CREATE TABLE bookings (
    id INTEGER NOT NULL PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    event_date DATE NOT NULL,
    paid BOOLEAN,
    FOREIGN KEY(customer_id) REFERENCES customers (id) ON DELETE CASCADE
);
CREATE INDEX ix_bookings_event_date ON bookings (event_date);
INSERT INTO customers (id, email) VALUES (1, 'a@example.com');
"""


def run_sql(url: str, sql: str) -> None:
    """Execute DDL/DML with an ordinary, writable connection (the test's own, not ormdoctor's)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(sql)
    engine.dispose()


def query(url: str, sql: str) -> list[tuple]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.exec_driver_sql(sql)]
    engine.dispose()
    return rows


def with_credentials(url: str, user: str, password: str) -> str:
    """`postgres_url` (postgresql+psycopg://postgres:@/db?host=...) for another user."""
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{user}:{password}@{rest.split('@', 1)[1]}"

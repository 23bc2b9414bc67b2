"""The audit log lives in its own database, with its own engine and MetaData."""

from sqlalchemy import JSON, Column, DateTime, Index, Integer, MetaData, String, Table, create_engine

engine = create_engine("postgresql://audit@localhost/audit")
audit_metadata = MetaData(schema="audit")

events = Table(
    "events",
    audit_metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(50), nullable=False),
    Column("payload", JSON),
    Column("customer_ref", Integer),
    Column("created_at", DateTime, server_default="now()"),
    Index("ix_events_customer", "customer_ref"),
)

"""Legacy core system: encrypted fields, multi-tenant by station."""

import uuid

from sqlalchemy import Column, DateTime, ForeignKey, Text, func
from sqlalchemy.dialects.postgresql import UUID

from models.legacy_declarative_base import Base


class Station(Base):
    __tablename__ = "stations"
    __table_args__ = {"schema": "core"}

    id = Column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    name = Column(Text, nullable=False)


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = {"schema": "core"}

    id = Column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    station_id = Column(UUID(as_uuid=True), ForeignKey("core.stations.id"), nullable=False)
    email_encrypted = Column(Text, nullable=False)
    name_encrypted = Column(Text)
    phone_encrypted = Column(Text)
    created_at = Column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    updated_at = Column(DateTime(timezone=True))

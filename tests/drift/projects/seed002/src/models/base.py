from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Modern clean-architecture base."""


class BaseModel(Base):
    __abstract__ = True

from typing import Optional

from sqlmodel import Field, SQLModel


class LegacyHero(SQLModel, table=True):
    __tablename__ = "hero"
    id: Optional[int] = Field(default=None, primary_key=True)  # noqa: UP045 - written as projects do
    secret_name: str

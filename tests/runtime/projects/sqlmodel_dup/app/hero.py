from typing import Optional

from sqlmodel import Field, SQLModel


class Hero(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)  # noqa: UP045 - written as projects do
    name: str


class HeroBase(SQLModel):  # table=False: no table, not a duplicate
    name: str

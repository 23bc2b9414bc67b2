# A project module whose name is also a module of ormdoctor's runtime package: the tracer must not shadow it.
from sqlalchemy import Column, Integer
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Finding(Base):
    __tablename__ = "findings"
    id = Column(Integer, primary_key=True)

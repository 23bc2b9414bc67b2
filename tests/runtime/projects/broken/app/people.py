from sqlalchemy import Column, Integer
from sqlalchemy.orm import relationship

from app.db import Base


class Person(Base):
    __tablename__ = "people"
    id = Column(Integer, primary_key=True)
    pets = relationship("Nope")

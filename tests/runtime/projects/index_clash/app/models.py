from sqlalchemy import Column, ForeignKey, Index, Integer, String

from app.db import Base


class Author(Base):
    __tablename__ = "authors"
    __table_args__ = (Index("ix_name", "name"),)
    id = Column(Integer, primary_key=True)
    name = Column(String(50))


class Book(Base):
    __tablename__ = "books"
    __table_args__ = (Index("ix_name", "name"),)  # index names are per database on SQLite, per schema on PostgreSQL
    id = Column(Integer, primary_key=True)
    name = Column(String(50))
    author_id = Column(ForeignKey("authors.id"))


class Ledger(Base):
    __tablename__ = "ledger"
    __table_args__ = (Index("ix_name", "book_id"), {"schema": "core"})  # another schema: no clash
    id = Column(Integer, primary_key=True)
    book_id = Column(ForeignKey("books.id"))


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (Index("ix_name", "title"), Index("ix_review_book", "book_id"))
    id = Column(Integer, primary_key=True)
    title = Column(String(50))
    book_id = Column(ForeignKey("books.id"))

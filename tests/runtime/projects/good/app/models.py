from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import relationship

from app.db import Base

print("models imported")  # the project's own output must not disturb the tracer

post_tags = Table(
    "post_tags",
    Base.metadata,
    Column("post_id", ForeignKey("posts.id"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id"), primary_key=True),
)


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    email = Column(String(200), nullable=False, unique=True, index=True)
    posts = relationship("Post", back_populates="author")


class Post(Base):
    __tablename__ = "posts"
    id = Column(Integer, primary_key=True)
    author_id = Column(ForeignKey("users.id"), nullable=False, index=True)
    author = relationship("User", back_populates="posts")
    tags = relationship("Tag", secondary=post_tags)


class Tag(Base):
    __tablename__ = "tags"
    id = Column(Integer, primary_key=True)
    label = Column(String(30))


class AuditEntry(Base):
    __tablename__ = "entries"
    __table_args__ = {"schema": "audit"}
    id = Column(Integer, primary_key=True)
    user_id = Column(ForeignKey("users.id"))


class Setting(Base):
    __table__ = Table("settings", Base.metadata, Column("key", String(50), primary_key=True))

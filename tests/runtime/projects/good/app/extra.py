from sqlalchemy import Column, String, Table

from app.db import Base

Table("tags", Base.metadata, Column("color", String(20)), extend_existing=True)

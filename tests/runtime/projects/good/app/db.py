from sqlalchemy import MetaData
from sqlalchemy.orm import declarative_base

metadata = MetaData(naming_convention={"ix": "ix_%(column_0_label)s", "fk": "fk_%(table_name)s_%(column_0_name)s"})
Base = declarative_base(metadata=metadata)

from alembic import context

from app.core.database import Base
import app.models  # noqa: F401

target_metadata = Base.metadata


def run_migrations_online():
    context.configure(target_metadata=target_metadata)

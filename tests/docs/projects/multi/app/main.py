import app.models  # noqa: F401
from app.audit.tables import audit_metadata  # noqa: F401

from app import models  # noqa: F401

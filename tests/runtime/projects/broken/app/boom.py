from app.helpers import SETTINGS  # noqa: F401

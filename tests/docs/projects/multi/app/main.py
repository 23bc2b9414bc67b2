import app.models  # noqa: F401

import os


class Settings:
    DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://user:password@localhost:5432/inventory")


settings = Settings()

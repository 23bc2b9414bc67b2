"""Table names are made at import time: static analysis cannot know them."""

import os

PREFIX = os.environ.get("SHOP_TABLE_PREFIX", "shop")


def table_name(entity: str) -> str:
    return f"{PREFIX}_{entity}s"


def new_code() -> str:
    return "A1"

"""`--import` loads each module under the name the real program uses: an app that imports
`src.shop...` (no package installed) must not be told it imports its models twice."""

from __future__ import annotations

import json
import subprocess
import sys

from support.projects import write_project

BASE = "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n"
FILES = {
    "src/shop/__init__.py": "", "src/shop/models/__init__.py": "",
    "src/shop/db.py": BASE,
    "src/shop/models/user.py": """
        from sqlalchemy import Column, Integer
        from src.shop.db import Base

        class User(Base):
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)
    """,
    "main.py": "from src.shop.models.user import User\n\nprint(User.__table__)\n",
}


def test_import_uses_the_programs_module_names(tmp_path):
    root = write_project(tmp_path, FILES)
    result = subprocess.run([sys.executable, "-m", "ormdoctor", "check", str(root), "--import", "--no-cache",
                             "--python", sys.executable, "--format", "json"],
                            capture_output=True, text=True, timeout=300)
    codes = [d["code"] for d in json.loads(result.stdout)["diagnostics"]]
    assert codes == [], result.stdout

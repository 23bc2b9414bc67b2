"""Imports and classes in mutually exclusive branches (if/else, try/except ImportError) are
alternatives: one of them runs, never both."""

from __future__ import annotations

from support.projects import findings_of

MODELS = {
    "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["src", "."]\n',
    "src/shop/__init__.py": "",
    "src/shop/db.py": "from sqlalchemy.orm import DeclarativeBase\n\nclass Base(DeclarativeBase):\n    pass\n",
    "src/shop/models.py": """
        from sqlalchemy import Column, Integer
        from shop.db import Base

        class Customer(Base):
            __tablename__ = "customers"
            id = Column(Integer, primary_key=True)
    """,
}


def test_try_except_import_error_fallback_is_not_a_double_import(tmp_path):
    files = {**MODELS, "tests/test_customers.py": """
        try:
            from shop.models import Customer
        except ImportError:
            from src.shop.models import Customer

        def test_it():
            assert Customer
    """}
    assert findings_of(tmp_path, files, "ORM107") == []


def test_if_else_imports_are_alternatives(tmp_path):
    files = {**MODELS, "tests/test_customers.py": """
        import os

        if os.environ.get("INSTALLED"):
            from shop.models import Customer
        else:
            from src.shop.models import Customer

        def test_it():
            assert Customer
    """}
    assert findings_of(tmp_path, files, "ORM107") == []


def test_two_imports_in_one_arm_are_still_a_double_import(tmp_path):
    files = {**MODELS, "tests/test_customers.py": """
        try:
            from shop.models import Customer
            from src.shop.models import Customer as Again
        except ImportError:
            pass

        def test_it():
            assert Customer is not Again
    """}
    [double] = findings_of(tmp_path, files, "ORM107")
    assert double.subject == "shop.models" and double.severity.value == "error"


def test_classes_in_exclusive_branches_are_alternatives_not_duplicates(tmp_path):
    files = {"app/models.py": """
        import os
        from sqlalchemy import Column, Integer, String
        from app.db import Base

        if os.environ.get("LEGACY"):
            class User(Base):
                __tablename__ = "users"
                id = Column(Integer, primary_key=True)
        else:
            class User(Base):
                __tablename__ = "users"
                id = Column(Integer, primary_key=True)
                name = Column(String(50))
    """}
    assert findings_of(tmp_path, files, "ORM101") == []


def test_classes_defined_twice_in_one_arm_stay_duplicates(tmp_path):
    files = {"app/models.py": """
        from sqlalchemy import Column, Integer
        from app.db import Base

        class User(Base):
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)

        class Member(Base):
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)
    """}
    assert [f.subject for f in findings_of(tmp_path, files, "ORM101")] == ["users"]

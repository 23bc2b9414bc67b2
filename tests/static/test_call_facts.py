"""Every call extraction records is recorded in every file, whatever else the file holds: the
shortcut that skips the walk over calls in most files must not hide one of them."""

from __future__ import annotations

import pytest

from ormdoctor.static.scan import extract_file

CASES = [
    ("Base.metadata.create_all(engine)", "calls_create_all", True),
    ("reveal_type(x)", "type_checks", True),
    ("importlib.import_module(name)", "imports_dynamically", True),
    ("config.scan()", "imports_dynamically", True),
    ("config.include('.accounts')", "imports_dynamically", True),
    ("engine = create_engine(URL)", "engine_urls", ["URL"]),
    ("context_manager = enginefacade.transaction_context()", "database_configs",
     ["enginefacade.transaction_context@3"]),
    ("Session = sessionmaker(binds={A: one, B: two})", "database_configs", ["sessionmaker@3"]),
    ("app = Flask(__name__)", "creates_app", True),
    ("router = APIRouter()", "defines_router", True),
]


@pytest.mark.parametrize(("statement", "field", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_model_file_records_the_call(statement, field, expected):
    source = f"from sqlalchemy import Column\n\n{statement}\n"
    facts = extract_file("app/m.py", source.encode(), "digest")
    assert getattr(facts, field) == expected

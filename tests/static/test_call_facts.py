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
    ("alembic.command.revision(cfg, autogenerate=True)", "runs_alembic_revision", True),
    ("command.upgrade(cfg, 'head')", "runs_alembic_revision", False),
    ("revision(cfg)", "runs_alembic_revision", False),
]


@pytest.mark.parametrize(("statement", "field", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_model_file_records_the_call(statement, field, expected):
    source = f"from sqlalchemy import Column\n\n{statement}\n"
    facts = extract_file("app/m.py", source.encode(), "digest")
    assert getattr(facts, field) == expected


# The walk over calls visits only the subtrees whose lines hold a word a recorded call needs
# (``extract._nodes_on``). Each case puts the call where a line-based shortcut could miss it,
# inside a file with plenty of unrelated code around it; the facts must equal a full walk's.
FILLER = "".join(f"def helper_{i}(rows):\n    total = [r for r in rows if r]\n    return len(total)\n\n"
                 for i in range(40))
PLACED = [
    ("decorator above the def", "@register(create_engine('sqlite://'))\ndef f():\n    pass\n",
     "engine_urls", ["'sqlite://'"]),
    ("decorator above a class", "@make(Flask(__name__))\nclass App:\n    pass\n", "creates_app", True),
    ("revision command in a function", "def revision(cfg):\n    alembic.command.revision(\n        cfg)\n",
     "runs_alembic_revision", True),
    ("word on a later line of the call", "engine = (\n    sa\n    .create_engine(\n        URL))\n",
     "engine_urls", ["URL"]),
    ("line continuation", "engine = sa.\\\ncreate_engine(URL)\n", "engine_urls", ["URL"]),
    ("inside a multi-line f-string", 'text = f"""{\ncreate_engine(URL)\n}"""\n', "engine_urls", ["URL"]),
    ("inside a nested function", "def outer():\n    def inner():\n        return importlib.import_module(n)\n"
     "    return inner\n", "imports_dynamically", True),
    ("identifier Python normalises (NFKC)", "Base.metadata.\uff43reate_all(engine)\n", "calls_create_all", True),
    ("sys.path in a file that also creates tables", "Base.metadata.create_all(e)\nsys.path.append(\n    HERE)\n",
     "sys_path_adds", []),
    ("binds keyword on its own line", "Session = sessionmaker(\n    binds=mapping,\n)\n", "database_configs",
     None),
]


def _facts_pair(data: bytes, monkeypatch):
    """(facts as extracted, facts with every node walked), as comparable JSON."""
    from ormdoctor.static import codec, extract

    pruned = codec.dumps(extract_file("app/m.py", data, "digest"))
    with monkeypatch.context() as patch:
        patch.setattr(extract, "_call_word_lines", lambda text: None)
        full = codec.dumps(extract_file("app/m.py", data, "digest"))
    return pruned, full


@pytest.mark.parametrize(("label", "code", "field", "expected"), PLACED, ids=[p[0] for p in PLACED])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_a_call_anywhere_in_a_large_file_is_recorded(label, code, field, expected, newline, monkeypatch):
    source = ("from sqlalchemy import Column\nimport sys, importlib\n\n" + FILLER + code + FILLER).replace("\n", newline)
    pruned, full = _facts_pair(source.encode(), monkeypatch)
    assert pruned == full
    if expected is not None:
        assert getattr(extract_file("app/m.py", source.encode(), "digest"), field) == expected
    else:
        assert getattr(extract_file("app/m.py", source.encode(), "digest"), field)


def test_every_fixture_file_gets_the_facts_of_a_full_walk(monkeypatch):
    from pathlib import Path

    files = sorted(Path(__file__).resolve().parents[1].glob("fixtures/**/*.py"))
    assert len(files) > 300
    for path in files:
        pruned, full = _facts_pair(path.read_bytes(), monkeypatch)
        assert pruned == full, path


def test_the_walk_skips_code_that_cannot_hold_a_recorded_call():
    import ast

    from ormdoctor.static.extract import _call_word_lines, _nodes_on

    source = "from sqlalchemy import Column\n" + FILLER + "engine = create_engine(URL)\n" + FILLER
    tree = ast.parse(source)
    visited = list(_nodes_on(tree, _call_word_lines(source)))
    calls = [n for n in visited if isinstance(n, ast.Call)]
    assert [ast.unparse(c) for c in calls] == ["create_engine(URL)"]
    assert len(visited) * 20 < sum(1 for _ in ast.walk(tree))

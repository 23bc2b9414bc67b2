"""Suppression comments and per-file ignores; declarative set-ups without a fixture of their own."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from ormdoctor.pipeline import analyse

BASE = "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n"
MODEL = textwrap.dedent('''\
    from sqlalchemy import Column, Integer
    from app.db import Base


    class {name}(Base):
        __tablename__ = "customers"{comment}
        id = Column(Integer, primary_key=True)
''')


def write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def duplicate_project(tmp_path, comment="", pyproject=""):
    files = {"app/__init__.py": "", "app/db.py": BASE,
             "app/a.py": MODEL.format(name="Customer", comment=""),
             "app/b.py": MODEL.format(name="Client", comment=comment),
             "app/main.py": "from app import a, b\n\nif __name__ == '__main__':\n    pass\n"}
    if pyproject:
        files["pyproject.toml"] = pyproject
    return write(tmp_path, files)


def codes(root):
    return [(f.code, f.location.path if f.location else None) for f in analyse([str(root)], use_cache=False).findings]


def test_the_duplicate_is_reported_without_suppression(tmp_path):
    assert codes(duplicate_project(tmp_path)) == [("ORM101", "app/b.py")]


def test_inline_ignore_of_that_code_suppresses_it(tmp_path):
    assert codes(duplicate_project(tmp_path, "  # ormdoctor: ignore[ORM101]")) == []


def test_inline_ignore_of_another_code_does_not(tmp_path):
    # ... and both stale codes are reported as unused suppressions (ORM004).
    assert codes(duplicate_project(tmp_path, "  # ormdoctor: ignore[ORM104, ORM201]")) == [
        ("ORM004", "app/b.py"), ("ORM004", "app/b.py"), ("ORM101", "app/b.py")]


def test_bare_inline_ignore_suppresses_everything_on_the_line(tmp_path):
    assert codes(duplicate_project(tmp_path, "  # ormdoctor: ignore")) == []


def test_per_file_ignores(tmp_path):
    config = '[tool.ormdoctor.per-file-ignores]\n"app/b.py" = ["ORM1"]\n'
    assert codes(duplicate_project(tmp_path, pyproject=config)) == []
    config = '[tool.ormdoctor.per-file-ignores]\n"app/a.py" = ["ORM1"]\n'
    (tmp_path / "pyproject.toml").write_text(config)
    assert codes(tmp_path) == [("ORM101", "app/b.py")]


def test_select_and_ignore_on_the_command_line(tmp_path):
    root = duplicate_project(tmp_path)
    run = [sys.executable, "-m", "ormdoctor", "check", str(root), "--no-cache"]
    assert subprocess.run(run + ["--select", "ORM2"], capture_output=True).returncode == 0
    assert subprocess.run(run + ["--select", "ORM101"], capture_output=True).returncode == 1
    assert subprocess.run(run + ["--ignore", "ORM101"], capture_output=True).returncode == 0


def test_registry_mapped_decorator_shares_the_registry_metadata(tmp_path):
    write(tmp_path, {
        "app/__init__.py": "",
        "app/db.py": "from sqlalchemy.orm import registry\n\nmapper_registry = registry()\n",
        "app/a.py": textwrap.dedent('''\
            from sqlalchemy import Column, Integer
            from app.db import mapper_registry


            @mapper_registry.mapped
            class Customer:
                __tablename__ = "customers"
                id = Column(Integer, primary_key=True)
        '''),
        "app/b.py": textwrap.dedent('''\
            from sqlalchemy import Column, Integer, Table
            from app.db import mapper_registry

            customers = Table("customers", mapper_registry.metadata, Column("id", Integer, primary_key=True))
        '''),
        "app/main.py": "import app.a\nimport app.b\n\nif __name__ == '__main__':\n    pass\n",
    })
    findings = analyse([str(tmp_path)], use_cache=False).findings
    assert [(f.code, f.subject, f.location.path) for f in findings] == [("ORM101", "customers", "app/b.py")]
    assert "on metadata mapper_registry.metadata" in findings[0].message
    assert "is already defined for this MetaData instance" in real_import(tmp_path, "app.a", "app.b")


def test_flask_model_class_shares_the_base_metadata(tmp_path):
    write(tmp_path, {
        "app/__init__.py": "",
        "app/db.py": BASE + "\nfrom flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy(model_class=Base)\n",
        "app/a.py": MODEL.format(name="Customer", comment=""),
        "app/b.py": textwrap.dedent('''\
            from app.db import db


            class Customers(db.Model):
                id = db.Column(db.Integer, primary_key=True)
        '''),
        "app/main.py": "from flask import Flask\nimport app.a\nimport app.b\n\napp = Flask(__name__)\n",
    })
    findings = analyse([str(tmp_path)], use_cache=False).findings
    # Flask-SQLAlchemy names Customers "customers" and puts it on Base's metadata.
    assert [(f.code, f.subject, f.location.path) for f in findings] == [("ORM101", "customers", "app/b.py")]
    assert "is already defined for this MetaData instance" in real_import(tmp_path, "app.a", "app.b")


def real_import(root, *modules: str) -> str:
    """Import the modules with the real SQLAlchemy in a child process; its stderr."""
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    result = subprocess.run([sys.executable, "-c", code, *modules], cwd=root, capture_output=True, text=True)
    return result.stderr


# Which comments are directives. Only real comments count (never text inside a string), which
# takes the tokenizer; a file whose noqa comments name only other linters' codes needs none.
DIRECTIVES = [
    ('x = "# noqa: F401"  # noqa: ORM101\n', {1: ["ORM101"]}),
    ("import a  # NOQA:orm101,F401\n", {1: ["ORM101"]}),
    ("import a  # noqa: F401, ORM105 because\n", {1: ["ORM105"]}),
    ('x = "# ormdoctor: ignore[ORM101]"\n', {}),
    ("x = 1  # ormdoctor: ignore\n", {1: ["*"]}),
    ("# ormdoctor: ignore-file[ORM101]\n", {0: ["ORM101"]}),
    ("import a  # noqa: F401\nimport b  # noqa\n# the format of the form\n", {}),
]


def test_suppression_directives_are_read_from_real_comments_only():
    from ormdoctor.static.source import ignore_comments

    for source, expected in DIRECTIVES:
        assert ignore_comments(source) == expected, source


def test_a_file_with_only_other_linters_noqa_comments_is_not_tokenized(monkeypatch):
    import tokenize

    from ormdoctor.static.source import ignore_comments

    def refuse(*_):
        raise AssertionError("tokenized")

    monkeypatch.setattr(tokenize, "generate_tokens", refuse)
    assert ignore_comments("import a  # noqa: F401\nimport b  # noqa\nx = 'noqa orm'  # type: ignore\n") == {}

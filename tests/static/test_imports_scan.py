"""The fast import scanner must agree with the AST on what is imported and where it runs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ormdoctor.static.extract import read_module
from ormdoctor.static.facts import FileFacts
from ormdoctor.static.imports_scan import scan_imports
from ormdoctor.static.scan import _light, imports_by_name

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "src" / "ormdoctor").rglob("*.py")) + sorted((ROOT / "tests" / "fixtures").rglob("*.py"))

TRICKY = '''"""Docs.

    import not_an_import
"""
import os, sys as system
from . import sibling
from ..pkg.mod import (a,
    b as c)
from importlib.machinery import EXTENSION_SUFFIXES
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from app.models import Customer
elif False:
    pass


def handler(
    value: int,
) -> None:
    try:
        from app.services import billing
    except ImportError:
        billing = None


class Config:
    import json

    def load(self):
        """Load.

it is: import nothing
        """
        import yaml
'''


def _keys(facts):
    return sorted((i.module, i.level, i.context, i.pos.line, tuple(n for n, _ in i.names)) for i in facts.imports)


def _both(text: str):
    return _keys(read_module(ast.parse(text), FileFacts("x.py", ""))), _keys(scan_imports("x.py", "", text))


def test_tricky_file_agrees_with_the_ast():
    from_ast, scanned = _both(TRICKY)
    assert scanned == from_ast
    contexts = {module: context for module, _, context, _, _ in scanned}
    assert contexts == {"os": "module", "sys": "module", "": "module", "pkg.mod": "module",
                        "importlib.machinery": "module", "typing": "module", "app.models": "type_checking",
                        "app.services": "function", "json": "module", "yaml": "function"}


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_scanner_agrees_with_the_ast_on_real_files(path):
    try:
        text = path.read_text(encoding="utf-8")
        ast.parse(text)
    except (SyntaxError, UnicodeDecodeError, ValueError):
        pytest.skip("not parseable: ORM001 territory")
    from_ast, scanned = _both(text)
    if imports_by_name(text):
        # The scanner does not read `import_module("app.models")` nor `pytest_plugins`; the fast
        # path hands such a file to the parser, and what it answers must be what the parser reads.
        scanned = _keys(_light(str(path), text.encode("utf-8"), ""))
    assert scanned == from_ast


SETTINGS = '''"""Settings.

SCHEMA = "from the docstring"
"""
import os

CORE_SCHEMA = "core"
AUDIT_SCHEMA: str = 'audit'  # a comment
DEBUG = os.environ.get("DEBUG")
TWICE = "a"
if DEBUG:
    TWICE = "b"
lower_case = "not a constant by convention"
TEMPLATE = f"{CORE_SCHEMA}_x"
'''


def test_settings_constants_are_read_without_the_parser():
    scanned = scan_imports("x.py", "", SETTINGS).constants
    assert scanned == {"CORE_SCHEMA": "core", "AUDIT_SCHEMA": "audit"}
    assert scanned.items() <= read_module(ast.parse(SETTINGS), FileFacts("x.py", "")).constants.items()


def _parsed(path):
    """(text, tree) of a file the parser can read; the test is skipped for one it cannot."""
    try:
        text = path.read_text(encoding="utf-8")
        return text, ast.parse(text)
    except (SyntaxError, UnicodeDecodeError, ValueError):
        pytest.skip("not parseable: ORM001 territory")


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_scanned_constants_are_ones_the_parser_records(path):
    text, tree = _parsed(path)
    scanned = scan_imports("x.py", "", text).constants
    assert scanned.items() <= read_module(tree, FileFacts("x.py", "")).constants.items()


CLASSES = '''"""An example in a docstring is no class.

class InDocstring(Base):
    pass
"""
from app.models.realm_schema import RealmSchema


class Realm(RealmSchema):
    def store(self):
        return self.name


class Account(mixins.Audited, RealmSchema,
              metaclass=Registered):
    pass


@dataclass
class Decorated:
    name: str


class Generic_(Generic[T]):
    pass


if True:
    class Indented:
        pass
'''


def test_top_level_classes_and_their_bases_are_read_without_the_parser():
    scanned = [(c.name, c.pos.line, c.bases, c.keywords) for c in scan_imports("x.py", "", CLASSES).classes]
    assert scanned == [("Realm", 9, ["RealmSchema"], {}),
                       ("Account", 14, ["mixins.Audited", "RealmSchema"], {"metaclass": "Registered"})]


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_scanned_classes_are_ones_the_parser_records(path):
    """Every class the scanner reports is one the parser reports, with the same line and bases."""
    text, tree = _parsed(path)
    parsed = {(c.name, c.pos.line, tuple(c.bases)) for c in read_module(tree, FileFacts("x.py", "")).classes
              if not c.nested}
    scanned = {(c.name, c.pos.line, tuple(c.bases)) for c in scan_imports("x.py", "", text).classes}
    assert scanned <= parsed


# Which files go to the parser decides what is read: the substring-first forms must send
# exactly these, whatever the tree around them says.
@pytest.mark.parametrize("source, parsed", [
    (b"reg = registry()\n", True),
    (b"mapper_registry = Base.registry\n", True),
    (b"from homeassistant.helpers import entity_registry as er\nent = er.async_get(hass)\n", False),
    (b"registry = {}\nregistry_items = plugin.registry_items\n", False),
    (b"Base = declarative_base()\n", True),
    (b"@as_declarative()\nclass Base: ...\n", True),
    (b"# prose about declarative code\n", False),
    (b"ix = Index('ix_name', 'name')\n", True),
    (b"ix = sa.Index('ix_name', 'name')\n", True),
    (b"frame = pd.Index([1, 2])\nother = pandas.Index([3])\n", False),
    (b"frame = MultiIndex(levels)\n", False),
])
def test_weak_words_send_a_file_to_the_parser_only_in_the_forms_it_reads(source, parsed):
    from ormdoctor.static.scan import mentions_orm

    assert mentions_orm(source) is parsed


@pytest.mark.parametrize("source, parses", [
    ("config.tacker_config = CONF\n", True),
    ("    alembic_cfg.neutron_config = cfg.CONF\n", True),
    ("async_config = await get_config()\n", False),
    ("if entry.data_config == other:\n    pass\n", False),
    ("self.config_entry = entry\n", False),
])
def test_a_migration_command_handing_its_settings_to_env_py_is_parsed(source, parses):
    from ormdoctor.static.scan import needs_parser

    assert needs_parser(source, scan_imports("app/cli.py", "", source)) is parses

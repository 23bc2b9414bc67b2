"""Rule pages, hints and fix descriptions name only commands and options that exist, and
`ormdoctor check` never loads libcst."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import pytest
from fixhelpers import TESTS

from ormdoctor.cli import build_parser
from ormdoctor.pipeline import analyse
from ormdoctor.rules.registry import load_rules

COMMAND = re.compile(r"`(ormdoctor [^`]+)`")
PROJECTS = sorted(p for p in (TESTS / "fixtures").glob("*/*") if (p / "expect.toml").exists())


def _parses(command: str) -> bool:
    try:
        build_parser().parse_args(shlex.split(command)[1:])
    except SystemExit:
        return False
    return True


def _texts():
    for rule in load_rules().values():
        yield f"rule {rule.code}", rule.doc
    for project in PROJECTS:
        for finding in analyse([str(project)], use_cache=False).findings:
            yield f"{project.name} {finding.code}", finding.hint
            if finding.fix is not None:
                yield f"{project.name} {finding.code} fix", finding.fix.description


def test_every_command_named_exists():
    bad = [(where, command) for where, text in _texts() for command in COMMAND.findall(text)
           if not _parses(command)]
    assert bad == []


@pytest.mark.parametrize("command", ["ormdoctor plan --db URL --migration DIR", "ormdoctor fix --plan FILE",
                                     "ormdoctor fix --select ORM107 --unsafe-fixes"])
def test_the_commands_the_pages_rely_on_parse(command):
    assert _parses(command)


def test_check_does_not_import_libcst():
    code = ("import sys; from ormdoctor.cli import main; "
            f"main(['check', {str(TESTS / 'fixtures/seeds/seed000_duplicate_core_models')!r}, '--no-cache', '--exit-zero']); "
            "print('LIBCST' if 'libcst' in sys.modules else 'CLEAN', file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stderr.strip().splitlines()[-1] == "CLEAN"

"""Hints and rule pages never send the user to a command or option that does not exist."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from ormdoctor.cli import build_parser
from ormdoctor.rules.registry import load_rules

REPO = Path(__file__).resolve().parents[2]
# `ormdoctor fix` and `ormdoctor plan` are being built on another branch (see SPEC.md).
PLANNED = {"fix", "plan"}
# A command as a user would type it: in backticks or quotes, or after "run".
COMMAND = re.compile(r"(?:[`'\"]|\brun )ormdoctor ([a-z][a-z-]*)((?: (?:--?[a-z][a-z-]*|[A-Za-z_.]+))*)")


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def mentions() -> list[tuple[str, str, list[str]]]:
    texts = {str(p.relative_to(REPO)): p.read_text(encoding="utf-8") for p in (REPO / "src").rglob("*.py")}
    texts.update({name: (REPO / name).read_text(encoding="utf-8") for name in ("RULES.md", "README.md")})
    texts.update({f"rule {code}": rule.doc for code, rule in load_rules().items()})
    found = []
    for where, text in texts.items():
        for match in COMMAND.finditer(text):
            options = [word for word in match.group(2).split() if word.startswith("-")]
            found.append((where, match.group(1), options))
    return found


def test_every_mentioned_command_and_option_exists():
    commands = subcommands()
    found = mentions()
    assert len(found) > 50  # the pattern really finds the hints
    wrong = []
    for where, command, options in found:
        if command in PLANNED:
            continue
        if command not in commands:
            wrong.append(f"{where}: ormdoctor {command}")
            continue
        known = {s for action in commands[command]._actions for s in action.option_strings}
        wrong += [f"{where}: ormdoctor {command} {option}" for option in options if option not in known]
    assert wrong == []


def test_the_check_would_catch_a_wrong_hint():
    assert [m.group(1) for m in COMMAND.finditer("hint: run `ormdoctor lint --fast`")] == ["lint"]

"""One module per command; ``dispatch`` picks it by name."""

from __future__ import annotations

import importlib

_MODULES = {"check": "check", "tables": "tables", "compare": "compare", "rule": "rule", "verify": "verify",
            "docs": "docs", "fix": "fix", "plan": "plan"}


def dispatch(args) -> int:
    module = importlib.import_module(f"ormdoctor.commands.{_MODULES[args.command]}")
    return module.run(args)

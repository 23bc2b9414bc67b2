"""One module per command; ``dispatch`` picks it by name."""

from __future__ import annotations

import importlib

_MODULES = {"check": "check", "tables": "tables", "compare": "compare", "rule": "rule", "verify": "verify",
            "docs": "docs", "roots": "roots", "fix": "fix", "plan": "plan", "serve": "serve"}


def dispatch(args) -> int:
    if getattr(args, "show_settings", False):
        from ormdoctor.commands import roots

        return roots.run(args)
    module = importlib.import_module(f"ormdoctor.commands.{_MODULES[args.command]}")
    return module.run(args)

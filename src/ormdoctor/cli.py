"""Command line: commands, options, exit codes — nothing else.

Exit status: 0 no error finding, 1 at least one error finding, 2 the tool could not do what
was asked. Heavy libraries are imported by the commands that need them, never here.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from ormdoctor import __version__

if TYPE_CHECKING:  # imported in build_parser: until then, Ctrl-C is caught by main
    import argparse

FORMATS = ("text", "json", "github", "gitlab", "junit", "sarif")


def _common(parser: argparse.ArgumentParser, paths: bool = True) -> None:
    if paths:
        parser.add_argument("paths", nargs="*", metavar="PATH", help="project folder (default: .)")
    parser.add_argument("--config", metavar="FILE", help="pyproject.toml to read [tool.ormdoctor] from")
    parser.add_argument("--no-cache", action="store_true", help="do not read or write .ormdoctor_cache/")


def _runtime_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--python", metavar="PATH", help="the project's interpreter (default: .venv/bin/python, "
                                                          "venv/bin/python, else this one)")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                        help="time limit for importing the project (default: 60)")


def _ci_options(check: argparse.ArgumentParser) -> None:
    """What a team needs to keep `check` in CI and adopt it on legacy code."""
    check.add_argument("--fail-level", choices=("error", "warning", "info"), default="error",
                       help="exit 1 when a finding is at least this severe (default: error)")
    check.add_argument("--statistics", action="store_true", help="print the number of findings per code")
    check.add_argument("--baseline", metavar="FILE", help="report only findings not in FILE; the first run "
                                                          "writes FILE (delete it to refresh)")
    check.add_argument("--add-ignore", action="store_true",
                       help="append `# ormdoctor: ignore[CODE]` to every finding's line, then exit 0")
    check.add_argument("--watch", action="store_true", help="check again whenever a file changes (Ctrl-C stops)")
    check.add_argument("--no-server", action="store_true",
                       help="check in this process even when `ormdoctor serve` runs for the project")


def build_parser() -> argparse.ArgumentParser:
    import argparse

    class Parser(argparse.ArgumentParser):
        """argparse echoes bad arguments (``unrecognized arguments: --db URL``): never a password."""

        def error(self, message: str):
            from ormdoctor.database.url import mask_text

            super().error(mask_text(message))

    parser = Parser(prog="ormdoctor", description="Diagnose and repair SQLAlchemy model layers.")
    parser.add_argument("--version", action="version", version=f"ormdoctor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help="analyse the project and report findings")
    _common(check)
    check.add_argument("--format", choices=FORMATS, default="text")
    check.add_argument("--select", action="append", metavar="CODES", help="only these codes or prefixes (comma list)")
    check.add_argument("--ignore", action="append", metavar="CODES", help="skip these codes or prefixes (comma list)")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when errors are found")
    check.add_argument("--output-file", "-o", metavar="FILE", help="write the report to FILE")
    check.add_argument("--import", dest="import_", action="store_true",
                       help="also import the models with the project's interpreter (runs project code)")
    check.add_argument("--db", metavar="URL", help="also compare with this database, read-only "
                                                   "(or ORMDOCTOR_DATABASE_URL)")
    check.add_argument("--exact-types", action="store_true", help="with --db: compare exact types, not type families")
    check.add_argument("--show-settings", action="store_true",
                       help="print the project root, import roots, processes and coverage inferred, and why; then exit")
    _runtime_options(check)
    _ci_options(check)

    serve = sub.add_parser("serve", help="keep the project in memory and answer its `check` commands fast")
    serve.add_argument("paths", nargs="?", default=".", metavar="PATH", help="project folder (default: .)")
    serve.add_argument("--idle-timeout", type=float, default=None, metavar="SECONDS",
                       help="stop after this long without a check (default: never)")
    serve.add_argument("--stop", action="store_true", help="stop the server of the project, then exit")

    roots = sub.add_parser("roots", help="the import roots, entry points and processes inferred, and why")
    _common(roots)
    roots.add_argument("--format", choices=("text", "json"), default="text")

    tables = sub.add_parser("tables", help="list every table, its schema, metadata and definitions")
    _common(tables)
    tables.add_argument("--format", choices=("text", "json"), default="text")
    tables.add_argument("--db", metavar="URL", help="also show whether the database has each table")

    compare = sub.add_parser("compare", help="every definition of one table, column by column")
    compare.add_argument("table", metavar="TABLE", help="table name, or schema.table")
    _common(compare)
    compare.add_argument("--format", choices=("text", "json"), default="text")
    compare.add_argument("--db", metavar="URL", help="add the database's version as a column")
    compare.add_argument("--exact-types", action="store_true", help="with --db: score exact types, not type families")

    verify = sub.add_parser("verify", help="import the models and create them in a scratch database")
    _common(verify)
    verify.add_argument("--db", metavar="URL", help="scratch database (default: in-memory SQLite; PostgreSQL "
                                                    "runs inside a transaction that is rolled back)")
    _runtime_options(verify)

    docs = sub.add_parser("docs", help="schema documentation: Markdown or HTML with an ER diagram")
    _common(docs)
    docs.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)")
    docs.add_argument("--format", choices=("md", "html"), default="md")
    docs.add_argument("--inject", metavar="FILE", help="replace the ormdoctor:docs block in FILE")
    docs.add_argument("--check", action="store_true", help="with --inject/-o: exit 1 with a diff when stale")
    docs.add_argument("--tables", metavar="NAMES", help="only these tables (comma list, globs allowed)")
    docs.add_argument("--exclude-tables", metavar="NAMES", help="leave these tables out (comma list, globs)")
    docs.add_argument("--import", dest="import_", action="store_true", help="document the real MetaData")
    _runtime_options(docs)

    fix = sub.add_parser("fix", help="apply the fixes of the findings (a diff unless --write)")
    _common(fix)
    fix.add_argument("--write", action="store_true", help="write the changes (default: print a unified diff)")
    fix.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes that may change behaviour")
    fix.add_argument("--select", action="append", metavar="CODES", help="only fix these codes or prefixes")
    fix.add_argument("--plan", metavar="FILE", help="canonical decisions written by `ormdoctor plan --decisions`")
    fix.add_argument("--verify", action="store_true", help="with --write: boot the project before and after "
                                                          "(automatic when it has its own interpreter)")
    _runtime_options(fix)

    plan = sub.add_parser("plan", help="a consolidation plan for every duplicated or parallel entity")
    _common(plan)
    plan.add_argument("--db", metavar="URL", help="say which version the database holds (read-only)")
    plan.add_argument("-o", "--output", metavar="FILE", help="write the plan to FILE (default: stdout)")
    plan.add_argument("--decisions", metavar="FILE", help="also write the canonical choices, for `fix --plan`")
    plan.add_argument("--plan", metavar="FILE", help="start from the choices in this decisions file")
    plan.add_argument("--migration", metavar="DIR", help="write an Alembic revision for the database side into DIR")
    plan.add_argument("--exact-types", action="store_true", help="with --db: score exact types, not type families")

    rule = sub.add_parser("rule", help="show a rule's documentation, or list all rules")
    rule.add_argument("code", nargs="?", metavar="CODE")
    rule.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def main(argv: list[str] | None = None) -> int:
    # Ctrl-C at any moment after start-up, even while the command's modules are being imported,
    # is one line and exit 130 (the parse workers ignore SIGINT: see static.scan).
    try:
        status = _run(argv)
    except KeyboardInterrupt:
        print("ormdoctor: interrupted", file=sys.stderr)
        status = 130
        if argv is None:
            _exit_now(status)
    if argv is None:
        # The command line's work is done: a Ctrl-C while the interpreter shuts down must not
        # turn the exit status into a death by signal.
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)
    return status


def _exit_now(status: int) -> None:
    """After Ctrl-C, leave at once: an interrupt that landed inside the parse pool's machinery can
    leave its threads waiting on each other, and the interpreter's shutdown would wait with them
    (seen once under heavy load). The workers are stopped first; project code runs in its own
    session, which the runtime layer has already killed on its way out."""
    import multiprocessing
    import os

    for child in multiprocessing.active_children():
        child.terminate()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing left to say there
            pass
    os._exit(status)


def _run(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    from ormdoctor.commands import dispatch
    from ormdoctor.pipeline import UsageError
    from ormdoctor.report.sanitize import printable

    try:
        return dispatch(args)
    except UsageError as exc:
        from ormdoctor.database.url import mask_arguments

        # argparse takes `--db=host=x password=y` (it holds a space) for a path: never echo it whole
        print(f"ormdoctor: error: {printable(mask_arguments(str(exc), sys.argv[1:] if argv is None else argv))}",
              file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: one line naming the file, never a traceback (see crash.py)
        from ormdoctor.crash import report_crash

        return report_crash(exc)

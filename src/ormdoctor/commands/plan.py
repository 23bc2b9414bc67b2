"""``ormdoctor plan``: a consolidation plan (Markdown) for every duplicated or parallel entity,
optionally with the decisions file `fix --plan` reads and an Alembic revision for the database."""

from __future__ import annotations

from pathlib import Path

from ormdoctor.commands.output import emit, write_atomic
from ormdoctor.pipeline import UsageError, analyse


def run(args) -> int:
    from ormdoctor.commands.database_mode import reflect_or_fail
    from ormdoctor.commands.db_option import database_url
    from ormdoctor.fix.plan import build_plan

    canonical = None
    if args.plan:
        from ormdoctor.fix.decisions import read_decisions

        canonical = read_decisions(Path(args.plan))
    analysis = analyse(args.paths, args.config, use_cache=not args.no_cache, canonical=canonical)
    url = database_url(args)
    db = reflect_or_fail(url) if url else None
    plan = build_plan(analysis, db, bool(args.exact_types))
    migration = _write_migration(plan, Path(args.migration)) if args.migration else None
    if args.decisions:
        from ormdoctor.fix.decisions import render_decisions
        from ormdoctor.fix.plan import decisions

        write_atomic(Path(args.decisions), render_decisions(decisions(plan)))
    from ormdoctor.fix.plan_markdown import render_plan

    emit(render_plan(plan, args.decisions, migration), args.output)
    return 0


def _write_migration(plan, folder: Path) -> str:
    if plan.db is None:
        raise UsageError("--migration needs --db URL: the revision is written for what the database holds")
    if not folder.is_dir():
        raise UsageError(f"--migration: {folder} is not a folder (give the Alembic versions folder)")
    from ormdoctor.fix.migration import write_revision

    return str(write_revision(plan, folder))

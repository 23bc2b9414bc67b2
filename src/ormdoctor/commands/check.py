"""``ormdoctor check``: static analysis, optionally with --import and --db."""

from __future__ import annotations

import sys

from ormdoctor.commands.db_option import database_url
from ormdoctor.commands.output import emit, split_codes
from ormdoctor.findings import Severity
from ormdoctor.pipeline import analyse


def run(args) -> int:
    url = database_url(args)
    analysis = analyse(args.paths, args.config, split_codes(args.select), split_codes(args.ignore),
                       use_cache=not args.no_cache, reuse_result=not (args.import_ or url))
    if args.import_:
        from ormdoctor.commands.runtime_mode import add_runtime_findings

        add_runtime_findings(analysis, args)
    if url:
        from ormdoctor.commands.database_mode import add_database_findings

        add_database_findings(analysis, url, args)
    emit(render(analysis, args.format, sys.stdout if not args.output_file else None), args.output_file)
    has_errors = any(f.severity is Severity.ERROR for f in analysis.findings)
    return 0 if args.exit_zero or not has_errors else 1


def render(analysis, fmt: str, stream) -> str:
    summary = analysis.summary()
    if fmt == "json":
        from ormdoctor.report.json_report import render_json

        return render_json(analysis.findings, summary, str(analysis.root))
    if fmt == "github":
        from ormdoctor.report.github import render_github

        return render_github(analysis.findings, summary)
    if fmt == "sarif":
        from ormdoctor.report.sarif import render_sarif
        from ormdoctor.rules.registry import load_rules

        return render_sarif(analysis.findings, load_rules(), str(analysis.root))
    from ormdoctor.report.text import render_text, use_color

    return render_text(analysis.findings, summary, color=stream is not None and use_color(stream))

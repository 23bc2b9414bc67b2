"""``ormdoctor check``: static analysis, optionally with --import and --db."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from ormdoctor.commands.db_option import database_url
from ormdoctor.commands.output import emit, split_codes
from ormdoctor.findings import Severity
from ormdoctor.pipeline import analyse, shown_path


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
    if fmt == "sarif":  # SARIF gives project paths under an absolute %SRCROOT%
        from ormdoctor.report.sarif import render_sarif
        from ormdoctor.rules.registry import load_rules

        return render_sarif(analysis.findings, load_rules(), str(analysis.root))
    if fmt == "json":  # JSON gives the root and paths under it
        from ormdoctor.report.json_report import render_json

        return render_json(analysis.findings, summary, str(analysis.root))
    findings = as_seen_from_cwd(analysis.findings, analysis.root)
    if fmt == "github":
        from ormdoctor.report.github import render_github

        return render_github(findings, summary)
    from ormdoctor.report.text import render_text, use_color

    return render_text(findings, summary, color=stream is not None and use_color(stream))


def as_seen_from_cwd(findings, root):
    """Locations relative to the folder ormdoctor runs from, so that `--format github` run from
    a repository root annotates the right files and text paths can be opened as printed."""
    root = Path(root).resolve()
    if root == Path.cwd().resolve():
        return findings

    def move(location):
        return replace(location, path=shown_path(location.path, root)) if location and location.path else location

    return [replace(f, location=move(f.location), related=tuple(replace(r, location=move(r.location))
                                                                  for r in f.related)) for f in findings]

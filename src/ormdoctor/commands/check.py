"""``ormdoctor check``: static analysis, optionally with --import and --db."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from ormdoctor.commands.db_option import database_url
from ormdoctor.commands.output import emit, split_codes, write_atomic
from ormdoctor.findings import Severity
from ormdoctor.pipeline import UsageError, analyse, shown_path


def run(args) -> int:
    _check_combinations(args)
    if args.watch:
        from ormdoctor.pipeline import RunMemory, prepare
        from ormdoctor.watch import watch

        memory = RunMemory()  # one project, checked again after every change: keep what still holds

        def run_as_seen(look) -> int:
            memory.look = look  # the files and stats the watch just took: not taken again
            return run_once(args, memory)

        return watch(run_as_seen, args.paths, args.config,
                     idle=lambda: prepare(memory, args.paths, args.config, args.python, not args.no_cache))
    from ormdoctor.server.ask import ask

    answered = ask(args)  # `ormdoctor serve` runs for this project: it holds the tree in memory
    return answered if answered is not None else run_once(args)


def _check_combinations(args) -> None:
    if args.statistics and args.format not in ("text", "json"):
        raise UsageError("--statistics prints text or json; drop --format " + args.format)
    if args.add_ignore and args.baseline:
        raise UsageError("use either --add-ignore or --baseline, not both")
    if args.watch and (args.add_ignore or args.baseline or args.output_file):
        raise UsageError("--watch prints each result; it cannot be used with --add-ignore, --baseline or -o")


def run_once(args, memory=None) -> int:
    from ormdoctor.progress import for_run

    progress = for_run("statistics" if args.statistics else args.format)
    try:
        analysis = collect(args, progress, memory)
    finally:
        if progress:
            progress.close()
    if args.add_ignore:
        return _add_ignores(analysis)
    if args.baseline:
        _apply_baseline(analysis, Path(args.baseline))
    emit(render(analysis, args, sys.stdout if not args.output_file else None), args.output_file)
    return exit_status(analysis.findings, args.fail_level, args.exit_zero)


def collect(args, progress=None, memory=None):
    url = database_url(args)
    analysis = analyse(args.paths, args.config, split_codes(args.select), split_codes(args.ignore),
                       use_cache=not args.no_cache, reuse_result=not (args.import_ or url), progress=progress,
                       python=args.python, memory=memory)
    if args.import_:
        if progress:
            progress("importing the models")
        from ormdoctor.commands.runtime_mode import add_runtime_findings

        add_runtime_findings(analysis, args)
    if url:
        from ormdoctor.commands.database_mode import add_database_findings

        add_database_findings(analysis, url, args)
    return analysis


def exit_status(findings, fail_level: str = "error", exit_zero: bool = False) -> int:
    """1 when a finding is at least as severe as ``fail_level`` (error < warning < info)."""
    threshold = Severity(fail_level).rank
    failing = any(f.severity.rank <= threshold for f in findings)
    return 0 if exit_zero or not failing else 1


def _apply_baseline(analysis, path: Path) -> None:
    from ormdoctor.baseline import BaselineError, apply_baseline

    try:
        result = apply_baseline(path, analysis.findings, write_atomic)
    except BaselineError as exc:
        raise UsageError(str(exc)) from None
    analysis.findings = result.new
    analysis.scope = {**analysis.scope, "baselined": result.baselined}
    if result.written:
        print(f"ormdoctor: wrote {result.baselined} finding{'s' * (result.baselined != 1)} to the baseline "
              f"{path}; later runs report only new ones", file=sys.stderr)


def _add_ignores(analysis) -> int:
    from ormdoctor.inline_ignore import add_ignores

    result = add_ignores(Path(analysis.root), analysis.findings, write_atomic)
    unplaced = sum(1 for f in analysis.findings if f.location is None)
    print(f"ormdoctor: added {result.added} suppression comment{'s' * (result.added != 1)} "
          f"in {result.files} file{'s' * (result.files != 1)}", file=sys.stderr)
    for place in result.skipped:
        print(f"ormdoctor: not suppressed: {place}", file=sys.stderr)
    if unplaced:
        print(f"ormdoctor: {unplaced} finding{'s' * (unplaced != 1)} without a source line cannot be "
              f"suppressed inline; use --baseline FILE", file=sys.stderr)
    return 0


def render(analysis, args, stream) -> str:
    fmt, findings, root = args.format, analysis.findings, str(analysis.root)
    summary = analysis.summary()
    if args.statistics:
        from ormdoctor.report.statistics import render_statistics

        return render_statistics(findings, fmt)
    if fmt == "json":  # JSON gives the root and paths under it
        from ormdoctor.report.json_report import render_json

        return render_json(findings, summary, root)
    if fmt == "github":  # CI formats: paths relative to the repository checkout (report/ci.py)
        from ormdoctor.report.github import render_github

        return render_github(findings, summary, root)
    if fmt == "gitlab":
        from ormdoctor.report.gitlab import render_gitlab

        return render_gitlab(findings, root)
    if fmt == "junit":
        from ormdoctor.report.junit import render_junit

        return render_junit(findings, summary, root)
    if fmt == "sarif":  # SARIF gives project paths under an absolute %SRCROOT%
        from ormdoctor.report.sarif import render_sarif
        from ormdoctor.rules.registry import load_rules

        return render_sarif(findings, load_rules(), root)
    from ormdoctor.report.text import render_text, use_color

    return render_text(as_seen_from_cwd(findings, analysis.root), summary,
                       color=stream is not None and use_color(stream))


def as_seen_from_cwd(findings, root):
    """Locations relative to the folder ormdoctor runs from, so that text paths can be opened
    as printed."""
    root = Path(root).resolve()
    if root == Path.cwd().resolve():
        return findings

    def move(location):
        return replace(location, path=shown_path(location.path, root)) if location and location.path else location

    return [replace(f, location=move(f.location), related=tuple(replace(r, location=move(r.location))
                                                                  for r in f.related)) for f in findings]

"""``ormdoctor verify``: import the models, configure mappers, create every table in a scratch database."""

from __future__ import annotations

from ormdoctor.commands.db_option import database_url
from ormdoctor.commands.output import emit
from ormdoctor.commands.runtime_mode import merge, run_runtime
from ormdoctor.database.url import scrub
from ormdoctor.pipeline import analyse
from ormdoctor.report.sanitize import terminal_safe


def run(args) -> int:
    url = database_url(args, use_env=False) or "sqlite://"  # a scratch database: never the configured one
    analysis, report, ok = boot(args.paths, args, url)
    emit(terminal_safe(scrub(render(analysis, report), url)))  # what the driver said may quote the URL
    return 0 if ok else 1


def boot(paths, args, url: str = "sqlite://"):
    """Import the models, configure them, create_all on a scratch database: (analysis with the
    runtime's findings, the report, whether the project boots). `fix` calls it before and after
    writing."""
    analysis = analyse(paths, args.config, ["ORM9", "ORM101", "ORM104", "ORM107"], None,
                       use_cache=not getattr(args, "no_cache", False))
    analysis.findings = []  # verify reports what really happened, not static guesses
    report = run_runtime(analysis, args, verify_url=url)
    from ormdoctor.runtime.findings import to_findings

    merge(analysis, to_findings(report, analysis.root))
    verify = report.verify
    errors = [f for f in analysis.findings if f.severity.value == "error"]
    return analysis, report, verify is not None and not verify.error and not verify.failures and not errors


def render(analysis, report) -> str:
    from ormdoctor.report.text import render_text

    lines = [f"python {report.python_version}, SQLAlchemy {report.sqlalchemy_version}: "
             f"{sum(1 for m in report.modules if m.ok)} of {len(report.modules)} model modules imported"]
    verify = report.verify
    if verify is not None:
        for result in verify.results:
            label = report.metadata_label(result.metadata)
            lines.append(f"  {label}: {len(result.created)} of {result.tables} tables created")
            lines += [f"    {f.kind} {f.object}: {f.type}: {f.message}" for f in result.failures]
        lines.append(verify.summary_line())
    body = render_text(analysis.findings, analysis.summary()) if analysis.findings else ""
    return body + "\n".join(lines) + "\n"

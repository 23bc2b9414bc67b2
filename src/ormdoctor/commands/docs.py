"""``ormdoctor docs``: schema documentation as Markdown (with Mermaid) or one self-contained HTML file.

``-o FILE`` writes the whole file, ``--inject FILE`` replaces the block between the
``ormdoctor:docs`` markers, ``--check`` compares instead of writing (exit 1 and a diff when stale).
The tables come from the static inventory; with ``--import``, from the real MetaData, described by the
tracer in the project's interpreter (``--python``, ``--timeout``). The findings linked are the static ones.

Exit status (the docs issue's rule, which differs from SPEC.md's "1 = an error finding"): 0 when the
documentation was written or is current, 1 only for ``--check`` on a stale file, 2 on a usage error.
Findings are documented, not exit codes: a project with errors must still be able to keep its docs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ormdoctor.commands.output import emit, write_file
from ormdoctor.pipeline import UsageError, analyse
from ormdoctor.report.sanitize import printable


def run(args) -> int:
    _validate(args)
    schema = build(args)
    text = render(schema, args.format, heading_offset=1 if args.inject else 0)
    target = args.inject or args.output
    if not target or (target == "-" and not args.inject):
        emit(text)
        return 0
    return _write(Path(target), target, text, inject=bool(args.inject), check=args.check)


def _validate(args) -> None:
    if args.inject and args.output:
        raise UsageError("use either -o FILE or --inject FILE, not both")
    if args.inject and args.format != "md":
        raise UsageError("--inject writes Markdown; --format html needs -o FILE")
    if args.check and not args.inject and args.output in (None, "-"):
        raise UsageError("--check needs the file to compare: -o FILE or --inject FILE")


def build(args):
    from ormdoctor.docs.from_inventory import describe_inventory, finding_docs
    from ormdoctor.docs.model import build_schema

    analysis = analyse(args.paths, args.config, use_cache=not args.no_cache)
    if args.import_:
        tables, metadata = imported_tables(analysis, args)
    else:
        tables, metadata = describe_inventory(analysis.inventory)
    include, exclude = globs(args.tables), globs(args.exclude_tables)
    schema = build_schema(tables, metadata, finding_docs(analysis.findings), include=include, exclude=exclude,
                          source="import" if args.import_ else "static")
    if include and not schema.tables:
        raise UsageError(f"no table matches --tables {args.tables}")
    return schema


def imported_tables(analysis, args):
    """``--import``: the tables of the real MetaData, described by the tracer in the project's
    interpreter. The static findings are still the ones linked from the tables."""
    from ormdoctor.docs.from_runtime import describe_runtime

    return describe_runtime(trace_tables(analysis, args))


def trace_tables(analysis, args):
    """Import the models in the project's interpreter and describe every table of its MetaData.
    A model module that fails to import is a warning; nothing imported at all is a usage error."""
    from ormdoctor.commands.runtime_mode import tracer_request
    from ormdoctor.runtime.runner import RuntimeUnavailable, find_interpreter, run_tracer

    request = {**tracer_request(analysis), "describe": True}
    try:
        python = find_interpreter(analysis.root, args.python)
        report = run_tracer(request, python, args.timeout)
    except RuntimeUnavailable as exc:
        raise UsageError(str(exc)) from None
    failed = [m for m in report.modules if not m.ok and m.failed_via is None]
    if failed and not report.described:
        raise UsageError(f"no table to document: importing {failed[0].name} failed ({_error_line(failed[0])})")
    for module in failed:
        print(f"ormdoctor: warning: importing {printable(module.name)} failed ({_error_line(module)}); "
              "any table it defines is missing", file=sys.stderr)
    return report


def _error_line(module) -> str:
    error = module.error
    message = (error.message.strip().splitlines() or [""])[0] if error else ""
    return printable(f"{error.type}: {message}") if error else "unknown error"  # the project's own text


def globs(value: str | None) -> list[str]:
    return [p.strip() for p in (value or "").split(",") if p.strip()]


def render(schema, fmt: str, heading_offset: int = 0) -> str:
    if fmt == "html":
        from ormdoctor.docs.html import render_html

        return render_html(schema)
    from ormdoctor.docs.markdown import render_markdown

    return render_markdown(schema, heading_offset)


def _write(path: Path, name: str, text: str, inject: bool, check: bool) -> int:
    from ormdoctor.docs.inject import MarkerError, read_stored, replace_block, unified_diff, whole_file
    from ormdoctor.safe_write import is_regular_or_missing

    if not inject and not check and not is_regular_or_missing(path):
        write_file(path, text)  # a device or FIFO (-o /dev/stdout): nothing to keep, nothing to read
        return 0
    try:
        current = read_stored(path, name)
        if inject:
            if current is None:
                raise UsageError(f"{name} does not exist; create it with the {_markers()} markers")
            new = replace_block(current, text, name)
        else:
            new = whole_file(current, text)
    except MarkerError as exc:
        raise UsageError(str(exc)) from None
    if check:
        if current is not None and new == current.data:
            return 0
        sys.stdout.write(unified_diff(current, new, name))
        sys.stdout.flush()
        again = f"--inject {name}" if inject else f"-o {name}"
        print(f"ormdoctor: {name} is out of date; run `ormdoctor docs {again}`", file=sys.stderr)
        return 1
    if current is None or new != current.data:
        write_file(path, new)
    return 0


def _markers() -> str:
    from ormdoctor.docs.inject import END, START

    return f"{START} ... {END}"

"""``ormdoctor serve``: keep one project in memory and answer the checks run in it."""

from __future__ import annotations

from ormdoctor.pipeline import project_root


def run(args) -> int:
    from ormdoctor.server.answer import serve, stop

    root = project_root([args.paths])[0]
    if args.stop:
        return stop(root)
    if args.idle_timeout is not None and args.idle_timeout <= 0:
        from ormdoctor.pipeline import UsageError

        raise UsageError("--idle-timeout takes a number of seconds above 0")
    return serve(root, args.idle_timeout)

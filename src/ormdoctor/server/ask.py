"""The client side of ``ormdoctor check``: when this project's server runs, it answers.

Any doubt runs the check in this process instead, as if no server existed: no server, another
ormdoctor version, a refused or failed request, a broken connection. A server can only make a
check faster, never change what it says or make it fail."""

from __future__ import annotations

import os
import socket
import sys

from ormdoctor import __version__

CONNECT_TIMEOUT = 1.0
REPLY_TIMEOUT = 900.0  # a cold check of a very large tree: past this, checking here is no slower

# What a check reads from its environment besides the files: passed along, so the server's
# answer is the one this terminal would get (colour, the project's virtualenv, CI paths).
FORWARDED = ("NO_COLOR", "FORCE_COLOR", "TERM", "VIRTUAL_ENV", "GITHUB_WORKSPACE", "CI_PROJECT_DIR")


def servable(args) -> bool:
    """Whether a server may answer this check: static analysis of the tree, printed. Project
    code (``--import``), databases, files written (``-o``, ``--baseline``, ``--add-ignore``)
    and ``--no-cache`` (a fresh run asked for) stay in the process."""
    if getattr(args, "command", None) != "check":
        return False
    if args.watch or args.no_server or args.no_cache or args.import_ or args.show_settings:
        return False
    if args.add_ignore or args.baseline or args.output_file:
        return False
    from ormdoctor.database.url import ENV_VAR

    return not args.db and not os.environ.get(ENV_VAR, "").strip()


def request(args) -> dict:
    fields = {key: value for key, value in vars(args).items() if not key.startswith("_")}
    return {"version": __version__, "args": fields, "cwd": os.getcwd(), "tty": sys.stdout.isatty(),
            "env": {name: os.environ[name] for name in FORWARDED if name in os.environ}}


def ask(args) -> int | None:
    """The exit status after printing the server's answer, or None: no server answered."""
    if not servable(args):
        return None
    from ormdoctor.server.address import AddressError, socket_path, supported
    from ormdoctor.server.wire import MAX_REPLY, WireError, receive, send
    from ormdoctor.pipeline import UsageError, project_root

    if not supported():
        return None
    try:
        root = project_root(args.paths)[0]
        path = socket_path(root)
    except (UsageError, AddressError):
        return None  # the check in this process says what is wrong
    if not path.exists():
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(CONNECT_TIMEOUT)
            connection.connect(str(path))
            connection.settimeout(REPLY_TIMEOUT)
            send(connection, request(args))
            reply = receive(connection, MAX_REPLY)
    except (OSError, WireError):
        return None
    status = reply.get("status")
    if not isinstance(status, int) or not all(isinstance(reply.get(k), str) for k in ("stdout", "stderr")):
        if reply.get("refused"):
            print(f"ormdoctor: not answered by the server: {reply['refused']}; checked here", file=sys.stderr)
        return None
    sys.stdout.write(reply["stdout"])
    sys.stdout.flush()
    sys.stderr.write(reply["stderr"])
    return status


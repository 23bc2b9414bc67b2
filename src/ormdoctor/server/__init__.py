"""A long-lived checker for one project: ``ormdoctor serve`` keeps what ``check --watch`` keeps
(every file's facts, the import layout) and answers the ``ormdoctor check`` commands run in
that project, so an edit re-checks in a fraction of a cold run from any terminal, editor hook
or git hook, not only from the watching terminal.

- ``address``: where a project's server listens (a Unix socket in a private folder);
- ``wire``: the messages (length-prefixed JSON: data only, never code);
- ``answer``: the server: one request at a time, each a full check of the tree as it is now;
- ``ask``: the client side of ``check``: a server's answer when one fits, else None (the check
  then runs in the process, as it always did).

Static analysis only: ``--import``, ``--db`` and the commands that write files never go to a
server, and nothing in the project is executed by one.
"""

"""``--db URL`` and ORMDOCTOR_DATABASE_URL: checked before any work starts, without SQLAlchemy."""

from __future__ import annotations

from ormdoctor.database.url import BadUrl, checked_url, from_env
from ormdoctor.pipeline import UsageError


def database_url(args, use_env: bool = True) -> str | None:
    """`--db URL`, else ORMDOCTOR_DATABASE_URL (unless `use_env` is false), else None.
    A value that cannot be a database URL (``--db ''`` included) is a UsageError (exit 2)."""
    url = getattr(args, "db", None)
    if url is None and use_env:
        url = from_env()
    try:
        return None if url is None else checked_url(url)
    except BadUrl as exc:
        raise UsageError(str(exc)) from None

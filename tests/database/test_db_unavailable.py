"""Every way of not reaching a database is one DatabaseUnavailable line without the password."""

import pytest
from dbhelpers import with_credentials

from ormdoctor.database import DatabaseUnavailable, open_readonly, reflect

SECRET = "Sup3r-S3cret!pw"


def just_open(url):
    with open_readonly(url):
        pass


def unavailable(url, via=just_open) -> str:
    """The message of the DatabaseUnavailable that `via(url)` raises, checked for the basics."""
    with pytest.raises(DatabaseUnavailable) as info:
        via(url)
    error = info.value
    assert "\n" not in str(error)
    assert SECRET not in str(error) and "S3cret" not in str(error)
    # No chained driver exception to print: it could carry the URL.
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)
    return str(error)


def test_unreachable_host():
    message = unavailable(f"postgresql+psycopg://app:{SECRET}@127.0.0.1:1/shop")
    assert message.startswith("cannot connect to postgresql+psycopg://app:***@127.0.0.1:1/shop: ")
    assert "refused" in message.lower()


def test_unreachable_host_through_reflect():
    message = unavailable(f"postgresql+psycopg://app:{SECRET}@127.0.0.1:1/shop", reflect)
    assert message.startswith("cannot connect to postgresql+psycopg://app:***@127.0.0.1:1/shop: ")


@pytest.mark.postgres
def test_wrong_password(postgres_url, password_role):
    user, password = password_role
    with open_readonly(with_credentials(postgres_url, user, password)) as conn:
        assert conn.exec_driver_sql("SELECT current_user").scalar() == user

    message = unavailable(with_credentials(postgres_url, user, SECRET))
    assert f"{user}:***@" in message
    assert f'password authentication failed for user "{user}"' in message
    assert password not in message


@pytest.mark.postgres
def test_missing_database(postgres_url):
    url = with_credentials(postgres_url, "postgres", SECRET).replace("/t", "/missing_t", 1)
    assert 'database "missing_t' in unavailable(url)


def test_missing_sqlite_file_is_not_created(tmp_path):
    path = tmp_path / "nope.db"
    message = unavailable(f"sqlite:///{path}")
    assert message == (f"cannot connect to sqlite:///{path}: no SQLite database file at {path}"
                       " (ormdoctor never creates one)")
    assert not path.exists()


def test_in_memory_sqlite_is_refused():
    assert "in-memory SQLite database is always empty" in unavailable("sqlite://")


def test_missing_driver():
    pytest.importorskip("sqlalchemy")
    try:
        import pymssql  # noqa: F401
        pytest.skip("pymssql is installed here")
    except ImportError:
        pass
    message = unavailable(f"mssql+pymssql://sa:{SECRET}@db/shop")
    assert message == ("cannot connect to mssql+pymssql://sa:***@db/shop: the database driver "
                       "'pymssql' is not installed (pip install pymssql)")


def test_unknown_dialect():
    message = unavailable(f"postgresql+nosuchdriver://app:{SECRET}@db/shop")
    assert message.endswith(": unknown dialect or driver 'postgresql+nosuchdriver'")


@pytest.mark.parametrize("url", [
    f"postgresql://app:{SECRET}@db:notaport/shop",
    f"app:{SECRET}@db/shop",
    "",
])
def test_malformed_url(url):
    message = unavailable(url)
    assert message.endswith(
        "malformed database URL (expected dialect+driver://user:password@host:port/database)")

"""mask_url / scrub / from_env: a password is never shown."""

import pytest

from ormdoctor.database.url import ENV_VAR, from_env, mask_url, scrub


@pytest.mark.parametrize("url,masked", [
    ("postgresql+psycopg://app:s3cret@db.example.com:5432/shop",
     "postgresql+psycopg://app:***@db.example.com:5432/shop"),
    ("postgresql://postgres:@/t1?host=/tmp/pg", "postgresql://postgres:***@/t1?host=/tmp/pg"),
    ("postgresql://app@db/shop", "postgresql://app@db/shop"),
    ("postgresql://db/shop", "postgresql://db/shop"),
    ("mysql+pymysql://app:p@ss@db/shop", "mysql+pymysql://app:***@db/shop"),
    ("postgresql://app:p%40ss%2Fw@db/shop", "postgresql://app:***@db/shop"),
    ("postgresql://app:pa?ss@db/shop", "postgresql://app:***@db/shop"),
    ("postgresql://app:pa/ss@db/shop", "postgresql://app:***@db/shop"),
    ("postgresql://app:pw@db/shop?application_name=a@b",
     "postgresql://app:***@db/shop?application_name=a@b"),
    ("postgresql://db/shop?user=app&password=s3cret&sslmode=require",
     "postgresql://db/shop?user=app&password=***&sslmode=require"),
    ("mssql+pyodbc://db/shop?driver=ODBC+18&PWD=s3cret", "mssql+pyodbc://db/shop?driver=ODBC+18&PWD=***"),
    ("sqlite:////var/data/app.db", "sqlite:////var/data/app.db"),
    ("sqlite://", "sqlite://"),
    ("app:s3cret@db/shop", "app:***@db/shop"),
    ("", ""),
])
def test_mask_url(url, masked):
    assert mask_url(url) == masked


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://app:s3cret@db.example.com:5432/shop",
    "postgresql://postgres:@localhost/t1",
    "mysql://app@db/shop",
])
def test_mask_url_agrees_with_sqlalchemy(url):
    from sqlalchemy.engine import make_url

    assert mask_url(url) == make_url(url).render_as_string(hide_password=True)


def test_scrub_removes_raw_and_decoded_password():
    url = "postgresql://app:p%40ss-w0rd@db/shop"
    message = f'failed for {url}: password "p@ss-w0rd" rejected (raw p%40ss-w0rd)'
    assert scrub(message, url) == (
        'failed for postgresql://app:***@db/shop: password "***" rejected (raw ***)'
    )


def test_scrub_without_password_changes_nothing():
    assert scrub("no route to host", "postgresql://app@db/shop") == "no route to host"


def test_from_env(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "  sqlite:///app.db \n")
    assert from_env() == "sqlite:///app.db"
    monkeypatch.setenv(ENV_VAR, "  ")
    assert from_env() is None
    monkeypatch.delenv(ENV_VAR)
    assert from_env() is None
    assert from_env({ENV_VAR: "postgresql://db/x"}) == "postgresql://db/x"

"""Shared fixtures: the real PostgreSQL (pgserver) and scratch databases on it."""

from __future__ import annotations

import itertools
import os
import signal
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/support helpers

_counter = itertools.count()

# A suite started in the background by a non-interactive shell (`./scripts/test.sh &`, nohup)
# inherits SIGINT ignored, and so would every ormdoctor it starts: the Ctrl-C tests would then
# test the shell, not ormdoctor. A handler is not inherited across exec, so the children get
# the default, as under a terminal.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files from the current output instead of comparing",
    )


@pytest.fixture(autouse=True)
def _no_active_virtualenv(monkeypatch):
    """ormdoctor reads installed packages from VIRTUAL_ENV when a project has no environment of
    its own: the shell that runs the tests must not change what a fixture project resolves."""
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    """One real PostgreSQL for the whole run, started without root by pgserver."""
    pgserver = pytest.importorskip("pgserver")
    data_dir = tmp_path_factory.mktemp("pgdata")
    server = pgserver.get_server(str(data_dir), cleanup_mode="stop")
    yield server
    server.cleanup()


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A URL to a fresh, empty database on the session's PostgreSQL."""
    import sqlalchemy as sa

    name = f"t{os.getpid()}_{next(_counter)}"
    admin = sa.create_engine(postgres_server.get_uri(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    base = postgres_server.get_uri()  # postgresql://postgres:@/postgres?host=/tmp/...
    prefix, _, query = base.partition("?")
    url = prefix.rsplit("/", 1)[0] + f"/{name}?" + query
    return url.replace("postgresql://", "postgresql+psycopg://", 1)

"""A password given to ormdoctor appears nowhere: not in stdout or stderr, not in argparse's echo of
a bad command line, not in any file under TMPDIR, not readable by the project's code while it runs.
Every case runs the real CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.projects import write_project

SECRET = "Tr0ub4dor-s3cret"
MODELS = """
from sqlalchemy.orm import Mapped, mapped_column
from app.db import Base


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
"""

# Each shape a user may type; none can reach a database (port 1 on localhost refuses).
SHAPES = {
    "unreachable": f"postgresql://app:{SECRET}@127.0.0.1:1/shop",
    "bad port": f"postgresql://app:{SECRET}@db.example:notaport/shop",
    "unclosed ipv6": f"postgresql://app:{SECRET}@[::1/shop",
    "unencoded @": f"postgresql://app:p@{SECRET}@127.0.0.1:1/shop",
    "unencoded @ and ?": f"postgresql://app:p?@{SECRET}@127.0.0.1:1/shop",
    "query password": f"postgresql://127.0.0.1:1/shop?user=app&password={SECRET}",
    "libpq keywords": f"host=127.0.0.1 port=1 password={SECRET} dbname=shop",
    "libpq quoted": f"host=127.0.0.1 password='{SECRET} x' dbname=shop",
    "no scheme": f"app:{SECRET}@127.0.0.1:1/shop",
    "unknown dialect": f"nosuchdb://app:{SECRET}@127.0.0.1:1/shop",
}


@pytest.fixture
def project(tmp_path) -> Path:
    return write_project(tmp_path / "project", {"app/models.py": MODELS})


@pytest.fixture
def tmpdir_env(tmp_path) -> dict:
    scratch = tmp_path / "TMPDIR"
    scratch.mkdir()
    return {"TMPDIR": str(scratch), "TMP": str(scratch), "TEMP": str(scratch)}


def run_cli(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    if "ORMDOCTOR_DATABASE_URL" not in (env or {}):
        full_env.pop("ORMDOCTOR_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "ormdoctor", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout)


def assert_secret_nowhere(proc: subprocess.CompletedProcess, tmpdir: str | None = None) -> None:
    assert SECRET not in proc.stdout, proc.stdout
    assert SECRET not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    if tmpdir is not None:
        leaks = [path for path in Path(tmpdir).rglob("*") if path.is_file() and SECRET.encode() in path.read_bytes()]
        assert leaks == []


@pytest.mark.parametrize("command", [["check"], ["tables"], ["compare", "customers"]])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_no_shape_of_url_prints_its_password(shape, command, project, tmpdir_env):
    proc = run_cli(*command, str(project), "--db", SHAPES[shape], "--no-cache", env=tmpdir_env)
    assert_secret_nowhere(proc, tmpdir_env["TMPDIR"])
    assert (proc.returncode, proc.stdout, len(proc.stderr.splitlines())) == (2, "", 1), proc.stderr


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_verify_prints_no_password_whether_it_refuses_the_url_or_the_database_fails(shape, project, tmpdir_env):
    proc = run_cli("verify", str(project), "--db", SHAPES[shape], "--no-cache", env=tmpdir_env)
    assert_secret_nowhere(proc, tmpdir_env["TMPDIR"])
    if proc.returncode == 2:  # refused before anything ran
        assert (proc.stdout, len(proc.stderr.splitlines())) == ("", 1), proc.stderr
    else:  # the URL is well formed; the tracer could not use it
        assert proc.returncode == 1 and shape in ("unreachable", "unknown dialect", "query password")
        assert proc.stdout.splitlines()[-1].startswith("verify could not run on "), proc.stdout


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_environment_variable_is_masked_too(shape, project, tmpdir_env):
    proc = run_cli("check", str(project), "--no-cache", env={**tmpdir_env, "ORMDOCTOR_DATABASE_URL": SHAPES[shape]})
    assert_secret_nowhere(proc, tmpdir_env["TMPDIR"])
    assert proc.returncode == 2


@pytest.mark.parametrize("argv", [
    ["docs", "{project}", "--db", SHAPES["unreachable"]],
    ["docs", "{project}", f"--db={SHAPES['unreachable']}"],
    ["docs", "{project}", f"--db={SHAPES['libpq keywords']}"],
    ["docs", "{project}", "--db", SHAPES["libpq quoted"]],
    ["rule", "--db", SHAPES["unencoded @"]],
    ["rule", "--format", SHAPES["unreachable"]],
    ["check", "{project}", "--format", SHAPES["query password"]],
    ["check", "{project}", "--dbb", SHAPES["unreachable"]],
])
def test_argparse_never_echoes_a_password(argv, project):
    proc = run_cli(*[arg.replace("{project}", str(project)) for arg in argv])
    assert proc.returncode == 2
    assert_secret_nowhere(proc)


def test_empty_db_is_an_error(project):
    proc = run_cli("check", str(project), "--db", "", "--no-cache")
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == ("ormdoctor: error: the database URL is empty "
                           "(expected dialect+driver://user:password@host:port/database)\n")


# While the project's models are imported, what it can see is searched for the password: the files
# under TMPDIR (where the request file used to be), its stdin, its command line and its environment.
# (ormdoctor's own command line is the user's: a URL given with --db is visible in `ps` like any
# argument; ORMDOCTOR_DATABASE_URL is not passed on to the project.)
SNOOPING_MODELS = MODELS + '''
import os, sys
from pathlib import Path

SECRET = os.environ["SNOOP_FOR"][::-1]  # reversed: the variable itself must not hold the password
found = []
for path in Path(os.environ["TMPDIR"]).rglob("*"):
    if path.is_file() and SECRET.encode() in path.read_bytes():
        found.append(str(path))
if SECRET in sys.stdin.read():
    found.append("stdin")
if SECRET.encode() in Path("/proc/self/cmdline").read_bytes():
    found.append("cmdline")
found += [name for name, value in os.environ.items() if SECRET in value]
Path(os.environ["SNOOP_REPORT"]).write_text("\\n".join(found))
'''


@pytest.mark.parametrize("command", [["verify"], ["check", "--import"]])
def test_the_running_project_cannot_find_the_password(command, tmp_path, tmpdir_env, postgres_url):
    project = write_project(tmp_path / "snoop", {"app/models.py": SNOOPING_MODELS})
    report = tmp_path / "snoop-report.txt"
    # A real database with a password in the URL: only its value differs from the URL that works.
    url = postgres_url.replace("postgres:@", f"postgres:{SECRET}@", 1)
    env = {**tmpdir_env, "SNOOP_FOR": SECRET[::-1], "SNOOP_REPORT": str(report)}
    if command == ["verify"]:  # verify takes its scratch database from --db only
        proc = run_cli(*command, str(project), "--db", url, "--no-cache", env=env)
    else:
        proc = run_cli(*command, str(project), "--no-cache", env={**env, "ORMDOCTOR_DATABASE_URL": url})
    assert_secret_nowhere(proc, tmpdir_env["TMPDIR"])
    assert report.exists(), proc.stdout + proc.stderr
    assert report.read_text() == ""


# mask_url is total: whatever the password holds, no form of the URL prints it. Seeded, bounded.
# (Not generated: a password holding '?', then '=', then '@' — "u:p@a?x=1@host" — which reads as a
# host and a query for SQLAlchemy too; and '&', ';', '#' in the query and keyword forms, which end
# the value there by definition.)
def _random_urls(seed: int, count: int):
    import random
    import string

    rng = random.Random(seed)
    userinfo_chars = string.ascii_letters + string.digits + "@:/?#%!$'()*+,-._~[]"
    value_chars = string.ascii_letters + string.digits + "@:/?%!$'()*+,-._~[]"
    for _ in range(count):
        host = rng.choice(["db", "127.0.0.1", "[::1]", "h1:5432,h2", ""]) + rng.choice(["", ":5432"])
        query = rng.choice(["", "?sslmode=require", "?application_name=a@b"])
        scheme = rng.choice(["postgresql", "postgresql+psycopg", "postgres", "mysql+pymysql", "nosuch"])
        password = "Q9" + "".join(rng.choice(userinfo_chars) for _ in range(rng.randint(4, 16)))
        if "?" in password and "=" in password:
            continue
        yield password, f"{scheme}://user:{password}@{host}/shop{query}"
        value = "Q9" + "".join(rng.choice(value_chars) for _ in range(rng.randint(4, 16)))
        yield value, f"{scheme}://{host}/shop?user=u&password={value}{rng.choice(['', '&x=1'])}"
        yield value, f"host=db password={value} dbname=shop"
        yield value + " x", f"host=db password='{value} x' dbname=shop"


def test_masking_is_total_over_generated_urls():
    from ormdoctor.database.url import mask_text, mask_url, scrub

    checked = 0
    for password, url in _random_urls(seed=20261202, count=2500):
        for shown in (mask_url(url), mask_text(url), scrub(f"failed for {url}: bad password {password}", url)):
            assert password not in shown, (url, shown)
        checked += 1
    assert checked > 9000

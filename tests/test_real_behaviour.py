"""Every fixture's ``[runtime]`` claim, proven with the real SQLAlchemy.

A fixture's ``expect.toml`` may say how the project behaves when it is loaded:

    [runtime]
    entry = ["app.main"]        # modules imported in order
    sys_path = ["."]            # import roots, relative to the fixture (the fixture dir is added too)
    raises = "is already defined for this MetaData instance"   # omitted: everything must succeed
    stage = "import"            # import | configure | create_all (default: import)
    metadata = "app.db:Base.metadata"   # optional: what create_all creates (a string or a list)
    warns = "should be left reserved"   # optional: a warning that must be emitted

The probe runs in a fresh interpreter (``sys.executable``): import the entries, then
``configure_mappers()``, then ``create_all`` of every MetaData it finds (each on its own in-memory SQLite,
with the tables' schemas attached). It stops at the first error and reports the stage.

Fixtures with an ``alembic.ini`` are also run through Alembic: ``upgrade head`` on a scratch SQLite
file, then ``alembic check``. Where the fixture expects ORM503 or ORM504 the autogenerate diff must
contain a ``remove_table``; where it expects ORM506 autogenerate must fail on ``sorted_tables``;
everywhere else the models and the revisions must agree exactly.

The last test checks that every ``expect.toml`` is well-formed and that its paths exist, so the
golden findings cannot silently point at files that were renamed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_ROOTS = (ROOT / "tests" / "fixtures", ROOT / "examples")
STAGES = ("import", "configure", "create_all")
# Every rule of SPEC.md with its default severity.
DEFAULT_SEVERITY = {
    "ORM001": "warning",
    "ORM002": "info",
    "ORM003": "warning",  # beyond SPEC.md's catalogue: the run says it is blind to most models
    "ORM101": "error",
    "ORM102": "error",
    "ORM103": "warning",
    "ORM104": "warning",
    "ORM105": "error",
    "ORM106": "warning",
    "ORM107": "error",
    "ORM108": "info",
    "ORM109": "warning",
    "ORM201": "error",
    "ORM202": "warning",
    "ORM203": "error",
    "ORM301": "error",
    "ORM302": "error",
    "ORM303": "error",
    "ORM304": "error",
    "ORM305": "warning",
    "ORM306": "error",
    "ORM307": "warning",  # beyond SPEC.md's catalogue: SQLAlchemy's own "conflicts with relationship(s)" warning
    "ORM401": "error",
    "ORM402": "error",
    "ORM403": "error",
    "ORM501": "warning",
    "ORM502": "info",
    "ORM503": "error",
    "ORM504": "error",
    "ORM505": "warning",
    "ORM506": "error",  # beyond SPEC.md's catalogue: target_metadata is a base class or db object, no MetaData
}
# The only documented departures from the default: a duplicate table in a module nothing imports
# (ORM101 warning) and a duplicated class name that a string reference makes ambiguous (ORM104 error).
# Dead code (ORM101, ORM401) and collisions between MetaData no evidence puts in one database
# (ORM102, ORM201) are warnings; a string reference makes ORM104 an error; a misspelled
# __tablename__ where Flask-SQLAlchemy or SQLModel names the table after the class (ORM402) fails
# nothing and is a warning; so is a `secondary` string holding an expression (ORM301), which
# SQLAlchemy 1.x evaluates and 2.0 rejects: it works until the upgrade. A back_populates mismatch
# or a missing foreign-key target in a module no program imports (ORM306, ORM303) fails nothing
# yet: a warning.
OTHER_SEVERITY = {("ORM101", "warning"), ("ORM401", "warning"), ("ORM102", "warning"), ("ORM201", "warning"),
                  ("ORM503", "warning"), ("ORM104", "error"), ("ORM402", "warning"), ("ORM301", "warning"),
                  ("ORM306", "warning"), ("ORM107", "warning"), ("ORM303", "warning")}
MARK = "@@ormdoctor-probe@@"

PROBE = r'''
import importlib, json, os, sys, warnings

spec = json.loads(sys.argv[1])
ROOT = os.path.realpath(spec["root"])
sys.path[:0] = spec["paths"]


def resolve(target):
    module_name, _, attrs = target.partition(":")
    value = importlib.import_module(module_name)
    for attr in filter(None, attrs.split(".")):
        value = getattr(value, attr)
    return value


def project_modules():
    for name in sorted(sys.modules):
        path = getattr(sys.modules[name], "__file__", None)
        if path and os.path.realpath(path).startswith(ROOT + os.sep):
            yield sys.modules[name]


def candidates(value):
    """MetaData reachable from one module attribute: itself, a class's .metadata, a Flask db."""
    from sqlalchemy import MetaData
    if isinstance(value, MetaData):
        yield value
    elif isinstance(value, type):
        md = value.__dict__.get("metadata") or getattr(value, "metadata", None)
        if isinstance(md, MetaData):
            yield md
    else:
        metadatas = getattr(value, "metadatas", None)  # flask_sqlalchemy.SQLAlchemy
        if isinstance(metadatas, dict):
            yield from (md for md in metadatas.values() if isinstance(md, MetaData))


def find_metadata():
    wanted = spec.get("metadata")
    if wanted:
        found = [resolve(t) for t in ([wanted] if isinstance(wanted, str) else wanted)]
    else:
        found = [md for module in project_modules() for value in list(vars(module).values())
                 for md in candidates(value)]
    unique = {}
    for md in found:
        unique.setdefault(id(md), md)
    return list(unique.values())


def create_all(md):
    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool
    engine = create_engine("sqlite://", poolclass=StaticPool)
    schemas = sorted({t.schema for t in md.tables.values() if t.schema})
    with engine.connect() as conn:
        for schema in schemas:  # SQLite has no schemas: attach one database per schema
            conn.exec_driver_sql(f"ATTACH DATABASE ':memory:' AS \"{schema}\"")
        md.create_all(conn)
        conn.commit()


result = {"stage": None, "error": None, "warnings": [], "tables": 0}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    stage = "import"
    try:
        for name in spec["entry"]:
            importlib.import_module(name)
        stage = "configure"
        from sqlalchemy.orm import configure_mappers
        configure_mappers()
        stage = "create_all"
        metadatas = find_metadata()
        for md in metadatas:
            create_all(md)
        result["tables"] = sum(len(md.tables) for md in metadatas)
        stage = None
    except BaseException as exc:  # SystemExit and friends are failures too
        result["stage"] = stage
        result["error"] = f"{type(exc).__name__}: {exc}"
result["warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught]
print(MARK + json.dumps(result))
'''.replace("MARK", repr(MARK))


def _expect_files() -> list[Path]:
    return sorted(p for root in FIXTURE_ROOTS if root.is_dir() for p in root.rglob("expect.toml"))


def _load(path: Path) -> dict:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _param(path: Path):
    return pytest.param(path.parent, id=path.parent.relative_to(ROOT).as_posix())


ALL = [_param(p) for p in _expect_files()]
WITH_RUNTIME = [_param(p) for p in _expect_files() if "runtime" in _load(p)]


def _is_clean(fixture: Path) -> bool:
    """Fixtures that must produce no finding at all."""
    name = fixture.name
    return "_good_" in name or name.startswith("traps_") or name.endswith("_fixed")


def run_probe(fixture: Path, runtime: dict, python: str = sys.executable) -> dict:
    paths = [str((fixture / p).resolve()) for p in runtime.get("sys_path", ["."])]
    if str(fixture.resolve()) not in paths:
        paths.append(str(fixture.resolve()))
    spec = {
        "root": str(fixture.resolve()),
        "paths": paths,
        "entry": runtime["entry"],
        "metadata": runtime.get("metadata"),
    }
    proc = subprocess.run(
        [python, "-I", "-B", "-c", PROBE, json.dumps(spec)],
        check=False,
        cwd=fixture,
        capture_output=True,
        text=True,
        timeout=180,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(MARK)]
    assert lines, f"the probe did not report (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return json.loads(lines[-1][len(MARK) :])


@pytest.fixture(scope="session")
def probe_results(request):
    """Start the probes of every selected fixture at once (they are independent subprocesses)."""
    items = [item for item in request.session.items if item.originalname == "test_runtime_claim"]
    selected = sorted({item.callspec.params["fixture"] for item in items})
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        yield {f: pool.submit(run_probe, f, _load(f / "expect.toml")["runtime"]) for f in selected}


@pytest.mark.parametrize("fixture", WITH_RUNTIME)
def test_runtime_claim(fixture: Path, probe_results) -> None:
    runtime = _load(fixture / "expect.toml")["runtime"]
    result = probe_results[fixture].result()
    raises = runtime.get("raises")
    if raises is None:
        assert result["error"] is None, (
            f"expected to import, configure and create_all cleanly, "
            f"but failed at {result['stage']}: {result['error']}"
        )
        assert result["tables"] > 0, "create_all found no MetaData with tables"
    else:
        stage = runtime.get("stage", "import")
        assert result["error"] is not None, f"expected {raises!r} at {stage}, but everything succeeded"
        assert raises in result["error"], f"at {result['stage']}: {result['error']}"
        assert result["stage"] == stage, f"raised at {result['stage']}, not {stage}: {result['error']}"
    warns = runtime.get("warns")
    if warns is not None:
        assert any(warns in w for w in result["warnings"]), result["warnings"]
    elif _is_clean(fixture):
        sa_warnings = [w for w in result["warnings"] if w.startswith("SAWarning")]
        assert not sa_warnings, f"a clean fixture must load without SAWarning: {sa_warnings}"


OLDER_SQLALCHEMY = {
    "1.4": ROOT / ".venvs" / "sa14" / "bin" / "python",
    "2.0": ROOT / ".venvs" / "sa20" / "bin" / "python",
}


@pytest.mark.matrix
@pytest.mark.parametrize("version", sorted(OLDER_SQLALCHEMY))
def test_metadata_column_raises_before_2_1(version: str) -> None:
    """ORM401's other half: what SQLAlchemy 2.1 only warns about is an error on 1.4 and 2.0."""
    python = OLDER_SQLALCHEMY[version]
    if not python.exists():
        pytest.skip(f"no SQLAlchemy {version} virtualenv at {python}")
    fixture = ROOT / "tests" / "fixtures" / "rules" / "ORM401_bad_declarative_metadata_column"
    result = run_probe(fixture, {"entry": ["app.models.analytics"]}, python=str(python))
    assert result["stage"] == "import", result
    assert "Attribute name 'metadata' is reserved" in result["error"], result


_CONSTRAINTS = r"""
import json, sys
sys.path[:0] = [sys.argv[1]]
from app import models
print(json.dumps({name: sorted(type(c).__name__ + ":" + str(c.name) for c in cls.__table__.constraints)
                  for name, cls in vars(models).items() if hasattr(cls, "__table__")}))
"""


def test_table_args_tuple_of_one_constraint_drops_it() -> None:
    """ORM402's "the constraint never exists": `tuple(CheckConstraint(...))` is `()`, and the class
    is defined without it, while `tuple([...])` keeps every item."""
    def constraints(name: str) -> dict:
        fixture = ROOT / "tests" / "fixtures" / "rules" / name
        out = subprocess.run([sys.executable, "-I", "-B", "-c", _CONSTRAINTS, str(fixture)], capture_output=True,
                             text=True, check=True, timeout=120).stdout
        return json.loads(out)

    assert constraints("ORM402_bad_table_args_tuple_of_one_constraint") == {
        "Coupon": ["PrimaryKeyConstraint:None"]}
    kept = constraints("ORM402_good_table_args_tuple_of_a_list")
    assert kept["Coupon"] == ["CheckConstraint:ck_coupons_percent_off", "ForeignKeyConstraint:None",
                              "PrimaryKeyConstraint:None"]
    assert kept["Campaign"] == ["PrimaryKeyConstraint:None", "UniqueConstraint:uq_campaigns_name"]


_COLUMNS = r"""
import json, sys
sys.path[:0] = [sys.argv[1]]
from app import models
print(json.dumps(sorted(c.name for c in models.User.__table__.columns)))
"""


def test_an_annotation_written_as_an_assignment_maps_no_column() -> None:
    """ORM402's `avatar_url = Mapped[str]`: SQLAlchemy maps no column and says nothing."""
    fixture = ROOT / "tests" / "fixtures" / "rules" / "ORM402_bad_annotation_written_as_assignment"
    out = subprocess.run([sys.executable, "-I", "-B", "-W", "error", "-c", _COLUMNS, str(fixture)], capture_output=True,
                         text=True, check=True, timeout=120).stdout
    assert json.loads(out) == ["id", "name"]


ALEMBIC = [
    pytest.param(p.parent, ini.parent.relative_to(p.parent), id=p.parent.relative_to(ROOT).as_posix())
    for p in _expect_files()
    for ini in sorted(p.parent.rglob("alembic.ini"))
]


def _alembic(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    # env.py files that read DATABASE_URL get a scratch SQLite file; the others use alembic.ini's url
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{cwd / 'scratch.db'}"}
    return subprocess.run(
        [sys.executable, "-I", "-B", "-m", "alembic", *args],
        check=False,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.parametrize(("fixture", "ini_dir"), ALEMBIC)
def test_alembic_autogenerate_claim(fixture: Path, ini_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / fixture.name
    shutil.copytree(fixture, copy)
    cwd = copy / ini_dir
    upgrade = _alembic(cwd, "upgrade", "head")
    assert upgrade.returncode == 0, upgrade.stderr
    check = _alembic(cwd, "check")
    output = check.stdout + check.stderr
    findings = _load(fixture / "expect.toml")["findings"]
    codes = {f["code"] for f in findings}
    if "ORM506" in codes:  # target_metadata is no MetaData: autogenerate stops
        # `X.metadata` that is None (a mixin's) stops it one way, a base class or db object another
        none = any(f["code"] == "ORM506" and f["subject"].endswith(".metadata") for f in findings)
        expected = "does not provide a MetaData object" if none else "has no attribute 'sorted_tables'"
        assert check.returncode != 0 and expected in output, output
    elif codes & {"ORM503", "ORM504"}:  # tables autogenerate does not see: it wants to drop them
        assert check.returncode != 0 and "remove_table" in output, output
    else:
        assert check.returncode == 0, output
        assert "No new upgrade operations detected" in output, output


@pytest.mark.parametrize("fixture", ALL)
def test_expect_file_is_well_formed(fixture: Path) -> None:
    data = _load(fixture / "expect.toml")
    assert set(data) <= {"findings", "runtime"}, sorted(data)
    findings = data["findings"]
    assert isinstance(findings, list)
    for finding in findings:
        assert set(finding) == {"code", "subject", "paths", "severity"}, finding
        code, severity = finding["code"], finding["severity"]
        assert code in DEFAULT_SEVERITY, finding
        assert finding["subject"], finding
        assert severity == DEFAULT_SEVERITY[code] or (code, severity) in OTHER_SEVERITY, finding
        assert finding["paths"] == sorted(set(finding["paths"])), "paths: sorted, no repeats"
        for rel in finding["paths"]:
            assert "\\" not in rel and not rel.startswith("/"), rel
            assert (fixture / rel).is_file(), f"{rel} does not exist in {fixture.name}"
    if _is_clean(fixture):
        assert findings == [], "good, trap and fixed fixtures expect no finding at all"
    elif fixture.parent.name == "rules":
        code = fixture.name.split("_", 1)[0]
        assert any(f["code"] == code for f in findings), f"a bad {code} fixture must expect {code}"
    else:
        assert findings, "a seed scenario or example without its fixed suffix must expect findings"
    runtime = data.get("runtime")
    if runtime is not None:
        assert set(runtime) <= {"entry", "sys_path", "raises", "stage", "metadata", "warns"}, runtime
        assert runtime["entry"], runtime
        assert runtime.get("stage", "import") in STAGES, runtime
        assert "stage" not in runtime or "raises" in runtime, "stage without raises"
        for root in runtime.get("sys_path", ["."]):
            assert (fixture / root).is_dir(), root

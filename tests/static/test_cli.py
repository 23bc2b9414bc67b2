"""The real executable on good and bad input: exit codes, formats, and never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.projects import write_files

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"
MODEL = '''from sqlalchemy import Column, Integer
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customers"
    id = Column(Integer, primary_key=True)
'''


def ormdoctor(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    executable = shutil.which("ormdoctor", path=str(Path(sys.executable).parent))
    command = [executable] if executable else [sys.executable, "-m", "ormdoctor"]
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr


def project(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    return write_files(tmp_path / "project", files)


def test_exit_codes_zero_one_and_exit_zero():
    bad = FIXTURES / "ORM101_bad_two_modules"
    good = FIXTURES / "ORM101_good_reexport"
    assert ormdoctor("check", str(good), "--no-cache").returncode == 0
    assert ormdoctor("check", str(bad), "--no-cache").returncode == 1
    assert ormdoctor("check", str(bad), "--no-cache", "--exit-zero").returncode == 0
    assert ormdoctor("check", str(bad), "--no-cache", "--ignore", "ORM1").returncode == 0


def test_python_dash_m_works():
    result = subprocess.run([sys.executable, "-m", "ormdoctor", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("ormdoctor ")


def test_json_follows_the_spec_schema():
    result = ormdoctor("check", str(FIXTURES / "ORM101_bad_two_modules"), "--no-cache", "--format", "json")
    document = json.loads(result.stdout)
    assert set(document) == {"version", "root", "summary", "diagnostics"}
    assert document["version"] == 1
    assert set(document["summary"]) == {"files", "models", "tables", "errors", "warnings", "infos", "seconds",
                                        "coverage"}
    assert document["summary"]["coverage"] == {"looks_mapped": 2, "resolved": 2, "explained": 0, "unresolved": {}}
    finding = document["diagnostics"][0]
    assert set(finding) == {"code", "rule", "severity", "subject", "message", "location", "related", "source",
                            "fix", "hint", "fingerprint"}
    assert finding["code"] == "ORM101" and finding["source"] == "static"
    assert set(finding["location"]) == {"path", "line", "column"}


def test_github_and_sarif_formats():
    target = str(FIXTURES / "ORM101_bad_two_modules")
    github = ormdoctor("check", target, "--no-cache", "--format", "github").stdout
    assert github.startswith("::error file=")
    sarif = json.loads(ormdoctor("check", target, "--no-cache", "--format", "sarif").stdout)
    assert sarif["version"] == "2.1.0"
    assert sarif["runs"][0]["results"][0]["ruleId"] == "ORM101"


def test_text_has_no_colour_when_not_a_tty():
    result = ormdoctor("check", str(FIXTURES / "ORM101_bad_two_modules"), "--no-cache")
    assert "\x1b[" not in result.stdout


def test_output_file_is_written(tmp_path):
    out = tmp_path / "report.json"
    result = ormdoctor("check", str(FIXTURES / "ORM101_bad_two_modules"), "--no-cache", "--format", "json",
                       "-o", str(out))
    assert result.returncode == 1 and result.stdout == ""
    assert json.loads(out.read_text())["diagnostics"]


def test_missing_directory_is_exit_2_in_one_line(tmp_path):
    result = ormdoctor("check", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert result.stderr == f"ormdoctor: error: path does not exist: {tmp_path / 'nope'}\n"


@pytest.mark.parametrize("config, message", [
    ("[tool.ormdoctor\n", "invalid TOML"),
    ('[tool.ormdoctor]\nselect = "ORM1"\nbogus = 1\n', "unknown key(s) in [tool.ormdoctor]: bogus"),
    ("[tool.ormdoctor]\nignore = [1]\n", "ignore must be a list of strings"),
    ('[tool.ormdoctor]\nper-file-ignores = "x"\n', "per-file-ignores must be a table"),
])
def test_malformed_config_is_exit_2_in_one_line(tmp_path, config, message):
    root = project(tmp_path, {"pyproject.toml": config, "models.py": MODEL})
    result = ormdoctor("check", str(root))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    no_traceback(result)


def test_bad_files_are_findings_and_the_rest_is_still_checked(tmp_path):
    root = project(tmp_path, {
        "app/models.py": MODEL + "class Other(Base):\n    __tablename__ = 'customers'\n    id = Column(Integer, primary_key=True)\n",
        "app/empty.py": "",
        "app/crlf.py": MODEL.replace("\n", "\r\n").replace("customers", "crlf_customers").replace("Customer(", "CrlfCustomer("),
        "app/nul.py": b"import sqlalchemy\x00\n",
        "app/huge.py": b"import sqlalchemy\n" + b"x = 1\n" * 1_500_000,
        "app/broken.py": "from sqlalchemy import Column\nclass Broken(:\n",
    })
    (root / "app" / "loop.py").symlink_to(root / "app" / "loop.py")
    os.symlink(root / "app", root / "app" / "again")  # a directory loop
    result = ormdoctor("check", str(root), "--no-cache", "--format", "json")
    no_traceback(result)
    found = {(d["code"], d["location"]["path"]) for d in json.loads(result.stdout)["diagnostics"]}
    assert ("ORM101", "app/models.py") in found  # the model layer is still analysed
    assert {("ORM001", p) for p in ("app/nul.py", "app/huge.py", "app/broken.py", "app/loop.py")} <= found
    assert not any(path in ("app/empty.py", "app/crlf.py") for _, path in found)


def test_broken_interpreter_is_exit_2_in_one_line(tmp_path):
    root = project(tmp_path, {"models.py": MODEL})
    result = ormdoctor("check", str(root), "--import", "--python", str(tmp_path / "no-python"))
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    no_traceback(result)


def test_unreachable_database_is_exit_2_without_the_password(tmp_path):
    root = project(tmp_path, {"models.py": MODEL})
    result = ormdoctor("check", str(root), "--db", "postgresql+psycopg://app:S3cretPw@127.0.0.1:1/shop")
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "S3cretPw" not in result.stderr and "app:***@127.0.0.1:1" in result.stderr


def test_tables_and_compare_on_the_example():
    example = Path(__file__).resolve().parents[2] / "examples" / "shop"
    tables = ormdoctor("tables", str(example), "--no-cache")
    assert tables.returncode == 0 and "products" in tables.stdout
    compare = ormdoctor("compare", "products", str(example), "--no-cache")
    assert compare.returncode == 0
    assert "[1] products  app/models/catalog.py:14 CatalogItem" in compare.stdout
    unknown = ormdoctor("compare", "prodcts", str(example), "--no-cache")
    assert unknown.returncode == 2 and "products" in unknown.stderr


def test_a_new_output_file_gets_the_usual_permissions(tmp_path):
    out = tmp_path / "report.txt"
    ormdoctor("check", str(FIXTURES / "ORM101_good_reexport"), "--no-cache", "-o", str(out))
    assert out.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

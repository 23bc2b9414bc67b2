"""CI controls through the real CLI: --fail-level, --statistics, gitlab, junit, SARIF, and every
JSON output validated against the shipped schema (schema/report-v1.json)."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from adopthelpers import clean_project, duplicate_project, ormdoctor

jsonschema = pytest.importorskip("jsonschema")

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILE = REPO / "schema" / "report-v1.json"
EXAMPLE = REPO / "examples"


def schema_of(definition: str) -> dict:
    schema = json.loads(SCHEMA_FILE.read_text())
    return {**schema, "$ref": f"#/$defs/{definition}"}


def validate(document, definition: str) -> None:
    jsonschema.Draft202012Validator.check_schema(json.loads(SCHEMA_FILE.read_text()))
    jsonschema.Draft202012Validator(schema_of(definition),
                                    format_checker=jsonschema.FormatChecker()).validate(document)


def test_the_schema_is_shipped_as_package_data_too():
    import ormdoctor

    packaged = Path(ormdoctor.__file__).parent / "schema" / "report-v1.json"
    assert packaged.read_text() == SCHEMA_FILE.read_text()
    assert '"schema/*.json"' in (REPO / "pyproject.toml").read_text()


@pytest.mark.parametrize("fmt, definition", [("json", "report"), ("gitlab", "gitlab"), ("sarif", "sarif")])
def test_every_json_format_follows_the_schema(fmt, definition, tmp_path):
    result = ormdoctor("check", str(EXAMPLE), "--no-cache", "--format", fmt, cwd=REPO)
    document = json.loads(result.stdout)
    validate(document, definition)
    clean = ormdoctor("check", str(clean_project(tmp_path)), "--no-cache", "--format", fmt)
    validate(json.loads(clean.stdout), definition)


def test_a_report_counting_what_it_cannot_read_follows_the_schema(tmp_path):
    from adopthelpers import write

    root = write(tmp_path, {"app/__init__.py": "", "app/models.py": """
        from sqlalchemy import Column, Integer, Table
        from sqlalchemy.orm import declarative_base

        ModelBase = declarative_base()

        def make(metadata):
            return Table("alarm", metadata, Column("id", Integer, primary_key=True))
    """})
    document = json.loads(ormdoctor("check", str(root), "--no-cache", "--format", "json").stdout)
    assert document["summary"]["coverage"]["tables_in_functions"] == 1
    assert document["summary"]["coverage"]["empty_bases"] == ["ModelBase (app/models.py:5)"]
    validate(document, "report")


def test_statistics_json_and_baseline_follow_the_schema(tmp_path):
    stats = json.loads(ormdoctor("check", str(EXAMPLE), "--no-cache", "--statistics", "--format", "json").stdout)
    validate(stats, "statistics")
    baseline = tmp_path / "b.json"
    ormdoctor("check", str(EXAMPLE), "--no-cache", "--baseline", str(baseline))
    validate(json.loads(baseline.read_text()), "baseline")


def test_the_schema_rejects_what_it_should():
    with pytest.raises(jsonschema.ValidationError):
        validate({"version": 1, "root": "/", "summary": {"errors": 0, "warnings": 0, "infos": 0, "seconds": 0},
                  "diagnostics": [{"code": "E501"}]}, "report")


def test_fail_level_decides_the_exit_status(tmp_path):
    # One unused suppression (warning) and nothing else.
    root = clean_project(tmp_path)
    (root / "app/a.py").write_text((root / "app/a.py").read_text().replace(
        'primary_key=True)', 'primary_key=True)  # ormdoctor: ignore[ORM101]'))
    assert ormdoctor("check", str(root), "--no-cache").returncode == 0
    assert ormdoctor("check", str(root), "--no-cache", "--fail-level", "warning").returncode == 1
    assert ormdoctor("check", str(root), "--no-cache", "--fail-level", "info").returncode == 1
    assert ormdoctor("check", str(root), "--no-cache", "--fail-level", "warning", "--exit-zero").returncode == 0
    clean = clean_project(tmp_path / "clean")
    assert ormdoctor("check", str(clean), "--no-cache", "--fail-level", "info").returncode == 0


def test_statistics_counts_per_code(tmp_path):
    root = duplicate_project(tmp_path, "  # ormdoctor: ignore[ORM104, ORM105]")
    result = ormdoctor("check", str(root), "--no-cache", "--statistics")
    assert result.stdout == ("2  ORM004  [warning] unused-suppression\n"
                             "1  ORM101  [error] duplicate-table\n"
                             "Found 3 findings.\n")
    assert result.returncode == 1
    bad = ormdoctor("check", str(root), "--statistics", "--format", "sarif")
    assert bad.returncode == 2 and bad.stderr == "ormdoctor: error: --statistics prints text or json; drop --format sarif\n"


def test_gitlab_code_quality_fields(tmp_path):
    root = duplicate_project(tmp_path / "repo" / "backend")
    issues = json.loads(ormdoctor("check", "backend", "--no-cache", "--format", "gitlab", cwd=tmp_path / "repo").stdout)
    assert len(issues) == 1
    issue = issues[0]
    assert issue["check_name"] == "ORM101 duplicate-table"
    assert issue["severity"] == "major"
    assert issue["location"] == {"path": "backend/app/b.py", "lines": {"begin": 6}}
    assert issue["description"].startswith("ORM101 table 'customers' is defined 2 times")
    # The fingerprint does not move with the line.
    (root / "app/b.py").write_text("\n\n" + (root / "app/b.py").read_text())
    moved = json.loads(ormdoctor("check", "backend", "--no-cache", "--format", "gitlab", cwd=tmp_path / "repo").stdout)
    assert moved[0]["location"]["lines"]["begin"] == 8 and moved[0]["fingerprint"] == issue["fingerprint"]


def test_junit_one_failing_testcase_per_finding_grouped_by_file(tmp_path):
    root = duplicate_project(tmp_path, "  # ormdoctor: ignore[ORM104]")
    xml = ormdoctor("check", str(root), "--no-cache", "--format", "junit", cwd=root).stdout
    suites = ET.fromstring(xml)
    assert suites.tag == "testsuites" and suites.get("tests") == "2" and suites.get("failures") == "2"
    [suite] = suites.findall("testsuite")
    assert suite.get("name") == "app/b.py"
    cases = [(c.get("name"), c.get("file"), c.get("line"), c.find("failure").get("type")) for c in suite]
    assert cases == [("ORM004 ORM104", "app/b.py", "6", "warning"), ("ORM101 customers", "app/b.py", "6", "error")]
    clean = ET.fromstring(ormdoctor("check", str(clean_project(tmp_path / "c")), "--no-cache", "--format",
                                    "junit").stdout)
    assert [(c.get("name"), c.find("failure")) for c in clean.iter("testcase")] == [("ormdoctor check", None)]


def test_sarif_help_uri_points_at_the_rule_section_and_fingerprints_are_stable(tmp_path):
    root = duplicate_project(tmp_path / "repo" / "backend")
    sarif = json.loads(ormdoctor("check", "backend", "--no-cache", "--format", "sarif", cwd=tmp_path / "repo").stdout)
    run = sarif["runs"][0]
    [rule] = run["tool"]["driver"]["rules"]
    assert rule["helpUri"].endswith("/RULES.md#orm101")
    anchor = rule["helpUri"].rsplit("#", 1)[1]
    assert f'<a id="{anchor}"></a>' in (REPO / "RULES.md").read_text()
    [result] = run["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "backend/app/b.py"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (tmp_path / "repo").resolve().as_uri() + "/"
    (root / "app/b.py").write_text("\n" + (root / "app/b.py").read_text())
    again = json.loads(ormdoctor("check", "backend", "--no-cache", "--format", "sarif", cwd=tmp_path / "repo").stdout)
    assert again["runs"][0]["results"][0]["partialFingerprints"] == result["partialFingerprints"]


def test_github_annotations_are_relative_to_the_repository(tmp_path):
    duplicate_project(tmp_path / "repo" / "services" / "api")
    out = ormdoctor("check", "services/api", "--no-cache", "--format", "github", cwd=tmp_path / "repo").stdout
    assert out.startswith("::error file=services/api/app/b.py,line=6,col=")
    assert "%0Aservices/api/app/a.py:6:" in out  # related places too
    # GITHUB_WORKSPACE decides when set (the runner's checkout), whatever the working directory.
    elsewhere = ormdoctor("check", str(tmp_path / "repo" / "services" / "api"), "--no-cache", "--format", "github",
                          cwd=tmp_path, env={"GITHUB_WORKSPACE": str(tmp_path / "repo")}).stdout
    assert elsewhere.startswith("::error file=services/api/app/b.py,")

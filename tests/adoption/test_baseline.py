"""--baseline FILE: the first run records, later runs report only what is new; --add-ignore."""

from __future__ import annotations

import json

from adopthelpers import MODEL, duplicate_project, ormdoctor, write


def codes(result) -> list[tuple[str, str, int]]:
    return [(d["code"], d["location"]["path"], d["location"]["line"])
            for d in json.loads(result.stdout)["diagnostics"]]


def test_first_run_writes_the_baseline_and_reports_nothing(tmp_path):
    root = duplicate_project(tmp_path / "p")
    baseline = tmp_path / "ormdoctor-baseline.json"
    first = ormdoctor("check", str(root), "--baseline", str(baseline), "--format", "json", "--no-cache")
    assert first.returncode == 0
    assert codes(first) == []
    assert json.loads(first.stdout)["summary"]["baselined"] == 1
    assert f"wrote 1 finding to the baseline {baseline}" in first.stderr
    recorded = json.loads(baseline.read_text())
    assert [(e["code"], e["subject"], e["path"], e["count"]) for e in recorded["findings"]] == [
        ("ORM101", "customers", "app/b.py", 1)]


def test_a_moved_finding_stays_baselined_a_new_one_is_reported(tmp_path):
    root = duplicate_project(tmp_path / "p")
    baseline = tmp_path / "baseline.json"
    ormdoctor("check", str(root), "--baseline", str(baseline), "--no-cache")
    # Lines added above the duplicate: same code, subject and file, other line: still baselined.
    (root / "app/b.py").write_text("# moved down\n\n" + (root / "app/b.py").read_text())
    moved = ormdoctor("check", str(root), "--baseline", str(baseline), "--format", "json", "--no-cache")
    assert (moved.returncode, codes(moved)) == (0, [])
    # A new duplicate of another table is reported, and fails the run.
    write(root, {"app/c.py": MODEL.format(name="Order", comment="").replace("customers", "orders"),
                 "app/d.py": MODEL.format(name="Purchase", comment="").replace("customers", "orders"),
                 "app/main.py": "from app import a, b, c, d\n\nif __name__ == '__main__':\n    pass\n"})
    new = ormdoctor("check", str(root), "--baseline", str(baseline), "--format", "json", "--no-cache")
    assert (new.returncode, codes(new)) == (1, [("ORM101", "app/d.py", 6)])
    assert json.loads(new.stdout)["summary"]["baselined"] == 1


def test_a_second_copy_of_a_baselined_problem_in_the_same_file_is_new(tmp_path):
    # Two stale "ignore[ORM104]" comments in one file: two ORM004 with one fingerprint.
    root = duplicate_project(tmp_path / "p", extra={"app/a.py": MODEL.format(
        name="Customer", comment="  # ormdoctor: ignore[ORM104]")})
    baseline = tmp_path / "baseline.json"
    ormdoctor("check", str(root), "--baseline", str(baseline), "--no-cache")
    assert [e["count"] for e in json.loads(baseline.read_text())["findings"] if e["code"] == "ORM004"] == [1]
    text = (root / "app/a.py").read_text().replace("primary_key=True)", "primary_key=True)  # ormdoctor: ignore[ORM104]")
    (root / "app/a.py").write_text(text)
    again = ormdoctor("check", str(root), "--baseline", str(baseline), "--format", "json", "--no-cache")
    assert (again.returncode, codes(again)) == (0, [("ORM004", "app/a.py", 7)])


def test_a_damaged_baseline_is_exit_2_in_one_line(tmp_path):
    root = duplicate_project(tmp_path / "p")
    baseline = tmp_path / "baseline.json"
    baseline.write_text("{not json")
    result = ormdoctor("check", str(root), "--baseline", str(baseline), "--no-cache")
    assert result.returncode == 2
    assert result.stderr.startswith(f"ormdoctor: error: baseline {baseline} is not valid JSON")
    baseline.write_text('{"version": 7}')
    result = ormdoctor("check", str(root), "--baseline", str(baseline), "--no-cache")
    assert result.returncode == 2 and "delete it to write a new one" in result.stderr


def test_add_ignore_writes_minimal_comments_that_silence_the_findings(tmp_path):
    root = duplicate_project(tmp_path / "p")
    before = (root / "app/b.py").read_bytes()
    result = ormdoctor("check", str(root), "--add-ignore", "--no-cache")
    assert result.returncode == 0
    assert "added 1 suppression comment in 1 file" in result.stderr
    after = (root / "app/b.py").read_bytes()
    expected = before.replace(b'__tablename__ = "customers"\n',
                              b'__tablename__ = "customers"  # ormdoctor: ignore[ORM101]\n')
    assert after == expected
    check = ormdoctor("check", str(root), "--no-cache")
    assert check.returncode == 0 and check.stdout.startswith("All checks passed"), check.stdout


def test_add_ignore_keeps_crlf_bom_and_latin1(tmp_path):
    root = duplicate_project(tmp_path / "p")
    text = MODEL.format(name="Client", comment="").replace("\n", "\r\n")
    (root / "app/b.py").write_bytes(b"\xef\xbb\xbf" + text.encode())
    ormdoctor("check", str(root), "--add-ignore", "--no-cache")
    data = (root / "app/b.py").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\r\n") == text.count("\r\n")
    assert b'"customers"  # ormdoctor: ignore[ORM101]\r\n' in data
    latin = ("# -*- coding: latin-1 -*-\n# café\n" + MODEL.format(name="Client", comment="")).encode("latin-1")
    (root / "app/b.py").write_bytes(latin)
    ormdoctor("check", str(root), "--add-ignore", "--no-cache")
    data = (root / "app/b.py").read_bytes()
    assert b"caf\xe9" in data and b'"customers"  # ormdoctor: ignore[ORM101]\n' in data


def test_add_ignore_merges_into_an_existing_comment(tmp_path):
    root = duplicate_project(tmp_path / "p", comment="  # ormdoctor: ignore[ORM104]")
    ormdoctor("check", str(root), "--add-ignore", "--no-cache")
    assert '"customers"  # ormdoctor: ignore[ORM101, ORM104]\n' in (root / "app/b.py").read_text()


def test_add_ignore_leaves_a_line_where_a_comment_would_change_the_code(tmp_path):
    # The finding's line ends inside a backslash continuation: a comment there is a syntax error.
    text = MODEL.format(name="Client", comment="").replace('__tablename__ = "customers"',
                                                          '__tablename__ = \\\n        "customers"')
    root = duplicate_project(tmp_path / "p", extra={"app/b.py": text})
    result = ormdoctor("check", str(root), "--add-ignore", "--no-cache")
    assert "added 0 suppression comments" in result.stderr
    assert "not suppressed: app/b.py:6 (a comment there would change the code)" in result.stderr
    assert (root / "app/b.py").read_text() == text

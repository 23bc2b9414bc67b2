"""Inline suppressions: ``# noqa: ORM101``, a bare ``# noqa`` (ignored), ``ignore-file``, and the
comments that silence nothing (ORM004)."""

from __future__ import annotations

from adopthelpers import MODEL, duplicate_project, ormdoctor

from ormdoctor.pipeline import analyse


def found(root, select=None):
    return [(f.code, f.location.path, f.location.line, f.message)
            for f in analyse([str(root)], select=select, use_cache=False).findings]


def test_noqa_with_the_code_silences_it(tmp_path):
    assert found(duplicate_project(tmp_path, "  # noqa: F401, ORM101")) == []


def test_a_bare_noqa_does_not_silence_ormdoctor(tmp_path):
    # A bare noqa is for flake8/ruff; ormdoctor's findings are too serious to vanish with it.
    assert [f[:3] for f in found(duplicate_project(tmp_path, "  # noqa"))] == [("ORM101", "app/b.py", 6)]


def test_noqa_for_other_linters_only_is_neither_honoured_nor_reported(tmp_path):
    assert [f[:3] for f in found(duplicate_project(tmp_path, "  # noqa: E501"))] == [("ORM101", "app/b.py", 6)]


def test_ignore_file_silences_every_finding_of_the_file(tmp_path):
    root = duplicate_project(tmp_path, extra={"app/b.py": "# ormdoctor: ignore-file\n" + MODEL.format(
        name="Client", comment="")})
    assert found(root) == []


def test_ignore_file_does_not_hide_the_file_from_the_other_files(tmp_path):
    # a.py's model still counts: the duplicate is still reported in b.py, which is not ignored.
    root = duplicate_project(tmp_path, extra={
        "app/a.py": "# ormdoctor: ignore-file\n" + MODEL.format(name="Customer", comment="")})
    assert [f[:3] for f in found(root)] == [("ORM004", "app/a.py", 1), ("ORM101", "app/b.py", 6)]


def test_a_stale_code_is_reported_as_unused(tmp_path):
    root = duplicate_project(tmp_path, extra={"app/a.py": MODEL.format(
        name="Customer", comment="  # ormdoctor: ignore[ORM105]")})
    assert found(root) == [
        ("ORM004", "app/a.py", 6, "suppression of ORM105 silences no ORM105 finding in this line"),
        ("ORM101", "app/b.py", 6, found(root)[1][3])]


def test_used_suppressions_are_not_reported(tmp_path):
    assert found(duplicate_project(tmp_path, "  # ormdoctor: ignore[ORM101]")) == []


def test_unknown_code_and_stale_bare_ignore_and_stale_ignore_file(tmp_path):
    root = duplicate_project(tmp_path, comment="  # ormdoctor: ignore[ORM101]", extra={
        "app/a.py": "# ormdoctor: ignore-file\n" + MODEL.format(name="Customer", comment="  # noqa: ORM1O1"),
        "app/main.py": "from app import a, b  # ormdoctor: ignore\n\nif __name__ == '__main__':\n    pass\n"})
    assert found(root) == [
        ("ORM004", "app/a.py", 1, "suppression comment silences no finding in this file"),
        ("ORM004", "app/a.py", 7, "suppression in this line names ORM1O1, which is not an ormdoctor rule code"),
        ("ORM004", "app/main.py", 1, "suppression comment silences no finding in this line")]


def test_codes_a_static_run_cannot_judge_are_not_reported(tmp_path):
    # ORM901 is seen only with --import; ORM104 is not selected in this run.
    root = duplicate_project(tmp_path, "  # ormdoctor: ignore[ORM101, ORM901, ORM104]")
    assert [f[:3] for f in found(root, select=["ORM101", "ORM004"])] == []
    assert [f[:3] for f in found(root)] == [("ORM004", "app/b.py", 6)]


def test_a_suppression_inside_a_string_is_not_a_suppression(tmp_path):
    root = duplicate_project(tmp_path, extra={"app/b.py": MODEL.format(name="Client", comment="") +
                                              'NOTE = """\n# ormdoctor: ignore-file\n"""\n'})
    assert [f[:3] for f in found(root)] == [("ORM101", "app/b.py", 6)]


def test_unused_suppressions_through_the_cli_are_warnings(tmp_path):
    root = duplicate_project(tmp_path, "  # ormdoctor: ignore[ORM101, ORM104]")
    result = ormdoctor("check", str(root), "--no-cache")
    assert result.returncode == 0
    assert "app/b.py:6:1: ORM004 [warning] suppression of ORM104 silences no ORM104 finding" in result.stdout
    assert ormdoctor("check", str(root), "--no-cache", "--fail-level", "warning").returncode == 1

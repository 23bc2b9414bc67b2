"""The cache may only ever make a check faster, never different."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "rules" / "ORM105_bad_extend_existing_duplicates_index"


def check(project: Path, *extra: str) -> dict:
    result = subprocess.run([sys.executable, "-m", "ormdoctor", "check", str(project), "--format", "json", *extra],
                            capture_output=True, text=True)
    assert result.returncode in (0, 1), result.stderr
    document = json.loads(result.stdout)
    document["summary"].pop("seconds")
    return document


def copy(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    return project


def test_warm_run_equals_cold_run(tmp_path):
    project = copy(tmp_path)
    cold = check(project)
    assert (project / ".ormdoctor_cache").is_dir()
    assert check(project) == cold
    assert check(project, "--no-cache") == cold


def test_an_edited_file_invalidates_the_result(tmp_path):
    project = copy(tmp_path)
    before = check(project)
    assert [d["code"] for d in before["diagnostics"]] == ["ORM105"]
    auth = project / "app" / "auth" / "models.py"
    auth.write_text(auth.read_text().replace('__tablename__ = "users"', '__tablename__ = "auth_users"'))
    after = check(project)
    assert [d["code"] for d in after["diagnostics"]] == ["ORM106"]


def test_a_config_change_invalidates_the_result(tmp_path):
    project = copy(tmp_path)
    check(project)
    (project / "pyproject.toml").write_text('[tool.ormdoctor]\nignore = ["ORM105"]\n')
    assert check(project)["diagnostics"] == []


def test_select_on_the_command_line_is_part_of_the_key(tmp_path):
    project = copy(tmp_path)
    check(project)
    assert check(project, "--select", "ORM2")["diagnostics"] == []
    assert len(check(project)["diagnostics"]) == 1


def test_no_cache_writes_nothing(tmp_path):
    project = copy(tmp_path)
    check(project, "--no-cache")
    assert not (project / ".ormdoctor_cache").exists()


def test_a_damaged_cache_is_rebuilt(tmp_path):
    project = copy(tmp_path)
    cold = check(project)
    database = project / ".ormdoctor_cache" / "cache.sqlite3"
    assert database.is_file()
    database.write_bytes(b"not a database" * 100)
    assert check(project) == cold
    assert check(project) == cold


def test_an_alembic_ini_two_folders_deep_is_part_of_the_key(tmp_path):
    # Import roots come from alembic.ini files up to two folders deep; the result cache must
    # notice when one of those changes, or it would serve findings computed with old roots.
    from ormdoctor.config import Config
    from ormdoctor.pipeline import _config_state

    ini = tmp_path / "backend" / "svc" / "alembic.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[alembic]\nscript_location = migrations\n")
    before = _config_state(tmp_path, Config())
    ini.write_text("[alembic]\nscript_location = migrations\nprepend_sys_path = .\n")
    assert _config_state(tmp_path, Config()) != before


def analyse_twice_after(tmp_path, monkeypatch, change):
    """Analyse, apply ``change`` to the project, analyse again: (second analysis, files read)."""
    from ormdoctor.pipeline import analyse
    from ormdoctor.static import scan

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    project = copy(tmp_path)
    first = analyse([str(project)], reuse_result=True)
    change(project)
    extracted = []
    real = scan._work

    def counting(job):
        outcome = real(job)
        if outcome[3] is not None:
            extracted.append(outcome[0])
        return outcome

    monkeypatch.setattr(scan, "_work", counting)
    second = analyse([str(project)], reuse_result=True)
    assert [f.code for f in first.findings] == ["ORM105"]
    return second, extracted


def test_a_touched_file_answers_from_the_result_cache(tmp_path, monkeypatch):
    import os

    second, extracted = analyse_twice_after(tmp_path, monkeypatch,
                                            lambda project: os.utime(project / "app" / "auth" / "models.py"))
    assert second.inventory is None  # the stored result, no inventory built
    assert [f.code for f in second.findings] == ["ORM105"]
    assert extracted == []


def test_an_edited_file_is_the_only_one_extracted_again(tmp_path, monkeypatch):
    def edit(project):
        auth = project / "app" / "auth" / "models.py"
        auth.write_text(auth.read_text().replace('__tablename__ = "users"', '__tablename__ = "auth_users"'))

    second, extracted = analyse_twice_after(tmp_path, monkeypatch, edit)
    assert second.inventory is not None
    assert [f.code for f in second.findings] == ["ORM106"]
    assert extracted == ["app/auth/models.py"]


def test_constants_json_cannot_hold_are_left_out_and_the_run_goes_on(tmp_path):
    """A test module's dict of bytes digests (hasgeek/funnel) crashed the cache's encoder."""
    project = copy(tmp_path)
    (project / "app" / "digests.py").write_text(
        'from sqlalchemy import Column\n\nHASHES = {"a@example.com": b"X5Q\\xc1"}\nNAMES = {"a": "b"}\n')
    cold = check(project, "--no-cache")
    assert check(project) == cold and check(project) == cold


def test_strings_with_lone_surrogates_are_stored_and_read_back(tmp_path):
    """glance's `re.compile('[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]')`: a string no UTF-8 store takes
    as it is crashed the cache's writer; it is stored escaped, and reads back the same."""
    project = copy(tmp_path)
    (project / "app" / "text.py").write_text(
        'import re\n\nfrom sqlalchemy import Column\n\n'
        "FOUR_BYTES = re.compile('[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]')\nHIGH = '\\ud800'\n")
    cold = check(project, "--no-cache")
    assert check(project) == cold and check(project) == cold
    from ormdoctor.static import codec
    from ormdoctor.static.facts import FileFacts

    facts = FileFacts(path="a.py", digest="d", constants={"HIGH": "\ud800"}, patterns={"P": "[\ud800-\udbff]"})
    text = codec.dumps(facts)
    text.encode("utf-8")  # what SQLite is given
    assert codec.loads(text, FileFacts) == facts


def test_facts_without_a_json_form_travel_from_a_worker_as_objects(tmp_path):
    from ormdoctor.static import scan
    from ormdoctor.static.cache import storable
    from ormdoctor.static.facts import FileFacts

    assert storable(FileFacts(path="x.py", digest="d", constants={"raw": b"\x00"})) is None
    (tmp_path / "m.py").write_text("import sqlalchemy\nclass A:\n    pass\n")
    rel, _, digest, facts, stored = scan._received(scan._work_in_worker((str(tmp_path), "m.py", None)))
    assert facts.path == "m.py" and facts.digest == digest and stored == scan.stored_form(facts)
    assert stored[0] == storable(facts)


def test_an_edit_that_changes_no_fact_answers_from_the_stored_result(tmp_path, monkeypatch):
    # Early cutoff: the findings are a function of the facts, so an edited file whose facts
    # are the same (a comment, code that names no model) is extracted again and nothing else.
    def edit(project):
        auth = project / "app" / "auth" / "models.py"
        auth.write_text(auth.read_text() + "\n# reviewed: nothing to change here\n")

    second, extracted = analyse_twice_after(tmp_path, monkeypatch, edit)
    assert extracted == ["app/auth/models.py"]
    assert second.inventory is None
    assert [f.code for f in second.findings] == ["ORM105"]


def test_the_result_after_an_early_cutoff_equals_a_fresh_check(tmp_path):
    project = copy(tmp_path)
    check(project)
    auth = project / "app" / "auth" / "models.py"
    auth.write_text(auth.read_text() + "\n# reviewed\n")
    assert check(project) == check(project, "--no-cache")


def test_the_facts_digest_leaves_out_path_and_content_digest_only():
    from ormdoctor.static.cache import facts_digest, storable
    from ormdoctor.static.facts import FileFacts, ParseErrorFact, Pos

    def digest(facts):
        return facts_digest(facts, storable(facts))

    base = FileFacts(path="a.py", digest="d1")
    assert digest(base) == digest(FileFacts(path="a.py", digest="d2"))
    assert digest(base) == digest(FileFacts(path="b/ä \"q\".py", digest="d3"))
    assert digest(base) != digest(FileFacts(path="a.py", digest="d1", has_main_block=True))
    assert digest(base) != digest(FileFacts(path="a.py", digest="d1", error=ParseErrorFact("x", Pos(1, 1), "syntax")))
    assert facts_digest(base, "[]") == ""  # not the form the cache writes: no digest, no early cutoff


def test_a_suppression_in_a_cached_file_still_silences_its_finding(tmp_path):
    # Facts of unchanged files come from the cache's JSON, whose keys are strings: suppressions
    # (by line number) were lost for them, and ORM004 crashed on the string line.
    project = copy(tmp_path)
    found = check(project)["diagnostics"]
    assert [d["code"] for d in found] == ["ORM105"]
    target = project / found[0]["location"]["path"]
    lines = target.read_text().splitlines(keepends=True)
    line = found[0]["location"]["line"] - 1
    lines[line] = lines[line].rstrip("\n") + "  # noqa: ORM105\n"
    target.write_text("".join(lines))
    assert check(project)["diagnostics"] == []
    main = project / "app" / "main.py"
    assert main != target
    main.write_text("import os\n" + main.read_text())  # its facts change: a full run
    assert check(project)["diagnostics"] == []
    assert check(project) == check(project, "--no-cache")


def test_a_suppression_holds_in_a_tree_the_workers_scan(tmp_path):
    # Over PARALLEL_MIN_BYTES the workers send the facts back as JSON: the same string keys.
    from ormdoctor.static.scan import PARALLEL_MIN_BYTES

    project = copy(tmp_path)
    found = check(project, "--no-cache")["diagnostics"]
    target = project / found[0]["location"]["path"]
    lines = target.read_text().splitlines(keepends=True)
    line = found[0]["location"]["line"] - 1
    lines[line] = lines[line].rstrip("\n") + "  # noqa: ORM105\n"
    target.write_text("".join(lines))
    filler = "# " + "x" * 98 + "\n"
    for i in range(4):
        (project / "app" / f"notes_{i}.py").write_text(filler * (PARALLEL_MIN_BYTES // 400 + 1))
    assert sum(p.stat().st_size for p in project.rglob("*.py")) > PARALLEL_MIN_BYTES
    assert check(project, "--no-cache")["diagnostics"] == []


def test_a_few_touched_files_are_read_again_rather_than_the_index_rewritten(tmp_path, monkeypatch):
    """Rewriting the stat index costs about 1.5 µs per file of the tree; reading a touched file
    again costs tens. A touch of 1 file in 40 keeps the old index (the file is read and found
    unchanged next time too), a touch of 2 writes the new stats."""
    import os

    from ormdoctor.pipeline import analyse
    from ormdoctor.static.cache import FactsCache, stat_signature

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    project = copy(tmp_path)
    for i in range(40 - sum(1 for _ in project.rglob("*.py"))):
        (project / f"helper_{i}.py").write_text(f"VALUE = {i}\n")
    analyse([str(project)], reuse_result=True)
    first, second = project / "helper_0.py", project / "helper_1.py"

    def stored_signature(path):
        return FactsCache(project).index[path.relative_to(project).as_posix()][0]

    os.utime(first, ns=(1, 10**18))
    assert analyse([str(project)], reuse_result=True).inventory is None
    assert stored_signature(first) != stat_signature(os.stat(first))
    assert analyse([str(project)], reuse_result=True).inventory is None  # still from the stored result

    os.utime(second, ns=(1, 10**18))
    assert analyse([str(project)], reuse_result=True).inventory is None
    assert stored_signature(first) == stat_signature(os.stat(first))
    assert stored_signature(second) == stat_signature(os.stat(second))

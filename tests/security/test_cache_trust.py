"""A checked repository cannot run code or change results through .ormdoctor_cache/ (issue 9, item 1).

The cache lives inside the project, so anyone who can commit to a repository can plant one.
These tests plant the attacks a repository could carry and run the real CLI on it.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ormdoctor import __version__

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "rules" / "ORM105_bad_extend_existing_duplicates_index"
AUTH_MODELS = "app/auth/models.py"


def run(project: Path, key_home: Path, *args: str, command: str = "check") -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_CACHE_HOME": str(key_home)}
    result = subprocess.run([sys.executable, "-m", "ormdoctor", command, str(project), *args],
                            capture_output=True, text=True, env=env)
    assert result.returncode in (0, 1), result.stderr
    return result


def findings(project: Path, key_home: Path, *args: str) -> list[tuple]:
    document = json.loads(run(project, key_home, "--format", "json", *args).stdout)
    return [(d["code"], d["location"]["path"], d["location"]["line"], d["message"]) for d in document["diagnostics"]]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(FIXTURE, target)
    return target


@pytest.fixture
def key_home(tmp_path: Path) -> Path:
    return tmp_path / "user-cache"


class Payload:
    """Unpickling this creates the marker file: proof that the cache ran code."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def plant_pickles(project: Path, marker: Path) -> None:
    folder = project / ".ormdoctor_cache"
    folder.mkdir()
    for name in ("index", "facts", "result"):
        for version in (__version__, "0.0.0"):
            (folder / f"{name}-{version}.pickle").write_bytes(pickle.dumps(Payload(marker)))
    (folder / "cache.sqlite3").write_bytes(pickle.dumps(Payload(marker)))


@pytest.mark.parametrize("command", ["check", "tables", "docs"])
def test_a_committed_pickle_never_runs(project, key_home, tmp_path, command):
    marker = tmp_path / "pwned"

    def output(*args: str) -> str:
        return re.sub(r"in [0-9.]+ s", "in N s", run(project, key_home, *args, command=command).stdout)

    clean = output("--no-cache")
    plant_pickles(project, marker)
    assert output() == clean
    assert output() == clean  # and again, from the rebuilt cache
    assert not marker.exists()


def forge_facts(project: Path, key_home: Path) -> None:
    """A cache whose row for the auth models claims the file defines no class, written with the
    MAC key of ``key_home``'s user, for the file as it is now (same stat, same digest)."""
    script = f"""
import os
from pathlib import Path
from ormdoctor.static.cache import FactsCache, content_digest
from ormdoctor.static.facts import FileFacts
root = Path({str(project)!r})
cache = FactsCache(root)
path = root / {AUTH_MODELS!r}
digest = content_digest(path.read_bytes())
cache.remember({AUTH_MODELS!r}, os.stat(path), digest)
cache.put(FileFacts(path={AUTH_MODELS!r}, digest=digest))
cache.save({{{AUTH_MODELS!r}}})
"""
    subprocess.run([sys.executable, "-c", script], env={**os.environ, "XDG_CACHE_HOME": str(key_home)}, check=True)


def test_a_cache_forged_with_another_key_is_ignored(project, key_home, tmp_path):
    expected = findings(project, key_home, "--no-cache")
    assert [f[0] for f in expected] == ["ORM105"]
    attacker = tmp_path / "attacker-cache"
    forge_facts(project, attacker)
    assert findings(project, key_home) == expected
    assert findings(project, key_home) == expected


def test_the_forged_rows_would_change_the_result_if_trusted(project, tmp_path):
    # The control for the test above: under the key that signed them, the same rows are
    # believed (the auth model disappears, and with it the duplicate). So what protects the
    # other user is the MAC, not some accident of the forgery.
    attacker = tmp_path / "attacker-cache"
    forge_facts(project, attacker)
    assert findings(project, attacker) == []


def test_a_forged_result_row_is_ignored(project, key_home):
    expected = findings(project, key_home, "--no-cache")
    findings(project, key_home)
    database = project / ".ormdoctor_cache" / "cache.sqlite3"
    import sqlite3

    with sqlite3.connect(database) as db:
        db.execute("UPDATE results SET value = ?", (json.dumps([[], {"files": 0}, []]),))
    assert findings(project, key_home) == expected


def test_a_stat_index_edited_in_place_is_ignored(project, key_home):
    # The stat index decides which files are not even read. Rewritten to say the edited file
    # is the one whose facts are cached (its new stat, its old digest), it would serve the old
    # result if it were believed; its MAC no longer matches, so every file is read again.
    import sqlite3

    assert [f[0] for f in findings(project, key_home)] == ["ORM105"]
    database = project / ".ormdoctor_cache" / "cache.sqlite3"
    with sqlite3.connect(database) as db:
        (stored,) = db.execute("SELECT value FROM stat").fetchone()
    parts = stored.split("\0")
    old_signature = parts[parts.index(AUTH_MODELS) + 1]
    target = project / AUTH_MODELS
    target.write_text(target.read_text().replace('__tablename__ = "users"', '__tablename__ = "userz"'))
    info = os.stat(target)
    new_signature = f"{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_size}:{info.st_ino}"
    with sqlite3.connect(database) as db:
        db.execute("UPDATE stat SET value = ?", (stored.replace(old_signature, new_signature),))
    assert [f[0] for f in findings(project, key_home)] == ["ORM106"]
    assert findings(project, key_home) == findings(project, key_home, "--no-cache")


def test_a_same_size_edit_with_the_mtime_kept_is_analysed_again(project, key_home, tmp_path):
    assert [f[0] for f in findings(project, key_home)] == ["ORM105"]
    target = project / AUTH_MODELS
    text = target.read_text()
    edited = text.replace('__tablename__ = "users"', '__tablename__ = "userz"')
    assert edited != text and len(edited) == len(text)
    staged = tmp_path / "models.py"
    staged.write_text(edited)
    before = os.stat(target)
    os.utime(staged, ns=(before.st_atime_ns, before.st_mtime_ns))
    subprocess.run(["cp", "-p", str(staged), str(target)], check=True)
    after = os.stat(target)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert [f[0] for f in findings(project, key_home)] == ["ORM106"]
    assert findings(project, key_home) == findings(project, key_home, "--no-cache")


def test_a_touched_file_keeps_its_result(project, key_home):
    expected = findings(project, key_home)
    os.utime(project / AUTH_MODELS)
    assert findings(project, key_home) == expected


def test_a_secret_others_can_read_disables_the_cache(project, key_home):
    findings(project, key_home)
    secret = key_home / "ormdoctor" / "cache-key"
    assert secret.stat().st_mode & 0o777 == 0o600
    assert (key_home / "ormdoctor").stat().st_mode & 0o777 == 0o700
    secret.chmod(0o644)
    shutil.rmtree(project / ".ormdoctor_cache")
    assert [f[0] for f in findings(project, key_home)] == ["ORM105"]
    assert not (project / ".ormdoctor_cache").exists()


def test_a_symlinked_cache_folder_is_not_written_through(project, key_home, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / ".ormdoctor_cache").symlink_to(elsewhere)
    assert [f[0] for f in findings(project, key_home)] == ["ORM105"]
    assert list(elsewhere.iterdir()) == []

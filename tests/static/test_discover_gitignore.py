"""Outside a git repository, .gitignore patterns are matched as git's simple forms: a pattern
with a slash against the path from the root, one without against the name, one ending in a
slash against folders only. The patterns are compiled once; each must keep its own meaning."""

from __future__ import annotations

import pytest

from ormdoctor.project.discover import _Ignored, discover

PATTERNS = ["*.py[cod]", "/build/", "docs/_build/", "[!a]*_old.py", "generated", "local_settings.py",
            "tmp*/", "src/legacy/*.py"]
CASES = [
    ("app/models.pyc", True),
    ("app/models.py", False),
    ("build/", True),            # folders only, from the root
    ("build", False),            # a file named build
    ("docs/_build/", True),
    ("b_old.py", True),
    ("a_old.py", False),         # [!a] excludes it
    ("pkg/generated/", True),    # a name pattern matches a folder anywhere
    ("pkg/generated", True),
    ("pkg/local_settings.py", True),
    ("tmp1/", True),
    ("tmp1.py", False),          # "tmp*/" is for folders only
    ("src/legacy/x.py", True),
    ("src/legacy/sub/x.py", True),  # fnmatch's * crosses slashes, as before
    ("lib/src/legacy/x.py", False),
]


@pytest.mark.parametrize(("rel", "ignored"), CASES, ids=[c[0] for c in CASES])
def test_each_pattern_keeps_its_meaning(rel, ignored):
    assert _Ignored(PATTERNS)(rel) is ignored


def test_no_patterns_ignore_nothing():
    assert not _Ignored([])("anything.py")


def test_a_tree_outside_git_honours_its_gitignore(tmp_path):
    (tmp_path / ".gitignore").write_text("*_old.py\n/out/\ngenerated/\n")
    for rel in ["app/models.py", "app/models_old.py", "out/lib/app.py", "app/out/x.py", "app/generated/m.py"]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")
    assert sorted(discover(tmp_path, [], [])) == ["app/models.py", "app/out/x.py"]

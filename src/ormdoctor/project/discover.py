"""Which Python files make up the project: .gitignore honoured, environments and history skipped."""

from __future__ import annotations

import fnmatch
import os
import re
import subprocess
from pathlib import Path

SKIP_DIRS = {
    ".git", ".hg", ".svn", ".venv", "venv", ".env", "__pycache__", "node_modules", "site-packages",
    "dist-packages", "dist", "build", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    ".ormdoctor_cache", ".eggs", ".idea", ".vscode", "htmlcov",
}


def discover(root: Path, include: list[str], exclude: list[str]) -> list[str]:
    """Relative, "/"-separated paths of the .py files to analyse, sorted."""
    found = _git_files(root)
    if found is None:
        found = _walk(root)
    venvs: dict[str, bool] = {}
    folders: dict[str, bool] = {}  # asked once per folder, not once per file
    paths = []
    for path in found:
        if path.endswith(".py"):
            folder = path.rpartition("/")[0]
            skipped = folders.get(folder)
            if skipped is None:
                skipped = folders[folder] = _skipped(path, root, venvs)
            if not skipped:
                paths.append(path)
    paths.sort()
    if include:
        paths = [p for p in paths if _matches(p, include)]
    if exclude:
        paths = [p for p in paths if not _matches(p, exclude)]
    return [p for p in paths if not _is_alembic_revision(p, root)]


def alembic_ini_files(root: Path) -> list[Path]:
    """alembic.ini files up to two folders deep: they put import roots on sys.path."""
    found = []
    for pattern in ("alembic.ini", "*/alembic.ini", "*/*/alembic.ini"):
        found += [p for p in root.glob(pattern) if not set(p.relative_to(root).parts) & SKIP_DIRS
                  and p.is_file()]  # a FIFO named alembic.ini would block its reader
    return sorted(found)


# A checked repository's .git/config must not run anything: core.fsmonitor names a program git
# starts to list changed files, core.hooksPath hooks; the command line overrides both. Only the
# user's own (global) settings are read, never /etc/gitconfig's, and no GIT_* variable of the
# caller (GIT_DIR, GIT_CONFIG_PARAMETERS, ...) can point git elsewhere or add settings.
_SAFE_GIT = ["-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "--no-optional-locks"]


def _git_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0")
    return env


def _git_files(root: Path) -> list[str] | None:
    try:
        result = subprocess.run(
            ["git", *_SAFE_GIT, "-C", str(root), "ls-files", "-co", "--exclude-standard", "-z", "--", "*.py"],
            capture_output=True, timeout=20, check=False, env=_git_environment(), stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    return [p for p in result.stdout.decode("utf-8", "surrogateescape").split("\0") if p]


def _walk(root: Path) -> list[str]:
    ignored = _Ignored(_read_gitignore(root))
    found = []
    # followlinks=False: a symlink loop can never send the walk round in circles.
    for current, dirs, files in os.walk(root, followlinks=False):
        rel_dir = os.path.relpath(current, root)
        rel_dir = "" if rel_dir == "." else rel_dir.replace(os.sep, "/") + "/"
        dirs[:] = sorted(d for d in dirs if not _skip_dir(Path(current, d), d)
                         and not ignored(rel_dir + d + "/"))
        found.extend(rel_dir + f for f in files if f.endswith(".py") and not ignored(rel_dir + f))
    return found


def _skip_dir(path: Path, name: str) -> bool:
    return name in SKIP_DIRS or name.endswith(".egg-info") or (path / "pyvenv.cfg").exists()


def _skipped(rel: str, root: Path, venvs: dict[str, bool]) -> bool:
    parts = rel.split("/")[:-1]
    for part in parts:
        if part in SKIP_DIRS or part.endswith(".egg-info"):
            return True
    for i in range(min(len(parts), 2)):
        folder = "/".join(parts[: i + 1])
        if folder not in venvs:
            venvs[folder] = os.path.exists(os.path.join(root, folder, "pyvenv.cfg"))
        if venvs[folder]:
            return True
    return False


def _is_alembic_revision(rel: str, root: Path) -> bool:
    """Revision scripts are history, not the live model layer: versions/ next to an env.py, and
    its subfolders (Alembic's `recursive_version_locations`: zou keeps `versions/legacy/`)."""
    parts = rel.split("/")
    for depth in range(len(parts) - 2, -1, -1):
        if parts[depth] == "versions" and (root.joinpath(*parts[:depth], "env.py").exists()
                                           or root.joinpath(*parts[:depth], "script.py.mako").exists()):
            return True
    return False


def _read_gitignore(root: Path) -> list[str]:
    path = root / ".gitignore"
    if not path.is_file():
        return []  # a FIFO or device would block or never end
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    return [line.strip() for line in lines if line.strip() and not line.startswith("#") and not line.startswith("!")]


class _Ignored:
    """Whether a path is ignored by the .gitignore patterns: the same answer as testing each
    pattern with ``fnmatch``, from four regexes made once (a tree of thousands of files was
    spending a second in ``fnmatch``). A pattern with a slash matches the whole path, one
    without matches the name; one ending in a slash matches only folders."""

    def __init__(self, patterns: list[str]):
        groups: dict[tuple[bool, bool], list[str]] = {}
        for pattern in patterns:
            bare = pattern.strip("/")
            by_path = pattern.startswith("/") or "/" in bare
            groups.setdefault((pattern.endswith("/"), by_path), []).append(fnmatch.translate(os.path.normcase(bare)))
        self._tests = {key: re.compile("|".join(found)).match for key, found in groups.items()}

    def __call__(self, rel: str) -> bool:
        if not self._tests:
            return False
        path = os.path.normcase(rel.rstrip("/"))
        name = os.path.normcase(rel.rstrip("/").rsplit("/", 1)[-1])
        for (folders_only, by_path), test in self._tests.items():
            if (not folders_only or rel.endswith("/")) and test(path if by_path else name):
                return True
        return False


def _matches(rel: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern + "/*") or rel.startswith(pattern + "/"):
            return True
    return False

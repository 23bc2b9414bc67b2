"""Time `ormdoctor check` cold and warm against the floor of parsing every file with ast.parse,
and against `ruff check --select F` when ruff is installed.

    python bench/run.py [--files 1500] [--models 50] [--repeat 3]
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


# A pip-installed ormdoctor has bytecode; this machine may set PYTHONDONTWRITEBYTECODE, which
# would make every timed run recompile ormdoctor itself. Measure what users get.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str], cwd: Path, before=None) -> float:
    if before:
        before()
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def best(times: list[float]) -> str:
    return f"{min(times):.3f} s (best of {len(times)}, median {sorted(times)[len(times) // 2]:.3f} s)"


def parse_floor(project: Path) -> float:
    started = time.perf_counter()
    for path in project.rglob("*.py"):
        ast.parse(path.read_bytes())
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1500)
    parser.add_argument("--models", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    project = generate(ROOT / ".bench" / "project", args.files, args.models)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src" / "ormdoctor")], env=ENV, check=False)
    subprocess.run(["git", "init", "-q"], cwd=project, check=False)
    ormdoctor = [sys.executable, "-m", "ormdoctor", "check", ".", "--exit-zero"]
    clear = lambda: shutil.rmtree(project / ".ormdoctor_cache", ignore_errors=True)  # noqa: E731
    print(f"project: {args.files} files, {args.models} model modules, {os.cpu_count()} cores")
    print(f"ast.parse of every file (one core, in-process): {best([parse_floor(project) for _ in range(args.repeat)])}")
    print(f"ormdoctor check, cold (no cache):  {best([timed(ormdoctor, project, clear) for _ in range(args.repeat)])}")
    timed(ormdoctor, project)
    print(f"ormdoctor check, warm (cached):    {best([timed(ormdoctor, project) for _ in range(args.repeat)])}")
    startup = [sys.executable, "-c", "import ormdoctor.cli"]
    print(f"python -c 'import ormdoctor.cli':  {best([timed(startup, project) for _ in range(args.repeat)])}")
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if Path(ruff).exists():
        command = [ruff, "check", "--select", "F", "--no-cache", "--exit-zero", "."]
        print(f"ruff check --select F (no cache):  {best([timed(command, project) for _ in range(args.repeat)])}")
    else:
        print("ruff not installed: skipped")


if __name__ == "__main__":
    main()

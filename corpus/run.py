#!/usr/bin/env python3
"""Run ormdoctor over the corpus of public repositories and compare with what we expect.

The corpus is a list of repositories (``corpus/repos/*.toml``), each pinned to a commit, with the
findings we expect (known real bugs that must be found, known false alarms that must not come
back). No fetched code is committed: the repositories come from the search tool's ``fetch``
(bare git mirrors under ``$ORMDOCTOR_CORPUS_MIRROR``, default ``/work/.mirror``), and this script
extracts the pinned commit into a scratch folder and runs ``ormdoctor check`` from the
repository root, as a user would (``cd repo && ormdoctor check``).

    python corpus/run.py                      # every entry, with the ormdoctor on PATH / .venv
    python corpus/run.py microblog flaskbb    # entries whose name contains one of these words
    python corpus/run.py --ormdoctor /work/baseline/.venv/bin/ormdoctor --save corpus/results/before.json
    python corpus/run.py --save corpus/results/after.json
    python corpus/run.py --compare corpus/results/before.json corpus/results/after.json

Exit status: 0 when every expectation holds, 1 when one fails, 2 when the corpus cannot be run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
REPOS = HERE / "repos"
MIRROR = Path(os.environ.get("ORMDOCTOR_CORPUS_MIRROR", "/work/.mirror"))
SCRATCH = Path(os.environ.get("ORMDOCTOR_CORPUS_SCRATCH", "/tmp/ormdoctor-corpus"))


def load_entries(words: list[str]) -> list[dict]:
    entries = []
    for path in sorted(REPOS.glob("*.toml")):
        entry = tomllib.loads(path.read_text(encoding="utf-8"))
        entry["_file"] = path.name
        if not words or any(word in entry["repo"] for word in words):
            entries.append(entry)
    return entries


def checkout(entry: dict) -> Path | None:
    """The pinned commit as plain files (extracted once, reused)."""
    owner_name = entry["repo"].replace("/", "+")
    git_dir = MIRROR / owner_name / "repo"
    if (git_dir / ".git").is_dir():
        git_dir = git_dir / ".git"  # some snapshots come as a work-tree clone, not a bare mirror
    target = SCRATCH / f"{owner_name}@{entry['commit'][:12]}"
    if (target / ".complete").exists():
        return target
    if not git_dir.is_dir():
        return None
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "--git-dir", str(git_dir), "-c", "core.fsmonitor=false",
                              "archive", "--format=tar", entry["commit"]], capture_output=True, check=False)
    if archive.returncode == 0:
        tar_path = target.with_suffix(".tar")
        tar_path.write_bytes(archive.stdout)
        with tarfile.open(tar_path) as tar:
            tar.extractall(target, filter=_data_or_skip)
        tar_path.unlink()
    elif not _extract_present_blobs(git_dir, entry["commit"], target):
        shutil.rmtree(target, ignore_errors=True)
        return None
    (target / ".complete").write_text("")
    return target


def _data_or_skip(member: tarfile.TarInfo, path: str) -> tarfile.TarInfo | None:
    """tarfile's "data" filter, except that a member it refuses (koschei's symlink to an
    absolute path) is left out instead of aborting the whole checkout."""
    try:
        return tarfile.data_filter(member, path)
    except tarfile.FilterError:
        return None


def _extract_present_blobs(git_dir: Path, commit: str, target: Path) -> bool:
    """A snapshot whose largest files are absent (`git archive` fails on a missing blob): write
    every blob that is there. The absent ones are data files, never the Python sources we check."""
    listing = subprocess.run(["git", "--git-dir", str(git_dir), "ls-tree", "-r", "-z", commit], capture_output=True, check=False)
    if listing.returncode != 0:
        return False
    blobs = []
    for item in filter(None, listing.stdout.split(b"\0")):
        meta, path = item.split(b"\t", 1)
        mode, kind, sha = meta.split()
        if kind == b"blob" and mode != b"120000":  # symlinks are not followed into the scratch folder
            blobs.append((sha, path.decode("utf-8", "surrogateescape")))
    with subprocess.Popen(["git", "--git-dir", str(git_dir), "cat-file", "--batch"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE) as reader:
        missing = 0
        for sha, path in blobs:
            reader.stdin.write(sha + b"\n")
            reader.stdin.flush()
            header = reader.stdout.readline().split()
            if header[-1] == b"missing":
                missing += 1
                continue
            data = reader.stdout.read(int(header[2]))
            reader.stdout.read(1)
            destination = target / path
            if ".." in Path(path).parts:
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
        reader.stdin.close()
    print(f"    note: {missing} of {len(blobs)} files absent from the snapshot", file=sys.stderr)
    return True


def run_ormdoctor(command: list[str], folder: Path, timeout: float) -> dict:
    started = time.perf_counter()
    try:
        proc = subprocess.run(command + ["check", "--format", "json", "--no-cache", "--exit-zero"],
                              cwd=folder, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "seconds": timeout}
    seconds = round(time.perf_counter() - started, 2)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return {"status": f"exit {proc.returncode}", "seconds": seconds, "stderr": proc.stderr[-2000:]}
    findings = [{"code": d["code"], "subject": d.get("subject"), "severity": d["severity"],
                 "path": d["location"]["path"], "line": d["location"]["line"], "message": d["message"]}
                for d in report["diagnostics"]]
    return {"status": "ok", "seconds": seconds, "summary": report["summary"], "findings": findings}


def matches(finding: dict, pattern: dict) -> bool:
    return all(finding.get(key) == value if key != "path" else str(finding["path"]).endswith(value)
               for key, value in pattern.items() if key != "why")


def judge(entry: dict, result: dict) -> list[str]:
    """The expectations that do not hold, one line each."""
    expect = entry.get("expect", {})
    if result["status"] != "ok":
        return [f"ormdoctor did not finish: {result['status']}"]
    failures = []
    findings = result["findings"]
    errors = [f for f in findings if f["severity"] == "error"]
    if "max_errors" in expect and len(errors) > expect["max_errors"]:
        extra = ", ".join(f"{f['code']} {f['subject']}" for f in errors[:6])
        failures.append(f"{len(errors)} errors > max_errors {expect['max_errors']} ({extra})")
    for pattern in expect.get("must_find", []):
        if not any(matches(f, pattern) for f in findings):
            failures.append(f"missed {pattern}")
    for pattern in expect.get("must_not_find", []):
        hits = [f for f in findings if matches(f, pattern)]
        if hits:
            failures.append(f"false alarm back: {pattern} ({hits[0]['path']}:{hits[0]['line']})")
    coverage = result["summary"].get("coverage")
    if coverage and "min_seen" in expect:
        looks, seen = coverage.get("looks_mapped", 0), coverage.get("resolved", 0) + coverage.get("explained", 0)
        if looks and seen / looks < expect["min_seen"]:
            failures.append(f"coverage {seen}/{looks} < {expect['min_seen']:.0%}")
    return failures


def row(entry: dict, result: dict) -> str:
    if result["status"] != "ok":
        return f"{entry['repo']:<45} {result['status']}"
    summary = result["summary"]
    coverage = summary.get("coverage") or {}
    looks = coverage.get("looks_mapped", "-")
    return (f"{entry['repo']:<45} models {summary.get('models', 0):>5} looks {looks!s:>5} "
            f"E {summary['errors']:>3} W {summary['warnings']:>3} I {summary['infos']:>3} {result['seconds']:>6.1f}s")


def compare(before_path: str, after_path: str) -> int:
    """One line per repository: models, coverage (seen / looks mapped), errors, warnings, and
    whether its expectations held, before and after."""
    before = json.loads(Path(before_path).read_text())
    after = json.loads(Path(after_path).read_text())
    entries = {e["repo"]: e for e in load_entries([])}

    def cells(entry, result):
        if not result:
            return "-", "-", "-", "-", "-"
        if result.get("status") != "ok":
            return result.get("status", "?"), "-", "-", "-", "fail"
        summary = result["summary"]
        coverage = summary.get("coverage")
        seen = f"{coverage['resolved'] + coverage['explained']}/{coverage['looks_mapped']}" if coverage else "-"
        verdict = "ok" if entry is None or not judge(entry, result) else "FAIL"
        return summary.get("models", 0), seen, summary["errors"], summary["warnings"], verdict

    print(f"{'repository':<42} {'models':>11} {'seen':>9} {'errors':>9} {'warnings':>9}  expectations")
    held = [0, 0]
    for repo in sorted(set(before) | set(after)):
        b, a = cells(entries.get(repo), before.get(repo)), cells(entries.get(repo), after.get(repo))
        held[0] += b[4] == "ok"
        held[1] += a[4] == "ok"
        print(f"{repo:<42} {b[0]!s:>4} > {a[0]!s:<4} {'':>0}{a[1]!s:>9} {b[2]!s:>3} > {a[2]!s:<3} "
              f"{b[3]!s:>3} > {a[3]!s:<3}  {b[4]} > {a[4]}")
    print(f"expectations held: {held[0]} before, {held[1]} after, of {len(set(before) | set(after))}")
    return 0


def default_command() -> list[str]:
    local = HERE.parent / ".venv" / "bin" / "ormdoctor"
    return [str(local)] if local.exists() else [shutil.which("ormdoctor") or "ormdoctor"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("words", nargs="*", help="only entries whose repository contains one of these")
    parser.add_argument("--ormdoctor", help="the ormdoctor executable to run (default: .venv/bin/ormdoctor)")
    parser.add_argument("--save", metavar="FILE", help="write every result (summary and findings) as JSON")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--verbose", "-v", action="store_true", help="print every finding")
    args = parser.parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    command = [args.ormdoctor] if args.ormdoctor else default_command()
    entries = load_entries(args.words)
    if not entries:
        print("no corpus entry matches", file=sys.stderr)
        return 2
    results, failed = {}, 0
    for entry in entries:
        folder = checkout(entry)
        if folder is None:
            print(f"{entry['repo']:<45} not fetched (use the search tool's fetch first)")
            continue
        run_in = folder / entry.get("path", ".")
        result = run_ormdoctor(command, run_in, args.timeout)
        results[entry["repo"]] = result
        problems = judge(entry, result)
        failed += bool(problems)
        print(row(entry, result) + ("" if not problems else "  FAIL"))
        for problem in problems:
            print(f"    {problem}")
        if args.verbose and result["status"] == "ok":
            for f in result["findings"]:
                print(f"    {f['severity'][0].upper()} {f['code']} {f['subject']} {f['path']}:{f['line']}")
    if args.save:
        Path(args.save).parent.mkdir(parents=True, exist_ok=True)
        Path(args.save).write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    print(f"{len(results)} repositories run, {failed} with unmet expectations")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

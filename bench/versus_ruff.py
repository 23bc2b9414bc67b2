"""ormdoctor against `ruff check --no-cache --select F`, side by side, at growing tree sizes.

    python bench/versus_ruff.py [--sizes 1000,10000,50000,100000] [--repeat 3]
                                [--ormdoctor .venv/bin/ormdoctor ...] [--cache-files 16000]
                                [--trees DIR ...]

Trees come from ``realistic.py`` (a fifth of the files mention SQLAlchemy, packages, relative
imports, models importing a base, services and tests importing models) under ``.bench/``. For
each size the tools run back to back, ``--repeat`` times, and the best time counts: the machine
is shared, so only ratios measured in the same run mean anything. "cold" is `ormdoctor check`
with no cache (the cache folder removed; the run writes a new one, as a first run does). Peak
RSS is the child's, from wait4 (workers included). With ``--cache-files`` the re-check cases
are timed on a tree of that size: unchanged, one file touched, every file touched, and three
edits: two that change no fact ormdoctor reads (early cutoff) and a column added to a model,
the last also under ``check --watch`` (which keeps the facts and the import layout in memory)
and as a plain ``check`` answered by ``ormdoctor serve`` (the same memory, in a server).
With ``--trees`` the same cold comparison runs on real checkouts (the corpus's, for instance:
``--trees /tmp/ormdoctor-corpus/*``), one row each and the totals: synthetic trees share one
shape, real ones do not (large test files, many noqa comments, generated code).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from realistic import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # measure what users get


def run(command: list[str], cwd: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one run."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed in {cwd} (exit {process.returncode})")
    return elapsed, usage.ru_maxrss / 1024


def tree(size: int) -> Path:
    out = ROOT / ".bench" / f"realistic-{size}"
    stamp = out / ".generated"
    if not stamp.exists():
        generate(out, size)
        subprocess.run(["git", "init", "-q"], cwd=out, check=True)
        stamp.write_text("ok\n")
    return out


def clear(project: Path) -> None:
    shutil.rmtree(project / ".ormdoctor_cache", ignore_errors=True)


def best(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return min(s[0] for s in samples), max(s[1] for s in samples)


def ruff_command() -> list[str]:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    return [ruff, "check", "--no-cache", "--select", "F", "--exit-zero", "."]


def scale(sizes: list[int], tools: list[str], repeat: int) -> None:
    header = f"{'files':>7} {'ruff s':>7} " + " ".join(
        f"| {'tool':<28} {'s':>7} {'ratio':>6} {'ms/file':>7} {'RSS MB':>7}" for _ in tools)
    print(header)
    for size in sizes:
        project = tree(size)
        files = sum(1 for _ in project.rglob("*.py"))
        times: dict[str, list] = {"ruff": [], **{t: [] for t in tools}}
        for _ in range(repeat if size <= 10_000 else max(1, repeat // 2)):
            times["ruff"].append(run(ruff_command(), project))
            for tool in tools:
                clear(project)
                times[tool].append(run([tool, "check", ".", "--exit-zero"], project))
        ruff_s, _ = best(times["ruff"])
        row = f"{files:>7} {ruff_s:>7.2f} "
        for tool in tools:
            seconds, rss = best(times[tool])
            row += f"| {short(tool):<28} {seconds:>7.2f} {seconds / ruff_s:>5.2f}x {1000 * seconds / files:>7.3f} {rss:>7.0f}"
        print(row, flush=True)


def recheck(size: int, tools: list[str], repeat: int) -> None:
    """Re-checks after the edits a user makes. Two kinds of edit are told apart: one that
    changes no fact ormdoctor reads (answered from the stored result once the file is extracted
    again: early cutoff) and one that does (a column added: the inventory and rules run again)."""
    project = tree(size)
    model = next(project.glob("shop/d0/models/m1.py"))
    service = next(project.glob("shop/d0/api/a1.py"))
    originals = {path: path.read_text() for path in (model, service)}
    edits = {
        "constant appended to a model file (no fact changed)": (model, lambda text, i: text + f"\n\nEDITED_{i} = {i}\n"),
        "function added to a service file (no fact changed)": (service, lambda text, i: text + f"\n\ndef edited_{i}():\n    return {i}\n"),
        "column added to a model (facts changed)": (model, lambda text, i: text.replace(
            "    id = Column(Integer, primary_key=True)\n",
            f"    id = Column(Integer, primary_key=True)\n    added_{i} = Column(Integer)\n", 1)),
    }
    print(f"\nre-checks at {sum(1 for _ in project.rglob('*.py'))} files (best of {repeat}):")
    for tool in tools:
        command = [tool, "check", ".", "--exit-zero"]
        cold = best([(clear(project), run(command, project))[1] for _ in range(repeat)])[0]
        results = {"cold": cold}
        results["unchanged"] = best([run(command, project) for _ in range(repeat)])[0]
        results["one file touched"] = best([(os.utime(model), run(command, project))[1] for _ in range(repeat)])[0]
        results["every file touched"] = best([(touch_all(project), run(command, project))[1] for _ in range(repeat)])[0]
        for label, (path, change) in edits.items():
            samples = []
            for i in range(repeat):
                path.write_text(change(originals[path], i))
                samples.append(run(command, project))
            path.write_text(originals[path])
            run(command, project)
            results[label] = best(samples)[0]
        path, change = edits["column added to a model (facts changed)"]
        results["column added, under check --watch (its run)"], latency = watched_edits(tool, project, path, change,
                                                                                        repeat)
        path.write_text(originals[path])
        served = served_edits(tool, project, path, change, repeat)
        if served is not None:
            results["column added, check answered by `ormdoctor serve`"], results["unchanged, answered by serve"] = served
        path.write_text(originals[path])
        print(f"  {short(tool)}:", flush=True)
        for label, seconds in results.items():
            share = f" ({seconds / cold:.0%} of cold)" if label != "cold" else ""
            print(f"    {label:<54} {seconds:6.2f} s{share}", flush=True)
        print(f"    {'(watch: from the save to the new result, polling included)':<54} {latency:6.2f} s", flush=True)


def watched_edits(tool: str, project: Path, path: Path, change, repeat: int) -> tuple[float, float]:
    """The column edit under ``check --watch``, which keeps the facts and the import layout
    between its runs: (best time of the run itself, as its summary line says, best time from
    the save to that line). The second includes up to one polling interval."""
    import queue
    import re
    import signal
    import threading

    original = path.read_text()
    process = subprocess.Popen([tool, "check", "--watch", "--exit-zero", "."], cwd=project, env=ENV, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines: queue.Queue = queue.Queue()
    for stream in (process.stdout, process.stderr):
        threading.Thread(target=lambda s=stream: [lines.put(line) for line in s], daemon=True).start()

    def next_run() -> float:
        """The run's own time, once both its summary (stdout) and the line saying it watches
        again (stderr) are in: two pipes, so they may arrive in either order."""
        seconds, watching = None, False
        while seconds is None or not watching:
            line = lines.get(timeout=600)
            found = re.search(r" in (\d+\.\d+) s\.$", line.rstrip())
            seconds = float(found.group(1)) if found else seconds
            watching = watching or "watching for changes" in line
        return seconds

    try:
        next_run()
        # The watch fills its memory once the tree has been quiet for an interval after the
        # first run (an unchanged tree answers from the stored result and builds nothing): an
        # edit within that interval would time the build. One unmeasured edit first, then the
        # ones a user makes while working.
        time.sleep(1)
        path.write_text(change(original, 99))
        next_run()
        runs, latencies = [], []
        for i in range(repeat):
            saved = time.perf_counter()
            path.write_text(change(original, i))
            runs.append(next_run())
            latencies.append(time.perf_counter() - saved)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        path.write_text(original)
    return min(runs), min(latencies)


def served_edits(tool: str, project: Path, path: Path, change, repeat: int) -> tuple[float, float] | None:
    """The column edit checked by the plain CLI while `ormdoctor serve` runs for the tree (the
    client's whole time: its start, the server's look at every file, the run, the printing),
    and an unchanged tree the same way. None for a tool without `serve`."""
    if subprocess.run([tool, "serve", "--help"], capture_output=True, env=ENV).returncode != 0:
        return None
    server = subprocess.Popen([tool, "serve", "."], cwd=project, env=ENV, text=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for line in server.stderr:
            if "serving" in line:
                break
        original = path.read_text()
        command = [tool, "check", ".", "--exit-zero"]
        edits = []
        for i in range(repeat):
            path.write_text(change(original, i + 100))
            edits.append(run(command, project))
        path.write_text(original)
        run(command, project)
        unchanged = best([run(command, project) for _ in range(repeat)])[0]
    finally:
        subprocess.run([tool, "serve", "--stop", "."], cwd=project, env=ENV, capture_output=True)
        server.wait(timeout=60)
    return best(edits)[0], unchanged


def real_trees(trees: list[Path], tools: list[str], repeat: int) -> None:
    """Cold runs on real checkouts: per tree and in total (the ratio of the summed times)."""
    print(f"\n{'tree':<36} {'files':>6} {'ruff s':>7} " + " ".join(f"| {short(t):<28} {'s':>6} {'ratio':>6} {'ms/file':>7}" for t in tools))
    totals = {"ruff": 0.0, **{tool: 0.0 for tool in tools}}
    for project in trees:
        files = sum(1 for _ in project.rglob("*.py"))
        # --isolated: a checkout's own ruff settings may be for another ruff version
        ruff_s = best([run(ruff_command() + ["--isolated"], project) for _ in range(repeat)])[0]
        totals["ruff"] += ruff_s
        row = f"{project.name[:36]:<36} {files:>6} {ruff_s:>7.2f} "
        for tool in tools:
            seconds = best([(clear(project), run([tool, "check", ".", "--exit-zero"], project))[1] for _ in range(repeat)])[0]
            clear(project)
            totals[tool] += seconds
            row += f"| {short(tool):<28} {seconds:>6.2f} {seconds / ruff_s:>5.1f}x {1000 * seconds / max(files, 1):>7.2f}"
        print(row, flush=True)
    print(f"{'total':<36} {'':>6} {totals['ruff']:>7.2f} " + " ".join(
        f"| {short(tool):<28} {totals[tool]:>6.2f} {totals[tool] / totals['ruff']:>5.1f}x {'':>7}" for tool in tools))


def touch_all(project: Path) -> None:
    for path in project.rglob("*.py"):
        os.utime(path)


def short(tool: str) -> str:
    parts = Path(tool).parts
    return "/".join(parts[-4:-2]) if len(parts) > 3 else tool


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ormdoctor", action="append", help="an ormdoctor executable (repeatable)")
    parser.add_argument("--cache-files", type=int, default=0, help="also time re-checks at this size")
    parser.add_argument("--trees", nargs="*", default=[], help="real checkouts to time cold, one row each")
    args = parser.parse_args()
    # Absolute: each tool runs from inside the generated tree.
    tools = [str(Path(t).resolve()) if "/" in t else t for t in args.ormdoctor or []] or [str(Path(sys.executable).parent / "ormdoctor")]
    print(f"{os.cpu_count()} cores; {sys.version.split()[0]}; best of {args.repeat} (half that above 10k files)")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if sizes:
        scale(sizes, tools, args.repeat)
    if args.cache_files:
        recheck(args.cache_files, tools, args.repeat)
    if args.trees:
        real_trees([Path(t).resolve() for t in args.trees if Path(t).is_dir()], tools, args.repeat)


if __name__ == "__main__":
    main()

"""Time the import graph, the processes and the reference/structure/Alembic rules on a synthetic project.

    .venv/bin/python bench/graph_bench.py [--modules 10000] [--runs 3]

Builds per-file facts directly (no parsing: that is the scanner's benchmark) for a project of
``--modules`` model modules in packages of 50: each module defines one mapped class with a
primary key, two foreign keys (one to the previous module's table, one across packages), a
string relationship and a back_populates pair; each package `__init__` imports its modules
(one in ten packages leaves a module out, a seed-003 style omission); every other package has a
load-time import cycle; a FastAPI app imports every package, an Alembic env.py imports half of them, and
200 test files import one package each. Then times `inventory_from_facts` (module index, import
graph with its reachability bitsets, processes, declarative resolution) and each rule of
ORM301–ORM306 and ORM501–ORM503, and prints the numbers with the finding counts.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ormdoctor.config import Config  # noqa: E402
from ormdoctor.inventory.build import inventory_from_facts  # noqa: E402
from ormdoctor.rules.context import Context  # noqa: E402
from ormdoctor.rules.registry import load_rules  # noqa: E402
from ormdoctor.static.facts import (FUNCTION, MODULE, TYPE_CHECKING, AlembicEnvFact, ClassFact,  # noqa: E402
                                    ColumnFact, FileFacts, ForeignKeyFact, ImportFact, Pos,
                                    RelationshipFact, TablenameFact)

PACKAGE = 50
CODES = ("ORM301", "ORM302", "ORM303", "ORM304", "ORM305", "ORM306", "ORM501", "ORM502", "ORM503")


def imp(module: str, names: list[str] | None = None, line: int = 1, context: str = MODULE) -> ImportFact:
    if names is None:
        return ImportFact(module, 0, [], None, context, Pos(line, 1))
    return ImportFact(module, 0, [(n, None) for n in names], None, context, Pos(line, 1), is_from=True)


def model_module(n: int, total: int) -> FileFacts:
    k, j = divmod(n, PACKAGE)
    name, table = f"M{n}", f"t{n}"
    imports = [imp("sqlalchemy.orm", ["Mapped", "mapped_column", "relationship"], 1), imp("app.db", ["Base"], 2)]
    if j:
        imports.append(imp(f"app.p{k}.m{n - 1}", [f"M{n - 1}"], 3))
    if j == 1 and k % 2 == 0 and n + 40 < total:
        back = n + 40  # m{n+40} imports m{n+39} ... m{n}: this import closes a load-time cycle
        imports.append(imp(f"app.p{k}.m{back}", [f"M{back}"], 4))
    other = (n * 7919 + 13) % total
    imports.append(imp(f"app.p{other // PACKAGE}.m{other}", [f"M{other}"], 5, TYPE_CHECKING))
    imports.append(imp("app.services", ["audit"], 6, FUNCTION))
    columns = [
        ColumnFact("id", "id", "int", Pos(10, 5), "mapped_column", primary_key=True),
        ColumnFact("prev_id", "prev_id", "int", Pos(11, 5), "mapped_column",
                   foreign_keys=[ForeignKeyFact(f"t{max(n - 1, 0)}.id" if n % 1000 != 7 else "t_gone.id",
                                                pos=Pos(11, 40))]),
        ColumnFact("other_id", "other_id", "uuid.UUID" if n % 500 == 3 else "int", Pos(12, 5), "mapped_column",
                   foreign_keys=[ForeignKeyFact(f"t{other}.id", pos=Pos(12, 40))]),
    ]
    target = f"M{other}" if n % 1000 != 5 else f"Missing{n}"
    partner = n ^ 1 if (n ^ 1) < total else n
    relationships = [
        RelationshipFact("other", target, "string", Pos(13, 5)),
        RelationshipFact("partner", f"M{partner}", "annotation", Pos(14, 5), back_populates="partner"),
    ]
    cls = ClassFact(name, Pos(8, 1), 15, ["Base"], {}, [], tablename=TablenameFact("literal", table, Pos(9, 5)),
                    columns=columns, relationships=relationships,
                    attributes={c.attr: c.pos for c in columns} | {r.attr: r.pos for r in relationships})
    return FileFacts(f"app/p{k}/m{n}.py", "x", imports=imports, classes=[cls], line_count=15)


def package_init(k: int, total: int) -> FileFacts:
    members = [n for n in range(k * PACKAGE, min((k + 1) * PACKAGE, total))]
    left_out = members[-1] if k % 10 == 3 else None  # a module nothing imports
    imports = [imp(f"app.p{k}.m{n}", [f"M{n}"], i + 1) for i, n in enumerate(members) if n != left_out]
    return FileFacts(f"app/p{k}/__init__.py", "x", parsed=False, imports=imports)


def project(total: int) -> list[FileFacts]:
    packages = (total + PACKAGE - 1) // PACKAGE
    base = ClassFact("Base", Pos(4, 1), 5, ["DeclarativeBase"], {}, [])
    files = [
        FileFacts("app/__init__.py", "x", parsed=False),
        FileFacts("app/db.py", "x", imports=[imp("sqlalchemy.orm", ["DeclarativeBase"])], classes=[base]),
        FileFacts("app/services.py", "x", parsed=False, imports=[imp("app.db", ["Base"])]),
        FileFacts("app/main.py", "x", imports=[imp(f"app.p{k}", None, k + 1) for k in range(packages)],
                  creates_app=True),
        FileFacts("migrations/env.py", "x", imports=[imp("alembic", ["context"]), imp("app.db", ["Base"], 2)]
                  + [imp(f"app.p{k}", None, k + 3) for k in range(0, packages, 2)],
                  alembic_env=AlembicEnvFact(["Base.metadata"], Pos(900, 1), "single")),
    ]
    files += [package_init(k, total) for k in range(packages)]
    files += [model_module(n, total) for n in range(total)]
    files += [FileFacts(f"tests/test_{i}.py", "x", parsed=False, imports=[imp(f"app.p{i % packages}")])
              for i in range(200)]
    return files


def timed(label: str, func, results: dict):
    """Wall and CPU time of one call; on a busy machine the CPU time is the steadier number."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = func()
    results.setdefault(label, []).append((time.perf_counter() - wall, time.process_time() - cpu))
    return value


def run_once(facts: list[FileFacts], results: dict, counts: dict) -> None:
    config = Config()
    inventory = timed("inventory (index + graph + processes + declarative)",
                      lambda: inventory_from_facts(Path("/bench"), config, facts), results)
    context = Context(inventory, config)
    rules = load_rules()
    for code in CODES:
        found = timed(f"{code} {rules[code].name}", lambda: list(rules[code].check(context)), results)
        counts[code] = len(found)
    counts["modules"] = len(inventory.graph.nodes)
    counts["edges"] = len(inventory.graph.edges)
    counts["processes"] = len(inventory.graph.processes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    facts = project(args.modules)
    results: dict[str, list[tuple[float, float]]] = {}
    counts: dict[str, int] = {}
    for _ in range(args.runs):
        run_once(facts, results, counts)
    print(f"{counts['modules']} modules, {counts['edges']} import edges, {counts['processes']} processes; "
          f"best of {args.runs} runs")
    print(f"  {'':<56} {'wall ms':>9} {'cpu ms':>9}")
    wall_total = cpu_total = 0.0
    for label, times in results.items():
        wall, cpu = min(t[0] for t in times), min(t[1] for t in times)
        wall_total, cpu_total = wall_total + wall, cpu_total + cpu
        code = label.split(" ", 1)[0]
        found = f"  {counts[code]:>5} findings" if code in counts else ""
        print(f"  {label:<56} {wall * 1000:>9.1f} {cpu * 1000:>9.1f}{found}")
    print(f"  {'total':<56} {wall_total * 1000:>9.1f} {cpu_total * 1000:>9.1f}")


if __name__ == "__main__":
    main()

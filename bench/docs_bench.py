"""Time ``ormdoctor docs`` on a synthetic 500-table project (Markdown and HTML).

    python bench/docs_bench.py [--tables 500] [--keep DIR]

Writes the project to a temporary folder: 50 model modules on one declarative base, tables in
two schemas, foreign keys to earlier tables (with ON DELETE rules), unique and check
constraints, indexes, and many-to-many association tables. Prints the wall time of the real CLI
(``python -m ormdoctor docs``, a fresh process, no cache) and the in-process split between
analysis, model building and rendering.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PER_MODULE = 10


def generate(root: Path, count: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    app = root / "app"
    (app / "models").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "db.py").write_text(
        "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n")
    names = [f"Entity{i:03d}" for i in range(count)]
    imports = []
    for start in range(0, count, PER_MODULE):
        module = f"m{start // PER_MODULE:02d}"
        imports.append(f"from app.models.{module} import {', '.join(names[start:start + PER_MODULE])}  # noqa: F401")
        lines = ["from typing import Optional", "",
                 "from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, Numeric, String, Table, "
                 "UniqueConstraint",
                 "from sqlalchemy.orm import Mapped, mapped_column, relationship", "", "from app.db import Base", ""]
        for i in range(start, min(start + PER_MODULE, count)):
            lines += _model(i, names, rng)
        (app / "models" / f"{module}.py").write_text("\n".join(lines) + "\n")
    (app / "models" / "__init__.py").write_text("\n".join(imports) + "\n")
    (app / "main.py").write_text("import app.models  # noqa: F401\n")


def _table(i: int) -> str:
    return f"entity_{i:03d}"


def _schema(i: int) -> str | None:
    return "core" if i % 5 == 0 else None


def _key(i: int) -> str:
    return f"{_schema(i)}.{_table(i)}" if _schema(i) else _table(i)


def _model(i: int, names: list[str], rng: random.Random) -> list[str]:
    name = names[i]
    args = [f'UniqueConstraint("code", "tenant", name="uq_{_table(i)}_code_tenant")',
            f'CheckConstraint("amount >= 0", name="ck_{_table(i)}_amount")']
    if i % 7 == 0:
        args.append(f'Index("ix_{_table(i)}_label_amount", "label", "amount")')
    options = f'{{"schema": "{_schema(i)}"}}' if _schema(i) else ""
    table_args = ", ".join(args + ([options] if options else []))
    out = [f"class {name}(Base):", f'    """Synthetic entity number {i}."""', "",
           f'    __tablename__ = "{_table(i)}"', f"    __table_args__ = ({table_args},)", "",
           "    id: Mapped[int] = mapped_column(primary_key=True)",
           "    code: Mapped[str] = mapped_column(String(40))",
           "    tenant: Mapped[int] = mapped_column(index=True)",
           "    label: Mapped[Optional[str]] = mapped_column(String(200))",
           "    amount: Mapped[float] = mapped_column(Numeric(12, 2), default=0)"]
    parents = rng.sample(range(i), k=min(i, rng.choice([0, 1, 1, 2, 3]))) if i else []
    for parent in parents:
        ondelete = rng.choice(["CASCADE", "SET NULL", None])
        rule = f', ondelete="{ondelete}"' if ondelete else ""
        optional = "Optional[int]" if ondelete != "CASCADE" else "int"
        out.append(f"    {_table(parent)}_id: Mapped[{optional}] = mapped_column("
                   f'ForeignKey("{_key(parent)}.id"{rule}), index=True)')
        out.append(f'    {_table(parent)}: Mapped["{names[parent]}"] = relationship()')
    out.append("")
    if i % 25 == 24:
        other = rng.randrange(i)
        link = f"link_{_table(other)}_{_table(i)}"
        out = [f'{link} = Table("{link}", Base.metadata,',
               f'    Column("a_id", ForeignKey("{_key(other)}.id", ondelete="CASCADE"), primary_key=True),',
               f'    Column("b_id", ForeignKey("{_key(i)}.id", ondelete="CASCADE"), primary_key=True))', "", ""] + out
        out.insert(-1, f'    linked: Mapped[list["{names[other]}"]] = relationship(secondary={link})')
    return out + [""]


def run_cli(root: Path, fmt: str, output: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ormdoctor", "docs", str(root), "--no-cache", "--format", fmt,
                    "-o", str(output)], check=True)
    return time.perf_counter() - started


def in_process(root: Path) -> dict[str, float]:
    from ormdoctor.docs.from_inventory import describe_inventory, finding_docs
    from ormdoctor.docs.html import render_html
    from ormdoctor.docs.markdown import render_markdown
    from ormdoctor.docs.model import build_schema
    from ormdoctor.pipeline import analyse

    times = {}
    started = time.perf_counter()
    analysis = analyse([str(root)], use_cache=False)
    times["analyse"] = time.perf_counter() - started
    started = time.perf_counter()
    tables, metadata = describe_inventory(analysis.inventory)
    schema = build_schema(tables, metadata, finding_docs(analysis.findings))
    times["model"] = time.perf_counter() - started
    started = time.perf_counter()
    render_markdown(schema)
    times["markdown"] = time.perf_counter() - started
    started = time.perf_counter()
    render_html(schema)
    times["html"] = time.perf_counter() - started
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=500)
    parser.add_argument("--keep", metavar="DIR", help="write the project and outputs here and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ormdoctor-docs-bench-") as tmp:
        base = Path(args.keep) if args.keep else Path(tmp)
        root = base / "project"
        generate(root, args.tables)
        md, html = base / "schema.md", base / "schema.html"
        md_time = run_cli(root, "md", md)
        html_time = run_cli(root, "html", html)
        split = in_process(root)
        links = sum(1 for i in range(args.tables) if i % 25 == 24)
        files = len(list((root / "app").rglob("*.py")))
        print(f"{args.tables} model tables + {links} link tables, {files} files")
        print(f"ormdoctor docs --format md  : {md_time:6.2f} s  ({md.stat().st_size / 1024:,.0f} KiB)")
        print(f"ormdoctor docs --format html: {html_time:6.2f} s  ({html.stat().st_size / 1024:,.0f} KiB)")
        print("in process: " + ", ".join(f"{k} {v:.2f} s" for k, v in split.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

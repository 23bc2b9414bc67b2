"""Write a synthetic project shaped like a real service tree, for timing at scale.

    python bench/realistic.py OUT_DIR [--files 10000] [--seed 7]

Real trees differ from ``generate.py``'s in the ways that cost a checker time: about a fifth of
the files mention SQLAlchemy (models, and the services and repositories that query them), and
imports follow a project's shape. The tree is a set of top-level packages (one per domain), each
with:

- ``models/``: modules importing the shared ``Base`` from ``<app>.db`` (absolute or relative),
  with columns, foreign keys and string relationships to other models of the domain, and a
  ``models/__init__.py`` re-exporting them with relative imports;
- ``repositories/``: SQLAlchemy queries (``select``, ``Session``) over the domain's models;
- ``services/``, ``schemas/``, ``utils/``: plain Python importing repositories, siblings
  (relative imports), and other domains' services; schemas hold dozens of settings constants
  and some services a handler registry, as real trees do;
- ``api/``: routers importing services;
- ``tests/``: test modules and a ``conftest.py`` importing models and services.

An app ``main.py`` imports every domain's api, and ``migrations/env.py`` every domain's models.
The output is deterministic for a given ``--files`` and ``--seed``.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

from generate import handler_lines

DOMAIN_FILES = 200  # files per domain package: real services hold a few hundred modules
# Per domain of 200 files: 22 model modules, 14 repositories (SQLAlchemy queries) → 18%
# of the files mention SQLAlchemy, with the package __init__ files and the app/migrations.
LAYOUT = (("models", 22), ("repositories", 14), ("services", 50), ("schemas", 24), ("utils", 16),
          ("api", 24), ("tests", 43))
TYPES = ("Integer", "String(120)", "Text", "Boolean", "DateTime", "Numeric(10, 2)", "JSON", "String(32)")


def model_module(app: str, domain: str, index: int, rng: random.Random) -> str:
    relative = rng.random() < 0.5
    lines = ['"""Models of the {} domain, part {}."""'.format(domain, index), "",
             "from __future__ import annotations", "", "import enum", "from datetime import datetime", "",
             "from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, JSON, Numeric, "
             "String, Text, UniqueConstraint",
             "from sqlalchemy.orm import relationship", "",
             "from ...db import Base" if relative else f"from {app}.db import Base", ""]
    lines += [f"class {domain.title()}State{index}(enum.Enum):", '    ACTIVE = "active"', '    RETIRED = "retired"', ""]
    for t in range(rng.randint(2, 4)):
        name = f"{domain.title()}M{index}x{t}"
        table = f"{domain}_{index}_{t}"
        lines += [f"class {name}(Base):", f'    """A {domain} record, kind {t}."""', "",
                  f'    __tablename__ = "{table}"']
        if t == 1:
            lines += [f'    __table_args__ = (UniqueConstraint("field_0", "field_1", name="uq_{table}_f0_f1"),']
            lines += [f'                      Index("ix_{table}_f2", "field_2"))']
        lines += ["", "    id = Column(Integer, primary_key=True)"]
        for c in range(rng.randint(5, 12)):
            extra = ", index=True" if c == 0 else (", nullable=False" if c % 3 == 0 else "")
            lines.append(f"    field_{c} = Column({rng.choice(TYPES)}{extra})")
        lines.append("    created_at = Column(DateTime, default=datetime.utcnow)")
        if index > 0 and t == 0:
            lines.append(f'    parent_id = Column(Integer, ForeignKey("{domain}_{index - 1}_0.id"))')
            lines.append(f'    parent = relationship("{domain.title()}M{index - 1}x0")')
        lines += ["", "    def __repr__(self):", f'        return f"<{name} {{self.id}}>"', "",
                  "    @property", "    def label(self):", "        return str(self.field_0).strip().lower()", ""]
    return "\n".join(lines) + "\n"


def repository_module(app: str, domain: str, index: int, models: list[str], rng: random.Random) -> str:
    model = rng.choice(models)
    classes = f"{domain.title()}M{model[1:]}x0"
    lines = ['"""Queries over the {} models."""'.format(domain), "", "from typing import Optional", "",
             "from sqlalchemy import select", "from sqlalchemy.orm import Session", "",
             f"from ..models.{model} import {classes}", ""]
    for f in range(rng.randint(4, 9)):
        lines += [f"def find_{f}(session: Session, key: int) -> Optional[{classes}]:",
                  f'    """Look a {classes} up by key, variant {f}."""',
                  f"    query = select({classes}).where({classes}.id == key)",
                  "    if key < 0:",
                  "        return None",
                  "    return session.execute(query).scalars().first()", ""]
    return "\n".join(lines) + "\n"


def plain_module(kind: str, index: int, imports: list[str], rng: random.Random) -> str:
    lines = [f'"""A {kind} module."""', "", "import json", "import logging", "from dataclasses import dataclass", ""]
    lines += imports + ["", "log = logging.getLogger(__name__)", ""]
    if kind == "schema":
        # Settings keys as module constants, dozens per file (Home Assistant's `CONF_*`).
        lines += [f'CONF_{kind.upper()}_{index}_{c} = "{kind}_{index}_{c}"' for c in range(rng.randint(15, 60))] + [""]
    if kind == "service" and rng.random() < 0.3:
        # A plugin or handler registry: a word that also names SQLAlchemy's registry().
        lines += ["_handler_registry: dict[str, object] = {}", ""]
    lines += ["@dataclass", f"class {kind.title()}Config{index}:", "    name: str", "    retries: int = 3", ""]
    for f in range(rng.randint(6, 16)):
        lines += handler_lines(f"handle_{index}_{f}", f)
    return "\n".join(lines) + "\n"


def test_module(app: str, domain: str, index: int, models: list[str], services: list[str],
                rng: random.Random) -> str:
    model = rng.choice(models)
    service = rng.choice(services)
    lines = ['"""Tests."""', "", "import pytest", "",
             f"from {app}.{domain}.models.{model} import {domain.title()}M{model[1:]}x0",
             f"from {app}.{domain}.services import {service}", ""]
    for f in range(rng.randint(4, 10)):
        lines += [f"def test_case_{index}_{f}(session):", f"    item = {domain.title()}M{model[1:]}x0(id={f})",
                  f"    assert {service}.handle_0_0({{'id': item.id}}) is not None", ""]
    return "\n".join(lines) + "\n"


def write_domain(out: Path, app: str, domain: str, others: list[str], rng: random.Random, budget: int) -> int:
    base = out / app / domain
    written = 0

    def put(relative: str, text: str) -> None:
        nonlocal written
        path = base / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written += 1

    scale = budget / DOMAIN_FILES
    counts = {folder: max(1, round(n * scale)) for folder, n in LAYOUT}
    models = [f"m{i}" for i in range(counts["models"])]
    put("__init__.py", "")
    put("models/__init__.py", "".join(f"from .{m} import *  # noqa: F401,F403\n" for m in models))
    for i, m in enumerate(models):
        put(f"models/{m}.py", model_module(app, domain, i, rng))
    repositories = [f"r{i}" for i in range(counts["repositories"])]
    put("repositories/__init__.py", "")
    for i, r in enumerate(repositories):
        put(f"repositories/{r}.py", repository_module(app, domain, i, models, rng))
    services = [f"s{i}" for i in range(counts["services"])]
    put("services/__init__.py", "")
    for i, s in enumerate(services):
        imports = [f"from ..repositories import {rng.choice(repositories)}"]
        if i:
            imports.append(f"from . import {services[rng.randrange(i)]}")
        if others and rng.random() < 0.3:
            imports.append(f"from {app}.{rng.choice(others)}.services import s0")
        put(f"services/{s}.py", plain_module("service", i, sorted(imports), rng))
    for folder in ("schemas", "utils", "api"):
        put(f"{folder}/__init__.py", "")
        for i in range(counts[folder]):
            imports = [f"from ..services import {rng.choice(services)}"] if folder == "api" else []
            if folder == "schemas":
                imports.append(f"from ..utils import u{rng.randrange(counts['utils'])}")
            put(f"{folder}/{folder[0]}{i}.py", plain_module(folder.rstrip("s"), i, imports, rng))
    put("tests/__init__.py", "")
    put("tests/conftest.py", f"import pytest\n\nfrom {app}.db import Base\nfrom {app}.{domain} import models  # noqa\n")
    for i in range(counts["tests"]):
        put(f"tests/test_{i}.py", test_module(app, domain, i, models, services, rng))
    return written


def generate(out: Path, files: int = 10_000, seed: int = 7) -> Path:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    app = "shop"
    (out / app).mkdir(parents=True)
    (out / app / "__init__.py").write_text("")
    (out / app / "db.py").write_text("from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n"
                                      "    pass\n")
    domains = [f"d{i}" for i in range(max(1, round((files - 4) / DOMAIN_FILES)))]
    budget = (files - 4) / len(domains)
    written = 2
    for i, domain in enumerate(domains):
        written += write_domain(out, app, domain, domains[:i][-5:], rng, budget)
    (out / app / "main.py").write_text("from fastapi import FastAPI\n\n" + "".join(
        f"from {app}.{d}.api import a0 as {d}_api  # noqa: F401\n" for d in domains) + "\napp = FastAPI()\n")
    (out / "migrations").mkdir()
    (out / "migrations" / "env.py").write_text(
        "from alembic import context\n\n" + f"from {app}.db import Base\n"
        + "".join(f"import {app}.{d}.models  # noqa: F401\n" for d in domains)
        + "\ntarget_metadata = Base.metadata\n")
    (out / "pyproject.toml").write_text('[project]\nname = "shop"\nversion = "0"\n\n'
                                        '[tool.pytest.ini_options]\ntestpaths = ["shop"]\n')
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.out, args.files, args.seed)
    total = sum(1 for _ in args.out.rglob("*.py"))
    orm = sum(1 for p in args.out.rglob("*.py") if "sqlalchemy" in p.read_text())
    print(f"wrote {total} files to {args.out}, {orm / total:.0%} mention SQLAlchemy")

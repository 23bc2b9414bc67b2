"""Write a synthetic project: N files, a share of them SQLAlchemy model modules, realistic sizes.

    python bench/generate.py OUT_DIR [--files 1500] [--models 50]
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

TYPES = ["Integer", "String(120)", "Text", "Boolean", "DateTime", "Numeric(10, 2)", "JSON"]


def model_module(index: int, tables_per_module: int, rng: random.Random) -> str:
    lines = ["from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, JSON, Numeric, String, Text",
             "from sqlalchemy.orm import relationship", "", "from app.models.base import Base", ""]
    for t in range(tables_per_module):
        name = f"Entity{index}x{t}"
        lines += [f"class {name}(Base):", f'    """Entity {index}/{t} of the synthetic project."""', "",
                  f'    __tablename__ = "entity_{index}_{t}"', "", "    id = Column(Integer, primary_key=True)"]
        for c in range(rng.randint(6, 14)):
            extra = ", index=True" if c == 0 else (", nullable=False" if c % 3 == 0 else "")
            lines.append(f"    field_{c} = Column({rng.choice(TYPES)}{extra})")
        if index > 0 and t == 0:
            lines.append(f'    parent_id = Column(Integer, ForeignKey("entity_{index - 1}_0.id"))')
            lines.append(f'    parent = relationship("Entity{index - 1}x0")')
        lines.append("")
    return "\n".join(lines) + "\n"


def handler_lines(name: str, kind: int) -> list[str]:
    """A plain function of ordinary service code (json, logging, a loop): what most files are."""
    return [f"def {name}(payload, retries=3):",
            f'    """Handle request kind {kind}."""',
            "    result = {}",
            "    for key, value in sorted(payload.items()):",
            "        if isinstance(value, dict):",
            "            result[key] = json.dumps(value, sort_keys=True)",
            "        elif value is None and retries:",
            f"            log.debug('retry %s', {kind})",
            "        else:",
            "            result[key] = value",
            "    return result", ""]


def plain_module(index: int, module_names: list[str], rng: random.Random) -> str:
    imports = sorted(set(rng.sample(module_names, k=min(3, len(module_names))))) if module_names else []
    lines = ['"""A service module of the synthetic project."""', "", "import json", "import logging", ""]
    lines += [f"import {name}" for name in imports]
    lines += ["", "log = logging.getLogger(__name__)", ""]
    for f in range(rng.randint(8, 20)):
        lines += handler_lines(f"handler_{index}_{f}", f)
    lines += [f"class Service{index}:", "    def __init__(self, repo):", "        self.repo = repo", "",
              "    def run(self, items):", "        return [self.repo.get(i) for i in items if i]", ""]
    return "\n".join(lines) + "\n"


def generate(out: Path, files: int = 1500, models: int = 50, seed: int = 7) -> Path:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "app" / "models").mkdir(parents=True)
    (out / "app" / "services").mkdir(parents=True)
    (out / "app" / "__init__.py").write_text("")
    (out / "app" / "models" / "base.py").write_text(
        "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n")
    model_names = []
    for i in range(models):
        (out / "app" / "models" / f"m{i}.py").write_text(model_module(i, 4, rng))
        model_names.append(f"app.models.m{i}")
    (out / "app" / "models" / "__init__.py").write_text("".join(f"from {m} import *  # noqa\n" for m in model_names))
    (out / "app" / "services" / "__init__.py").write_text("")
    plain = files - models - 5
    service_names: list[str] = []
    for i in range(plain):
        package = out / "app" / "services" / f"pkg{i // 100}"
        if not package.exists():
            package.mkdir()
            (package / "__init__.py").write_text("")
        (package / f"s{i}.py").write_text(plain_module(i, service_names[-50:], rng))
        service_names.append(f"app.services.pkg{i // 100}.s{i}")
    (out / "app" / "main.py").write_text("from fastapi import FastAPI\n\nimport app.models  # noqa: F401\n"
                                         + "".join(f"import {s}  # noqa: F401\n" for s in service_names[-20:])
                                         + "\napp = FastAPI()\n")
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=1500)
    parser.add_argument("--models", type=int, default=50)
    args = parser.parse_args()
    generate(args.out, args.files, args.models)
    print(f"wrote {sum(1 for _ in args.out.rglob('*.py'))} files to {args.out}")

"""The consolidation plan as Markdown: one section per entity, in the order a team works."""

from __future__ import annotations

from ormdoctor.fix.plan import Entity, Plan


def render_plan(plan: Plan, decisions_file: str | None = None, migration_file: str | None = None) -> str:
    lines = ["# Consolidation plan", ""]
    if not plan.entities and not plan.double_imports:
        return "# Consolidation plan\n\nNothing to consolidate: no table is defined twice or in parallel.\n"
    lines.append(f"{len(plan.entities)} entit{'y' if len(plan.entities) == 1 else 'ies'} defined more than once"
                 + (" (database: compared column by column)." if plan.db is not None else
                    " (run with `--db URL` to see which version the database holds)."))
    lines.append("")
    lines += [f"- [{e.name}](#{_anchor(e.name)}): keep {e.keep.label}" for e in plan.entities]
    lines.append("")
    for entity in plan.entities:
        lines += _entity(entity, plan)
    if plan.double_imports:
        lines += ["## Modules imported under two names", ""]
        lines += [f"- `{d.path}` as " + " and ".join(f"`{n}`" for n in d.names)
                  + f": keep `{d.names[0]}` (`ormdoctor fix --select ORM107 --unsafe-fixes`)" for d in plan.double_imports]
        lines.append("")
    lines += _steps(plan, decisions_file, migration_file)
    return "\n".join(lines).rstrip() + "\n"


def _anchor(name: str) -> str:
    return name.replace(".", "").lower()


def _entity(entity: Entity, plan: Plan) -> list[str]:
    lines = [f"## {entity.name}", "", f"Reported as {', '.join(entity.codes)}. {len(entity.versions)} versions:", ""]
    lines += ["| | file | class | schema | metadata | columns | imported by | loaded by |",
              "|---|---|---|---|---|---|---|---|"]
    for i, v in enumerate(entity.versions, 1):
        mark = " **keep**" if v.table is entity.choice.keep else ""
        lines.append(f"| {i}{mark} | `{v.table.path}:{v.table.pos.line}` | {v.table.owner} | {v.table.schema or 'default'} "
                     f"| {v.metadata} | {len(v.table.columns)} | {_list(v.importers)} | {_list(v.loaded_by)} |")
    lines += ["", *_columns(entity), ""]
    if plan.db is not None:
        lines += _database(entity, plan)
    why = "; ".join(entity.choice.reasons)
    lines += [f"**Keep** version {entity.versions.index(entity.keep) + 1}, `{entity.keep.label}`: {why}.", ""]
    if entity.rewrites:
        lines += ["Imports to rewrite (the re-exports `ormdoctor fix` leaves keep them working meanwhile):", ""]
        lines += [f"- `{r.path}:{r.line}`: `{r.old}` → `{r.new}`" for r in entity.rewrites]
        lines.append("")
    if entity.deletable:
        lines += ["Files that become deletable (nothing else they define is used):", ""]
        lines += [f"- `{p}`" for p in entity.deletable]
        lines.append("")
    if entity.risks:
        lines += ["Risks:", ""] + [f"- {r}" for r in entity.risks] + [""]
    return lines


def _list(items: list[str], limit: int = 3) -> str:
    if not items:
        return "—"
    shown = ", ".join(f"`{i}`" for i in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _columns(entity: Entity) -> list[str]:
    names: list[str] = []
    for v in entity.versions:
        names += [c.name for c in v.table.columns if c.name and c.name not in names]
    header = "| column | " + " | ".join(str(i) for i in range(1, len(entity.versions) + 1)) + " | |"
    lines = [header, "|---|" + "---|" * len(entity.versions) + "---|"]
    for name in names:
        cells = [_cell(v.table.column(name)) for v in entity.versions]
        differs = "differs" if len(set(cells)) > 1 else ""
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {differs} |")
    return lines


def _cell(column) -> str:
    if column is None:
        return "—"
    parts = [column.type or "?"]
    if column.primary_key:
        parts.append("PK")
    elif column.nullable is False:
        parts.append("NOT NULL")
    if column.foreign_keys:
        parts.append("→ " + column.foreign_keys[0].target)
    return " ".join(parts)


def _database(entity: Entity, plan: Plan) -> list[str]:
    if not entity.db_tables:
        return ["The database has no table of this name.", ""]
    lines = []
    for table in entity.db_tables:
        holder = entity.holder(table)
        where = plan.db.qualified(table)
        if holder is None:
            lines.append(f"The database's `{where}` matches no version.")
            continue
        key = f"{table.schema}.{table.name}" if table.schema else table.name
        lines.append(f"The database's `{where}` holds version {entity.versions.index(holder) + 1} "
                     f"(`{holder.label}`, {holder.scores[key].ratio} columns match).")
    return lines + [""]


def _steps(plan: Plan, decisions_file: str | None, migration_file: str | None) -> list[str]:
    lines = ["## Steps", ""]
    steps = [f"Review the choices; change them in `{decisions_file}`" if decisions_file else
             "Review the choices; change them in `[tool.ormdoctor.canonical]` (or write them with `--decisions FILE`)"]
    if plan.db is not None:
        steps.append(f"Migrate the database: review and apply `{migration_file}` (`alembic upgrade head`)"
                     if migration_file else "Migrate the database (`ormdoctor plan --db URL --migration DIR` "
                                            "writes a reviewable Alembic revision)")
    fix = "ormdoctor fix --unsafe-fixes" + (f" --plan {decisions_file}" if decisions_file else "")
    steps += [f"Replace the other versions with re-exports of the kept one: `{fix}` (a diff; add `--write`)",
              "Rewrite the imports listed above to import the kept version directly",
              "Delete the files listed as deletable once nothing imports them",
              "Check: `ormdoctor check` (and `--db URL`), then `ormdoctor verify`"]
    lines += [f"{i}. {s}" for i, s in enumerate(steps, 1)]
    return lines + [""]

"""Files that could not be read, and models that could not be resolved statically."""

from __future__ import annotations

from ormdoctor.findings import Severity
from ormdoctor.rules.context import loc
from ormdoctor.rules.registry import rule
from ormdoctor.static.facts import Pos

_HINTS = {
    "syntax": "fix the syntax, or exclude the file in [tool.ormdoctor] if it targets a newer Python",
    "encoding": "save the file as UTF-8, or declare its encoding with `# -*- coding: latin-1 -*-`",
    "too-large": "exclude generated files in [tool.ormdoctor] exclude",
    "unreadable": "check the file's permissions, or whether it is a broken or looping symlink",
    "not-a-file": "a device, FIFO or socket is not source: remove it, or exclude it in [tool.ormdoctor]",
}


# What Python 3 says of Python 2 statements (cuckoo's `print "..."`, `exec code`).
_PYTHON2_ERRORS = ("Missing parentheses in call to 'print'", "Missing parentheses in call to 'exec'")
_PYTHON2_HINT = "Python 2 source: port it to Python 3, or exclude it in [tool.ormdoctor] exclude"


@rule("ORM001", "parse-error", Severity.WARNING)
def parse_error(ctx):
    """## What it does
    Reports a Python file that cannot be read or parsed: a syntax error, syntax newer than the
    Python running ormdoctor, bytes that are not valid in the file's encoding, a file too large
    to be source (over 8 MB), a coding cookie Python cannot use (`rot13`, `undefined`), a file that
    cannot be opened (permissions, a looping symlink), or a `.py` name that is not a regular file
    (a FIFO, a device, a symlink to `/dev/zero`), which is skipped unread. Newer syntax
    that changes no model (`type X = ...` aliases, `class Repo[T]:` generics, `except A, B:`) is
    read anyway, as its older equivalent; other newer syntax (3.12 f-strings) is reported.

    ## Why is this bad?
    The file's models are invisible to every other check, so a duplicate or broken reference
    inside it goes unreported. The rest of the project is still analysed.

    ## Example
    ```python
    class Customer(Base)   # missing colon
        __tablename__ = "customers"
    ```

    ## Use instead
    Fix the file, declare its encoding (`# -*- coding: latin-1 -*-`), or exclude it with
    `exclude = ["generated/**"]` in `[tool.ormdoctor]`.

    ## Fix safety
    No automatic fix.
    """
    for module in ctx.inventory.modules.values():
        error = module.facts.error
        if error is not None:
            python2 = error.kind == "syntax" and any(word in error.message for word in _PYTHON2_ERRORS)
            yield ctx.finding("ORM001", module.name, f"{module.path}: {error.message}", loc(module.path, error.pos),
                              hint=_PYTHON2_HINT if python2 else _HINTS.get(error.kind, ""))


@rule("ORM002", "unresolved-model", Severity.INFO)
def unresolved_model(ctx):
    """## What it does
    Reports a model whose table name or metadata cannot be determined without running the code:
    a `__tablename__` computed by a function ormdoctor cannot evaluate, a schema that comes from a
    computed `__table_args__` (schema and name together are the table's identity), a base
    class it cannot trace to a declarative base, or a `Table()` whose name is computed
    (`Table(make_name(kind), metadata)`; a module-level loop over literal values,
    `for kind in ("user", "group"): Table(f"{kind}_map", ...)`, is read once per value). A base or mixin from an installed package is
    read from the project's environment (`.venv`, `venv` or `env` in the project, `--python`,
    `VIRTUAL_ENV`); without one, a table name that only such a mixin gives is reported here.

    ## Why is this bad?
    It is left out of the checks that need its table (duplicates, indexes, references), so
    problems in it may go unreported. A MetaData holding a table of unknown name is never said
    to miss a table: a foreign key or `secondary=` naming it may be right. Run `ormdoctor check --import` to see what really happens.

    ## Example
    ```python
    class Base(DeclarativeBase):
        @declared_attr.directive
        def __tablename__(cls):
            return make_table_name(cls)   # not evaluated statically
    ```

    ## Use instead
    A literal `__tablename__`, or one of the common recipes (`cls.__name__.lower()`, an f-string
    over it), or `ormdoctor check --import`.

    ## Fix safety
    No automatic fix.
    """
    for item in ctx.inventory.unresolved:
        literal = "__table_args__ schema" if "__table_args__" in item.reason else "__tablename__"
        hint = f"give the class a literal {literal}, or run `ormdoctor check --import`"
        if item.reason.startswith("Table name"):
            hint = "give the Table a literal name (a loop over literal values is read once per value), or run " \
                   "`ormdoctor check --import`"
        if "which ormdoctor does not read" in item.reason:
            hint = ("pass `--python` the project's interpreter (or keep its .venv in the project) so the installed "
                    "package's source is read, or run `ormdoctor check --import`")
        yield ctx.finding("ORM002", item.subject, item.reason, loc(item.path, item.pos), hint=hint)
    yield from _untraced_bases(ctx)


def _untraced_bases(ctx):
    from ormdoctor.inventory.coverage import plain_class
    from ormdoctor.static.facts import real_bases

    models = {(c.path, c.name) for c in ctx.inventory.classes}
    used_as_base = {b.rsplit(".", 1)[-1] for m in ctx.inventory.modules.values() for c in m.facts.classes for b in c.bases}
    for module in ctx.inventory.modules.values():
        for cls in module.facts.classes:
            if cls.nested or (module.path, cls.name) in models or cls.abstract:
                continue
            # A class other classes derive from, on project classes only, is a mixin giving them a
            # table name (indico's `JSONSettingsBase(SettingsBase)`); one on an untraced base
            # (gino's `Team(db.Model)`, a joined-inheritance parent) is a model nobody resolved.
            if cls.name in used_as_base and _on_project_classes(ctx.inventory, module.path, cls):
                continue
            if plain_class(ctx.inventory, module.path, cls):
                continue  # its bases come from modules without ORM code: a plain class
            if cls.tablename is not None and cls.tablename.kind == "literal" and real_bases(cls):
                yield ctx.finding(
                    "ORM002", cls.name,
                    f"{cls.name} sets __tablename__ but its base {', '.join(cls.bases)} cannot be traced to a "
                    f"declarative base", loc(module.path, cls.pos),
                    hint="import the base from the project's models package, or run `ormdoctor check --import`")


def _on_project_classes(inventory, path: str, cls) -> bool:
    resolver = inventory.resolver
    if resolver is None:
        return False
    for base in cls.bases:
        if base == "object":
            continue
        symbol = resolver.resolve(path, base)
        if symbol is None or symbol.kind != "class" or symbol.attr is not None:
            return False
    return True


# Below this share of mapped-looking classes resolved, the run says loudly that it is half blind.
LOW_COVERAGE = 0.8


@rule("ORM003", "models-not-seen", Severity.WARNING)
def models_not_seen(ctx):
    """## What it does
    Reports, once per run, that a large share of the classes that look mapped (a
    `__tablename__`, a `__table__`, `table=True`, `Column`/`mapped_column` attributes) could not
    be traced to a registry and a MetaData, with the reason for each and the setting that would
    let ormdoctor see them: usually an import root (`roots = ["apps/backend/src"]`) when the
    application imports its modules from a folder ormdoctor did not take for one. Classes made
    inside functions (a test suite's scaffolding) are left out of the share: a hundred of them
    must not hide that none of the module-level models was resolved.

    ## Why is this bad?
    Every check works on the classes it resolved. When most of the model layer is unseen, a
    clean report means nothing: duplicates, broken references and missing imports among the
    unseen classes go unreported.

    ## Example
    ```python
    # apps/backend/src/models/user.py, run as `cd apps/backend/src && uvicorn main:app`
    from models.base import Base   # resolves only with apps/backend/src on sys.path

    class User(Base):
        __tablename__ = "users"
    ```

    ## Use instead
    Tell ormdoctor where the application runs from:
    ```toml
    [tool.ormdoctor]
    roots = ["apps/backend/src"]
    ```
    or run `ormdoctor check --import` with the project's interpreter. `ormdoctor roots` shows
    the import roots, entry points and processes ormdoctor inferred, and why.

    ## Fix safety
    No automatic fix.
    """
    from ormdoctor.inventory.coverage import EXTERNAL, FACTORY, NESTED, coverage, suggested_roots

    seen = coverage(ctx.inventory)
    unexplained = seen.unexplained
    # Classes made inside functions (test scaffolding, mostly) are no part of the model layer
    # a run is blind to or not: a test suite's hundred must not hide that no module-level one resolved.
    considered = seen.looks_mapped - sum(1 for u in seen.unseen if u.reason == NESTED)
    if not unexplained or (considered - len(unexplained)) >= LOW_COVERAGE * considered:
        return
    first = unexplained[0]
    roots = suggested_roots(ctx.inventory, unexplained)
    installed = any(u.reason in (EXTERNAL, FACTORY) for u in unexplained)
    if roots:
        hint = f"add `roots = {_toml_list(roots[:3])}` to [tool.ormdoctor]" + (
            "; for bases from an installed package, pass `--python` the project's interpreter" if installed else "") \
            + "; or run `ormdoctor check --import`"
    elif all(u.reason in (EXTERNAL, FACTORY) for u in unexplained):
        hint = "their base comes from an installed package or a factory call: pass `--python` the project's " \
               "interpreter so installed packages are read, or run `ormdoctor check --import` to analyse the real classes"
    elif installed:
        # both causes (litestar: advanced-alchemy bases and bases it could not trace): both remedies
        hint = "for bases from an installed package, pass `--python` the project's interpreter; for the others, " \
               "run `ormdoctor roots` and set `roots = [...]` in [tool.ormdoctor] to the folders the application " \
               "runs from; or run `ormdoctor check --import`"
    else:
        hint = "run `ormdoctor roots` to see the import roots inferred; set `roots = [...]` in [tool.ormdoctor] " \
               "to the folders the application runs from, or run `ormdoctor check --import`"
    reasons = ", ".join(f"{count} {reason}" for reason, count in seen.reasons().items() if reason)
    details = [f"{u.path}:{u.line} {u.name} ({u.reason}; bases: {', '.join(u.bases) or 'none'})"
               for u in unexplained[:5]]
    if len(unexplained) > 5:
        details.append(f"... and {len(unexplained) - 5} more")
    yield ctx.finding(
        "ORM003", "coverage",
        f"only {seen.resolved} of {seen.looks_mapped} classes that look mapped were resolved ({reasons})",
        loc(first.path, Pos(first.line, 1)), hint=hint, details=details)


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"

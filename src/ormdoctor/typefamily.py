"""Coarse type families, so `Integer`, `INTEGER`, `SERIAL` and `Mapped[int]` compare equal.

Standard library only: the static analyser (which sees annotations and call text) and the
database reflection (which sees compiled PostgreSQL/SQLite type names) both map through here.
"""

from __future__ import annotations

import re

_FAMILY_NAMES: dict[str, tuple[str, ...]] = {
    "integer": (
        "integer", "int", "biginteger", "smallinteger", "bigint", "smallint", "tinyint",
        "mediumint", "int2", "int4", "int8", "serial", "bigserial", "smallserial",
        "serial2", "serial4", "serial8", "unsigned big int",
    ),
    "string": (
        "string", "str", "text", "unicode", "unicodetext", "varchar", "nvarchar", "char",
        "nchar", "character", "character varying", "clob", "citext", "autostring",
        "emailstr", "anyurl", "httpurl",
    ),
    "uuid": ("uuid", "guid", "uuidtype"),
    "boolean": ("boolean", "bool"),
    "numeric": (
        "numeric", "decimal", "float", "real", "double", "double precision",
        "double_precision", "money", "float4", "float8",
    ),
    "datetime": (
        "datetime", "timestamp", "timestamptz", "timestamp without time zone",
        "timestamp with time zone",
    ),
    "date": ("date",),
    "time": ("time", "timetz", "time without time zone", "time with time zone"),
    "interval": ("interval", "timedelta"),
    "json": ("json", "jsonb", "dict"),
    "binary": (
        "largebinary", "bytea", "bytes", "blob", "binary", "varbinary", "longblob",
        "pickletype",
    ),
    "enum": ("enum",),
    "array": ("array",),
}
_FAMILY_OF = {name: family for family, names in _FAMILY_NAMES.items() for name in names}

# Wrappers whose first argument is the real type: Mapped[int], Optional[int], Annotated[int, ...].
_WRAPPER = re.compile(r"^(?:[\w.]+\.)?(Mapped|Optional|Annotated|Union)\[(.*)\]$", re.DOTALL)


def type_family(type_name: str) -> str | None:
    """The family of a type name, annotation or compiled type string; None if unknown."""
    text = _unwrap(type_name or "")
    if text is None:
        return None
    if text.endswith("[]"):  # PostgreSQL's compiled array type: INTEGER[]
        return "array"
    base = _base_name(text)
    return _FAMILY_OF.get(base) or _FAMILY_OF.get(base.split(" ")[0])


def type_head(type_name: str) -> str | None:
    """The dotted name a type is written with, wrappers and arguments peeled: `Mapped[types.Uuid]`
    and `types.Uuid(36)` -> `types.Uuid`; None when it is not one name."""
    text = _unwrap(type_name or "")
    if text is None:
        return None
    head = re.split(r"[(\[]", text, maxsplit=1)[0].strip()
    return head if re.fullmatch(r"[A-Za-z_][\w.]*", head) else None


def same_family(a: str, b: str) -> bool:
    """True when both types are known and of one family."""
    family = type_family(a)
    return family is not None and family == type_family(b)


def families_differ(a: str, b: str) -> bool:
    """True only when both families are known and differ: an unknown type is never a mismatch."""
    fa, fb = type_family(a), type_family(b)
    return fa is not None and fb is not None and fa != fb


def _unwrap(text: str) -> str | None:
    """Peel quotes, `Mapped[...]`, `Optional[...]` and `X | None` down to the one real type."""
    text = text.strip().strip("'\"").strip()
    match = _WRAPPER.match(text)
    if match:
        args = [a for a in _split_top(match.group(2), ",") if a.strip() != "None"]
        wanted = args[:1] if match.group(1) == "Annotated" else args
        return _unwrap(wanted[0]) if len(wanted) == 1 else None
    members = [m for m in _split_top(text, "|") if m.strip() != "None"]
    if len(members) > 1:
        return None  # `int | str` has no single family
    return members[0].strip() if members else None


def _split_top(text: str, sep: str) -> list[str]:
    """Split on `sep` outside brackets and parentheses."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif char == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _base_name(text: str) -> str:
    """`sa.String(50)` -> `string`; `datetime.datetime` -> `datetime`; spaces collapsed."""
    head = re.split(r"[(\[]", text, maxsplit=1)[0]
    head = head.rsplit(".", 1)[-1]
    return " ".join(head.lower().split())

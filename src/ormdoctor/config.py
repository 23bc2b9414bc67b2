"""``[tool.ormdoctor]`` in pyproject.toml, with defaults. Bad config is a clear error, never a traceback."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line for the user."""


@dataclass
class Config:
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)
    entry: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    canonical: dict[str, str] = field(default_factory=dict)
    pyproject: dict = field(default_factory=dict)  # the whole file, for pytest/setuptools settings
    python: str | None = None  # --python: the interpreter whose installed packages are read
    path: Path | None = None


_LISTS = ("include", "exclude", "select", "ignore", "roots", "entry")


def load_config(root: Path, explicit: Path | None = None) -> Config:
    path = explicit or root / "pyproject.toml"
    if explicit is not None and not explicit.is_file():
        raise ConfigError(f"config file not found: {explicit}")
    if not path.is_file():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    tool = data.get("tool", {})
    section = tool.get("ormdoctor", {}) if isinstance(tool, dict) else {}
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [tool.ormdoctor] must be a table")
    return _from_section(section, data, path)


def _from_section(section: dict, data: dict, path: Path) -> Config:
    config = Config(pyproject=data, path=path)
    known = set(_LISTS) | {"per-file-ignores", "canonical"}
    unknown = sorted(set(section) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) in [tool.ormdoctor]: {', '.join(unknown)} "
                          f"(known: {', '.join(sorted(known))})")
    for key in _LISTS:
        value = section.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: [tool.ormdoctor] {key} must be a list of strings")
        setattr(config, key, value)
    config.per_file_ignores = _str_map(section.get("per-file-ignores", {}), "per-file-ignores", path, lists=True)
    config.canonical = _str_map(section.get("canonical", {}), "canonical", path, lists=False)
    return config


def _str_map(value, key: str, path: Path, lists: bool) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [tool.ormdoctor] {key} must be a table")
    for k, v in value.items():
        ok = (isinstance(v, list) and all(isinstance(i, str) for i in v)) if lists else isinstance(v, str)
        if not ok:
            kind = "a list of codes" if lists else "a string"
            raise ConfigError(f"{path}: [tool.ormdoctor.{key}] {k!r} must be {kind}")
    return dict(value)

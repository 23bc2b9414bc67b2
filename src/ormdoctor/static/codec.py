"""Dataclasses ↔ JSON, driven by their fields' type hints: the cache stores data, never code.

Encoding writes a dataclass as the list of its field values in declaration order (compact, and
nothing names a type); decoding rebuilds each value from the *declared* type of the field, so a
stored document can only ever produce the plain values and the dataclasses its schema names.
Adding a field to a facts dataclass needs no change here: the decoder follows the new hints
(the tool fingerprint already keeps an old cache from meeting a new schema).
"""

from __future__ import annotations

import dataclasses
import enum
import json
import sys
import types
import typing
from functools import lru_cache
from operator import attrgetter
from typing import Any, Callable

_PLAIN = (int, float, bool, type(None), object, Any)


class CodecError(ValueError):
    """A type the codec cannot describe, or a document that does not fit its type."""


def dumps(value: object) -> str:
    """Compact JSON. A string of the source may hold a lone surrogate (glance's
    `re.compile('[\\uD800-\\uDBFF]')`), which no UTF-8 store takes: such a value is written
    with every non-ASCII character escaped, and reads back the same."""
    text = _json(value, ascii_only=False)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return _json(value, ascii_only=True)
    return text


def _json(value: object, ascii_only: bool) -> str:
    return json.dumps(value, default=_encode_default, ensure_ascii=ascii_only, separators=(",", ":"),
                      check_circular=False)


def loads(text: str, kind: object) -> Any:
    """``text`` decoded as a value of type ``kind``; CodecError when it does not fit."""
    try:
        return decoder(kind)(json.loads(text))
    except CodecError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        raise CodecError(f"stored value does not fit {kind}: {exc}") from None


def _encode_default(value: object) -> object:
    encode = _ENCODERS.get(type(value))  # one dict lookup per object: a cold run encodes millions
    if encode is None:
        encode = _ENCODERS[type(value)] = _encoder_for(type(value))
    return encode(value)


_ENCODERS: dict[type, Callable[[object], object]] = {set: sorted, frozenset: sorted}


def _encoder_for(cls: type) -> Callable[[object], object]:
    if dataclasses.is_dataclass(cls):
        return _getter(cls)
    if issubclass(cls, (set, frozenset)):
        return sorted
    raise TypeError(f"cannot store a {cls.__name__}")


@lru_cache(maxsize=None)
def _getter(cls: type) -> Callable[[object], list]:
    names = [f.name for f in dataclasses.fields(cls)]
    if len(names) == 1:
        get = attrgetter(names[0])
        return lambda value: [get(value)]
    get = attrgetter(*names)
    return lambda value: list(get(value)) if names else []


def _identity(value):
    return value


def _intern(value: str) -> str:
    """Names repeat across a tree (modules, types, columns): one object for each."""
    return sys.intern(value)


@lru_cache(maxsize=None)
def decoder(kind: object) -> Callable[[object], Any]:
    """A function turning the JSON form of a ``kind`` value back into that value."""
    if kind is str:
        return _intern
    if kind in _PLAIN:
        return _identity
    if kind is tuple:  # a bare `tuple` field: JSON gives lists back, at every depth
        return _deep_tuple
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind
    if dataclasses.is_dataclass(kind):
        build = _dataclass_decoder(kind)
        return _shared(build) if getattr(kind, "__codec_shared__", False) else build
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, getattr(types, "UnionType", typing.Union)):
        return _union_decoder(args)
    if origin is typing.Literal:
        return _identity
    if origin in (list, set, frozenset):
        item = decoder(args[0]) if args else _identity
        if item is _identity:
            return list if origin is list else origin
        return lambda value: origin(item(x) for x in value) if origin is not list else [item(x) for x in value]
    if origin is tuple:
        return _tuple_decoder(args)
    if origin is dict:
        key = _key_decoder(args[0]) if args else _identity
        value_of = decoder(args[1]) if args else _identity
        if key is _identity:
            return dict if value_of is _identity else lambda value: {k: value_of(v) for k, v in value.items()}
        return lambda value: {key(k): value_of(v) for k, v in value.items()}
    raise CodecError(f"cannot store values of type {kind!r}")


def _key_decoder(kind: object) -> Callable[[str], Any]:
    """JSON writes every key as a string: a key declared ``int`` (a line number) is turned
    back into one, and anything but a number does not fit."""
    if kind is int:
        return _int_key
    if kind is str:
        return _intern
    if kind is Any or kind is object:
        return _identity
    raise CodecError(f"cannot store dict keys of type {kind!r}")


def _int_key(key: str) -> int:
    if not (key.isdigit() or key[:1] == "-" and key[1:].isdigit()) or not key.isascii():
        raise CodecError(f"a stored key {key!r} is not a number")
    return int(key)


def _shared(build: Callable) -> Callable:
    """One object per distinct stored value: for tuples of plain items (tuples never change) and
    value classes of plain fields that opt in (``__codec_shared__``, never changed in place)."""
    made: dict[tuple, object] = {}

    def decode(value):
        key = tuple(value)
        try:
            found = made.get(key)
        except TypeError:  # an `Any` item holding a list: not shared
            return build(value)
        if found is None:
            found = made[key] = build(value)
        return found

    return decode


def _deep_tuple(value):
    return tuple(_deep_tuple(x) for x in value) if isinstance(value, list) else value


def _optional_intern(value: str | None) -> str | None:
    return None if value is None else sys.intern(value)


def _union_decoder(args: tuple) -> Callable:
    present = [a for a in args if a is not type(None)]
    decoders = [decoder(a) for a in present]
    if all(d is _identity for d in decoders):
        return _identity
    if len(decoders) == 1:
        only = decoders[0]
        if only is _intern:
            return _optional_intern
        return lambda value: None if value is None else only(value)
    raise CodecError(f"cannot tell apart the members of {args!r}")


def _tuple_decoder(args: tuple) -> Callable:
    if len(args) == 2 and args[1] is Ellipsis:
        item = decoder(args[0])
        return lambda value: tuple(item(x) for x in value)
    items = [decoder(a) for a in args]
    if all(d is _identity for d in items):
        return tuple
    build = lambda value: tuple(d(x) for d, x in zip(items, value, strict=True))  # noqa: E731
    if all(d is _intern or d is _identity or d is _optional_intern for d in items):
        return _shared(build)  # ("Column", None), ("id", "int"): the same few pairs everywhere
    return build


def _dataclass_decoder(cls: type) -> Callable:
    """One generated function per dataclass, ``build(v) -> cls(v[0], d1(v[1]), ...)``, as
    ``dataclasses`` itself generates ``__init__``: the source comes from the class's own fields,
    never from stored data, and decoding a large cache costs a call per object, not per field."""
    fields = dataclasses.fields(cls)
    if any(not f.init for f in fields):
        raise CodecError(f"{cls.__name__} has fields outside __init__")
    hints = typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))
    namespace: dict[str, object] = {"cls": cls, "CodecError": CodecError, "list": list, "len": len, "map": map,
                                 "intern": sys.intern}
    arguments = []
    for i, f in enumerate(fields):
        arguments.append(_argument(decoder(hints[f.name]), hints[f.name], f"v[{i}]", f"d{i}", namespace))
    source = (f"def build(v):\n"
              f"    if v.__class__ is not list or len(v) != {len(fields)}:\n"
              f"        raise CodecError('a stored {cls.__name__} needs {len(fields)} fields')\n"
              f"    return cls({', '.join(arguments)})\n")
    exec(source, namespace)  # noqa: S102 - generated from field names only, like dataclasses' __init__
    return namespace["build"]


def _argument(decode: Callable, kind: object, item: str, name: str, namespace: dict) -> str:
    """The expression decoding ``item``: the value itself when it is plain, else a call (most
    lists are empty and most optional values absent: those cost no call at all)."""
    if kind is str:
        return f"intern({item})"
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, getattr(types, "UnionType", typing.Union)) and set(args) == {str, type(None)}:
        return f"(None if {item} is None else intern({item}))"
    if decode is _identity:
        return item
    if origin is list and args:
        namespace[name] = decoder(args[0])
        return f"(list(map({name}, {item})) if {item} else [])"
    if origin is dict:
        namespace[name] = decode
        return f"({name}({item}) if {item} else {{}})"
    if decode is _deep_tuple:  # an import's `branch`: empty for nearly every import
        namespace[name] = decode
        return f"({name}({item}) if {item} else ())"
    present = [a for a in args if a is not type(None)]
    if origin in (typing.Union, getattr(types, "UnionType", typing.Union)) and len(present) == 1:
        namespace[name] = decoder(present[0])
        return f"(None if {item} is None else {name}({item}))"
    namespace[name] = decode
    return f"{name}({item})"

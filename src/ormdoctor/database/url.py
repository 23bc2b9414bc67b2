"""Database URLs as the user may see them: the password never leaves this module unmasked.

Standard library only, and deliberately stricter than SQLAlchemy's parser: a URL we cannot parse
must still print without its secret (it ends up in the "cannot connect" line). `mask_url` is total:
whatever string it gets (a URL, half a URL, a libpq ``key=value`` string), no password survives.
"""

from __future__ import annotations

import os
import re
from urllib.parse import unquote

ENV_VAR = "ORMDOCTOR_DATABASE_URL"
MASK = "***"
URL_SHAPE = "dialect+driver://user:password@host:port/database"

_SECRET_KEYS = r"(?:password|passwd|pwd|sslpassword)"
# In a URL query: `?password=...&`, `;PWD=...` (ODBC).
_QUERY_SECRET = re.compile(r"(?i)([?&;]" + _SECRET_KEYS + r"=)([^&;]*)")
# In a libpq/ODBC keyword string: `password=s3cret`, `password = 'with spaces \' quote'`.
_KEYWORD_SECRET = re.compile(r"(?i)((?:^|(?<=[\s;,]))" + _SECRET_KEYS + r"\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s;,]*)")
_KEYWORD_STRING = re.compile(r"^\s*\w+\s*=")
# Fragments of a password shorter than this are not looked for in free text (they would garble it).
_MIN_FRAGMENT = 3


class BadUrl(ValueError):
    """A --db value that cannot be a database URL; `str()` is one line without the password."""


def from_env(environ: dict[str, str] | None = None) -> str | None:
    """The URL in ORMDOCTOR_DATABASE_URL, or None when unset or blank."""
    value = (os.environ if environ is None else environ).get(ENV_VAR, "").strip()
    return value or None


def checked_url(url: str) -> str:
    """`url` ready for SQLAlchemy (``postgres://`` spelled ``postgresql://``), or BadUrl.

    Catches what would otherwise reach a driver that echoes the URL, or parse wrongly: an empty
    value, a libpq keyword string, a password with an unencoded '@', a port that is not a number.
    """
    if not url.strip():
        raise BadUrl(f"the database URL is empty (expected {URL_SHAPE})")
    scheme, rest = _split_scheme(url)
    if not scheme:
        kind = "a libpq 'key=value' string" if _KEYWORD_STRING.match(url) else "not a URL"
        raise BadUrl(f"{mask_url(url)} is {kind}; expected {URL_SHAPE}")
    userinfo, at, hostpart = _split_userinfo(rest)
    if "@" in userinfo:
        raise BadUrl(f"{mask_url(url)}: the password holds an unencoded '@'; write it as %40")
    for port in _ports(hostpart):
        if not port.isdigit():
            raise BadUrl(f"{mask_url(url)}: the host or port is malformed")
    dialect, plus, driver = scheme.partition("+")
    if dialect.lower() in ("postgres", "postgres://"):  # Heroku's spelling; SQLAlchemy 1.4+ refuses it
        scheme = "postgresql" + dialect[len("postgres"):] + plus + driver
    return scheme + rest


def mask_url(url: str) -> str:
    """`url` with its password (user-info, query or keyword form) shown as ***."""
    scheme, rest = _split_scheme(url)
    userinfo, at, hostpart = _split_userinfo(rest)
    if at:
        user, colon, _ = userinfo.partition(":")
        userinfo = user + (":" + MASK if colon else "")
    masked = _QUERY_SECRET.sub(r"\1" + MASK, scheme + userinfo + at + hostpart)
    return _KEYWORD_SECRET.sub(r"\1" + MASK, masked)


def mask_text(text: str) -> str:
    """Free text (an argparse error echoing the command line) with every password-looking part masked."""
    return re.sub(r"\S+", lambda word: mask_url(word.group()), _KEYWORD_SECRET.sub(r"\1" + MASK, text))


def mask_arguments(text: str, arguments: list[str]) -> str:
    """`text` with each password-holding command-line argument it quotes shown masked, and nothing
    else changed (ormdoctor's own words, such as the URL shape, stay as they are)."""
    for argument in sorted(arguments, key=len, reverse=True):
        masked = mask_text(argument)
        if masked != argument:
            text = text.replace(argument, masked)
    return text


def passwords(url: str) -> list[str]:
    """Every form in which the URL's password could appear in a message (raw, decoded, and the
    pieces a parser that splits at the first '@' would take for a host), longest first."""
    _, rest = _split_scheme(url)
    userinfo, at, _ = _split_userinfo(rest)
    found = [userinfo.partition(":")[2]] if at else []
    found += [m.group(2) for m in _QUERY_SECRET.finditer(url)]
    found += [m.group(2).strip("'") for m in _KEYWORD_SECRET.finditer(url)]
    found += [piece for secret in found if "@" in secret for piece in secret.split("@")
              if len(piece) >= _MIN_FRAGMENT]
    forms = {form for secret in found for form in (secret, unquote(secret))}
    return sorted((f for f in forms if f), key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    """`text` with the URL replaced by its masked form and any password removed."""
    text = str(text).replace(url, mask_url(url))
    for secret in passwords(url):
        text = text.replace(secret, MASK)
    return text


def _split_scheme(url: str) -> tuple[str, str]:
    scheme, sep, rest = url.partition("://")
    return (scheme + sep, rest) if sep else ("", url)


def _split_userinfo(rest: str) -> tuple[str, str, str]:
    """Split at the '@' that ends the user-info, so an unencoded '@' or '?' in a password stays masked.

    Normally the last '@' before the query's '?'. When a later '@' exists and what lies between
    the two is not a query of ``key=value`` pairs (``u:p@a?b@host``: the '?' is the password's),
    the later one (masking too much beats leaking).
    """
    query_at = rest.find("?")
    at = rest.rfind("@", 0, query_at if query_at >= 0 else len(rest))
    last = rest.rfind("@")
    if at < 0 or (last > at and not _is_query_value(rest[at + 1:last])):
        at = last
    if at < 0:
        return "", "", rest
    return rest[:at], "@", rest[at + 1:]


def _is_query_value(between: str) -> bool:
    """`host/db?key=val` — the text before an '@' that sits inside a query parameter's value."""
    _, question, query = between.partition("?")
    return bool(question) and "=" in query


def _ports(hostpart: str) -> list[str]:
    """The port of each host (``h1:5432,[::1]:5433``) that names one; '' for an empty one."""
    authority = re.split(r"[/?]", hostpart, maxsplit=1)[0]
    ports = []
    for host in authority.split(","):
        if host.startswith("["):
            _, bracket, tail = host.partition("]")
            host = tail if bracket else host[1:] + ":x"  # an unclosed '[' cannot be parsed
        if ":" in host:
            ports.append(host.rpartition(":")[2] or "0")
    return ports

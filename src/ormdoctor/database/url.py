"""Database URLs as the user may see them: the password never leaves this module unmasked.

Standard library only, and deliberately stricter than SQLAlchemy's parser: a URL we cannot parse
must still print without its secret (it ends up in the "cannot connect" line).
"""

from __future__ import annotations

import os
import re
from urllib.parse import unquote

ENV_VAR = "ORMDOCTOR_DATABASE_URL"
MASK = "***"

# Query parameters that libpq, MySQL drivers and ODBC accept as a password.
_SECRET_PARAM = re.compile(r"(?i)([?&;](?:password|passwd|pwd|sslpassword)=)([^&;]*)")


def from_env(environ: dict[str, str] | None = None) -> str | None:
    """The URL in ORMDOCTOR_DATABASE_URL, or None when unset or blank."""
    value = (os.environ if environ is None else environ).get(ENV_VAR, "").strip()
    return value or None


def mask_url(url: str) -> str:
    """`url` with its password (in the user-info part or the query) shown as ***."""
    scheme, rest = _split_scheme(url)
    userinfo, at, hostpart = _split_userinfo(rest)
    if at:
        user, colon, _ = userinfo.partition(":")
        userinfo = user + (":" + MASK if colon else "")
    return _SECRET_PARAM.sub(r"\1" + MASK, scheme + userinfo + at + hostpart)


def passwords(url: str) -> list[str]:
    """Every form in which the URL's password could appear in a message (raw and decoded)."""
    _, rest = _split_scheme(url)
    userinfo, at, _ = _split_userinfo(rest)
    found = [userinfo.partition(":")[2]] if at else []
    found += [m.group(2) for m in _SECRET_PARAM.finditer(url)]
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
    """Split at the LAST '@' of the authority, so an unencoded '@' in a password stays masked.

    The authority ends at the query's '?', unless the password itself holds a '?': then fall
    back to the last '@' anywhere (masking too much beats leaking).
    """
    query_at = rest.find("?")
    at = rest.rfind("@", 0, query_at if query_at >= 0 else len(rest))
    if at < 0:
        at = rest.rfind("@")
    if at < 0:
        return "", "", rest
    return rest[:at], "@", rest[at + 1:]

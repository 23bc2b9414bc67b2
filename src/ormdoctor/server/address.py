"""Where the server of a project listens: a Unix socket named after the project's root, in a
folder only this user can enter (``$XDG_RUNTIME_DIR/ormdoctor``, else ``~/.cache/ormdoctor/servers``).
Another user can neither connect nor put a socket of theirs in its place."""

from __future__ import annotations

import hashlib
import os
import socket
import stat as stat_mode
from pathlib import Path

from ormdoctor.static.cache import secret_path

MAX_SOCKET_PATH = 100  # bytes: sun_path holds 104 (macOS) to 108 (Linux), its terminating NUL included


class AddressError(Exception):
    """No private place for a socket (a folder another user owns or can write, a path too long)."""


def supported() -> bool:
    return hasattr(socket, "AF_UNIX")


def socket_path(root: Path, create: bool = False) -> Path:
    """The socket of ``root``'s server; ``create`` makes its private folder (mode 0700)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    folder = Path(runtime) / "ormdoctor" if runtime and os.path.isdir(runtime) else secret_path().parent / "servers"
    if create:
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise AddressError(f"cannot make {folder}: {exc.strerror}") from None
    _check_private(folder)
    name = hashlib.blake2b(str(root).encode("utf-8", "surrogateescape"), digest_size=10).hexdigest()
    path = folder / f"{name}.sock"
    if len(os.fsencode(path)) > MAX_SOCKET_PATH:
        raise AddressError(f"the socket path {path} is too long for a Unix socket; set XDG_RUNTIME_DIR "
                           "to a shorter folder")
    return path


def _check_private(folder: Path) -> None:
    try:
        info = folder.lstat()
    except FileNotFoundError:
        return  # nothing listens there yet
    except OSError as exc:
        raise AddressError(f"cannot read {folder}: {exc.strerror}") from None
    owned = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    if not stat_mode.S_ISDIR(info.st_mode) or not owned or info.st_mode & 0o077:
        raise AddressError(f"{folder} must be a folder of yours that no one else can enter (mode 0700)")
